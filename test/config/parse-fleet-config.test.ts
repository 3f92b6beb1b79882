import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFleetConfig } from '../../src/config/parse-fleet-config';
import { FleetConfigError } from '../../src/config/problems';
import { DISK_SIZE_GB, SIZE_TABLE } from '../../src/fleet/sizes';
import { STACKS, projectName, stackFileConfig } from '../fleet/stack-files';
import { PROJECT, rawConfig, SECRET, SECRET_ID } from './config-fixtures';

/** The problems of a config that must fail. */
function problemsOf(raw: Parameters<typeof parseFleetConfig>[0]): string[] {
  try {
    parseFleetConfig(raw);
  } catch (error) {
    assert.ok(
      error instanceof FleetConfigError,
      `expected a FleetConfigError, got ${String(error)}`,
    );
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

const pool = (fields: Record<string, unknown>) => ({
  name: 'pool-a',
  os: 'ubuntu',
  size: 'small',
  cloud: 'aws',
  regions: ['us-west-2'],
  max: 2,
  ...fields,
});

describe('stack configuration', () => {
  it('parses a valid config with its defaults: channel and environment from the stack, bucket and arch per OS', () => {
    const config = parseFleetConfig(rawConfig());
    assert.equal(config.environment, 'dev');
    assert.equal(config.channel, 'dev');
    assert.deepEqual(config.registry, {
      url: 'https://images.acme.example',
      organizationId: 'acme',
      projectId: 'runner-images',
      credentials: 'stack-config',
    });
    assert.equal(config.github.runnerGroup, 'ingot-dev');
    assert.equal(config.github.apiUrl, 'https://api.github.com');
    const [p] = config.pools;
    assert.deepEqual(
      {
        arch: p.arch,
        bucket: p.bucket,
        min: p.min,
        desired: p.desired,
        spot: p.spot,
        disk: p.diskSizeGb,
      },
      {
        arch: 'x64',
        bucket: 'runner-ubuntu',
        min: 0,
        desired: 0,
        spot: false,
        disk: DISK_SIZE_GB.ubuntu.small,
      },
    );
    assert.deepEqual(p.imageLabels, { arch: 'x64' });
    assert.deepEqual(p.instanceTypes, SIZE_TABLE.aws.ubuntu?.x64?.small);
  });

  it('the channel can differ from the environment, and the environment from the stack', () => {
    const config = parseFleetConfig(
      rawConfig({ channel: 'staging', environment: 'qa' }, { stack: 'qa-eu' }),
    );
    assert.equal(config.environment, 'qa');
    assert.equal(config.channel, 'staging');
  });

  it("refuses the image pipeline's keys: they moved to the image factory project", () => {
    assert.deepEqual(problemsOf(rawConfig({ images: { templates: [] }, imagesEnvironment: {} })), [
      "ingot-fleet:images: the image pipeline is the image factory's (images/, project ingot-images), not the fleet's: move this setting to images/Pulumi.<stack>.yaml as ingot-images:images.",
      "ingot-fleet:imagesEnvironment: the image pipeline is the image factory's (images/, project ingot-images), not the fleet's: move this setting to images/Pulumi.<stack>.yaml as ingot-images:imagesEnvironment.",
    ]);
  });

  it('reads the image factory stack, and refuses a name StackReference cannot take', () => {
    const config = parseFleetConfig(
      rawConfig({ imageFactory: { stack: 'acme/ingot-images/dev' } }),
    );
    assert.deepEqual(config.imageFactory, { stack: 'acme/ingot-images/dev', channel: 'dev' });
    assert.deepEqual(problemsOf(rawConfig({ imageFactory: { stack: 'ingot-images' } })), [
      'ingot-fleet:imageFactory.stack: "ingot-images" is not valid: the image factory\'s stack as <org>/<project>/<stack>, e.g. acme/ingot-images/dev.',
    ]);
  });

  it('reports every problem at once, each naming its key and the fix', () => {
    const problems = problemsOf(
      rawConfig({
        github: { organization: 'acme', registrationSecret: {} },
        pools: [
          pool({
            name: 'mac',
            os: 'macos',
            cloud: 'gcp',
            regions: ['us-west2'],
            max: undefined,
            desired: 1,
            spot: true,
          }),
          pool({ name: 'win-arm', os: 'windows', arch: 'arm64' }),
          pool({ name: 'bad-size', size: 'huge' }),
          pool({ name: 'counts', min: 5, max: 2 }),
          // Spot VMs on GCP are accepted (provisioningModel SPOT): no problem at [4].
          pool({ name: 'gcp-spot', cloud: 'gcp', regions: ['us-west2'], spot: true }),
          pool({ name: 'far', regions: ['ap-south-1'] }),
          pool({ name: 'far', regions: ['us-west-2'] }),
        ],
        poolz: [],
      }),
    );
    const expect = [
      /ingot-fleet:poolz: is not a known setting; did you mean "pools"\?/,
      /ingot-fleet:pools\[0\]\.cloud: macOS runs on AWS only \(EC2 Mac dedicated hosts\); set cloud: aws\./,
      /ingot-fleet:pools\[0\]\.spot: macOS runs on dedicated hosts, never on spot capacity/,
      /ingot-fleet:pools\[1\]\.arch: aws offers no windows runners on arm64: use arch x64\./,
      /ingot-fleet:pools\[2\]\.size: "huge" is not one of small, medium, large, xlarge\./,
      /ingot-fleet:pools\[3\]\.min: 5 is above max \(2\); make min ≤ desired ≤ max\./,
      /ingot-fleet:pools\[5\]\.regions\[0\]: no network for aws region ap-south-1: add network\.aws\["ap-south-1"\]/,
      /ingot-fleet:pools\[6\]\.name: "far" is already the name of pools\[5\]/,
      /ingot-fleet:github\.registrationSecret\.aws: is required because a pool runs on aws/,
      /ingot-fleet:github\.registrationSecret\.gcp: is required because a pool runs on gcp/,
    ];
    for (const pattern of expect)
      assert.ok(
        problems.some((p) => pattern.test(p)),
        `missing ${pattern} in:\n${problems.join('\n')}`,
      );
    assert.equal(problems.length, expect.length, problems.join('\n'));
  });

  it('macOS pools: AWS only, arm64 only, never spot, a fixed count, zones with subnets', () => {
    const ok = parseFleetConfig(
      rawConfig({
        pools: [pool({ name: 'mac', os: 'macos', max: undefined, desired: 2, zones: ['a', 'b'] })],
      }),
    );
    assert.deepEqual(
      {
        arch: ok.pools[0].arch,
        min: ok.pools[0].min,
        max: ok.pools[0].max,
        types: ok.pools[0].instanceTypes,
      },
      { arch: 'arm64', min: 2, max: 2, types: ['mac2.metal'] },
    );
    const problems = problemsOf(
      rawConfig({
        pools: [
          pool({
            name: 'mac',
            os: 'macos',
            arch: 'x64',
            desired: 2,
            max: 4,
            zones: ['a', 'd'],
            minHealthyPercent: 50,
          }),
        ],
      }),
    );
    assert.deepEqual(problems, [
      'ingot-fleet:pools[0].arch: aws offers no macos runners on x64: use arch arm64.',
      'ingot-fleet:pools[0].max: macOS pools are not autoscaled (each instance holds a dedicated host for at least 24 hours): set max to desired (2) or remove it.',
      'ingot-fleet:pools[0].zones: zone us-west-2d has no subnet in network.aws["us-west-2"].subnets; add one or pick zones a, b.',
      'ingot-fleet:pools[0].minHealthyPercent: does not apply to macOS pools: a new image rolls onto each instance in place (root volume replacement), not through an instance refresh. Remove it.',
    ]);
  });

  it('registry credentials must be encrypted; their values never appear in a message', () => {
    const plain = problemsOf(rawConfig({}, { secretKeys: [] }));
    assert.deepEqual(
      plain.map((p) => p.split(':').slice(0, 2).join(':')),
      ['ingot:registryClientId', 'ingot:registryClientSecret'],
    );
    assert.match(plain[1], /pulumi config set --secret ingot:registryClientSecret/);
    for (const p of plain) assert.ok(!p.includes(SECRET) && !p.includes(SECRET_ID), p);

    const none = rawConfig();
    delete none.values['ingot:registryClientId'];
    delete none.values['ingot:registryClientSecret'];
    assert.match(problemsOf(none)[0], /no registry credentials: run `pulumi config set --secret/);
    const fromEnv = parseFleetConfig({
      ...none,
      env: { HCP_CLIENT_ID: 'x', HCP_CLIENT_SECRET: 'y' },
    });
    assert.equal(fromEnv.registry.credentials, 'environment');
    assert.ok(!JSON.stringify(parseFleetConfig(rawConfig())).includes(SECRET));
  });

  it('structured values that are not maps or lists are reported, not thrown', () => {
    const problems = problemsOf(rawConfig({ pools: 'ubuntu-small', network: '[', github: 42 }));
    assert.ok(problems.some((p) => p.startsWith('ingot-fleet:pools: must list at least one pool')));
    assert.ok(problems.some((p) => p.startsWith('ingot-fleet:network: must be a map')));
    assert.ok(problems.some((p) => p.startsWith('ingot-fleet:github: must be a map')));
  });

  it('size overrides replace table entries and are checked against the architecture', () => {
    const config = parseFleetConfig(
      rawConfig({ sizes: { aws: { ubuntu: { x64: { large: ['m7i.2xlarge', 'c7i.2xlarge'] } } } } }),
    );
    assert.deepEqual(config.sizes.aws.ubuntu?.x64?.large, ['m7i.2xlarge', 'c7i.2xlarge']);
    assert.deepEqual(config.sizes.aws.windows?.x64?.large, SIZE_TABLE.aws.windows?.x64?.large);
    const problems = problemsOf(
      rawConfig({
        sizes: {
          aws: {
            ubuntu: { x64: { large: ['m7g.2xlarge'] } },
            windows: { arm64: { small: ['m7g.large'] } },
          },
          gcp: { ubuntu: { x64: { small: ['e2-standard-2', 'n2-standard-2'] } } },
        },
      }),
    );
    const mac = problemsOf(
      rawConfig({ sizes: { aws: { macos: { arm64: { large: ['m7g.metal'] } } } } }),
    );
    assert.deepEqual(mac, [
      'ingot-fleet:sizes.aws.macos.arm64.large: "m7g.metal" is not offered as an EC2 Mac dedicated host type; macOS runs only on mac*.metal hosts, e.g. [mac2.metal] (Apple M1), [mac2-m2.metal], [mac2-m2pro.metal] or [mac-m4pro.metal].',
    ]);
    assert.deepEqual(problems, [
      'ingot-fleet:sizes.aws.ubuntu.x64.large: "m7g.2xlarge" runs arm64, not x64; move it to the arm64 row.',
      'ingot-fleet:sizes.aws.windows.arm64: aws offers no windows runners on arm64; remove this entry.',
      'ingot-fleet:sizes.gcp.ubuntu.x64.small: a GCP pool uses one machine type; list exactly one.',
    ]);
  });

  it('networks: explicit entries are checked (ids, zones of the region, subnetwork region)', () => {
    const problems = problemsOf(
      rawConfig({
        network: {
          aws: {
            'us-west-2': {
              vpcId: 'vpc-1',
              subnets: [{ id: 'subnet-0a1b2c3d4e5f60718', zone: 'us-east-1a' }],
            },
          },
          gcp: {
            'us-west2': {
              network: 'projects/acme-net-dev/global/networks/runners',
              subnetwork: 'projects/acme-net-dev/regions/europe-west4/subnetworks/runners',
            },
          },
          stackRef: {},
        },
        pools: [pool({})],
      }),
    );
    assert.deepEqual(problems, [
      'ingot-fleet:network.stackRef: is not a known setting; did you mean "stackReference"? Known: stackReference, aws, gcp.',
      'ingot-fleet:network.aws["us-west-2"].vpcId: "vpc-1" is not valid: a VPC id like vpc-0a1b2c3d4e5f60718.',
      'ingot-fleet:network.aws["us-west-2"].subnets[0].zone: "us-east-1a" is not valid: an availability zone of us-west-2, e.g. us-west-2a.',
      'ingot-fleet:network.gcp["us-west2"].subnetwork: is in region europe-west4, not us-west2; use a subnetwork of us-west2.',
    ]);
  });

  it('property: every independently broken pool is reported under its own index, all at once', () => {
    const breakages: [string, Record<string, unknown>, RegExp][] = [
      ['os', { os: 'solaris' }, /\.os: "solaris" is not one of/],
      ['size', { size: 'tiny' }, /\.size: "tiny" is not one of/],
      [
        'mac spot',
        { os: 'macos', desired: 1, max: undefined, spot: true },
        /\.spot: macOS runs on dedicated hosts/,
      ],
      [
        'mac on gcp',
        { os: 'macos', cloud: 'gcp', regions: ['us-west2'], desired: 1 },
        /\.cloud: macOS runs on AWS only/,
      ],
      [
        'windows arm',
        { os: 'windows', arch: 'arm64' },
        /\.arch: aws offers no windows runners on arm64/,
      ],
      ['desired', { min: 1, desired: 9, max: 3 }, /\.desired: 9 is outside min\.\.max/],
      ['name', { name: 'Bad_Name' }, /\.name: "Bad_Name" is not valid/],
      [
        'external ip on aws',
        { externalIp: true },
        /\.externalIp: AWS runners never get a public IP/,
      ],
      ['zones off mac', { zones: ['a'] }, /\.zones: applies to macOS pools only/],
      [
        'region',
        { regions: ['us-west2'] },
        /\.regions\[0\]: "us-west2" is not valid: an AWS region/,
      ],
    ];
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: breakages.length - 1 }), { nil: undefined }), {
          minLength: 1,
          maxLength: 8,
        }),
        (plan) => {
          const pools = plan.map((b, i) =>
            pool({ name: `pool-${i}`, ...(b === undefined ? {} : breakages[b][1]) }),
          );
          const broken = plan.flatMap((b, i) => (b === undefined ? [] : [[i, b] as const]));
          if (broken.length === 0) {
            assert.equal(parseFleetConfig(rawConfig({ pools })).pools.length, plan.length);
            return;
          }
          const problems = problemsOf(rawConfig({ pools }));
          for (const [i, b] of broken) {
            const mine = problems.filter((p) => p.startsWith(`ingot-fleet:pools[${i}].`));
            assert.ok(
              mine.some((p) => breakages[b][2].test(p)),
              `pools[${i}] (${breakages[b][0]}): ${problems.join('\n')}`,
            );
          }
          const indices = new Set(
            problems.map((p) => /pools\[(\d+)\]/.exec(p)?.[1]).filter(Boolean),
          );
          assert.deepEqual([...indices].map(Number).sort(), broken.map(([i]) => i).sort());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: valid pools round-trip their fields and get instance types from the table', () => {
    const validPool = fc
      .record({
        os: fc.constantFrom('ubuntu', 'windows'),
        size: fc.constantFrom('small', 'medium', 'large', 'xlarge'),
        cloud: fc.constantFrom('aws', 'gcp'),
        min: fc.integer({ min: 0, max: 5 }),
        extra: fc.integer({ min: 0, max: 5 }),
        more: fc.integer({ min: 1, max: 5 }),
      })
      .map((p) => ({
        os: p.os,
        size: p.size,
        cloud: p.cloud,
        regions: [p.cloud === 'aws' ? 'us-west-2' : 'us-west2'],
        min: p.min,
        desired: p.min + p.extra,
        max: p.min + p.extra + p.more,
      }));
    fc.assert(
      fc.property(fc.array(validPool, { minLength: 1, maxLength: 6 }), (pools) => {
        const named = pools.map((p, i) => ({ ...p, name: `pool-${i}` }));
        const config = parseFleetConfig(rawConfig({ pools: named }));
        config.pools.forEach((parsed, i) => {
          const raw = named[i];
          assert.deepEqual(
            [
              parsed.name,
              parsed.os,
              parsed.size,
              parsed.cloud,
              parsed.min,
              parsed.desired,
              parsed.max,
            ],
            [raw.name, raw.os, raw.size, raw.cloud, raw.min, raw.desired, raw.max],
          );
          assert.deepEqual(
            parsed.instanceTypes,
            SIZE_TABLE[raw.cloud as 'aws'][raw.os as 'ubuntu']?.x64?.[raw.size as 'small'],
          );
        });
      }),
      { numRuns: 100 },
    );
  });

  for (const stack of STACKS) {
    it(`Pulumi.${stack}.yaml is valid: its channel is "${stack}" and its pools are as written`, () => {
      const values = stackFileConfig(stack);
      assert.equal(projectName(), PROJECT);
      const config = parseFleetConfig({
        project: PROJECT,
        stack,
        values: {
          ...values,
          'ingot:registryClientId': 'id',
          'ingot:registryClientSecret': 'secret',
        },
        secretKeys: ['ingot:registryClientId', 'ingot:registryClientSecret'],
        env: {},
      });
      assert.equal(config.channel, stack);
      assert.equal(config.environment, stack);
      const written = JSON.parse(values[`${PROJECT}:pools`]) as { name: string }[];
      assert.deepEqual(
        config.pools.map((p) => p.name),
        written.map((p) => p.name),
      );
    });
  }
});
