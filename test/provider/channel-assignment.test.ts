import assert from 'node:assert/strict';
import {
  channelAssignmentProvider,
  type ChannelAssignmentInputs,
  type ChannelAssignmentOutputs,
} from '../../src/provider/channel-assignment';
import { useRegistryEnv } from '../helpers/provider-env';
import { describeEachEngine } from '../helpers/registry-harness';

const p = channelAssignmentProvider as Required<typeof channelAssignmentProvider>;
const HOUR = 3_600_000;

describeEachEngine('ChannelAssignment provider', (registry) => {
  useRegistryEnv(registry);
  const channelPath = (name: string) =>
    `${registry().packer()}/buckets/runner-macos/channels/${name}`;

  before(async () => {
    await registry().publish('runner-macos', 'm-1', [{ platform: 'aws', regions: ['us-west-2'] }]);
    await registry().publish('runner-macos', 'm-2', [{ platform: 'aws', regions: ['us-west-2'] }]);
  });

  it('creates a missing channel on the given version; read reflects manual moves', async () => {
    const inputs: ChannelAssignmentInputs = {
      bucket: 'runner-macos',
      channel: 'staging',
      versionFingerprint: 'm-1',
    };
    const checked = (await p.check({} as ChannelAssignmentInputs, inputs)).inputs;
    assert.equal(checked.targetFingerprint, 'm-1');
    const { id, outs } = await p.create(checked);
    assert.equal(id, 'runner-macos/staging');
    assert.equal((outs as ChannelAssignmentOutputs).assignedVersionName, 'v1');
    assert.equal(
      (await registry().ok('GET', channelPath('staging'))).channel.version.fingerprint,
      'm-1',
    );

    await registry().ok('PATCH', channelPath('staging'), { version_fingerprint: 'm-2' });
    const refreshed = (await p.read(id, outs as ChannelAssignmentOutputs))
      .props as ChannelAssignmentOutputs;
    assert.equal(refreshed.assignedFingerprint, 'm-2');
    // The next update puts the channel back where the program says.
    const diff = await p.diff(id, refreshed, (await p.check(refreshed, inputs)).inputs);
    assert.equal(diff.changes, true);
    const updated = (await p.update(id, refreshed, (await p.check(refreshed, inputs)).inputs))
      .outs as ChannelAssignmentOutputs;
    assert.equal(updated.assignedFingerprint, 'm-1');
  });

  it('promotes only what the source channel has held for the soak time', async () => {
    const r = registry();
    await r.ok('PATCH', channelPath('staging'), { version_fingerprint: 'm-2' });
    await r.ok('POST', `${r.packer()}/buckets/runner-macos/channels`, {
      name: 'prod',
      version_fingerprint: 'm-1',
    });
    const inputs: ChannelAssignmentInputs = {
      bucket: 'runner-macos',
      channel: 'prod',
      promoteFrom: { channel: 'staging', minimumSoak: '24h' },
    };

    r.clock.advance(23 * HOUR);
    // m-2 has soaked 23 h; m-1 was held before it only briefly: prod keeps m-1.
    const early = (await p.check({} as ChannelAssignmentInputs, inputs)).inputs;
    assert.equal(early.targetFingerprint, 'm-1');

    r.clock.advance(2 * HOUR);
    const due = (await p.check({} as ChannelAssignmentInputs, inputs)).inputs;
    assert.equal(due.targetFingerprint, 'm-2');
    const { outs } = await p.create(due);
    assert.equal((outs as ChannelAssignmentOutputs).assignedFingerprint, 'm-2');
    assert.equal((await r.ok('GET', channelPath('prod'))).channel.version.fingerprint, 'm-2');
  });

  it('says why when nothing qualifies and the channel is empty', async () => {
    const r = registry();
    await r.publish('runner-macos', 'm-3', [{ platform: 'aws', regions: ['us-west-2'] }]);
    await r.ok('POST', `${r.packer()}/buckets/runner-macos/channels`, {
      name: 'canary',
      version_fingerprint: 'm-3',
    });
    const { failures } = await p.check({} as ChannelAssignmentInputs, {
      bucket: 'runner-macos',
      channel: 'fresh',
      promoteFrom: { channel: 'canary', minimumSoak: '7d' },
    });
    assert.match(
      failures?.[0].reason ?? '',
      /nothing to promote to "fresh" yet: .*held by channel "canary" for at least 1w/,
    );
  });

  it('validates inputs, and unassigns on delete only when asked', async () => {
    const { failures } = await p.check({} as ChannelAssignmentInputs, {
      bucket: 'runner-macos',
      channel: 'latest',
      versionFingerprint: 'm-1',
      promoteFrom: { channel: 'staging', minimumSoak: 'a day' },
    });
    assert.deepEqual(
      failures?.map((f) => f.property),
      ['channel', 'versionFingerprint', 'promoteFrom'],
    );
    const props = {
      bucket: 'runner-macos',
      channel: 'staging',
      assignedFingerprint: 'm-2',
    } as ChannelAssignmentOutputs;
    await p.delete('id', props);
    assert.ok((await registry().ok('GET', channelPath('staging'))).channel.version);
    await p.delete('id', { ...props, unassignOnDelete: true });
    assert.equal((await registry().ok('GET', channelPath('staging'))).channel.version, undefined);
  });
});
