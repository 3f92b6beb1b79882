import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { parseFleetConfig, type RawStackConfig } from '../../src/config/parse-fleet-config';
import { FleetConfigError } from '../../src/config/problems';
import { PROJECT, rawConfig } from './config-fixtures';

const KEY = `${PROJECT}:scalerSecrets`;
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PASSWORD = 'db-password-never-printed';
const WEBHOOK = 'whsec-never-printed';

const app = (fields: Record<string, unknown> = {}) => ({
  app_id: '123',
  installation_id: '456',
  private_key: PEM,
  webhook_secret: WEBHOOK,
  database_url: `postgres://scaler:${PASSWORD}@db.internal:5432/scaler`,
  ...fields,
});

const POOLS = [
  {
    name: 'ubuntu-small',
    os: 'ubuntu',
    size: 'small',
    cloud: 'aws',
    regions: ['us-west-2'],
    max: 4,
  },
  { name: 'gcp-small', os: 'ubuntu', size: 'small', cloud: 'gcp', regions: ['us-west2'], max: 3 },
];

/** A config with the scaler on; `secrets` null leaves the secret key out. */
function scaled(
  scaler: unknown,
  secrets: unknown = { aws: app(), gcp: app() },
  options: { encrypted?: boolean; github?: unknown; pools?: unknown } = {},
): RawStackConfig {
  const raw = rawConfig({
    pools: options.pools ?? POOLS,
    github: options.github ?? { organization: 'acme' },
    scaler,
  });
  if (secrets !== null) {
    raw.values[KEY] = JSON.stringify(secrets);
    if (options.encrypted !== false) raw.secretKeys = [...raw.secretKeys, KEY];
  }
  return raw;
}

