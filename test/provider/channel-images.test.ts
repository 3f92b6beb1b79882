import assert from 'node:assert/strict';
import {
  channelImagesProvider,
  imageFromBuilds,
  type ChannelImagesInputs,
  type ChannelImagesOutputs,
} from '../../src/provider/channel-images';
import { useRegistryEnv } from '../helpers/provider-env';
import { describeEachEngine, imageId } from '../helpers/registry-harness';

const p = channelImagesProvider as Required<typeof channelImagesProvider>;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];

describeEachEngine('ChannelImages provider', (registry) => {
  useRegistryEnv(registry);
  const inputs: ChannelImagesInputs = { bucket: 'runner-windows', channel: 'staging' };

  before(async () => {
    const r = registry();
    await r.publish('runner-windows', 'w-1', [
      { platform: 'aws', component_type: 'amazon-ebs.windows-x64', regions: REGIONS },
      { platform: 'gcp', regions: ['global'] },
    ]);
    await r.ok('POST', `${r.packer()}/buckets/runner-windows/channels`, {
      name: 'staging',
      version_fingerprint: 'w-1',
    });
  });

  it('resolves every platform and region with one registry call', async () => {
    const { inputs: checked } = await p.check({} as ChannelImagesInputs, inputs);
    const outs = checked as ChannelImagesOutputs;
    assert.equal(outs.versionName, 'v1');
    for (const region of REGIONS) {
      assert.equal(
        imageFromBuilds(outs, { platform: 'aws', region }),
        imageId('aws', 'w-1', region),
      );
    }
    assert.equal(
      imageFromBuilds(outs, { platform: 'gcp', region: 'us-west2' }),
      imageId('gcp', 'w-1', 'global'),
    );
    assert.equal(
      imageFromBuilds(outs, {
        platform: 'aws',
        region: 'us-east-1',
        componentType: 'amazon-ebs.windows-x64',
      }),
      imageId('aws', 'w-1', 'us-east-1'),
    );
    assert.throws(
      () =>
        imageFromBuilds(outs, {
          platform: 'aws',
          region: 'us-east-1',
          componentType: 'amazon-ebs.arm64',
        }),
      /with component type amazon-ebs\.arm64/,
    );
  });

  it('create registers the consumer; diff sees a moved channel; read follows the registry', async () => {
    const consumer = {
      project: 'fleet',
      stack: 'staging',
      urn: 'urn:pulumi:staging::fleet::pulumi-nodejs:dynamic/ingot:ChannelImages::windows',
    };
    const { id, outs } = await p.create({ ...inputs, consumer });
    assert.equal(id, 'runner-windows/staging');
    const consumers = await registry().ok(
      'GET',
      `${registry().ingot()}/buckets/runner-windows/consumers`,
    );
    assert.deepEqual(
      consumers.consumers.map((c: any) => [c.stack, c.version_fingerprint]),
      [['staging', 'w-1']],
    );

    assert.equal((await p.diff(id, outs, (await p.check(outs, inputs)).inputs)).changes, false);
    await registry().publish('runner-windows', 'w-2', [{ platform: 'aws', regions: REGIONS }]);
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-windows/channels/staging`, {
      version_fingerprint: 'w-2',
    });
    const moved = (await p.check(outs, inputs)).inputs as ChannelImagesOutputs;
    assert.equal((await p.diff(id, outs, moved)).changes, true);
    assert.equal(
      imageFromBuilds(moved, { platform: 'aws', region: 'eu-west-1' }),
      imageId('aws', 'w-2', 'eu-west-1'),
    );
    assert.equal(
      ((await p.read(id, outs)).props as ChannelImagesOutputs).versionFingerprint,
      'w-2',
    );
  });

  it('refuses a revoked version and an empty channel, naming them', async () => {
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-windows/versions/w-2`, {
      revoke_in: '0s',
      revocation_message: 'broken WinRM',
      disable_rollback_channels: true,
    });
    const revoked = await p.check({} as ChannelImagesInputs, inputs);
    assert.match(
      revoked.failures?.[0].reason ?? '',
      /bucket "runner-windows" \(channel "staging"\).*broken WinRM/,
    );
    await registry().ok('POST', `${registry().packer()}/buckets/runner-windows/channels`, {
      name: 'empty',
    });
    const empty = await p.check({} as ChannelImagesInputs, { ...inputs, channel: 'empty' });
    assert.match(
      empty.failures?.[0].reason ?? '',
      /channel "empty" of bucket "runner-windows" points at no version/,
    );
  });
});
