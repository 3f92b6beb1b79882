import assert from 'node:assert/strict';
import { prohibitedRevokedImages } from '../../src/policy/prohibited-revoked-images';
import { ami, BUCKET, gcpImage, REVOCATION_MESSAGE, usePolicyRegistry } from './policy-fixture';
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  assertNotApplicable,
  createResourceValidationArgs,
  UNKNOWN_ARRAY,
  UNKNOWN_STRING,
} from './policy-test-utils';

const AWS_PROVIDER = { type: 'pulumi:providers:aws', props: { region: 'eu-west-1' } };
const GCP_PROVIDER = { type: 'pulumi:providers:gcp', props: { project: 'ingot-images' } };

/**
 * Every resource type that takes an image, as a passing example built around one
 * image; each test swaps that image for a revoked one and nothing else. Where the
 * image sits in a nested block, the passing sibling next to it stays.
 */
const RESOURCE_TYPES: {
  type: string;
  property: string;
  props: (image: { aws: string; gcp: string }) => Record<string, unknown>;
}[] = [
  {
    type: 'aws:ec2/instance:Instance',
    property: 'ami',
    props: (i) => ({ ami: i.aws, instanceType: 't3.micro', availabilityZone: 'eu-west-1b' }),
  },
  {
    type: 'aws:ec2/launchTemplate:LaunchTemplate',
    property: 'imageId',
    props: (i) => ({ imageId: i.aws, instanceType: 't3.micro', namePrefix: 'runners-' }),
  },
  {
    type: 'aws:ec2/spotInstanceRequest:SpotInstanceRequest',
    property: 'ami',
    props: (i) => ({ ami: i.aws, instanceType: 'm5.large', spotPrice: '0.05' }),
  },
  {
    type: 'aws:ec2/launchConfiguration:LaunchConfiguration',
    property: 'imageId',
    props: (i) => ({ imageId: i.aws, instanceType: 't3.micro' }),
  },
  {
    type: 'aws:ec2/spotFleetRequest:SpotFleetRequest',
    property: 'launchSpecifications[1].ami',
    props: (i) => ({
      iamFleetRole: 'arn:aws:iam::123456789012:role/spot-fleet',
      targetCapacity: 4,
      launchSpecifications: [
        { ami: ami('fp-current', 'eu-west-1'), instanceType: 'm5.large' },
        { ami: i.aws, instanceType: 'm5.xlarge', availabilityZone: 'eu-west-1a' },
      ],
    }),
  },
  {
    type: 'gcp:compute/instance:Instance',
    property: 'bootDisk.initializeParams.image',
    props: (i) => ({
      machineType: 'e2-standard-4',
      zone: 'us-central1-a',
      bootDisk: { initializeParams: { image: i.gcp, size: 50 } },
    }),
  },
  {
    type: 'gcp:compute/instanceTemplate:InstanceTemplate',
    property: 'disks[1].sourceImage',
    props: (i) => ({
      machineType: 'e2-standard-4',
      disks: [
        { boot: true, sourceImage: gcpImage('fp-current') },
        { boot: false, sourceImage: i.gcp, diskSizeGb: 100 },
      ],
    }),
  },
  {
    type: 'gcp:compute/regionInstanceTemplate:RegionInstanceTemplate',
    property: 'disks[0].sourceImage',
    props: (i) => ({
      region: 'us-central1',
      machineType: 'e2-standard-4',
      disks: [
        { boot: true, sourceImage: i.gcp },
        { boot: false, diskSizeGb: 200 },
      ],
    }),
  },
  {
    type: 'gcp:compute/disk:Disk',
    property: 'image',
    props: (i) => ({ zone: 'us-central1-a', image: i.gcp, size: 50 }),
  },
];

const current = { aws: ami('fp-current', 'eu-west-1'), gcp: gcpImage('fp-current') };
const revoked = { aws: ami('fp-revoked', 'eu-west-1'), gcp: gcpImage('fp-revoked') };

function args(type: string, props: Record<string, unknown>, config = {}) {
  return createResourceValidationArgs(type, props, {
    name: 'runners',
    provider: type.startsWith('aws:') ? AWS_PROVIDER : GCP_PROVIDER,
    config,
  });
}

