import assert from 'node:assert/strict';
import { discouragedScheduledRevocationImages } from '../../src/policy/discouraged-scheduled-revocation-images';
import { ami, BUCKET, gcpImage, SCHEDULE_MESSAGE, usePolicyRegistry } from './policy-fixture';
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  UNKNOWN_STRING,
} from './policy-test-utils';

const instance = (image: string) =>
  createResourceValidationArgs(
    'aws:ec2/instance:Instance',
    { ami: image, instanceType: 't3.micro', availabilityZone: 'us-east-1c' },
    { name: 'web' },
  );

describe('policy discouraged-scheduled-revocation-images', () => {
  const fixture = usePolicyRegistry();

  it('is advisory by default', () => {
    assert.equal(
      discouragedScheduledRevocationImages(fixture.lookups()).enforcementLevel,
      'advisory',
    );
  });

  it('passes an image of a version without a revocation', async () => {
    await assertNoResourceViolations(
      discouragedScheduledRevocationImages(fixture.lookups()),
      instance(ami('fp-current')),
    );
  });

  it('reports a scheduled revocation and says when it takes effect', async () => {
    const [message] = await assertHasResourceViolation(
      discouragedScheduledRevocationImages(fixture.lookups()),
      instance(ami('fp-scheduled')),
      ami('fp-scheduled'),
    );
    assert.ok(message.startsWith('aws:ec2/instance:Instance "web" uses image'), message);
    assert.ok(
      message.includes(`version v4 (fingerprint fp-scheduled) of bucket "${BUCKET}"`),
      message,
    );
    // The registry's clock stands at 2026-03-01T12:00Z; the revocation was set 168h ahead.
    assert.ok(
      message.includes('scheduled to be revoked at 2026-03-08T12:00:00.000Z (in 7 days)'),
      message,
    );
    assert.ok(message.includes(`"${SCHEDULE_MESSAGE}"`), message);
    assert.ok(message.includes('policy "prohibited-revoked-images" refuses it'), message);
  });

  it('counts down as the revocation nears', async () => {
    const registry = fixture.registry();
    const clock = { now: () => new Date(registry.clock.now().getTime() + (168 - 5) * 3_600_000) };
    const [message] = await assertHasResourceViolation(
      discouragedScheduledRevocationImages(fixture.lookups({ clock })),
      createResourceValidationArgs('gcp:compute/disk:Disk', { image: gcpImage('fp-scheduled') }),
      '(in 5 hours)',
    );
    assert.ok(message.includes('(property `image`)'), message);
  });

  it('leaves revoked, untracked and unknown images to the other policies', async () => {
    const policy = discouragedScheduledRevocationImages(fixture.lookups());
    for (const image of [ami('fp-revoked'), 'ami-0fedcba9876543210', UNKNOWN_STRING]) {
      await assertNoResourceViolations(policy, instance(image));
    }
  });
});
