import assert from 'node:assert/strict';
import {
  registryImageProvider,
  type RegistryImageInputs,
  type RegistryImageOutputs,
} from '../../src/provider/registry-image';
import { UNKNOWN } from '../../src/provider/registry-connection';
import { useRegistryEnv } from '../helpers/provider-env';
import { describeEachEngine, imageId } from '../helpers/registry-harness';

const p = registryImageProvider as Required<typeof registryImageProvider>;

describeEachEngine('RegistryImage provider', (registry) => {
  useRegistryEnv(registry);
  const inputs: RegistryImageInputs = {
    bucket: 'runner-ubuntu',
    channel: 'prod',
    platform: 'aws',
    region: 'eu-west-1',
    onRevoked: 'fail',
    consumer: {
      project: 'fleet',
      stack: 'prod',
      urn: 'urn:pulumi:prod::fleet::pulumi-nodejs:dynamic/ingot:RegistryImage::ubuntu',
    },
  };
  let created: RegistryImageOutputs;

  before(async () => {
    const r = registry();
    await r.publish('runner-ubuntu', 'fp-a', [
      { platform: 'aws', regions: ['us-east-1', 'eu-west-1'] },
      { platform: 'gcp', regions: ['global'] },
    ]);
    await r.publish('runner-ubuntu', 'fp-b', [
      { platform: 'aws', regions: ['us-east-1', 'eu-west-1'] },
    ]);
    await r.ok('POST', `${r.packer()}/buckets/runner-ubuntu/channels`, {
      name: 'prod',
      version_fingerprint: 'fp-a',
    });
  });

  it('check resolves the image (the lookup preview relies on)', async () => {
    const { inputs: checked, failures } = await p.check({} as RegistryImageInputs, inputs);
    assert.deepEqual(failures ?? [], []);
    assert.equal(checked.externalIdentifier, imageId('aws', 'fp-a', 'eu-west-1'));
    assert.equal(checked.versionFingerprint, 'fp-a');
    assert.equal(checked.versionName, 'v1');
    assert.equal(checked.revokeAt, '');
  });

  it('check reports invalid inputs without calling the registry', async () => {
    const { failures } = await p.check({} as RegistryImageInputs, {
      ...inputs,
      channel: undefined,
      platform: '',
      onRevoked: 'ignore' as never,
    });
    assert.deepEqual(
      failures?.map((f) => f.property),
      ['platform', 'channel', 'onRevoked'],
    );
  });

  it('check leaves unknown inputs to a later run', async () => {
    const { inputs: checked, failures } = await p.check({} as RegistryImageInputs, {
      ...inputs,
      region: UNKNOWN,
    });
    assert.deepEqual(failures ?? [], []);
    assert.equal(checked.externalIdentifier, undefined);
  });

  it('create resolves and records the stack as a consumer of the version', async () => {
    const result = await p.create(inputs);
    created = result.outs as RegistryImageOutputs;
    assert.equal(result.id, 'runner-ubuntu/prod/aws/eu-west-1');
    assert.equal(created.externalIdentifier, imageId('aws', 'fp-a', 'eu-west-1'));
    const consumers = await registry().ok(
      'GET',
      `${registry().ingot()}/buckets/runner-ubuntu/versions/fp-a/consumers`,
    );
    assert.deepEqual(
      consumers.consumers.map((c: any) => [c.pulumi_project, c.stack, c.urn, c.channel]),
      [['fleet', 'prod', inputs.consumer?.urn, 'prod']],
    );
  });

  it('a channel move shows as a diff with the new image id, and update follows it', async () => {
    const unchanged = await p.diff('id', created, (await p.check(created, inputs)).inputs);
    assert.equal(unchanged.changes, false);
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-ubuntu/channels/prod`, {
      version_fingerprint: 'fp-b',
    });
    const checked = (await p.check(created, inputs)).inputs as RegistryImageOutputs;
    assert.equal(checked.externalIdentifier, imageId('aws', 'fp-b', 'eu-west-1'));
    assert.equal((await p.diff('id', created, checked)).changes, true);
    const updated = (await p.update('id', created, checked)).outs as RegistryImageOutputs;
    assert.equal(updated.versionFingerprint, 'fp-b');
    const consumers = await registry().ok(
      'GET',
      `${registry().ingot()}/buckets/runner-ubuntu/versions/fp-b/consumers`,
    );
    assert.equal(consumers.consumers.length, 1);
  });

  it('read reflects the registry on refresh', async () => {
    const read = await p.read('id', created);
    assert.equal((read.props as RegistryImageOutputs).versionFingerprint, 'fp-b');
  });

  it('pins a version by fingerprint, and uses global GCP images in any region', async () => {
    const { outs } = await p.create({
      ...inputs,
      channel: undefined,
      versionFingerprint: 'fp-a',
      platform: 'gcp',
      region: 'europe-west4',
    });
    assert.equal(outs.externalIdentifier, imageId('gcp', 'fp-a', 'global'));
    assert.equal(outs.versionFingerprint, 'fp-a');
  });

  it('names what exists when the region has no image', async () => {
    const { failures } = await p.check({} as RegistryImageInputs, {
      ...inputs,
      region: 'ap-south-1',
    });
    assert.match(
      failures?.[0].reason ?? '',
      /has no aws image in ap-south-1; it has: aws\/us-east-1.*aws\/eu-west-1/,
    );
  });

  it('warns about a scheduled revocation', async () => {
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-ubuntu/versions/fp-b`, {
      revoke_in: '30d',
      revocation_message: 'end of support',
    });
    const { inputs: checked } = await p.check(created, inputs);
    assert.match(
      checked.warning,
      /scheduled to be revoked at 2026-03-31T12:00:00\.000Z: end of support/,
    );
    assert.equal(checked.revokeAt, '2026-03-31T12:00:00.000Z');
  });

  it('fails on a revoked version with bucket, version, channel and message — or warns if asked', async () => {
    // Revoke without rollback so the channel still points at the revoked version.
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-ubuntu/versions/fp-b`, {
      restore: true,
    });
    await registry().ok('PATCH', `${registry().packer()}/buckets/runner-ubuntu/versions/fp-b`, {
      revoke_in: '0s',
      revocation_message: 'CVE-2026-1234',
      disable_rollback_channels: true,
    });
    const { failures } = await p.check(created, inputs);
    assert.equal(failures?.[0].property, 'channel');
    assert.match(
      failures?.[0].reason ?? '',
      /version v2 \(fingerprint fp-b\) of bucket "runner-ubuntu" \(channel "prod"\) was revoked at .*: CVE-2026-1234/,
    );
    await assert.rejects(p.create(inputs), /CVE-2026-1234/);
    const warned = await p.check(created, { ...inputs, onRevoked: 'warn' });
    assert.deepEqual(warned.failures ?? [], []);
    assert.match(warned.inputs.warning, /using a revoked image because onRevoked is "warn"/);
  });
});