describe('policy prohibited-revoked-images', () => {
  const fixture = usePolicyRegistry();

  it('is mandatory by default and declares its settings', () => {
    const policy = prohibitedRevokedImages(fixture.lookups());
    assert.equal(policy.name, 'prohibited-revoked-images');
    assert.equal(policy.enforcementLevel, 'mandatory');
    assert.deepEqual(Object.keys(policy.configSchema?.properties ?? {}), [
      'registryUrl',
      'organization',
      'project',
      'failClosed',
    ]);
  });

  for (const { type, property, props } of RESOURCE_TYPES) {
    describe(type, () => {
      it('passes an image of a valid version', async () => {
        await assertNoResourceViolations(
          prohibitedRevokedImages(fixture.lookups()),
          args(type, props(current)),
        );
      });

      it('reports an image of a revoked version, saying what to do', async () => {
        const image = type.startsWith('aws:') ? revoked.aws : revoked.gcp;
        const [message] = await assertHasResourceViolation(
          prohibitedRevokedImages(fixture.lookups()),
          args(type, props(revoked)),
          image,
        );
        assert.match(message, new RegExp(`^${type.replace(/[/:]/g, '\\$&')} "runners" uses image`));
        assert.ok(message.includes(`(property \`${property}\`)`), message);
        assert.ok(
          message.includes(`version v3 (fingerprint fp-revoked) of bucket "${BUCKET}"`),
          message,
        );
        assert.ok(message.includes(`with the message "${REVOCATION_MESSAGE}"`), message);
        assert.ok(message.includes(`ingot restore ${BUCKET} fp-revoked`), message);
        assert.ok(message.includes('RegistryImage or ChannelImages'), message);
      });
    });
  }

  it('reports each revoked image of a resource once', async () => {
    const [first, second] = await assertHasResourceViolation(
      prohibitedRevokedImages(fixture.lookups()),
      args('gcp:compute/instanceTemplate:InstanceTemplate', {
        disks: [{ sourceImage: revoked.gcp }, { sourceImage: revoked.gcp }],
      }),
      'disks[0].sourceImage',
      'disks[1].sourceImage',
    );
    assert.notEqual(first, second);
  });

  it('passes images of versions only scheduled for revocation, untracked or outdated', async () => {
    const policy = prohibitedRevokedImages(fixture.lookups());
    for (const image of [ami('fp-scheduled'), 'ami-0123456789abcdef0', ami('fp-old')]) {
      await assertNoResourceViolations(policy, args('aws:ec2/instance:Instance', { ami: image }));
    }
  });

  it('finds a revoked image whose region the resource misstates, and says so', async () => {
    const [message] = await assertHasResourceViolation(
      prohibitedRevokedImages(fixture.lookups()),
      args('aws:ec2/instance:Instance', {
        ami: ami('fp-revoked', 'us-east-1'),
        availabilityZone: 'eu-west-1a',
      }),
      'fp-revoked',
    );
    assert.ok(message.includes('records this image in us-east-1, not eu-west-1'), message);
  });

  it('finds a GCP image written as a self link or in short form', async () => {
    const name = revoked.gcp.split('/').pop() as string;
    const policy = prohibitedRevokedImages(fixture.lookups());
    for (const written of [
      `https://www.googleapis.com/compute/v1/${revoked.gcp}`,
      `ingot-images/${name}`,
      `global/images/${name}`,
      name,
    ]) {
      const [message] = await assertHasResourceViolation(
        policy,
        args('gcp:compute/disk:Disk', { image: written }),
        revoked.gcp,
      );
      assert.ok(message.includes(`(written "${written}")`), message);
    }
  });

  describe('during preview', () => {
    it('skips images not known yet, without a violation or an error', async () => {
      const policy = prohibitedRevokedImages(fixture.lookups());
      await assertNoResourceViolations(
        policy,
        args('aws:ec2/instance:Instance', { ami: UNKNOWN_STRING }),
      );
      await assertNoResourceViolations(
        policy,
        args('gcp:compute/instanceTemplate:InstanceTemplate', { disks: UNKNOWN_ARRAY }),
      );
      await assertNoResourceViolations(
        policy,
        args('gcp:compute/instance:Instance', { bootDisk: { initializeParams: UNKNOWN_STRING } }),
      );
    });

    it('still checks the known images next to unknown ones', async () => {
      await assertHasResourceViolation(
        prohibitedRevokedImages(fixture.lookups()),
        args('gcp:compute/instanceTemplate:InstanceTemplate', {
          disks: [{ sourceImage: UNKNOWN_STRING }, { sourceImage: revoked.gcp }],
        }),
        'disks[1].sourceImage',
      );
    });

    it('looks an image up without a region when the region is not known yet', async () => {
      const unknownRegion = createResourceValidationArgs(
        'aws:ec2/launchTemplate:LaunchTemplate',
        { imageId: revoked.aws },
        { provider: { type: 'pulumi:providers:aws', props: { region: UNKNOWN_STRING } } },
      );
      const [message] = await assertHasResourceViolation(
        prohibitedRevokedImages(fixture.lookups()),
        unknownRegion,
        revoked.aws,
      );
      assert.ok(!message.includes(' in eu-west-1 '), message);
    });
  });

  it('is not applicable to resources that take no image id', async () => {
    const policy = prohibitedRevokedImages(fixture.lookups());
    await assertNotApplicable(
      policy,
      args('aws:s3/bucket:Bucket', { bucket: 'logs' }),
      /does not take an image id/,
    );
    await assertNotApplicable(
      policy,
      args('aws:ec2/fleet:Fleet', { launchTemplateConfigs: [] }),
      /launch templates/,
    );
  });

  it('passes resources that carry no image (an instance from a launch template)', async () => {
    await assertNoResourceViolations(
      prohibitedRevokedImages(fixture.lookups()),
      args('aws:ec2/instance:Instance', { launchTemplate: { name: 'runners' } }),
    );
  });
});
