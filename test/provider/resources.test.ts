import assert from 'node:assert/strict';
import { ChannelAssignment } from '../../src/provider/channel-assignment';
import { ChannelImages } from '../../src/provider/channel-images';
import { PublishedVersion } from '../../src/provider/published-version';
import { RegistryImage } from '../../src/provider/registry-image';
import {
  recordResources,
  registration,
  valueOf,
  type RegisteredResource,
} from '../helpers/pulumi-mocks';

/** Under mocks: what each resource registers and how its outputs are wired. */
describe('provider resources under Pulumi mocks', () => {
  let registered: RegisteredResource[];
  before(() => {
    registered = recordResources((r) => {
      if (r.type.endsWith(':RegistryImage')) {
        return {
          externalIdentifier: 'ami-0feed',
          versionFingerprint: 'fp-9',
          versionName: 'v9',
          buildId: 'B',
          versionId: 'V',
          revokeAt: '',
          warning: '',
        };
      }
      if (r.type.endsWith(':ChannelImages')) {
        return {
          versionFingerprint: 'fp-9',
          versionName: 'v9',
          builds: [
            {
              id: 'b1',
              platform: 'aws',
              component_type: 'amazon-ebs.x64',
              status: 'BUILD_DONE',
              labels: { arch: 'x64' },
              artifacts: [{ external_identifier: 'ami-x64', region: 'us-east-1' }],
            },
            {
              id: 'b2',
              platform: 'aws',
              component_type: 'amazon-ebs.arm64',
              status: 'BUILD_DONE',
              labels: { arch: 'arm64' },
              artifacts: [{ external_identifier: 'ami-arm', region: 'us-east-1' }],
            },
          ],
        };
      }
      return undefined;
    });
  });

  it('RegistryImage registers its type token, defaults and consumer, and exposes outputs', async () => {
    const image = new RegistryImage('ubuntu', {
      bucket: 'runner-ubuntu',
      channel: 'prod',
      platform: 'aws',
      region: 'us-east-1',
    });
    const r = await registration(registered, 'ubuntu');
    assert.equal(r.type, 'pulumi-nodejs:dynamic/ingot:RegistryImage');
    assert.equal(r.inputs.onRevoked, 'fail');
    assert.deepEqual(r.inputs.consumer, {
      project: 'ingot-test',
      stack: 'dev',
      urn: 'urn:pulumi:dev::ingot-test::pulumi-nodejs:dynamic/ingot:RegistryImage::ubuntu',
    });
    assert.equal(await valueOf(image.externalIdentifier), 'ami-0feed');
    assert.equal(await valueOf(image.versionName), 'v9');
  });

  it('ChannelImages picks images per platform, region and labels from one resource', async () => {
    const images = new ChannelImages('ubuntu-prod', { bucket: 'runner-ubuntu', channel: 'prod' });
    assert.equal(
      await valueOf(
        images.image({ platform: 'aws', region: 'us-east-1', labels: { arch: 'arm64' } }),
      ),
      'ami-arm',
    );
    assert.equal(
      await valueOf(
        images.image({ platform: 'aws', region: 'us-east-1', componentType: 'amazon-ebs.x64' }),
      ),
      'ami-x64',
    );
    assert.equal(registered.filter((r) => r.type.endsWith(':ChannelImages')).length, 1);
  });

  it('PublishedVersion and ChannelAssignment register their inputs with safe defaults', async () => {
    new PublishedVersion('v', {
      bucket: 'runner-ubuntu',
      fingerprint: 'fp',
      manifestPath: 'packer-manifest.json',
    });
    new ChannelAssignment('a', {
      bucket: 'runner-ubuntu',
      channel: 'prod',
      promoteFrom: { channel: 'staging', minimumSoak: '24h' },
    });
    const version = await registration(registered, 'v');
    const assignment = await registration(registered, 'a');
    assert.equal(version.type, 'pulumi-nodejs:dynamic/ingot:PublishedVersion');
    assert.equal(version.inputs.revokeOnDelete, false);
    assert.equal(assignment.type, 'pulumi-nodejs:dynamic/ingot:ChannelAssignment');
    assert.equal(assignment.inputs.unassignOnDelete, false);
    assert.deepEqual(assignment.inputs.promoteFrom, { channel: 'staging', minimumSoak: '24h' });
  });
});
