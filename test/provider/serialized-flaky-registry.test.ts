import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { channelAssignmentProvider } from '../../src/provider/channel-assignment';
import { channelImagesProvider } from '../../src/provider/channel-images';
import { publishedVersionProvider } from '../../src/provider/published-version';
import { registryImageProvider } from '../../src/provider/registry-image';
import { FlakyProxy, SilentServer } from '../helpers/flaky-registry';
import { loadSerializedProvider } from '../helpers/pulumi-mocks';
import { describeEachEngine } from '../helpers/registry-harness';

type Provider = Required<pulumi.dynamic.ResourceProvider>;

/**
 * What the engine runs: `pulumi.dynamic.Resource` serializes its provider with
 * `runtime.serializeFunction(() => provider, { allowSecrets: true })`
 * (pulumi/pulumi sdk/nodejs/dynamic/index.ts, serializeFunctionMaybeSecret) and the dynamic
 * provider host loads the text with require-from-string and calls `handler()`
 * (sdk/nodejs/cmd/dynamic-provider/index.ts). Everything a method captured — a Set, a Map,
 * a class instance — went through that serializer, so only these runs show whether the
 * retry and error paths survive it.
 */
async function serialized(provider: pulumi.dynamic.ResourceProvider): Promise<Provider> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return loadSerializedProvider(text) as Provider;
}

const MANIFEST = (fingerprint: string, amiSuffix: string) =>
  JSON.stringify({
    builds: [
      {
        name: 'runner',
        builder_type: 'amazon-ebs',
        artifact_id: `us-east-1:ami-0${amiSuffix}0001,eu-west-1:ami-0${amiSuffix}0002`,
        packer_run_uuid: `run-${fingerprint}`,
      },
    ],
    last_run_uuid: `run-${fingerprint}`,
  });

const CONSUMER = {
  project: 'fleet',
  stack: 'flaky',
  urn: 'urn:pulumi:flaky::fleet::pulumi-nodejs:dynamic/ingot:RegistryImage::runner-eu',
};

