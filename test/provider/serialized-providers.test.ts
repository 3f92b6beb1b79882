import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChannelAssignment } from '../../src/provider/channel-assignment';
import { ChannelImages } from '../../src/provider/channel-images';
import { PublishedVersion } from '../../src/provider/published-version';
import { RegistryImage } from '../../src/provider/registry-image';
import {
  loadSerializedProvider,
  recordResources,
  registration,
  type RegisteredResource,
} from '../helpers/pulumi-mocks';
import { describeEachEngine, imageId } from '../helpers/registry-harness';

/**
 * The path the engine takes: the SDK serializes each provider into the resource's
 * `__provider` input when the resource is registered; the dynamic provider host loads
 * that text with require-from-string in a process of its own, calls `configure` with the
 * stack config and then the CRUD methods. Credentials come from the stack config here
 * (not the environment), as they would from `ingot:registryClientSecret`.
 */
describeEachEngine('serialized dynamic providers against a live registry', (registry) => {
  let registered: RegisteredResource[];
  let dir: string;
  const config = () => {
    const r = registry();
    const values: Record<string, string> = {
      'ingot:registryUrl': r.url,
      'ingot:organizationId': 'org-1',
      'ingot:projectId': 'proj-1',
      'ingot:registryClientId': r.admin.clientId,
      'ingot:registryClientSecret': r.admin.clientSecret,
    };
    return { get: (key: string) => values[key], require: (key: string) => values[key] };
  };
  const KEYS = [
    'INGOT_REGISTRY_URL',
    'HCP_CLIENT_ID',
    'HCP_CLIENT_SECRET',
    'HCP_ORGANIZATION_ID',
    'HCP_PROJECT_ID',
    'INGOT_CREDENTIALS_FILE',
  ];
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    for (const key of KEYS) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-ser-'));
    registered = recordResources();
    await registry().publish('ubuntu-base', 'base-1', [
      { platform: 'aws', regions: ['us-east-1'] },
    ]);
    await registry().ok('POST', `${registry().packer()}/buckets/ubuntu-base/channels`, {
      name: 'dev',
      version_fingerprint: 'base-1',
    });
  });
  after(() => {
    for (const key of KEYS) if (saved[key] !== undefined) process.env[key] = saved[key];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function loaded(name: string) {
    const resource = await registration(registered, name);
    const text = resource.inputs.__provider as string;
    assert.equal(typeof text, 'string');
    assert.ok(
      !text.includes(registry().admin.clientSecret),
      'no secret is captured in the serialized provider',
    );
    const provider = loadSerializedProvider(text) as Required<
      ReturnType<typeof loadSerializedProvider>
    >;
    await provider.configure({ config: config() });
    const { __provider: _drop, ...inputs } = resource.inputs;
    return { provider, inputs, resource };
  }

  it('PublishedVersion: publish from the deserialized provider', async () => {
    const manifest = path.join(dir, 'manifest.json');
    fs.writeFileSync(
      manifest,
      JSON.stringify({
        builds: [
          {
            name: 'runner',
            builder_type: 'amazon-ebs',
            artifact_id: 'us-east-1:ami-0123abc,eu-west-1:ami-0456def',
            packer_run_uuid: 'r1',
          },
        ],
        last_run_uuid: 'r1',
      }),
    );
    new PublishedVersion('runner-ubuntu-version', {
      bucket: 'runner-ubuntu',
      fingerprint: 'ser-1',
      manifestPath: manifest,
      parent: { bucket: 'ubuntu-base', channel: 'dev' },
    });
    const { provider, inputs, resource } = await loaded('runner-ubuntu-version');
    assert.equal(resource.type, 'pulumi-nodejs:dynamic/ingot:PublishedVersion');
    const { outs } = await provider.create((await provider.check({}, inputs)).inputs);
    assert.equal(outs.versionName, 'v1');
    // Keyed by component type too, so an x64 and an arm64 build never collapse.
    assert.equal(outs.images['aws/eu-west-1/amazon-ebs.runner'], 'ami-0456def');
  });

  it('ChannelAssignment: assign from the deserialized provider, read it back', async () => {
    new ChannelAssignment('runner-ubuntu-dev', {
      bucket: 'runner-ubuntu',
      channel: 'dev',
      versionFingerprint: 'ser-1',
    });
    const { provider, inputs, resource } = await loaded('runner-ubuntu-dev');
    assert.equal(resource.type, 'pulumi-nodejs:dynamic/ingot:ChannelAssignment');
    const { id, outs } = await provider.create((await provider.check({}, inputs)).inputs);
    assert.equal(outs.assignedFingerprint, 'ser-1');
    assert.equal((await provider.read(id, outs)).props.assignedVersionName, 'v1');
  });

  it('RegistryImage: resolve from the deserialized provider', async () => {
    new RegistryImage('ubuntu-eu', {
      bucket: 'runner-ubuntu',
      channel: 'dev',
      platform: 'aws',
      region: 'eu-west-1',
    });
    const { provider, inputs, resource } = await loaded('ubuntu-eu');
    assert.equal(resource.type, 'pulumi-nodejs:dynamic/ingot:RegistryImage');
    assert.match(
      inputs.consumer.urn,
      /^urn:pulumi:dev::ingot-test::pulumi-nodejs:dynamic\/ingot:RegistryImage::ubuntu-eu$/,
    );
    const checked = (await provider.check({}, inputs)).inputs;
    assert.equal(checked.externalIdentifier, 'ami-0456def');
    const { outs } = await provider.create(checked);
    assert.equal((await provider.read('x', outs)).props.versionFingerprint, 'ser-1');
    const consumers = await registry().ok(
      'GET',
      `${registry().ingot()}/buckets/runner-ubuntu/versions/ser-1/consumers`,
    );
    assert.equal(consumers.consumers[0].stack, 'dev');
  });

  it('ChannelImages: resolve from the deserialized provider', async () => {
    new ChannelImages('runner-ubuntu-images', { bucket: 'ubuntu-base', channel: 'dev' });
    const { provider, inputs } = await loaded('runner-ubuntu-images');
    const { outs } = await provider.create((await provider.check({}, inputs)).inputs);
    assert.equal(
      outs.builds[0].artifacts[0].external_identifier,
      imageId('aws', 'base-1', 'us-east-1'),
    );
  });
});
