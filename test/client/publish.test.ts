import assert from 'node:assert/strict';
import { RegistryClient } from '../../src/client/registry-client';
import {
  ManifestError,
  parseManifest,
  type ManifestBuildInput,
} from '../../src/client/packer-manifest';
import { publishVersion } from '../../src/client/publish';
import { describeEachEngine, type TestRegistry } from '../helpers/registry-harness';

const RUN = '7c0d2f3a-0000-4000-8000-00000000abcd';

/** What Packer's manifest post-processor writes for an AWS (2 regions) + GCP build. */
function packerManifest(fingerprint: string): string {
  const hex = Buffer.from(fingerprint).toString('hex').slice(0, 12);
  return JSON.stringify({
    builds: [
      {
        name: 'runner',
        builder_type: 'amazon-ebs',
        build_time: 1772366400,
        artifact_id: `us-east-1:ami-0${hex}1,eu-west-1:ami-0${hex}2`,
        packer_run_uuid: RUN,
        custom_data: { runner_version: '2.330.0', bucket: 'ignored' },
      },
      {
        name: 'runner',
        builder_type: 'googlecompute',
        build_time: 1772366400,
        artifact_id: `runner-${fingerprint}`,
        packer_run_uuid: RUN,
        custom_data: { runner_version: '2.330.0', gcp_project_id: 'ingot-images' },
      },
    ],
    last_run_uuid: RUN,
  });
}

function buildsOf(fingerprint: string): ManifestBuildInput[] {
  return parseManifest(packerManifest(fingerprint), 'packer-manifest.json');
}

function clientOf(registry: TestRegistry): RegistryClient {
  return new RegistryClient({
    registryUrl: registry.url,
    tokenUrl: `${registry.url}/oauth2/token`,
    clientId: registry.admin.clientId,
    clientSecret: registry.admin.clientSecret,
    organizationId: 'org-1',
    projectId: 'proj-1',
  });
}

/** The parts of a build that publishing decides, in a comparable form. */
function summary(build: {
  id: string;
  platform: string;
  component_type: string;
  status: string;
  labels: Record<string, string>;
  artifacts: { region: string; external_identifier: string }[];
  updated_at: string;
}) {
  return {
    id: build.id,
    platform: build.platform,
    component_type: build.component_type,
    status: build.status,
    labels: build.labels,
    artifacts: build.artifacts.map((a) => `${a.region}=${a.external_identifier}`),
    updated_at: build.updated_at,
  };
}

