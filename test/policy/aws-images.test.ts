import assert from 'node:assert/strict';
import { unknownCheckingProxy } from '@pulumi/policy';
import { awsImages, regionOfZone } from '../../src/policy/aws-images';
import { UNKNOWN } from '../../src/policy/image-ref';
import { imagesOf } from '../../src/policy/resource-images';
import { UNKNOWN_ARRAY, UNKNOWN_STRING } from './policy-test-utils';

const provider = (region: string) => ({
  type: 'pulumi:providers:aws',
  props: unknownCheckingProxy({ region }),
});
const images = (type: string, props: Record<string, unknown>, region?: string) =>
  awsImages(type, unknownCheckingProxy(props), region ? provider(region) : undefined);

describe('AWS image extraction', () => {
  it('maps availability zones to regions', () => {
    assert.equal(regionOfZone('us-east-1a'), 'us-east-1');
    assert.equal(regionOfZone('us-west-2-lax-1a'), 'us-west-2');
    assert.equal(regionOfZone('us-gov-west-1b'), 'us-gov-west-1');
    assert.equal(regionOfZone('ap-southeast-2c'), 'ap-southeast-2');
    assert.equal(regionOfZone('use1-az1'), undefined);
    assert.equal(regionOfZone(UNKNOWN), UNKNOWN);
  });

  it('takes the region from the resource, then its zone, then its provider', () => {
    const region = (props: Record<string, unknown>, providerRegion?: string) =>
      images('aws:ec2/instance:Instance', { ami: 'ami-1', ...props }, providerRegion)?.images[0]
        .region;
    assert.equal(
      region({ region: 'ca-central-1', availabilityZone: 'eu-west-1a' }, 'us-east-1'),
      'ca-central-1',
    );
    assert.equal(region({ availabilityZone: 'eu-west-1a' }, 'us-east-1'), 'eu-west-1');
    assert.equal(region({}, 'us-east-1'), 'us-east-1');
    assert.equal(region({}), undefined);
    // Unknown sources are skipped, not guessed from.
    assert.equal(region({ availabilityZone: UNKNOWN_STRING }, 'us-east-1'), 'us-east-1');
  });

  it("checks the image a Mac instance's root volume is replaced with (MacRootVolume), in its region", () => {
    assert.deepEqual(
      images('pulumi-nodejs:dynamic/ingot:MacRootVolume', {
        region: 'us-west-2',
        instanceId: 'i-0123456789abcdef0',
        launchedImageId: 'ami-old',
        imageId: 'ami-new',
      }),
      {
        images: [
          {
            externalIdentifier: 'ami-new',
            platform: 'aws',
            region: 'us-west-2',
            property: 'imageId',
          },
        ],
        unknown: [],
      },
    );
  });

  it('reads a launch template zone from placement', () => {
    assert.deepEqual(
      images('aws:ec2/launchTemplate:LaunchTemplate', {
        imageId: 'ami-2',
        placement: { availabilityZone: 'sa-east-1b' },
      }),
      {
        images: [
          {
            externalIdentifier: 'ami-2',
            platform: 'aws',
            region: 'sa-east-1',
            property: 'imageId',
          },
        ],
        unknown: [],
      },
    );
  });

  it('ignores a provider of another cloud', () => {
    const found = awsImages(
      'aws:ec2/launchConfiguration:LaunchConfiguration',
      unknownCheckingProxy({ imageId: 'ami-3' }),
      { type: 'pulumi:providers:gcp', props: unknownCheckingProxy({ region: 'us-central1' }) },
    );
    assert.equal(found?.images[0].region, undefined);
  });

  it('lists every launch specification of a spot fleet with its own zone', () => {
    const found = images(
      'aws:ec2/spotFleetRequest:SpotFleetRequest',
      {
        launchSpecifications: [
          { ami: 'ami-a', availabilityZone: 'us-east-1a' },
          { ami: UNKNOWN_STRING },
          { ami: 'ami-c' },
          { instanceType: 'm5.large' },
        ],
      },
      'eu-central-1',
    );
    assert.deepEqual(found, {
      images: [
        {
          externalIdentifier: 'ami-a',
          platform: 'aws',
          region: 'us-east-1',
          property: 'launchSpecifications[0].ami',
        },
        {
          externalIdentifier: 'ami-c',
          platform: 'aws',
          region: 'eu-central-1',
          property: 'launchSpecifications[2].ami',
        },
      ],
      unknown: ['launchSpecifications[1].ami'],
    });
  });

  it('records unknown images and lists instead of failing', () => {
    assert.deepEqual(images('aws:ec2/instance:Instance', { ami: UNKNOWN_STRING }), {
      images: [],
      unknown: ['ami'],
    });
    assert.deepEqual(
      images('aws:ec2/spotFleetRequest:SpotFleetRequest', { launchSpecifications: UNKNOWN_ARRAY }),
      { images: [], unknown: ['launchSpecifications'] },
    );
  });

  it('reads raw sentinels too (props that did not go through the SDK proxy)', () => {
    assert.deepEqual(awsImages('aws:ec2/instance:Instance', { ami: UNKNOWN_STRING }, undefined), {
      images: [],
      unknown: ['ami'],
    });
  });

  it('says why a fleet or an Auto Scaling group carries no image', () => {
    for (const type of ['aws:ec2/fleet:Fleet', 'aws:autoscaling/group:Group']) {
      const found = imagesOf({ type, props: unknownCheckingProxy({}) });
      assert.ok('notApplicable' in found && /launch template/.test(found.notApplicable), type);
    }
  });
});
