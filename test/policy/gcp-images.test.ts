import assert from 'node:assert/strict';
import { unknownCheckingProxy } from '@pulumi/policy';
import { gcpImageRef, gcpImages } from '../../src/policy/gcp-images';
import { UNKNOWN } from '../../src/policy/image-ref';
import { UNKNOWN_ARRAY, UNKNOWN_OBJECT, UNKNOWN_STRING } from './policy-test-utils';

const IMAGE = 'projects/ingot-images/global/images/runner-ubuntu-v2';
const provider = {
  type: 'pulumi:providers:gcp',
  props: unknownCheckingProxy({ project: 'ingot-images' }),
};
const images = (type: string, props: Record<string, unknown>) =>
  gcpImages(type, unknownCheckingProxy(props), provider);

describe('GCP image extraction', () => {
  describe('image references', () => {
    const ref = (written: string, project: string | undefined | typeof UNKNOWN = 'ingot-images') =>
      gcpImageRef(written, project, 'image');

    it('brings every form of an image to the form the registry stores', () => {
      for (const written of [
        IMAGE,
        `https://www.googleapis.com/compute/v1/${IMAGE}`,
        `https://compute.googleapis.com/compute/beta/${IMAGE}`,
        'global/images/runner-ubuntu-v2',
        'ingot-images/runner-ubuntu-v2',
        'runner-ubuntu-v2',
      ]) {
        const found = ref(written);
        assert.ok(found !== UNKNOWN);
        assert.equal(found.externalIdentifier, IMAGE, written);
        assert.equal(found.written, written === IMAGE ? undefined : written);
        assert.equal(found.family, undefined);
        assert.equal(found.region, undefined, 'GCP images are global');
      }
    });

    it('marks image families, which no lookup can resolve', () => {
      for (const written of [
        'projects/debian-cloud/global/images/family/debian-12',
        'https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/family/debian-12',
      ]) {
        const found = ref(written);
        assert.ok(found !== UNKNOWN && found.family, written);
        assert.equal(
          found.externalIdentifier,
          'projects/debian-cloud/global/images/family/debian-12',
        );
      }
      const short = ref('family/runner');
      assert.ok(short !== UNKNOWN && short.family);
      assert.equal(short.externalIdentifier, 'projects/ingot-images/global/images/family/runner');
    });

    it('treats a short name in a project not known yet as unknown', () => {
      assert.equal(ref('runner-ubuntu-v2', UNKNOWN), UNKNOWN);
      assert.notEqual(ref(IMAGE, UNKNOWN), UNKNOWN);
    });
  });

  it('reads an instance boot disk', () => {
    assert.deepEqual(
      images('gcp:compute/instance:Instance', { bootDisk: { initializeParams: { image: IMAGE } } }),
      {
        images: [
          {
            externalIdentifier: IMAGE,
            platform: 'gcp',
            property: 'bootDisk.initializeParams.image',
          },
        ],
        unknown: [],
      },
    );
    // Booting an existing disk: no image to check.
    assert.deepEqual(images('gcp:compute/instance:Instance', { bootDisk: { source: 'disks/d' } }), {
      images: [],
      unknown: [],
    });
  });

  it('reads every disk of an instance template, boot and data', () => {
    const found = images('gcp:compute/regionInstanceTemplate:RegionInstanceTemplate', {
      project: 'other-project',
      disks: [
        { boot: true, sourceImage: 'runner-a' },
        { source: 'existing' },
        { sourceImage: UNKNOWN_STRING },
        UNKNOWN_OBJECT,
        { sourceImage: IMAGE },
      ],
    });
    assert.deepEqual(found, {
      images: [
        {
          externalIdentifier: 'projects/other-project/global/images/runner-a',
          written: 'runner-a',
          platform: 'gcp',
          property: 'disks[0].sourceImage',
        },
        { externalIdentifier: IMAGE, platform: 'gcp', property: 'disks[4].sourceImage' },
      ],
      unknown: ['disks[2].sourceImage', 'disks[3]'],
    });
  });

  it('records unknown blocks during preview', () => {
    assert.deepEqual(
      images('gcp:compute/instanceTemplate:InstanceTemplate', { disks: UNKNOWN_ARRAY }),
      {
        images: [],
        unknown: ['disks'],
      },
    );
    assert.deepEqual(images('gcp:compute/instance:Instance', { bootDisk: UNKNOWN_OBJECT }), {
      images: [],
      unknown: ['bootDisk'],
    });
    assert.deepEqual(
      images('gcp:compute/disk:Disk', { image: 'runner', project: UNKNOWN_STRING }),
      {
        images: [],
        unknown: ['image'],
      },
    );
  });

  it('reads a disk image and an instance-from-template override', () => {
    assert.equal(images('gcp:compute/disk:Disk', { image: IMAGE })?.images[0].property, 'image');
    assert.equal(
      images('gcp:compute/instanceFromTemplate:InstanceFromTemplate', {
        sourceInstanceTemplate: 't',
        bootDisk: { initializeParams: { image: IMAGE } },
      })?.images.length,
      1,
    );
  });

  it('returns null for types it does not know', () => {
    assert.equal(images('gcp:storage/bucket:Bucket', {}), null);
  });
});