describeEachEngine('publishVersion against a live registry', (registry) => {
  let client: RegistryClient;

  before(() => {
    client = clientOf(registry());
  });

  it('creates the bucket, the version and its builds, and completes it', async () => {
    const result = await publishVersion(client, {
      bucket: 'pub-runner',
      fingerprint: 'sha-1',
      builds: buildsOf('sha-1'),
      bucketDescription: 'GitHub runner images',
      bucketLabels: { os: 'ubuntu-24.04' },
      buildLabels: { git_commit: 'abc123' },
    });

    assert.equal(result.published, true);
    assert.equal(result.version.name, 'v1');
    assert.equal(result.version.status, 'VERSION_ACTIVE');
    assert.equal(result.version.fingerprint, 'sha-1');
    const builds = await client.listBuilds('pub-runner', 'sha-1');
    assert.deepEqual(
      builds.map((b) => [
        b.platform,
        b.component_type,
        b.status,
        b.packer_run_uuid,
        b.labels,
        b.artifacts.map((a) => [a.region, a.external_identifier]),
      ]),
      [
        [
          'aws',
          'amazon-ebs.runner',
          'BUILD_DONE',
          RUN,
          { runner_version: '2.330.0', git_commit: 'abc123' },
          [
            ['us-east-1', `ami-0${Buffer.from('sha-1').toString('hex').slice(0, 12)}1`],
            ['eu-west-1', `ami-0${Buffer.from('sha-1').toString('hex').slice(0, 12)}2`],
          ],
        ],
        [
          'gcp',
          'googlecompute.runner',
          'BUILD_DONE',
          RUN,
          { runner_version: '2.330.0', git_commit: 'abc123' },
          [['global', 'projects/ingot-images/global/images/runner-sha-1']],
        ],
      ],
    );
    const bucket = await client.getBucket('pub-runner');
    assert.equal(bucket.description, 'GitHub runner images');
    assert.deepEqual(bucket.labels, { os: 'ubuntu-24.04' });
    assert.equal(bucket.latest_version?.fingerprint, 'sha-1');
  });

  it('publishing the same fingerprint again returns published: false and changes nothing', async () => {
    const before = await client.getVersion('pub-runner', 'sha-1');
    registry().clock.advance(60_000); // any write now would show in updated_at

    const again = await publishVersion(client, {
      bucket: 'pub-runner',
      fingerprint: 'sha-1',
      builds: buildsOf('sha-1'),
      buildLabels: { git_commit: 'def456' },
    });

    assert.equal(again.published, false);
    assert.equal(again.version.id, before.id);
    assert.equal(again.version.name, 'v1');
    const after = await client.getVersion('pub-runner', 'sha-1');
    assert.equal(after.updated_at, before.updated_at);
    assert.deepEqual(after.builds.map(summary), before.builds.map(summary));
    assert.deepEqual(
      (await client.listVersions('pub-runner')).map((v) => v.fingerprint),
      ['sha-1'],
    );
  });

  it('finishes an incomplete version left by a failed run in place, without duplicate builds', async () => {
    // The earlier run created the version and its AWS build, then died.
    await client.createVersion('pub-runner', 'sha-2');
    const leftover = await client.createBuild('pub-runner', 'sha-2', {
      platform: 'aws',
      component_type: 'amazon-ebs.runner',
      status: 'BUILD_RUNNING',
      packer_run_uuid: 'old-run',
    });

    const result = await publishVersion(client, {
      bucket: 'pub-runner',
      fingerprint: 'sha-2',
      builds: buildsOf('sha-2'),
    });

    assert.equal(result.published, true);
    assert.equal(result.version.name, 'v2');
    assert.equal(result.version.status, 'VERSION_ACTIVE');
    const builds = await client.listBuilds('pub-runner', 'sha-2');
    assert.deepEqual(builds.map((b) => b.component_type).sort(), [
      'amazon-ebs.runner',
      'googlecompute.runner',
    ]);
    const aws = builds.find((b) => b.platform === 'aws');
    assert.equal(aws?.id, leftover.id, 'the leftover build is updated, not duplicated');
    assert.equal(aws?.status, 'BUILD_DONE');
    assert.equal(aws?.packer_run_uuid, RUN);
    assert.deepEqual(
      aws?.artifacts.map((a) => a.region),
      ['us-east-1', 'eu-west-1'],
    );
  });

  it('a missing expected build is a ManifestError and the version stays incomplete', async () => {
    await client.createVersion('pub-runner', 'sha-3');
    await client.createBuild('pub-runner', 'sha-3', {
      platform: 'aws',
      component_type: 'amazon-ebs.runner',
      status: 'BUILD_RUNNING',
    });
    const before = await client.getVersion('pub-runner', 'sha-3');
    const awsOnly = buildsOf('sha-3').filter((b) => b.platform === 'aws');

    await assert.rejects(
      publishVersion(client, {
        bucket: 'pub-runner',
        fingerprint: 'sha-3',
        builds: awsOnly,
        expectBuilds: ['amazon-ebs.runner', 'googlecompute.runner'],
      }),
      (error: Error) => {
        assert.ok(error instanceof ManifestError, `${error.name}: ${error.message}`);
        assert.match(
          error.message,
          /lacks build\(s\) googlecompute\.runner of fingerprint "sha-3"/,
        );
        assert.match(error.message, /no complete version is published/);
        return true;
      },
    );

    const after = await client.getVersion('pub-runner', 'sha-3');
    assert.equal(after.name, 'v0', 'an incomplete version is v0');
    assert.equal(after.status, 'VERSION_RUNNING');
    assert.deepEqual(after.builds.map(summary), before.builds.map(summary));
  });

  it('expectBuilds all present publishes', async () => {
    const result = await publishVersion(client, {
      bucket: 'pub-runner',
      fingerprint: 'sha-3',
      builds: buildsOf('sha-3'),
      expectBuilds: ['amazon-ebs.runner', 'googlecompute.runner'],
    });
    assert.equal(result.published, true);
    assert.equal(result.version.status, 'VERSION_ACTIVE');
    assert.equal((await client.listBuilds('pub-runner', 'sha-3')).length, 2);
  });

  it('channel: created when missing, moved when present, untouched by a re-publish', async () => {
    assert.equal(await client.getChannel('pub-runner', 'dev').catch(() => null), null);

    await publishVersion(client, {
      bucket: 'pub-runner',
      fingerprint: 'sha-4',
      builds: buildsOf('sha-4'),
      channel: 'dev',
    });
    const created = await client.getChannel('pub-runner', 'dev');
    assert.equal(created.version?.fingerprint, 'sha-4');

    await publishVersion(client, {
      bucket: 'pub-runner',
      fingerprint: 'sha-5',
      builds: buildsOf('sha-5'),
      channel: 'dev',
    });
    const moved = await client.getChannel('pub-runner', 'dev');
    assert.equal(moved.id, created.id);
    assert.equal(moved.version?.fingerprint, 'sha-5');

    const again = await publishVersion(client, {
      bucket: 'pub-runner',
      fingerprint: 'sha-5',
      builds: buildsOf('sha-5'),
      channel: 'dev',
    });
    assert.equal(again.published, false);
    assert.deepEqual(
      (await client.channelHistory('pub-runner', 'dev')).map((h) => h.version?.fingerprint),
      ['sha-5', 'sha-4'],
    );
  });

  it('parentVersionId and parentChannelId record the ancestry', async () => {
    const base = await publishVersion(client, {
      bucket: 'pub-base',
      fingerprint: 'base-1',
      builds: buildsOf('base-1'),
      channel: 'prod',
    });
    const prod = await client.getChannel('pub-base', 'prod');

    const child = await publishVersion(client, {
      bucket: 'pub-app',
      fingerprint: 'app-1',
      builds: buildsOf('app-1'),
      parentVersionId: base.version.id,
      parentChannelId: prod.id,
    });

    assert.equal(child.published, true);
    assert.ok(child.version.builds.length === 2);
    for (const build of child.version.builds) {
      assert.equal(build.parent_version_id, base.version.id);
      assert.equal(build.parent_channel_id, prod.id);
    }
    assert.equal(child.version.parents?.status, 'UP_TO_DATE');
    const relations = await client.ancestry('pub-app', 'ANCESTRY_TYPE_PARENTS');
    assert.deepEqual(
      relations.map((r) => [
        r.parent.bucket_name,
        r.parent.version_fingerprint,
        r.parent.channel_name,
        r.child.version_fingerprint,
        r.status,
      ]),
      [['pub-base', 'base-1', 'prod', 'app-1', 'UP_TO_DATE']],
    );
    assert.equal((await client.getBucket('pub-base')).children?.status, 'UP_TO_DATE');
  });
});