function problemsOf(raw: RawStackConfig): string[] {
  try {
    parseFleetConfig(raw);
  } catch (error) {
    assert.ok(error instanceof FleetConfigError, String(error));
    for (const p of error.problems)
      for (const secret of [PASSWORD, WEBHOOK, 'PRIVATE KEY-----\nMII'])
        assert.ok(!p.includes(secret), `a secret value in: ${p}`);
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

describe('stack configuration: the scaler (ingot-fleet:scaler, ingot-fleet:scalerSecrets)', () => {
  it('defaults each scaler to the first region of its cloud; runners need no registration secret; no secret value is kept', () => {
    const config = parseFleetConfig(
      scaled({ gcp: { image: 'us-west2-docker.pkg.dev/acme/ingot/scaler:0.1.0' } }),
    );
    assert.deepEqual(config.scaler, {
      clouds: ['aws', 'gcp'],
      aws: { region: 'us-west-2' },
      gcp: { region: 'us-west2', image: 'us-west2-docker.pkg.dev/acme/ingot/scaler:0.1.0' },
      warm: {},
    });
    assert.deepEqual(config.github.registrationSecret, {});
    const text = JSON.stringify(config);
    assert.ok(!text.includes(PASSWORD) && !text.includes(WEBHOOK) && !text.includes('PRIVATE KEY'));
  });

  it('warm runners and timeouts are checked against the pools', () => {
    const config = parseFleetConfig(
      scaled({
        gcp: { image: 'gcr.io/acme/scaler@sha256:' + 'a'.repeat(64) },
        timeouts: { boot: 600 },
        warm: {
          'ubuntu-small': {
            idle: 2,
            schedule: { from: '08:00', to: '18:00', timeZone: 'Europe/Berlin' },
          },
        },
      }),
    );
    assert.deepEqual(config.scaler?.warm, {
      'ubuntu-small': {
        idle: 2,
        schedule: { from: '08:00', to: '18:00', timeZone: 'Europe/Berlin' },
      },
    });
    assert.deepEqual(config.scaler?.timeouts, { boot: 600 });
    const problems = problemsOf(
      scaled({
        gcp: { image: 'scaler' },
        aws: { region: 'eu-west-1', size: 1 },
        timeouts: { boot: 5 },
        warm: {
          'ubuntu-small': { idle: 9, schedule: { from: '18:00', to: '08:00' } },
          nope: { idle: 1 },
        },
      }),
    );
    assert.deepEqual(problems, [
      'ingot-fleet:scaler.aws.size: is not a known setting. Known: region, vpc.',
      'ingot-fleet:scaler.aws.region: "eu-west-1" has no aws pool; run the scaler in one of the pools\' regions: us-west-2.',
      'ingot-fleet:scaler.gcp.image: "scaler" is not valid: the scaler container image built from this package (deploy/scaler/Dockerfile), e.g. us-west2-docker.pkg.dev/acme/ingot/scaler:0.1.0.',
      'ingot-fleet:scaler.timeouts.boot: 5 is not a whole number from 60 to 7200.',
      'ingot-fleet:scaler.warm.ubuntu-small.idle: 9 is not a whole number from 0 to 4.',
      'ingot-fleet:scaler.warm.ubuntu-small.schedule: from (18:00) must be before to (08:00).',
      'ingot-fleet:scaler.warm.nope: names no Auto Scaling or GCP pool; pools: ubuntu-small, gcp-small.',
    ]);
  });

  it('the secrets must be set, encrypted, and complete for each scaled cloud — reported without their values', () => {
    const image = { image: 'us-west2-docker.pkg.dev/acme/ingot/scaler:1' };
    assert.match(
      problemsOf(scaled({ gcp: image }, null))[0],
      /ingot-fleet:scalerSecrets: is required with the scaler: set it encrypted with `pulumi config set --secret/,
    );
    assert.match(
      problemsOf(scaled({ gcp: image }, { aws: app(), gcp: app() }, { encrypted: false }))[0],
      /is stored in plain text; store it encrypted/,
    );
    const problems = problemsOf(
      scaled(
        { gcp: image },
        { aws: app({ app_id: 'abc', database_url: 'mysql://x' }), azure: app() },
      ),
    );
    assert.deepEqual(problems, [
      'ingot-fleet:scalerSecrets.azure: no scaler runs on "azure"; scaled clouds: aws, gcp.',
      'ingot-fleet:scalerSecrets.aws: "app_id" is missing or invalid (the numeric App ID).',
      'ingot-fleet:scalerSecrets.aws: "database_url" is missing or not a postgres:// URL: the scaler keeps its state in PostgreSQL (a Lambda or Cloud Run instance has no lasting disk).',
      'ingot-fleet:scalerSecrets.gcp must hold a JSON object.',
      'ingot-fleet:scalerSecrets.gcp: "app_id" is missing or invalid (the numeric App ID).',
      'ingot-fleet:scalerSecrets.gcp: "installation_id" is missing or invalid (the numeric installation ID).',
      'ingot-fleet:scalerSecrets.gcp: "private_key" is missing or invalid (the App\'s PEM private key).',
      'ingot-fleet:scalerSecrets.gcp: "webhook_secret" is missing or invalid (the App\'s webhook secret).',
      'ingot-fleet:scalerSecrets.gcp: "database_url" is missing or not a postgres:// URL: the scaler keeps its state in PostgreSQL (a Lambda or Cloud Run instance has no lasting disk).',
    ]);
  });

  it('with the scaler a registration secret is refused, macOS hosts included (they ask the AWS scaler for runners); secrets without the scaler are refused', () => {
    const github = {
      organization: 'acme',
      registrationSecret: { aws: 'ingot/app', gcp: 'ingot-app' },
    };
    const image = { image: 'us-west2-docker.pkg.dev/acme/ingot/scaler:1' };
    assert.deepEqual(problemsOf(scaled({ gcp: image }, undefined, { github })), [
      'ingot-fleet:github.registrationSecret.aws: is set, but with the scaler no aws runner registers itself or may read the App key: remove it.',
      'ingot-fleet:github.registrationSecret.gcp: is set, but with the scaler no gcp runner registers itself or may read the App key: remove it.',
    ]);
    const mac = {
      name: 'macos-small',
      os: 'macos',
      size: 'small',
      cloud: 'aws',
      regions: ['us-west-2'],
      desired: 1,
    };
    // macOS hosts on AWS get their runners from the AWS scaler: no App key for them either.
    assert.deepEqual(
      problemsOf(
        scaled(
          { gcp: image },
          { aws: app(), gcp: app() },
          {
            pools: [...POOLS, mac],
            github: { organization: 'acme', registrationSecret: { aws: 'ingot/mac-app' } },
          },
        ),
      ),
      [
        'ingot-fleet:github.registrationSecret.aws: is set, but with the scaler no aws runner registers itself or may read the App key: remove it.',
      ],
    );
    const withMac = parseFleetConfig(
      scaled({ gcp: image }, { aws: app(), gcp: app() }, { pools: [...POOLS, mac] }),
    );
    assert.deepEqual(withMac.github.registrationSecret, {});
    assert.deepEqual(withMac.scaler?.clouds, ['aws', 'gcp']);
    const noScaler = rawConfig();
    noScaler.values[KEY] = '{}';
    assert.deepEqual(problemsOf(noScaler), [
      'ingot-fleet:scalerSecrets: is set but ingot-fleet:scaler is not: set both, or remove it.',
    ]);
  });

  it('scaler.aws.vpc: {} or subnet and security group ids; every problem at once, with the fix', () => {
    const image = { image: 'us-west2-docker.pkg.dev/acme/ingot/scaler:1' };
    const ok = parseFleetConfig(scaled({ aws: { vpc: {} }, gcp: image }));
    assert.deepEqual(ok.scaler?.aws, { region: 'us-west-2', vpc: {} });
    const ids = { subnetIds: ['subnet-0abc1234'], securityGroupIds: ['sg-0abc1234'] };
    assert.deepEqual(parseFleetConfig(scaled({ aws: { vpc: ids }, gcp: image })).scaler?.aws, {
      region: 'us-west-2',
      vpc: ids,
    });
    assert.equal(parseFleetConfig(scaled({ aws: {}, gcp: image })).scaler?.aws?.vpc, undefined);
    assert.deepEqual(
      problemsOf(
        scaled({
          aws: {
            vpc: {
              subnetIds: ['subnet-0abc1234', 'subnet-0abc1234', 'vpc-0abc1234'],
              securityGroupIds: ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6'],
              natGateway: true,
            },
          },
          gcp: image,
        }),
      ),
      [
        'ingot-fleet:scaler.aws.vpc.natGateway: is not a known setting. Known: subnetIds, securityGroupIds.',
        'ingot-fleet:scaler.aws.vpc.subnetIds[2]: "vpc-0abc1234" is not an id like "subnet-0abc1234".',
        'ingot-fleet:scaler.aws.vpc.subnetIds: lists an id twice: list each once.',
        'ingot-fleet:scaler.aws.vpc.securityGroupIds: must list 1–5 ids like "sg-0abc1234", or be left out for the default.',
      ],
    );
    assert.match(
      problemsOf(scaled({ aws: { vpc: true }, gcp: image }))[0],
      /ingot-fleet:scaler\.aws\.vpc: .*\{\} for the network's subnets/,
    );
  });
});
