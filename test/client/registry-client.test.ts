import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  RegistryAuthError,
  RegistryClientError,
  RegistryUnavailableError,
  RevokedVersionError,
} from '../../src/client/errors';
import { RegistryClient, type ArtifactInput, type Version } from '../../src/client/registry-client';
import { assertNotRevoked, pickImage, resolveVersion } from '../../src/client/resolve';
import {
  describeEachEngine,
  type Credentials,
  type TestRegistry,
} from '../helpers/registry-harness';

const HOUR = 3_600_000;

function clientOf(
  registry: TestRegistry,
  creds: Credentials = registry.admin,
  options: { projectId?: string; registryUrl?: string } = {},
): RegistryClient {
  const registryUrl = options.registryUrl ?? registry.url;
  return new RegistryClient(
    {
      registryUrl,
      tokenUrl: `${registryUrl}/oauth2/token`,
      clientId: creds.clientId,
      clientSecret: creds.clientSecret,
      organizationId: 'org-1',
      projectId: options.projectId ?? 'proj-1',
      maxRetries: 0,
    },
    { sleep: async () => undefined },
  );
}

/** Bucket (if missing), version, one BUILD_DONE AWS build, completion: with the client. */
async function publish(
  client: RegistryClient,
  bucket: string,
  fingerprint: string,
  artifacts: ArtifactInput[] = [
    { region: 'us-east-1', external_identifier: `ami-0${fingerprint.replace(/[^0-9a-f]/g, '')}1` },
  ],
  parent: { parent_version_id?: string; parent_channel_id?: string } = {},
): Promise<Version> {
  if (!(await client.findBucket(bucket))) await client.createBucket(bucket, `${bucket} images`);
  await client.createVersion(bucket, fingerprint);
  await client.createBuild(bucket, fingerprint, {
    platform: 'aws',
    component_type: 'amazon-ebs.runner',
    status: 'BUILD_DONE',
    artifacts,
    ...parent,
  });
  return client.completeVersion(bucket, fingerprint);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the call to fail');
}

/** Fails unless `error` is exactly a RegistryClientError (no subclass) with that status/reason. */
function assertClientError(
  error: Error,
  status: number,
  reason: string,
): asserts error is RegistryClientError {
  assert.ok(error instanceof RegistryClientError, `${error.name}: ${error.message}`);
  assert.ok(
    !(error instanceof RegistryAuthError) && !(error instanceof RegistryUnavailableError),
    error.name,
  );
  assert.equal(error.status, status, error.message);
  assert.equal(error.reason, reason, error.message);
}

/**
 * A real HTTP proxy in front of the registry that shrinks every page to 2 items, so the
 * client's pagination is followed over several pages. Records the list requests.
 */
