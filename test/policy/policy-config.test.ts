import assert from 'node:assert/strict';
import {
  configSchema,
  parsePolicyConfig,
  PolicyConfigError,
  type SettingName,
} from '../../src/policy/policy-config';

const ALL: SettingName[] = ['registryUrl', 'organization', 'project', 'failClosed', 'maxAgeDays'];

function problemsOf(raw: unknown, settings = ALL): string[] {
  try {
    parsePolicyConfig('p', raw, settings);
  } catch (error) {
    assert.ok(error instanceof PolicyConfigError);
    return error.problems;
  }
  assert.fail('expected a PolicyConfigError');
}

describe('policy config', () => {
  it('defaults to failing closed with nothing else set (the environment fills the connection)', () => {
    assert.deepEqual(parsePolicyConfig('p', {}, ALL), { failClosed: true });
    assert.deepEqual(parsePolicyConfig('p', undefined, ALL), { failClosed: true });
  });

  it('reads every setting, the config over the factory defaults', () => {
    const settings = parsePolicyConfig(
      'p',
      { registryUrl: 'https://registry.example.com', failClosed: false, maxAgeDays: 30 },
      ALL,
      { organization: 'acme', project: 'images', maxAgeDays: 90 },
    );
    assert.deepEqual(settings, {
      registryUrl: 'https://registry.example.com',
      organization: 'acme',
      project: 'images',
      failClosed: false,
      maxAgeDays: 30,
    });
  });

  it("ignores Pulumi's own enforcementLevel key", () => {
    assert.deepEqual(parsePolicyConfig('p', { enforcementLevel: 'mandatory' }, ALL), {
      failClosed: true,
    });
  });

  it('accepts a host without a scheme, as the registry client does', () => {
    assert.equal(
      parsePolicyConfig('p', { registryUrl: 'api.cloud.hashicorp.com' }, ALL).registryUrl,
      'api.cloud.hashicorp.com',
    );
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      registryUrl: 'ftp://x',
      organization: 'acme corp',
      project: '',
      failClosed: 'no',
      maxAgeDays: 1.5,
    });
    assert.equal(problems.length, 5, problems.join('\n'));
    assert.match(problems[0], /^registryUrl must be a URL/);
    assert.match(problems[1], /^organization must be 1–64 letters/);
    assert.match(problems[2], /^project must be 1–64 letters/);
    assert.match(problems[3], /^failClosed must be true or false, got "no"/);
    assert.match(problems[4], /^maxAgeDays must be a whole number of days ≥ 1, got 1.5/);
  });

  it('refuses credentials in the config without quoting them', () => {
    const problems = problemsOf({ clientId: 'ingot_ci_x', client_secret: 'ingot_cs_y' });
    assert.equal(problems.length, 2);
    for (const problem of problems) {
      assert.match(problem, /looks like a credential.*HCP_CLIENT_ID and HCP_CLIENT_SECRET/);
      assert.ok(!problem.includes('ingot_c'), problem);
    }
  });

  it('names a setting another policy has but this one has not', () => {
    const [problem] = problemsOf({ maxAgeDays: 30 }, ['registryUrl', 'failClosed']);
    assert.equal(
      problem,
      '"maxAgeDays" is not a setting of this policy; its settings are: registryUrl, failClosed.',
    );
  });

  it('refuses a config that is not an object', () => {
    assert.match(problemsOf('mandatory')[0], /must be an object of settings/);
  });

  it('gives Pulumi a schema of the settings a policy reads', () => {
    const schema = configSchema(['registryUrl', 'failClosed', 'maxAgeDays']);
    assert.deepEqual(Object.keys(schema.properties), ['registryUrl', 'failClosed', 'maxAgeDays']);
    assert.equal(schema.properties.failClosed.default, true);
    assert.equal(schema.properties.maxAgeDays.type, 'integer');
    assert.equal(schema.properties.maxAgeDays.minimum, 1);
  });

  it('names the policy in the error', () => {
    assert.throws(
      () => parsePolicyConfig('prohibited-revoked-images', { failClosed: 1 }, ALL),
      /^PolicyConfigError: the config of policy "prohibited-revoked-images" is invalid:\n {2}- failClosed/,
    );
  });
});