describeEachEngine('serialized providers against a flaky and a hung registry', (registry) => {
  const KEYS = [
    'INGOT_REGISTRY_URL',
    'HCP_API_ADDRESS',
    'HCP_CLIENT_ID',
    'HCP_CLIENT_SECRET',
    'HCP_ORGANIZATION_ID',
    'HCP_PROJECT_ID',
    'INGOT_CREDENTIALS_FILE',
  ];
  const saved: Record<string, string | undefined> = {};
  let proxy: FlakyProxy;
  let silent: SilentServer;
  const providers: Record<string, Provider> = {};

  /** Stack config as the host passes it to `configure` (raw strings). */
  function config(url: string, extra: Record<string, string> = {}) {
    const values: Record<string, string> = {
      'ingot:registryUrl': url,
      'ingot:organizationId': 'org-1',
      'ingot:projectId': 'proj-1',
      'ingot:registryClientId': registry().admin.clientId,
      'ingot:registryClientSecret': registry().admin.clientSecret,
      ...extra,
    };
    return { config: { get: (key: string) => values[key], require: (key: string) => values[key] } };
  }

  /** Each provider, serialized and loaded fresh, configured for `url`. */
  async function load(url: string, extra: Record<string, string> = {}) {
    const loaded = {
      published: await serialized(publishedVersionProvider),
      assignment: await serialized(channelAssignmentProvider),
      image: await serialized(registryImageProvider),
      channel: await serialized(channelImagesProvider),
    };
    for (const p of Object.values(loaded)) await p.configure(config(url, extra));
    return loaded;
  }

  before(async function () {
    this.timeout(60_000);
    for (const key of KEYS) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    proxy = await FlakyProxy.start(registry().url);
    silent = await SilentServer.start();
    Object.assign(providers, await load(proxy.url));
  });
  after(async () => {
    for (const key of KEYS) if (saved[key] !== undefined) process.env[key] = saved[key];
    await proxy?.close();
    await silent?.close();
  });

  const versionInputs = (fingerprint: string, amiSuffix: string) => ({
    bucket: 'runner-flaky',
    fingerprint,
    manifest: MANIFEST(fingerprint, amiSuffix),
    revokeOnDelete: true,
    consumer: { project: 'images', stack: 'prod' },
  });
  const imageInputs = {
    bucket: 'runner-flaky',
    channel: 'dev',
    platform: 'aws',
    region: 'eu-west-1',
    onRevoked: 'fail',
    consumer: CONSUMER,
  };
  const channelInputs = {
    bucket: 'runner-flaky',
    channel: 'dev',
    consumer: { ...CONSUMER, urn: CONSUMER.urn.replace('RegistryImage', 'ChannelImages') },
  };
  const state: Record<string, any> = {};

  it('PublishedVersion: check, create, diff, update and read survive 502/503/504 and resets', async () => {
    const { published } = providers;
    const checked = await published.check({}, versionInputs('flaky-1', 'aaa'));
    assert.deepEqual(checked.failures ?? [], []);
    const { id, outs } = await published.create(checked.inputs);
    assert.equal(outs.versionName, 'v1');
    assert.equal(outs.images['aws/eu-west-1/amazon-ebs.runner'], 'ami-0aaa0002');
    const renamed = { ...checked.inputs, bucketDescription: 'Runner images' };
    const diff = await published.diff(id, outs, renamed);
    assert.deepEqual([diff.changes, diff.replaces], [true, []]);
    const updated = await published.update(id, outs, renamed);
    assert.equal(updated.outs.versionName, 'v1');
    const bucket = await registry().ok('GET', `${registry().packer()}/buckets/runner-flaky`);
    assert.equal(bucket.bucket.description, 'Runner images');
    assert.equal((await published.read(id, updated.outs)).props.versionId, outs.versionId);
    state.version1 = { id, outs: updated.outs };
    // The second version the channel moves to below.
    const second = await published.create(versionInputs('flaky-2', 'bbb'));
    assert.equal(second.outs.versionName, 'v2');
    state.version2 = second;
  });

  it('ChannelAssignment: check, create, read and diff through the flaky proxy', async () => {
    const { assignment } = providers;
    const inputs = {
      bucket: 'runner-flaky',
      channel: 'dev',
      versionFingerprint: 'flaky-1',
      unassignOnDelete: true,
    };
    const checked = await assignment.check({}, inputs);
    assert.equal(checked.inputs.targetFingerprint, 'flaky-1');
    const { id, outs } = await assignment.create(checked.inputs);
    assert.equal(outs.assignedFingerprint, 'flaky-1');
    assert.equal((await assignment.read(id, outs)).props.assignedVersionName, 'v1');
    const move = await assignment.check(outs, { ...inputs, versionFingerprint: 'flaky-2' });
    assert.equal((await assignment.diff(id, outs, move.inputs)).changes, true);
    state.assignment = { id, outs, move: move.inputs };
  });

  it('RegistryImage: update applies what check resolved even after the channel moved; refresh records the consumer', async () => {
    const { image, assignment } = providers;
    const checked = (await image.check({}, imageInputs)).inputs;
    assert.equal(checked.externalIdentifier, 'ami-0aaa0002');
    const { id, outs } = await image.create(checked);
    assert.equal(outs.versionFingerprint, 'flaky-1');
    assert.equal((await image.diff(id, outs, checked)).changes, false);

    // The channel moves between the preview (check) and the update.
    const moved = await assignment.update(
      state.assignment.id,
      state.assignment.outs,
      state.assignment.move,
    );
    assert.equal(moved.outs.assignedFingerprint, 'flaky-2');
    const updated = await image.update(id, outs, checked);
    assert.equal(updated.outs.externalIdentifier, 'ami-0aaa0002', 'what the preview showed');

    // Refresh sees the move and records the stack as a consumer of the new version.
    const refreshed = (await image.read(id, updated.outs)).props;
    assert.equal(refreshed.externalIdentifier, 'ami-0bbb0002');
    const consumers = await registry().ok(
      'GET',
      `${registry().ingot()}/buckets/runner-flaky/versions/flaky-2/consumers`,
    );
    assert.deepEqual(
      consumers.consumers.map((c: { stack: string; urn: string }) => [c.stack, c.urn]),
      [['flaky', CONSUMER.urn]],
    );
    await image.delete(id, refreshed);
    state.image = { id, outs: refreshed };
  });

  it('ChannelImages: check, create, diff, update and read through the flaky proxy', async () => {
    const { channel } = providers;
    const checked = (await channel.check({}, channelInputs)).inputs;
    assert.equal(checked.versionFingerprint, 'flaky-2');
    const { id, outs } = await channel.create(checked);
    assert.deepEqual(
      outs.builds[0].artifacts.map((a: { external_identifier: string }) => a.external_identifier),
      ['ami-0bbb0001', 'ami-0bbb0002'],
    );
    assert.equal((await channel.diff(id, outs, checked)).changes, false);
    assert.equal((await channel.update(id, outs, checked)).outs.versionId, outs.versionId);
    assert.equal((await channel.read(id, outs)).props.versionName, 'v2');
    await channel.delete(id, outs);
    state.channel = { id, outs };
  });

  it('deletes: the assignment unassigns the channel and the published version is revoked', async () => {
    const { assignment, published } = providers;
    await assignment.delete(state.assignment.id, {
      ...state.assignment.outs,
      assignedFingerprint: 'flaky-2',
    });
    const channel = await registry().ok(
      'GET',
      `${registry().packer()}/buckets/runner-flaky/channels/dev`,
    );
    assert.equal(channel.channel.version, undefined);
    await published.delete(state.version1.id, state.version1.outs);
    const version = await registry().ok(
      'GET',
      `${registry().packer()}/buckets/runner-flaky/versions/flaky-1`,
    );
    assert.ok(version.version.revoke_at, 'flaky-1 is revoked');
  });

  it('the proxy really failed reads and writes with every fault, and each was retried', () => {
    const kinds = new Set(
      proxy.faults.map(
        (f) => `${f.method === 'POST' || f.method === 'PATCH' ? 'write' : 'read'} ${f.fault}`,
      ),
    );
    for (const kind of [
      'read 502',
      'read 504',
      'read reset',
      'read 503',
      'write 503',
      'write reset',
    ])
      assert.ok(kinds.has(kind), `no ${kind} was injected: ${[...kinds].join(', ')}`);
    // Every call above succeeded, so each fault was followed by a retry that got through.
    assert.ok(proxy.forwarded >= proxy.faults.length - 1);
  });

  describe('a registry that accepts connections and never answers', () => {
    const BOUND = { 'ingot:registryTimeoutMs': '250', 'ingot:registryDeadlineMs': '1000' };
    let hung: Awaited<ReturnType<typeof load>>;
    before(async function () {
      this.timeout(60_000);
      hung = await load(silent.url, BOUND);
    });

    /** Runs a call that must fail; returns its message, checking the time bound as a guard. */
    async function failure(call: () => Promise<unknown>): Promise<string> {
      const started = Date.now();
      const error = await call().then(
        () => assert.fail('the call succeeded against a hung registry'),
        (e: Error) => e,
      );
      // Deadline of 1 s per registry call (a call may make two: /healthz and the API).
      assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
      return error.message;
    }

    const advice = (url: string) =>
      new RegExp(
        `at ${url.replace(/[.:/]/g, '\\$&')} failed .*Check that the registry is running and reachable \\(stack config ingot:registryUrl\\)`,
      );

    it('every method of the four providers fails within the deadline, naming the URL and what to check', async () => {
      const { published, assignment, image, channel } = hung;
      const messages = [
        await failure(() => published.create(versionInputs('hung-1', 'ccc'))),
        await failure(() => published.read('runner-flaky/flaky-1', state.version1.outs)),
        await failure(() =>
          published.update('x', state.version1.outs, {
            ...state.version1.outs,
            bucketDescription: 'x',
          }),
        ),
        await failure(() => published.delete('x', state.version1.outs)),
        await failure(() =>
          assignment.create({ ...state.assignment.move, targetFingerprint: undefined }),
        ),
        await failure(() => assignment.read(state.assignment.id, state.assignment.outs)),
        await failure(() => assignment.delete(state.assignment.id, state.assignment.outs)),
        await failure(() => image.create(imageInputs)),
        await failure(() => image.read(state.image.id, state.image.outs)),
        await failure(() => channel.create(channelInputs)),
        await failure(() => channel.read(state.channel.id, state.channel.outs)),
      ];
      for (const message of messages) {
        assert.match(message, advice(silent.url));
        assert.match(message, /no answer within \d+ ms|gave up after \d+ ms/);
      }
    });

    it('check fails with the opt-out named when ingot:allowStaleImages is not set', async () => {
      const { image, channel } = hung;
      const checked = await image.check(state.image.outs, imageInputs);
      assert.equal(checked.failures?.length, 1);
      assert.match(checked.failures![0].reason, advice(silent.url));
      assert.match(checked.failures![0].reason, /pulumi config set ingot:allowStaleImages true/);
      const images = await channel.check(state.channel.outs, channelInputs);
      assert.match(images.failures![0].reason, /ingot:allowStaleImages/);
    });

    it('with ingot:allowStaleImages, check keeps the last resolution with a warning and update needs no registry', async () => {
      const stale = await load(silent.url, { ...BOUND, 'ingot:allowStaleImages': 'true' });
      const checked = await stale.image.check(state.image.outs, imageInputs);
      assert.deepEqual(checked.failures ?? [], []);
      assert.equal(checked.inputs.externalIdentifier, 'ami-0bbb0002');
      assert.equal(checked.inputs.stale, true);
      assert.match(
        checked.inputs.warning,
        /keeps version v2 resolved last time \(ingot:allowStaleImages is true\)/,
      );
      assert.match(checked.inputs.warning, new RegExp(silent.url.replace(/[.:/]/g, '\\$&')));
      const updated = await stale.image.update(state.image.id, state.image.outs, checked.inputs);
      assert.equal(updated.outs.externalIdentifier, 'ami-0bbb0002');

      const images = await stale.channel.check(state.channel.outs, channelInputs);
      assert.equal(images.inputs.versionId, state.channel.outs.versionId);
      assert.equal(
        (await stale.channel.diff('x', state.channel.outs, images.inputs)).changes,
        true,
      );

      // Never for another question (a different region), nor for a version known revoked.
      const otherRegion = await stale.image.check(state.image.outs, {
        ...imageInputs,
        region: 'us-east-1',
      });
      assert.equal(otherRegion.failures?.length, 1);
      const revoked = await stale.image.check(
        { ...state.image.outs, revokeAt: '2020-01-01T00:00:00Z' },
        imageInputs,
      );
      assert.equal(revoked.failures?.length, 1);
      const revokedChannel = await stale.channel.check(
        { ...state.channel.outs, revokeAt: '2020-01-01T00:00:00Z' },
        channelInputs,
      );
      assert.equal(revokedChannel.failures?.length, 1);
    });
  });
});
