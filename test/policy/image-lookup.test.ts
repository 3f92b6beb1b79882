import assert from 'node:assert/strict';
import { discouragedOutdatedImages } from '../../src/policy/discouraged-outdated-images';
import { discouragedScheduledRevocationImages } from '../../src/policy/discouraged-scheduled-revocation-images';
import type { ImageLookupsOptions } from '../../src/policy/image-lookup';
import { prohibitedRevokedImages } from '../../src/policy/prohibited-revoked-images';
import { requiredTrackedImages } from '../../src/policy/required-tracked-images';
import { ami, usePolicyRegistry } from './policy-fixture';
import { createResourceValidationArgs, runPolicy } from './policy-test-utils';

describe('image lookups within one run', () => {
  const fixture = usePolicyRegistry();
  let calls: { path: string; body: string }[];
  const counting: ImageLookupsOptions = {
    transport: {
      fetch: (input, init) => {
        calls.push({ path: new URL(String(input)).pathname, body: String(init?.body ?? '') });
        return fetch(input, init);
      },
    },
  };
  const count = (suffix: string) => calls.filter((c) => c.path.endsWith(suffix)).length;

  beforeEach(() => {
    calls = [];
  });

  /** The stack of the issue: 200 launch templates over 3 images, as a preview checks them. */
  const launchTemplates = [ami('fp-current'), ami('fp-scheduled'), ami('fp-old')]
    .flatMap((image) =>
      Array.from({ length: 200 / 3 + 1 }, (_, i) =>
        createResourceValidationArgs(
          'aws:ec2/launchTemplate:LaunchTemplate',
          { imageId: image, namePrefix: `pool-${i}` },
          {
            name: `pool-${image}-${i}`,
            provider: { type: 'pulumi:providers:aws', props: { region: 'us-east-1' } },
          },
        ),
      ),
    )
    .slice(0, 200);

  it('asks the registry once per image for a stack of 200 launch templates over 3 images', async () => {
    const lookups = fixture.lookups(counting);
    const policies = [
      prohibitedRevokedImages(lookups),
      discouragedScheduledRevocationImages(lookups),
      requiredTrackedImages(lookups),
      discouragedOutdatedImages(lookups),
    ];
    let violations = 0;
    for (const args of launchTemplates)
      for (const policy of policies) violations += (await runPolicy(policy, args)).length;

    assert.equal(count('/_search/external_artifact'), 3);
    assert.equal(count('/buckets/runner-ubuntu/channels'), 1, 'one channel list per bucket');
    assert.equal(count('/oauth2/token'), 1, 'one token for every policy');
    assert.equal(calls.length, 5);
    // Templates on the current image pass; the scheduled and the old image warn once each.
    const onCurrent = launchTemplates.filter((a) => a.props.imageId === ami('fp-current')).length;
    assert.equal(violations, 200 - onCurrent);
  });

  it('shares one request between concurrent checks of an image', async () => {
    const policy = prohibitedRevokedImages(fixture.lookups(counting));
    await Promise.all(launchTemplates.map((args) => runPolicy(policy, args)));
    assert.equal(count('/_search/external_artifact'), 3);
  });

  it('searches by id, platform and region, and again without the region when that misses', async () => {
    const policy = requiredTrackedImages(fixture.lookups(counting));
    const args = (imageId: string, region: string) =>
      createResourceValidationArgs('aws:ec2/launchTemplate:LaunchTemplate', { imageId, region });
    await runPolicy(policy, args(ami('fp-current', 'eu-west-1'), 'eu-west-1'));
    await runPolicy(policy, args('ami-0123456789abcdef0', 'eu-west-1'));
    await runPolicy(policy, args('ami-0123456789abcdef0', 'eu-west-1'));
    const searches = calls.filter((c) => c.path.endsWith('/_search/external_artifact'));
    assert.deepEqual(
      searches.map((c) => JSON.parse(c.body)),
      [
        {
          external_identifier: ami('fp-current', 'eu-west-1'),
          platform: 'aws',
          region: 'eu-west-1',
        },
        { external_identifier: 'ami-0123456789abcdef0', platform: 'aws', region: 'eu-west-1' },
        { external_identifier: 'ami-0123456789abcdef0', platform: 'aws' },
      ],
    );
  });

  it('starts afresh in a new run (new lookups): a revocation since the last run is seen', async () => {
    const registry = fixture.registry();
    const image = ami('fp-current', 'eu-west-1');
    const args = createResourceValidationArgs('aws:ec2/instance:Instance', {
      ami: image,
      region: 'eu-west-1',
    });
    const firstRun = prohibitedRevokedImages(fixture.lookups());
    assert.deepEqual(await runPolicy(firstRun, args), []);
    await registry.ok('PATCH', `${registry.packer()}/buckets/runner-ubuntu/versions/fp-current`, {
      revoke_in: '0s',
      revocation_message: 'bad kernel',
      // Channels stay put, so the rest of the file sees the fixture as it was.
      disable_rollback_channels: true,
    });
    try {
      assert.deepEqual(await runPolicy(firstRun, args), [], 'the run keeps its answer');
      const [message] = await runPolicy(prohibitedRevokedImages(fixture.lookups()), args);
      assert.match(message, /revoked at .* with the message "bad kernel"/);
    } finally {
      await registry.ok('PATCH', `${registry.packer()}/buckets/runner-ubuntu/versions/fp-current`, {
        restore: true,
      });
    }
  });
});
