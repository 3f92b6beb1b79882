import assert from 'node:assert/strict';
import { requiredTrackedImages } from '../../src/policy/required-tracked-images';
import { ami, gcpImage, usePolicyRegistry } from './policy-fixture';
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  UNKNOWN_STRING,
} from './policy-test-utils';

const launchTemplate = (imageId: string) =>
  createResourceValidationArgs(
    'aws:ec2/launchTemplate:LaunchTemplate',
    { imageId, instanceType: 'c6i.large' },
    { name: 'runners', provider: { type: 'pulumi:providers:aws', props: { region: 'us-east-1' } } },
  );

const template = (sourceImage: string) =>
  createResourceValidationArgs(
    'gcp:compute/instanceTemplate:InstanceTemplate',
    { disks: [{ boot: true, sourceImage: gcpImage('fp-current') }, { sourceImage }] },
    {
      name: 'runners',
      provider: { type: 'pulumi:providers:gcp', props: { project: 'ingot-images' } },
    },
  );

describe('policy required-tracked-images', () => {
  const fixture = usePolicyRegistry();

  it('is advisory by default; "mandatory" is HCP\'s on_untracked_image = fail', () => {
    assert.equal(requiredTrackedImages(fixture.lookups()).enforcementLevel, 'advisory');
    assert.equal(
      requiredTrackedImages(fixture.lookups(), { enforcementLevel: 'mandatory' }).enforcementLevel,
      'mandatory',
    );
  });

  it('passes images the registry tracks, revoked or not', async () => {
    const policy = requiredTrackedImages(fixture.lookups());
    for (const image of [ami('fp-current'), ami('fp-revoked'), ami('fp-old')])
      await assertNoResourceViolations(policy, launchTemplate(image));
    await assertNoResourceViolations(policy, template(gcpImage('fp-current')));
  });

  it('reports a hard-coded AMI the registry does not track, naming the registry', async () => {
    const registry = fixture.registry();
    const [message] = await assertHasResourceViolation(
      requiredTrackedImages(fixture.lookups()),
      launchTemplate('ami-0123456789abcdef0'),
      'ami-0123456789abcdef0 in us-east-1 (property `imageId`)',
    );
    assert.ok(
      message.startsWith('aws:ec2/launchTemplate:LaunchTemplate "runners" uses image'),
      message,
    );
    assert.ok(
      message.includes(
        `the image registry at ${registry.url} (organization "org-1", project "proj-1") does not track`,
      ),
      message,
    );
    assert.ok(message.includes('ingot publish'), message);
  });

  it('reports an untracked image in a nested GCP disk block', async () => {
    await assertHasResourceViolation(
      requiredTrackedImages(fixture.lookups()),
      template('projects/debian-cloud/global/images/debian-12-bookworm-v20260210'),
      'disks[1].sourceImage',
    );
  });

  it('reports an image family: no registry can vouch for what it picks', async () => {
    const [message] = await assertHasResourceViolation(
      requiredTrackedImages(fixture.lookups()),
      template('projects/debian-cloud/global/images/family/debian-12'),
      'image family projects/debian-cloud/global/images/family/debian-12',
    );
    assert.ok(message.includes('Pin an image the registry tracks'), message);
  });

  it('passes an image not known yet during preview', async () => {
    await assertNoResourceViolations(
      requiredTrackedImages(fixture.lookups()),
      template(UNKNOWN_STRING),
    );
  });
});
