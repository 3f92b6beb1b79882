import assert from 'node:assert/strict';
import { discouragedOutdatedImages } from '../../src/policy/discouraged-outdated-images';
import { ami, BUCKET, gcpImage, usePolicyRegistry } from './policy-fixture';
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
} from './policy-test-utils';

const DAY = 86_400_000;

const instance = (image: string) =>
  createResourceValidationArgs(
    'gcp:compute/instance:Instance',
    { zone: 'europe-west1-b', bootDisk: { initializeParams: { image } } },
    { name: 'runner-1' },
  );

describe('policy discouraged-outdated-images', () => {
  const fixture = usePolicyRegistry();
  const later = (days: number) => ({
    now: () => new Date(fixture.registry().clock.now().getTime() + days * DAY),
  });

  it('is advisory by default and takes maxAgeDays', () => {
    const policy = discouragedOutdatedImages(fixture.lookups());
    assert.equal(policy.enforcementLevel, 'advisory');
    assert.ok(policy.configSchema?.properties.maxAgeDays);
  });

  it('passes the version a channel serves (prod, or latest)', async () => {
    const policy = discouragedOutdatedImages(fixture.lookups());
    await assertNoResourceViolations(policy, instance(gcpImage('fp-current')));
    await assertNoResourceViolations(policy, instance(gcpImage('fp-scheduled')));
  });

  it('reports a version no channel serves, with what the channels serve', async () => {
    const [message] = await assertHasResourceViolation(
      discouragedOutdatedImages(fixture.lookups()),
      instance(gcpImage('fp-old')),
      'no channel of the bucket serves that version now (latest: v4, prod: v2)',
    );
    assert.ok(message.startsWith('gcp:compute/instance:Instance "runner-1" uses image'), message);
    assert.ok(message.includes(`version v1 (fingerprint fp-old) of bucket "${BUCKET}"`), message);
    assert.ok(message.includes('so it follows promotions'), message);
  });

  it('reports an image older than maxAgeDays', async () => {
    const [message] = await assertHasResourceViolation(
      discouragedOutdatedImages(fixture.lookups({ clock: later(100) }), { maxAgeDays: 90 }),
      instance(gcpImage('fp-current')),
      'built on 2026-03-01 — 100 days ago, more than the 90 days maxAgeDays allows',
    );
    assert.ok(message.includes('Rebuild the image'), message);
  });

  it('passes an image younger than maxAgeDays, from the policy config over the default', async () => {
    const policy = discouragedOutdatedImages(fixture.lookups({ clock: later(100) }), {
      maxAgeDays: 90,
    });
    const args = createResourceValidationArgs(
      'aws:ec2/instance:Instance',
      { ami: ami('fp-current') },
      { config: { maxAgeDays: 120 } },
    );
    await assertNoResourceViolations(policy, args);
  });

  it('reports both when an old image is also off every channel', async () => {
    await assertHasResourceViolation(
      discouragedOutdatedImages(fixture.lookups({ clock: later(30) }), { maxAgeDays: 7 }),
      instance(gcpImage('fp-old')),
      'no channel of the bucket serves that version now',
      '30 days ago',
    );
  });

  it('leaves revoked and untracked images to the other policies', async () => {
    const policy = discouragedOutdatedImages(fixture.lookups({ clock: later(400) }), {
      maxAgeDays: 1,
    });
    await assertNoResourceViolations(policy, instance(gcpImage('fp-revoked')));
    await assertNoResourceViolations(
      policy,
      instance('projects/ingot-images/global/images/hand-made'),
    );
  });
});