async function pagingProxy(
  target: string,
): Promise<{ url: string; lists: string[]; close: () => Promise<void> }> {
  const lists: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    if (url.searchParams.has('pagination.page_size')) {
      url.searchParams.set('pagination.page_size', '2');
      lists.push(`${url.pathname}?${url.searchParams.toString()}`);
    }
    const upstream = http.request(
      url,
      { method: req.method, headers: { ...req.headers, host: url.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lists,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeEachEngine('RegistryClient against a live registry', (registry) => {
  let admin: RegistryClient;

  before(() => {
    admin = clientOf(registry());
  });

  describe('round trips', () => {
    const bucket = 'client-runner';

    it('buckets: create, get, find, update, list', async () => {
      const created = await admin.createBucket(bucket, 'GitHub runner images', { team: 'ci' });
      assert.equal(created.name, bucket);
      assert.equal(created.description, 'GitHub runner images');
      assert.deepEqual(created.labels, { team: 'ci' });
      assert.deepEqual(created.location, { organization_id: 'org-1', project_id: 'proj-1' });
      assert.equal(created.version_count, '0');

      const got = await admin.getBucket(bucket);
      assert.equal(got.id, created.id);
      assert.equal((await admin.findBucket(bucket))?.id, created.id);
      assert.equal(await admin.findBucket('client-missing'), null);

      const updated = await admin.updateBucket(bucket, {
        description: 'Runner images',
        labels: { team: 'platform', os: 'ubuntu' },
      });
      assert.equal(updated.id, created.id);
      assert.equal(updated.description, 'Runner images');
      assert.deepEqual(updated.labels, { team: 'platform', os: 'ubuntu' });
      // A partial update keeps the other field.
      assert.deepEqual(
        (await admin.updateBucket(bucket, { description: 'Runner images v2' })).labels,
        { team: 'platform', os: 'ubuntu' },
      );

      const listed = await admin.listBuckets();
      assert.deepEqual(
        listed.filter((b) => b.name === bucket).map((b) => [b.id, b.description]),
        [[created.id, 'Runner images v2']],
      );
    });

    it('versions and builds: create, get, list, update, complete', async () => {
      const version = await admin.createVersion(bucket, 'fp-1');
      assert.equal(version.fingerprint, 'fp-1');
      assert.equal(version.name, 'v0', 'HCP names an incomplete version v0');
      assert.equal(version.status, 'VERSION_RUNNING');
      assert.deepEqual(version.builds, []);

      const build = await admin.createBuild(bucket, 'fp-1', {
        platform: 'aws',
        component_type: 'amazon-ebs.runner',
        packer_run_uuid: 'run-1',
        labels: { arch: 'x64' },
        artifacts: [{ region: 'us-east-1', external_identifier: 'ami-0aaa' }],
      });
      // No status sent: proto3's zero value, as HCP stores it.
      assert.equal(build.status, 'BUILD_UNSET');
      assert.equal(build.version_id, version.id);
      assert.equal(build.packer_run_uuid, 'run-1');
      assert.deepEqual(
        build.artifacts.map((a) => [a.region, a.external_identifier]),
        [['us-east-1', 'ami-0aaa']],
      );

      const updated = await admin.updateBuild(bucket, 'fp-1', build.id, {
        status: 'BUILD_DONE',
        labels: { arch: 'x64', os: 'ubuntu-24.04' },
        artifacts: [
          { region: 'us-east-1', external_identifier: 'ami-0aaa' },
          { region: 'eu-west-1', external_identifier: 'ami-0bbb' },
        ],
      });
      assert.equal(updated.id, build.id);
      assert.equal(updated.status, 'BUILD_DONE');
      assert.deepEqual(updated.labels, { arch: 'x64', os: 'ubuntu-24.04' });

      const builds = await admin.listBuilds(bucket, 'fp-1');
      assert.deepEqual(
        builds.map((b) => [b.id, b.status, b.artifacts.map((a) => a.region)]),
        [[build.id, 'BUILD_DONE', ['us-east-1', 'eu-west-1']]],
      );

      const completed = await admin.completeVersion(bucket, 'fp-1');
      assert.equal(completed.id, version.id);
      assert.equal(completed.name, 'v1');
      assert.equal(completed.status, 'VERSION_ACTIVE');

      const got = await admin.getVersion(bucket, 'fp-1');
      assert.equal(got.name, 'v1');
      assert.deepEqual(
        got.builds.map((b) => b.id),
        [build.id],
      );
      // Creating the same fingerprint again returns the existing version.
      assert.equal((await admin.createVersion(bucket, 'fp-1')).id, version.id);

      await publish(admin, bucket, 'fp-2');
      const versions = await admin.listVersions(bucket);
      assert.deepEqual(
        versions.map((v) => [v.fingerprint, v.name]),
        [
          ['fp-2', 'v2'],
          ['fp-1', 'v1'],
        ],
      );
      assert.equal((await admin.getBucket(bucket)).latest_version?.fingerprint, 'fp-2');
    });

    it('channels: create, get, list, set, history, unassign, delete', async () => {
      const dev = await admin.createChannel(bucket, 'dev', { versionFingerprint: 'fp-1' });
      assert.equal(dev.name, 'dev');
      assert.equal(dev.bucket_name, bucket);
      assert.equal(dev.restricted, false);
      assert.equal(dev.version?.fingerprint, 'fp-1');
      const empty = await admin.createChannel(bucket, 'canary');
      assert.equal(empty.version, undefined);

      assert.equal((await admin.getChannel(bucket, 'dev')).version?.name, 'v1');
      assert.deepEqual((await admin.listChannels(bucket)).map((c) => c.name).sort(), [
        'canary',
        'dev',
        'latest',
      ]);

      const moved = await admin.setChannel(bucket, 'dev', 'fp-2');
      assert.equal(moved.id, dev.id);
      assert.equal(moved.version?.fingerprint, 'fp-2');
      assert.equal((await admin.getChannel(bucket, 'dev')).version?.fingerprint, 'fp-2');

      const unassigned = await admin.setChannel(bucket, 'dev', '');
      assert.equal(unassigned.version, undefined);
      await admin.setChannel(bucket, 'dev', 'fp-2');

      const history = await admin.channelHistory(bucket, 'dev');
      assert.deepEqual(
        history.map((h) => h.version?.fingerprint ?? null),
        ['fp-2', null, 'fp-2', 'fp-1'],
      );
      assert.ok(history.every((h) => h.author_id === registry().admin.clientId));

      await admin.deleteChannel(bucket, 'canary');
      assertClientError(
        await rejection(admin.getChannel(bucket, 'canary')),
        404,
        'CHANNEL_NOT_FOUND',
      );
      assert.deepEqual((await admin.listChannels(bucket)).map((c) => c.name).sort(), [
        'dev',
        'latest',
      ]);
    });

    it('versions: revoke now, schedule a revocation, restore', async () => {
      const revoked = await admin.revokeVersion(bucket, 'fp-1', {
        message: 'CVE-2026-0001 in openssl',
      });
      assert.equal(revoked.status, 'VERSION_REVOKED');
      assert.equal(revoked.revocation_message, 'CVE-2026-0001 in openssl');
      assert.equal(revoked.revocation_type, 'MANUAL');
      assert.equal(revoked.revoke_at, registry().clock.now().toISOString());

      const restored = await admin.restoreVersion(bucket, 'fp-1');
      assert.equal(restored.status, 'VERSION_ACTIVE');
      assert.equal(restored.revoke_at, undefined);

      const scheduled = await admin.revokeVersion(bucket, 'fp-1', {
        revokeIn: '7d',
        message: 'end of life',
      });
      assert.equal(scheduled.status, 'VERSION_REVOCATION_SCHEDULED');
      assert.equal(
        scheduled.revoke_at,
        new Date(registry().clock.now().getTime() + 7 * 24 * HOUR).toISOString(),
      );
      assert.equal((await admin.restoreVersion(bucket, 'fp-1')).status, 'VERSION_ACTIVE');

      const at = new Date(registry().clock.now().getTime() + 2 * HOUR).toISOString();
      const scheduledAt = await admin.revokeVersion(bucket, 'fp-1', {
        revokeAt: at,
        skipDescendants: true,
        disableRollback: true,
      });
      assert.equal(scheduledAt.revoke_at, at);
      assert.equal((await admin.restoreVersion(bucket, 'fp-1')).status, 'VERSION_ACTIVE');
    });

    it('ancestry: parents and children, up to date then out of date', async () => {
      const base = await publish(admin, 'client-base', 'base-1');
      const prod = await admin.createChannel('client-base', 'prod', {
        versionFingerprint: 'base-1',
      });
      const app = await publish(
        admin,
        'client-app',
        'app-1',
        [{ region: 'us-east-1', external_identifier: 'ami-0c11e47a9910' }],
        {
          parent_version_id: base.id,
          parent_channel_id: prod.id,
        },
      );
      assert.equal(app.builds[0].parent_version_id, base.id);
      assert.equal(app.builds[0].parent_channel_id, prod.id);

      const parents = await admin.ancestry('client-app', 'ANCESTRY_TYPE_PARENTS');
      assert.equal(parents.length, 1);
      assert.deepEqual(
        {
          parent: [
            parents[0].parent.bucket_name,
            parents[0].parent.version_fingerprint,
            parents[0].parent.channel_name,
            parents[0].parent.channel_version?.fingerprint,
          ],
          child: [
            parents[0].child.bucket_name,
            parents[0].child.version_fingerprint,
            parents[0].child.version_name,
          ],
          status: parents[0].status,
        },
        {
          parent: ['client-base', 'base-1', 'prod', 'base-1'],
          child: ['client-app', 'app-1', 'v1'],
          status: 'UP_TO_DATE',
        },
      );
      const children = await admin.ancestry('client-base', 'ANCESTRY_TYPE_CHILDREN');
      assert.deepEqual(
        children.map((r) => [r.child.bucket_name, r.status]),
        [['client-app', 'UP_TO_DATE']],
      );
      assert.deepEqual(await admin.ancestry('client-app', 'ANCESTRY_TYPE_CHILDREN'), []);
      assert.equal((await admin.ancestry('client-base')).length, 1);

      await publish(admin, 'client-base', 'base-2');
      await admin.setChannel('client-base', 'prod', 'base-2');
      const stale = await admin.ancestry('client-app');
      assert.deepEqual(
        stale.map((r) => [r.status, r.parent.channel_version?.fingerprint]),
        [['OUT_OF_DATE', 'base-2']],
      );
    });

    it('searchArtifact finds the bucket, version and build of an image, with filters', async () => {
      const found = await admin.searchArtifact('ami-0c11e47a9910');
      assert.deepEqual(
        found.map((f) => [f.bucket.name, f.version.fingerprint, f.version.name, f.build.platform]),
        [['client-app', 'app-1', 'v1', 'aws']],
      );
      assert.equal(
        (await admin.searchArtifact('ami-0c11e47a9910', { platform: 'aws', region: 'us-east-1' }))
          .length,
        1,
      );
      assert.deepEqual(await admin.searchArtifact('ami-0c11e47a9910', { region: 'eu-west-1' }), []);
      assert.deepEqual(await admin.searchArtifact('ami-0c11e47a9910', { platform: 'gcp' }), []);
      assert.deepEqual(await admin.searchArtifact('ami-0nothing'), []);
    });

    it('consumers: register (idempotently) and list by version and by bucket', async () => {
      assert.equal(await admin.isIngot(), true);
      const input = {
        pulumi_project: 'runner-fleet',
        stack: 'prod',
        urn: 'urn:pulumi:prod::runner-fleet::aws:ec2/launchTemplate:LaunchTemplate::runners',
        channel: 'prod',
      };
      const consumer = await admin.registerConsumer('client-app', 'app-1', input);
      assert.ok(consumer);
      assert.deepEqual(
        [
          consumer.pulumi_project,
          consumer.stack,
          consumer.urn,
          consumer.channel,
          consumer.version_fingerprint,
        ],
        ['runner-fleet', 'prod', input.urn, 'prod', 'app-1'],
      );
      await admin.registerConsumer('client-app', 'app-1', input);

      const ofVersion = await admin.consumers('client-app', 'app-1');
      assert.deepEqual(
        ofVersion.map((c) => [c.stack, c.urn]),
        [['prod', input.urn]],
      );
      const ofBucket = await admin.consumers('client-app');
      assert.deepEqual(
        ofBucket.map((c) => [c.stack, c.version_fingerprint, c.version_name]),
        [['prod', 'app-1', 'v1']],
      );
      assert.deepEqual(await admin.consumers('client-base'), []);
    });
  });

  describe('pagination and tokens', () => {
    it('lists follow next_page_token to the end (a proxy makes pages of 2)', async () => {
      const direct = clientOf(registry(), registry().admin, { projectId: 'proj-pages' });
      const names = ['pages-a', 'pages-b', 'pages-c', 'pages-d', 'pages-e'];
      for (const name of names) await direct.createBucket(name);
      for (const fp of ['p-1', 'p-2', 'p-3']) await publish(direct, 'pages-a', fp);
      await direct.createVersion('pages-a', 'p-4');
      for (const component of ['amazon-ebs.x64', 'amazon-ebs.arm64'])
        await direct.createBuild('pages-a', 'p-4', { platform: 'aws', component_type: component });
      await direct.createBuild('pages-a', 'p-4', {
        platform: 'gcp',
        component_type: 'googlecompute.x64',
      });
      for (const channel of ['one', 'two', 'three'])
        await direct.createChannel('pages-a', channel, { versionFingerprint: 'p-1' });
      await direct.setChannel('pages-a', 'one', 'p-2');
      await direct.setChannel('pages-a', 'one', 'p-3');

      // Directly: one request per list (pages of 1000).
      const before = direct.transport.requests;
      assert.equal((await direct.listBuckets()).length, 5);
      assert.equal(direct.transport.requests - before, 1);

      const proxy = await pagingProxy(registry().url);
      try {
        const paged = clientOf(registry(), registry().admin, {
          projectId: 'proj-pages',
          registryUrl: proxy.url,
        });
        await paged.getBucket('pages-a'); // the token, out of the way

        const start = paged.transport.requests;
        const buckets = await paged.listBuckets();
        assert.deepEqual(buckets.map((b) => b.name).sort(), names);
        assert.equal(new Set(buckets.map((b) => b.id)).size, 5, 'no bucket twice');
        assert.equal(paged.transport.requests - start, 3);
        assert.equal(proxy.lists.length, 3);
        assert.doesNotMatch(proxy.lists[0], /next_page_token/);
        assert.match(proxy.lists[1], /pagination\.next_page_token=/);
        assert.match(proxy.lists[2], /pagination\.next_page_token=/);
        assert.notEqual(proxy.lists[1], proxy.lists[2]);

        const count = async <T>(list: () => Promise<T[]>) => {
          const from = paged.transport.requests;
          const items = await list();
          return { items, requests: paged.transport.requests - from };
        };
        const versions = await count(() => paged.listVersions('pages-a'));
        assert.deepEqual(
          versions.items.map((v) => v.fingerprint),
          ['p-4', 'p-3', 'p-2', 'p-1'],
        );
        assert.equal(versions.requests, 2);
        const builds = await count(() => paged.listBuilds('pages-a', 'p-4'));
        assert.deepEqual(builds.items.map((b) => b.component_type).sort(), [
          'amazon-ebs.arm64',
          'amazon-ebs.x64',
          'googlecompute.x64',
        ]);
        assert.equal(builds.requests, 2);
        const channels = await count(() => paged.listChannels('pages-a'));
        assert.deepEqual(channels.items.map((c) => c.name).sort(), [
          'latest',
          'one',
          'three',
          'two',
        ]);
        assert.equal(channels.requests, 2);
        const history = await count(() => paged.channelHistory('pages-a', 'one'));
        assert.deepEqual(
          history.items.map((h) => h.version?.fingerprint),
          ['p-3', 'p-2', 'p-1'],
        );
        assert.equal(history.requests, 2);
      } finally {
        await proxy.close();
      }
    });

    it('caches the token: N calls are 1 token request + N API requests', async () => {
      const client = clientOf(registry());
      for (let i = 0; i < 5; i++) await client.getBucket('client-runner');
      assert.equal(client.transport.requests, 6);
      await client.listVersions('client-runner');
      assert.equal(client.transport.requests, 7);
    });

    it('concurrent calls of a fresh client share one token request', async () => {
      const client = clientOf(registry());
      await Promise.all([
        client.getBucket('client-runner'),
        client.getBucket('client-base'),
        client.getVersion('client-runner', 'fp-1'),
        client.listChannels('client-runner'),
      ]);
      assert.equal(client.transport.requests, 5);
    });
  });

  describe('errors', () => {
    it('a wrong secret is a RegistryAuthError naming the client id and the token URL, and what to check', async () => {
      const creds = {
        clientId: registry().admin.clientId,
        clientSecret: 'ingot_cs_wrong-secret-value',
      };
      const error = await rejection(clientOf(registry(), creds).getBucket('client-runner'));
      assert.ok(error instanceof RegistryAuthError, `${error.name}: ${error.message}`);
      assert.equal(error.status, 401);
      assert.equal(error.reason, 'invalid_client');
      assert.ok(error.message.includes(`client "${creds.clientId}"`), error.message);
      assert.ok(error.message.includes(`${registry().url}/oauth2/token`), error.message);
      assert.match(error.message, /Check HCP_CLIENT_ID and HCP_CLIENT_SECRET/);
      assert.ok(!error.message.includes('wrong-secret-value'), error.message);
    });

    it('an unknown client id gets the same answer as a wrong secret', async () => {
      const error = await rejection(
        clientOf(registry(), {
          clientId: 'ingot_ci_nobody',
          clientSecret: 'ingot_cs_x',
        }).listBuckets(),
      );
      assert.ok(error instanceof RegistryAuthError, `${error.name}: ${error.message}`);
      assert.equal(error.status, 401);
      assert.match(error.message, /client "ingot_ci_nobody"/);
    });

    it('a viewer may read but a write is a RegistryAuthError 403 naming the operation and the registry', async () => {
      const viewer = clientOf(registry(), await registry().principal('viewer', 'org-1', 'proj-1'));
      assert.equal((await viewer.getBucket('client-runner')).name, 'client-runner');

      const error = await rejection(viewer.createBucket('viewer-made'));
      assert.ok(error instanceof RegistryAuthError, `${error.name}: ${error.message}`);
      assert.equal(error.status, 403);
      assert.equal(error.reason, 'PERMISSION_DENIED');
      assert.ok(
        error.message.startsWith(
          `create bucket "viewer-made" at ${registry().url} is not allowed (403): `,
        ),
        error.message,
      );
      assert.match(error.message, /role viewer .*needs contributor/);
      assert.equal(await admin.findBucket('viewer-made'), null);

      const channel = await rejection(viewer.setChannel('client-runner', 'dev', 'fp-1'));
      assert.ok(channel instanceof RegistryAuthError && channel.status === 403, channel.message);
    });

    it('a contributor may not revoke: 403 with the registry’s reason', async () => {
      const contributor = clientOf(
        registry(),
        await registry().principal('contributor', 'org-1', 'proj-1'),
      );
      const error = await rejection(
        contributor.revokeVersion('client-runner', 'fp-1', { message: 'x' }),
      );
      assert.ok(error instanceof RegistryAuthError, `${error.name}: ${error.message}`);
      assert.equal(error.status, 403);
      assert.match(
        error.message,
        /^revoke version "fp-1" of bucket "client-runner" at http:\/\/.* is not allowed \(403\): only an admin may revoke a version/,
      );
    });

    it('a principal of another project is refused there', async () => {
      const other = clientOf(
        registry(),
        await registry().principal('admin', 'org-1', 'proj-other'),
      );
      const error = await rejection(other.getBucket('client-runner'));
      assert.ok(
        error instanceof RegistryAuthError && error.status === 403,
        `${error.name}: ${error.message}`,
      );
    });

    it('an unknown bucket is a 404 BUCKET_NOT_FOUND naming the bucket, the operation and the registry', async () => {
      const error = await rejection(admin.getBucket('no-such-bucket'));
      assertClientError(error, 404, 'BUCKET_NOT_FOUND');
      assert.ok(
        error.message.startsWith(
          `get bucket "no-such-bucket" at ${registry().url} failed (404): bucket "no-such-bucket" does not exist`,
        ),
        error.message,
      );

      for (const call of [
        () => admin.listVersions('no-such-bucket'),
        () => admin.createVersion('no-such-bucket', 'fp'),
        () => admin.getChannel('no-such-bucket', 'dev'),
      ]) {
        const failure = await rejection(call());
        assertClientError(failure, 404, 'BUCKET_NOT_FOUND');
        assert.match(failure.message, /no-such-bucket/);
        assert.ok(failure.message.includes(registry().url), failure.message);
      }
    });

    it('an unknown channel is a 404 and an unknown version fingerprint is HCP’s Aborted (409), naming them', async () => {
      const channel = await rejection(admin.getChannel('client-runner', 'nope'));
      assertClientError(channel, 404, 'CHANNEL_NOT_FOUND');
      assert.ok(
        channel.message.startsWith(
          `get channel "nope" of bucket "client-runner" at ${registry().url} failed (404): channel "nope" does not exist`,
        ),
        channel.message,
      );

      const set = await rejection(admin.setChannel('client-runner', 'nope', 'fp-1'));
      assertClientError(set, 404, 'CHANNEL_NOT_FOUND');
      assert.match(
        set.message,
        /assign version "fp-1" to channel "nope" of bucket "client-runner"/,
      );

      const resolved = await rejection(resolveVersion(admin, 'client-runner', { channel: 'nope' }));
      assertClientError(resolved, 404, 'CHANNEL_NOT_FOUND');

      const version = await rejection(admin.getVersion('client-runner', 'fp-404'));
      // HCP answers GetVersion of an unknown fingerprint with Aborted (code 10, 409).
      assertClientError(version, 409, 'VERSION_NOT_FOUND');
      assert.match(
        version.message,
        /get version "fp-404" of bucket "client-runner" at .* version "fp-404" does not exist/,
      );
    });

    it('a bad request is a 400 with the registry’s reason and message', async () => {
      const error = await rejection(admin.createBucket('x'));
      assertClientError(error, 400, 'INVALID_ARGUMENT');
      assert.match(
        error.message,
        /^create bucket "x" at http:\/\/.* failed \(400\): invalid body: name/,
      );
      const conflict = await rejection(admin.createChannel('client-runner', 'dev'));
      assertClientError(conflict, 409, 'CHANNEL_ALREADY_EXISTS');
    });

    it('a revoked version reached through a channel is refused with bucket, version, channel and message', async () => {
      await publish(admin, 'client-revoked', 'rv-1');
      await admin.createChannel('client-revoked', 'prod', { versionFingerprint: 'rv-1' });
      // Without rollback the channel keeps serving the revoked version.
      await admin.revokeVersion('client-revoked', 'rv-1', {
        message: 'CVE-2026-0002: kernel',
        disableRollback: true,
      });

      const resolved = await resolveVersion(admin, 'client-revoked', { channel: 'prod' });
      assert.equal(resolved.version.status, 'VERSION_REVOKED');
      let error: Error | null = null;
      try {
        assertNotRevoked(resolved);
      } catch (caught) {
        error = caught as Error;
      }
      assert.ok(error instanceof RevokedVersionError, String(error));
      assert.equal(error.reason, 'VERSION_REVOKED');
      for (const part of [
        'bucket "client-revoked"',
        'version v1',
        'fingerprint rv-1',
        'channel "prod"',
        'CVE-2026-0002: kernel',
        resolved.version.revoke_at as string,
      ]) {
        assert.ok(error.message.includes(part), `"${part}" missing from: ${error.message}`);
      }

      // A valid version passes, and its image can be picked.
      const runner = await resolveVersion(admin, 'client-runner', { channel: 'dev' });
      assertNotRevoked(runner);
      assert.equal(pickImage(runner, { platform: 'aws', region: 'us-east-1' }).region, 'us-east-1');
    });

    it('Ingot-only calls against a registry that is not Ingot say so', async () => {
      const server = http.createServer((_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const client = clientOf(registry(), registry().admin, { registryUrl: url });
        assert.equal(await client.isIngot(), false);
        assert.equal(
          await client.registerConsumer('b', 'fp', {
            pulumi_project: 'p',
            stack: 's',
            urn: 'urn:pulumi:s::p::t::n',
          }),
          null,
        );
        const error = await rejection(client.consumers('b'));
        assertClientError(error, 0, 'NOT_SUPPORTED');
        assert.equal(
          error.message,
          `listing consumers is an Ingot registry feature; ${url} is not an Ingot registry (HCP Packer has no equivalent).`,
        );
        assertClientError(
          await rejection(client.soakedVersion('b', 'staging', '24h')),
          0,
          'NOT_SUPPORTED',
        );
        assert.equal(
          client.transport.requests,
          0,
          'no token asked of a registry the call cannot use',
        );
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });

  // These move the server's clock forward; they run last.
  describe('with the server clock advanced', () => {
    it('a token the server stopped accepting is renewed transparently, once', async () => {
      const client = clientOf(
        registry(),
        await registry().principal('contributor', 'org-1', 'proj-1'),
      );
      await client.getBucket('client-runner');
      assert.equal(client.transport.requests, 2);

      // Tokens live 1 h on the server (its cache 30 s); the client still thinks its token is fresh.
      registry().clock.advance(2 * HOUR);
      assert.equal((await client.getBucket('client-runner')).name, 'client-runner');
      assert.equal(client.transport.requests, 5, 'refused call + token + retried call');
      await client.listChannels('client-runner');
      assert.equal(client.transport.requests, 6, 'the renewed token is cached');
    });

    it('soakedVersion: the newest valid version a channel has held long enough', async () => {
      await publish(admin, 'client-soak', 's-1');
      await publish(admin, 'client-soak', 's-2');
      const assignedAt = registry().clock.now().toISOString();
      await admin.createChannel('client-soak', 'staging', { versionFingerprint: 's-1' });

      const early = await rejection(admin.soakedVersion('client-soak', 'staging', '24h'));
      assert.ok(
        early instanceof RegistryClientError && early.status === 404,
        `${early.name}: ${early.message}`,
      );
      assert.match(
        early.message,
        /find the version channel "staging" of bucket "client-soak" has held for 24h at http:\/\/.* no valid version has been held/,
      );

      registry().clock.advance(25 * HOUR);
      await admin.setChannel('client-soak', 'staging', 's-2');
      registry().clock.advance(HOUR);

      const soaked = await admin.soakedVersion('client-soak', 'staging', '24h');
      assert.equal(soaked.version.fingerprint, 's-1');
      assert.equal(soaked.assigned_at, assignedAt);
      assert.equal(soaked.held_for_seconds, 25 * 3600);
      assert.equal(soaked.held_for, '25h');

      const recent = await admin.soakedVersion('client-soak', 'staging', '1h');
      assert.equal(recent.version.fingerprint, 's-2');
      assert.equal(recent.held_for, '1h');

      // A revoked version no longer counts as soaked.
      await admin.revokeVersion('client-soak', 's-1', { message: 'bad', disableRollback: true });
      const afterRevoke = await rejection(admin.soakedVersion('client-soak', 'staging', '24h'));
      assert.ok(
        afterRevoke instanceof RegistryClientError && afterRevoke.status === 404,
        afterRevoke.message,
      );

      const managed = await rejection(admin.soakedVersion('client-soak', 'latest', '1h'));
      // FailedPrecondition: 400, as grpc-gateway maps code 9.
      assertClientError(managed, 400, 'CHANNEL_MANAGED');
    });
  });
});
