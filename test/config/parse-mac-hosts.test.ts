import assert from 'node:assert/strict';
import { parseFleetConfig } from '../../src/config/parse-fleet-config';
import { FleetConfigError } from '../../src/config/problems';
import { MAC_HOST_TYPES } from '../../src/fleet/aws/mac-host-types';
import { SIZE_TABLE } from '../../src/fleet/sizes';
import { rawConfig } from './config-fixtures';

function problemsOf(raw: Parameters<typeof parseFleetConfig>[0]): string[] {
  try {
    parseFleetConfig(raw);
  } catch (error) {
    assert.ok(error instanceof FleetConfigError, String(error));
    return error.problems;
  }
  assert.fail('the configuration was accepted');
}

const mac = (fields: Record<string, unknown> = {}) => ({
  name: 'mac',
  os: 'macos',
  size: 'medium',
  cloud: 'aws',
  regions: ['us-west-2'],
  desired: 2,
  ...fields,
});

/**
 * Impossible Mac configurations are refused at config load, every problem at once. Host
 * types come from a static table sourced from the EC2 User Guide's Mac instances page
 * and the EC2 API model's InstanceType enum (src/fleet/aws/mac-host-types.ts); zone
 * offerings are the account's, recorded in `ingot-fleet:macHosts.offerings`.
 */
describe('stack configuration: Mac host types and offerings', () => {
  it("every default macOS size is a host type of the table, and the table holds the User Guide's Mac types", () => {
    for (const types of Object.values(SIZE_TABLE.aws.macos?.arm64 ?? {}))
      for (const type of types) assert.ok(type in MAC_HOST_TYPES, type);
    for (const type of ['mac1.metal', 'mac2.metal', 'mac2-m2.metal', 'mac2-m2pro.metal'])
      assert.ok(type in MAC_HOST_TYPES, type);
    assert.equal(MAC_HOST_TYPES['mac1.metal'].arch, 'x64');
  });

  it('a size mapped to a type EC2 does not offer as a Mac host is refused with the fix; trustInstanceTypes accepts it', () => {
    const sizes = { aws: { macos: { arm64: { medium: ['mac9-m9.metal'] } } } };
    const problems = problemsOf(rawConfig({ sizes, pools: [mac()] }));
    assert.equal(problems.length, 1);
    assert.match(
      problems[0],
      /^ingot-fleet:pools\[0\]\.size: size medium is "mac9-m9\.metal" \(the sizes table\), which EC2 does not offer as a Mac dedicated host type; use one of mac2\.metal, .*mac-m4pro\.metal.* or set ingot-fleet:macHosts\.trustInstanceTypes: true if AWS offers it/,
    );
    const trusted = parseFleetConfig(
      rawConfig({ sizes, pools: [mac()], macHosts: { trustInstanceTypes: true } }),
    );
    assert.deepEqual(trusted.pools[0].instanceTypes, ['mac9-m9.metal']);
  });

  it('with offerings for a region: a host type not offered there, and zones (chosen or from the subnets) without it, are refused together', () => {
    const offerings = { 'us-west-2': { 'mac2.metal': ['a', 'b'], 'mac2-m2.metal': ['b', 'c'] } };
    const problems = problemsOf(
      rawConfig({
        macHosts: { offerings },
        pools: [
          mac({ name: 'mac-large', size: 'large' }),
          mac({ name: 'mac-zones', zones: ['a', 'b'] }),
          mac({ name: 'mac-subnets' }),
          mac({ name: 'mac-small', size: 'small', zones: ['b'] }),
          { name: 'bad', os: 'ubuntu', size: 'huge', cloud: 'aws', regions: ['us-west-2'], max: 1 },
        ],
      }),
    );
    assert.deepEqual(problems.slice(0, 1), [
      'ingot-fleet:pools[4].size: "huge" is not one of small, medium, large, xlarge.',
    ]);
    assert.deepEqual(problems.slice(1), [
      'ingot-fleet:pools[0].regions[0]: mac2-m2pro.metal hosts are not offered in us-west-2 according to ingot-fleet:macHosts.offerings.us-west-2 (mac2.metal, mac2-m2.metal): pick a size whose host type is offered there or another region, or add mac2-m2pro.metal there if `aws ec2 describe-instance-type-offerings --region us-west-2 --location-type availability-zone --filters Name=instance-type,Values=mac2-m2pro.metal` lists it.',
      'ingot-fleet:pools[1].zones: mac2-m2.metal hosts are not offered in us-west-2a according to ingot-fleet:macHosts.offerings.us-west-2.mac2-m2.metal (b, c): set zones to letters among b, c.',
      'ingot-fleet:pools[2].zones: mac2-m2.metal hosts are not offered in us-west-2a according to ingot-fleet:macHosts.offerings.us-west-2.mac2-m2.metal (b, c), where the subnets of network.aws["us-west-2"] would put them: set zones to letters among b, c.',
    ]);
  });

  it('offerings that cover the pools are accepted; a region without offerings is not checked', () => {
    const config = parseFleetConfig(
      rawConfig({
        macHosts: { offerings: { 'us-west-2': { 'mac2-m2.metal': ['a', 'b', 'c'] } } },
        pools: [mac()],
      }),
    );
    assert.deepEqual(config.pools[0].instanceTypes, ['mac2-m2.metal']);
    parseFleetConfig(rawConfig({ pools: [mac({ size: 'xlarge', zones: ['a'] })] }));
  });

  it('a malformed macHosts names each key', () => {
    assert.deepEqual(
      problemsOf(
        rawConfig({
          macHosts: {
            trustInstanceType: true,
            offerings: {
              'us-west': { 'mac2.metal': ['a'] },
              'us-west-2': { 'm7g.metal': ['a'], 'mac2.metal': ['A'] },
            },
          },
        }),
      ),
      [
        'ingot-fleet:macHosts.trustInstanceType: is not a known setting; did you mean "trustInstanceTypes"? Known: offerings, trustInstanceTypes.',
        'ingot-fleet:macHosts.offerings.us-west: "us-west" is not an AWS region name like us-west-2.',
        'ingot-fleet:macHosts.offerings.us-west-2.m7g.metal: "m7g.metal" is not an EC2 Mac host type; use one of mac2.metal, mac2-m1ultra.metal, mac2-m2.metal, mac2-m2pro.metal, mac-m3ultra.metal, mac-m4.metal, mac-m4pro.metal, mac-m4max.metal (or mac1.metal on Intel), or set ingot-fleet:macHosts.trustInstanceTypes: true if AWS offers it and the table in src/fleet/aws/mac-host-types.ts is behind.',
        'ingot-fleet:macHosts.offerings.us-west-2.mac2.metal[0]: "A" is not valid: an availability zone letter like a.',
      ],
    );
  });
});
