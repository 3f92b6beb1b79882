import assert from 'node:assert/strict';
import net from 'node:net';
import { discouragedOutdatedImages } from '../../src/policy/discouraged-outdated-images';
import { discouragedScheduledRevocationImages } from '../../src/policy/discouraged-scheduled-revocation-images';
import type { ImageLookupsOptions } from '../../src/policy/image-lookup';
import { PolicyConfigError } from '../../src/policy/policy-config';
import { prohibitedRevokedImages } from '../../src/policy/prohibited-revoked-images';
import { requiredTrackedImages } from '../../src/policy/required-tracked-images';
import { ami, usePolicyRegistry } from './policy-fixture';
import {
  assertHasResourceViolation,
  assertNoResourceViolations,
  createResourceValidationArgs,
  runPolicy,
} from './policy-test-utils';

/** A port nothing listens on: the registry is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const instance = (image: string, config: Record<string, unknown> = {}, name = 'web') =>
  createResourceValidationArgs(
    'aws:ec2/instance:Instance',
    { ami: image, availabilityZone: 'us-east-1a' },
    { name, config },
  );

describe('policies when the registry cannot be asked', () => {
  const fixture = usePolicyRegistry();
  let downUrl: string;
  let requests: string[];
  /** Lookups that retry once, instantly, and record every HTTP request. */
  const lookups = (options: ImageLookupsOptions = {}) =>
    fixture.lookups({
      connection: { maxRetries: 1 },
      transport: {
        sleep: async () => undefined,
        fetch: (input, init) => {
          requests.push(String(input));
          return fetch(input, init);
        },
      },
      ...options,
    });

  before(async () => {
    downUrl = `http://127.0.0.1:${await closedPort()}`;
  });
  beforeEach(() => {
    requests = [];
  });

  describe('registry down', () => {
    it('fails closed by default: the mandatory policy reports every unchecked image', async () => {
      const [message] = await assertHasResourceViolation(
        prohibitedRevokedImages(lookups()),
        instance(ami('fp-current'), { registryUrl: downUrl }),
        /^Could not check image ami-\w+ in us-east-1 \(property `ami`\) of aws:ec2\/instance:Instance "web": /,
      );
      assert.ok(message.includes(`at ${downUrl} failed after 2 attempt(s)`), message);
      assert.ok(message.includes('ECONNREFUSED'), message);
      assert.ok(message.includes('Policy "prohibited-revoked-images" fails closed'), message);
      assert.ok(message.includes('"failClosed": false'), message);
    });

    it('fails closed for required-tracked-images too, at its own level', async () => {
      await assertHasResourceViolation(
        requiredTrackedImages(lookups()),
        instance('ami-0123456789abcdef0', { registryUrl: downUrl }),
        'Policy "required-tracked-images" fails closed',
      );
    });

    it('fails open with failClosed: false, warning once for the run', async () => {
      const shared = lookups();
      const policy = prohibitedRevokedImages(shared);
      const config = { registryUrl: downUrl, failClosed: false };
      for (const image of [ami('fp-current'), ami('fp-revoked'), ami('fp-old')])
        await assertNoResourceViolations(policy, instance(image, config));
      assert.equal(fixture.warnings.length, 1, fixture.warnings.join('\n'));
      assert.match(
        fixture.warnings[0],
        /^ingot-images: policy "prohibited-revoked-images" could not check images and lets them pass \(failClosed is false\): .*ECONNREFUSED/,
      );
    });

    it('leaves the advisory hints quiet, with one warning', async () => {
      const shared = lookups();
      const config = { registryUrl: downUrl };
      await assertNoResourceViolations(
        discouragedScheduledRevocationImages(shared),
        instance(ami('fp-scheduled'), config),
      );
      await assertNoResourceViolations(
        discouragedOutdatedImages(shared),
        instance(ami('fp-old'), config),
      );
      assert.equal(fixture.warnings.length, 2);
    });

    it('stops asking once the registry failed to answer in this run', async () => {
      const policy = prohibitedRevokedImages(lookups());
      const images = [
        ami('fp-current'),
        ami('fp-old'),
        ami('fp-scheduled'),
        'ami-0123456789abcdef0',
      ];
      for (let i = 0; i < 12; i++) {
        const args = instance(images[i % images.length], { registryUrl: downUrl }, `web-${i}`);
        assert.equal((await runPolicy(policy, args)).length, 1);
      }
      // The first resource's token request fails, sent twice (one retry); every other
      // resource, whatever its image, gets the remembered failure without a request.
      assert.equal(requests.length, 2, requests.join('\n'));
    });
  });

  it('reports refused credentials with what to check, and does not send them again', async () => {
    const policy = prohibitedRevokedImages(
      lookups({ env: { ...process.env, HCP_CLIENT_SECRET: 'not-the-secret' } }),
    );
    const [message] = await assertHasResourceViolation(
      policy,
      instance(ami('fp-revoked')),
      'could not authenticate',
    );
    assert.ok(message.includes('Check HCP_CLIENT_ID and HCP_CLIENT_SECRET'), message);
    assert.ok(!message.includes('not-the-secret'), 'the message must not echo the secret');
    await assertHasResourceViolation(policy, instance(ami('fp-old')), 'could not authenticate');
    assert.equal(requests.filter((r) => r.endsWith('/oauth2/token')).length, 1);
  });

  it('reports a missing registry connection, listing everything missing', async () => {
    const [message] = await assertHasResourceViolation(
      prohibitedRevokedImages(lookups({ env: {} })),
      instance(ami('fp-revoked')),
      'the policy pack has no usable registry connection',
    );
    for (const problem of [
      'no registry: set INGOT_REGISTRY_URL',
      'no client id: set HCP_CLIENT_ID',
      'no client secret: set HCP_CLIENT_SECRET',
      'no organization: set HCP_ORGANIZATION_ID',
      'no project: set HCP_PROJECT_ID',
    ])
      assert.ok(message.includes(problem), `"${problem}" missing: ${message}`);
    assert.equal(requests.length, 0);
  });

  it('takes the registry, organization and project from the policy config over the environment', async () => {
    // The environment names org-1/proj-1, where the revoked version lives; the config
    // points at an empty project of the same registry.
    await assertNoResourceViolations(
      prohibitedRevokedImages(lookups()),
      instance(ami('fp-revoked'), { organization: 'org-1', project: 'empty-project' }),
    );
    await assertHasResourceViolation(
      requiredTrackedImages(lookups()),
      instance(ami('fp-revoked'), { project: 'empty-project' }),
      'project "empty-project"',
    );
  });

  it('stops the run on invalid config, with every problem at once', async () => {
    await assert.rejects(
      runPolicy(
        prohibitedRevokedImages(lookups()),
        instance(ami('fp-current'), {
          registryUrl: 'not a url',
          failClosed: 'yes',
          clientSecret: 's3cr3t',
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof PolicyConfigError);
        assert.equal(error.problems.length, 3, error.message);
        assert.match(error.message, /clientSecret" looks like a credential/);
        assert.ok(!error.message.includes('s3cr3t'));
        return true;
      },
    );
  });
});
