import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import { AwsAutoscalingRunners } from '../../src/fleet/aws/autoscaling-runners';
import { AwsMacRunners, macZones, subnetInZone } from '../../src/fleet/aws/mac-runners';
import { AwsRunnerPool } from '../../src/fleet/aws/aws-runner-pool';
import type { PoolConfig } from '../../src/config/fleet-config';
import { resolved, settle, type FleetEngine, type Recorded } from './fleet-engine';
import {
  awsNetwork,
  bootScriptOf,
  componentEngine,
  fakeImages,
  GITHUB,
  poolConfig,
  providersFor,
} from './pool-fixtures';

async function build(
  pool: PoolConfig,
  network = awsNetwork,
  opts: pulumi.ComponentResourceOptions = {},
): Promise<{ engine: FleetEngine; runners: AwsRunnerPool }> {
  const engine = componentEngine();
  const runners = new AwsRunnerPool(
    pool.name,
    {
      pool,
      environment: 'prod',
      images: fakeImages(),
      github: GITHUB,
      providers: providersFor('aws', pool.regions),
      networks: Object.fromEntries(pool.regions.map((r) => [r, network(r)])),
    },
    opts,
  );
  await resolved(runners.groups.map((g) => g.names));
  await settle();
  return { engine, runners };
}

const named = (engine: FleetEngine, name: string): Recorded => {
  const found = engine.resources.find((r) => r.name === name);
  assert.ok(found, `no resource ${name}`);
  return found;
};

describe('AwsRunnerPool: Ubuntu and Windows on Auto Scaling groups', () => {
  let engine: FleetEngine;
  const pool = poolConfig({
    cloud: 'aws',
    os: 'ubuntu',
    name: 'lin',
    spot: true,
    min: 1,
    desired: 3,
    max: 9,
    minHealthyPercent: 80,
    diskSizeGb: 120,
  });

  before(async () => ({ engine } = await build(pool)));

  it("launch template: IMDSv2 only, encrypted gp3 root of the pool's size, no public IP, terminate on shutdown", () => {
    for (const region of pool.regions) {
      const lt = named(engine, `lin-${region}-lt`).inputs;
      assert.deepEqual(lt.metadataOptions, {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
      });
      assert.deepEqual(lt.blockDeviceMappings, [
        {
          deviceName: '/dev/sda1',
          ebs: {
            volumeSize: 120,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ]);
      assert.equal(lt.networkInterfaces[0].associatePublicIpAddress, 'false');
      assert.deepEqual(lt.networkInterfaces[0].securityGroups, [`lin-${region}-sg-id`]);
      assert.equal(lt.instanceInitiatedShutdownBehavior, 'terminate');
      assert.equal(
        lt.iamInstanceProfile.arn,
        'arn:aws:iam::123456789012:instance-profile/lin-identity-profile',
      );
      assert.match(bootScriptOf('aws:ec2/launchTemplate:LaunchTemplate', lt), /^#!\/bin\/bash\n/);
      assert.equal(
        lt.tagSpecifications[0].tags['ingot-runner-labels'],
        `self-hosted,ubuntu,x64,small,prod,${region},ingot`,
      );
    }
  });

  it("security group: in the region's VPC, no ingress, all egress", () => {
    for (const region of pool.regions) {
      const sg = named(engine, `lin-${region}-sg`).inputs;
      assert.equal(sg.vpcId, awsNetwork(region).vpcId);
      assert.deepEqual(sg.ingress, []);
      assert.deepEqual(
        sg.egress.map((e: any) => [e.protocol, e.cidrBlocks, e.ipv6CidrBlocks]),
        [['-1', ['0.0.0.0/0'], ['::/0']]],
      );
    }
  });

  it("auto scaling group: counts, subnets, spot over the size's types, rolling instance refresh with minimum healthy percentage", () => {
    for (const region of pool.regions) {
      const asg = named(engine, `lin-${region}-asg`).inputs;
      assert.deepEqual([asg.minSize, asg.desiredCapacity, asg.maxSize], [1, 3, 9]);
      assert.deepEqual(
        asg.vpcZoneIdentifiers,
        awsNetwork(region).subnets.map((s) => s.id),
      );
      const mip = asg.mixedInstancesPolicy;
      assert.deepEqual(mip.launchTemplate.launchTemplateSpecification, {
        launchTemplateId: `lin-${region}-lt-id`,
        version: '1',
      });
      assert.deepEqual(
        mip.launchTemplate.overrides.map((o: any) => o.instanceType),
        pool.instanceTypes,
      );
      assert.deepEqual(mip.instancesDistribution, {
        onDemandBaseCapacity: 0,
        onDemandPercentageAboveBaseCapacity: 0,
        spotAllocationStrategy: 'price-capacity-optimized',
      });
      assert.equal(asg.capacityRebalance, true);
      assert.equal(asg.instanceRefresh.strategy, 'Rolling');
      // A group that may be 1–2 instances launches before it terminates (AWS's default
      // maximum of 100 % would take it to zero): 100 % kept, up to 200 % during a refresh.
      assert.equal(asg.instanceRefresh.preferences.minHealthyPercentage, 100);
      assert.equal(asg.instanceRefresh.preferences.maxHealthyPercentage, 200);
      assert.equal(asg.instanceRefresh.preferences.skipMatching, true);
    }
  });

  it('instance profile: SSM plus GetSecretValue on its registration secret in its regions, nothing else', () => {
    const role = named(engine, 'lin-identity-role').inputs;
    assert.deepEqual(JSON.parse(role.assumeRolePolicy).Statement[0].Principal, {
      Service: 'ec2.amazonaws.com',
    });
    assert.equal(
      named(engine, 'lin-identity-ssm').inputs.policyArn,
      'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
    );
    const policy = JSON.parse(named(engine, 'lin-identity-registration-secret').inputs.policy);
    assert.deepEqual(policy.Statement, [
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: pool.regions.map(
          (r) => `arn:aws:secretsmanager:${r}:123456789012:secret:ingot/test/github-app-??????`,
        ),
      },
    ]);
    assert.equal(engine.ofType('aws:iam/rolePolicy:RolePolicy').length, 1);
    assert.equal(engine.ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment').length, 1);
  });

  it('on-demand pools ask for on-demand capacity only; Windows gets PowerShell user data', async () => {
    const win = poolConfig({ cloud: 'aws', os: 'windows', name: 'win', regions: ['us-east-1'] });
    const { engine: e } = await build(win);
    const asg = named(e, 'win-us-east-1-asg').inputs;
    assert.deepEqual(asg.mixedInstancesPolicy.instancesDistribution, {
      onDemandBaseCapacity: 0,
      onDemandPercentageAboveBaseCapacity: 100,
      onDemandAllocationStrategy: 'prioritized',
    });
    assert.equal(asg.capacityRebalance, false);
    const script = bootScriptOf(
      'aws:ec2/launchTemplate:LaunchTemplate',
      named(e, 'win-us-east-1-lt').inputs,
    );
    assert.match(script, /^<powershell>\n/);
    assert.doesNotMatch(script, /#!\/bin\/bash/);
  });
});

describe('AwsRunnerPool: macOS on dedicated hosts', () => {
  it('one host per instance, round-robin over the chosen zones; each instance on its host, in its zone, never spot', async () => {
    const pool = poolConfig({
      cloud: 'aws',
      os: 'macos',
      name: 'mac',
      size: 'xlarge',
      regions: ['us-east-1'],
      desired: 3,
      min: 3,
      max: 3,
      zones: ['b', 'c'],
    });
    const { engine } = await build(pool);
    const hosts = engine.ofType('aws:ec2/dedicatedHost:DedicatedHost');
    const instances = engine.ofType('aws:ec2/instance:Instance');
    assert.equal(hosts.length, 3);
    assert.equal(instances.length, 3);
    assert.deepEqual(
      hosts.map((h) => h.inputs.availabilityZone),
      ['us-east-1b', 'us-east-1c', 'us-east-1b'],
    );
    for (const host of hosts) {
      assert.deepEqual(
        [host.inputs.instanceType, host.inputs.autoPlacement, host.inputs.hostRecovery],
        ['mac-m4pro.metal', 'off', 'off'],
      );
      // Hosts never see the image: a new image cannot replace them.
      assert.ok(!JSON.stringify(host.inputs).includes('ami-'));
    }
    const network = awsNetwork('us-east-1');
    for (const [i, instance] of instances.entries()) {
      const host = hosts[i];
      const inputs = instance.inputs;
      assert.equal(inputs.tenancy, 'host');
      assert.equal(inputs.hostId, host.id);
      assert.equal(inputs.availabilityZone, host.inputs.availabilityZone);
      assert.equal(
        network.subnets.find((s) => s.id === inputs.subnetId)?.zone,
        host.inputs.availabilityZone,
      );
      assert.equal(inputs.instanceType, 'mac-m4pro.metal');
      assert.equal(inputs.instanceMarketOptions, undefined, 'never spot');
      assert.equal(inputs.associatePublicIpAddress, false);
      assert.equal(inputs.metadataOptions.httpTokens, 'required');
      assert.equal(inputs.rootBlockDevice.encrypted, true);
      assert.equal(inputs.ami, 'ami-us-east-1-arm64-v7');
      assert.equal(inputs.iamInstanceProfile, 'mac-identity-profile');
    }
  });

  it("without zones, hosts spread over the zones of the region's subnets", async () => {
    const pool = poolConfig({
      cloud: 'aws',
      os: 'macos',
      name: 'mac2',
      regions: ['us-west-2'],
      desired: 4,
      min: 4,
      max: 4,
    });
    const { engine } = await build(pool);
    assert.deepEqual(
      engine.ofType('aws:ec2/dedicatedHost:DedicatedHost').map((h) => h.inputs.availabilityZone),
      ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2a'],
    );
  });

  it('host zones do not follow the order of the subnets (a reordered network stack output moves no host)', async () => {
    const mac = (n: number) =>
      poolConfig({
        cloud: 'aws',
        os: 'macos',
        name: `mac-order-${n}`,
        regions: ['us-west-2'],
        desired: 4,
        min: 4,
        max: 4,
      });
    const zonesOf = (engine: FleetEngine) =>
      engine.ofType('aws:ec2/dedicatedHost:DedicatedHost').map((h) => h.inputs.availabilityZone);
    const asListed = zonesOf((await build(mac(1))).engine);
    const reordered = (region: string) => {
      const network = awsNetwork(region);
      return { ...network, subnets: [network.subnets[2], network.subnets[0], network.subnets[1]] };
    };
    assert.deepEqual(zonesOf((await build(mac(1), reordered)).engine), asListed);
    assert.deepEqual(asListed, ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2a']);
  });

  it('user data changes never stop/start a Mac instance; a host keeps the zone it was allocated in', async () => {
    // Resource options do not reach the mocks: a transformation sees them as the engine would.
    const seen: { type: string; name: string; opts: pulumi.CustomResourceOptions }[] = [];
    const record: pulumi.ResourceTransformation = (args) => {
      seen.push({
        type: args.type,
        name: args.name,
        opts: args.opts as pulumi.CustomResourceOptions,
      });
      return undefined;
    };
    await build(
      poolConfig({
        cloud: 'aws',
        os: 'macos',
        name: 'mac-opts',
        regions: ['us-west-2'],
        desired: 2,
        min: 2,
        max: 2,
      }),
      awsNetwork,
      { transformations: [record] },
    );
    const instances = seen.filter((r) => r.type === 'aws:ec2/instance:Instance');
    const hosts = seen.filter((r) => r.type === 'aws:ec2/dedicatedHost:DedicatedHost');
    assert.equal(instances.length, 2);
    assert.equal(hosts.length, 2);
    for (const instance of instances)
      assert.deepEqual(instance.opts.ignoreChanges, ['ami', 'userData', 'userDataBase64']);
    for (const host of hosts) assert.deepEqual(host.opts.ignoreChanges, ['availabilityZone']);
  });

  it("zones: chosen letters, else the subnets' zones; a zone without a subnet is an error naming what exists", () => {
    const network = awsNetwork('us-west-2');
    assert.deepEqual(macZones(network, 'us-west-2', ['c', 'a']), ['us-west-2c', 'us-west-2a']);
    assert.deepEqual(macZones(network, 'us-west-2'), ['us-west-2a', 'us-west-2b', 'us-west-2c']);
    assert.equal(subnetInZone(network, 'us-west-2b'), network.subnets[1].id);
    assert.throws(
      () => subnetInZone(network, 'us-west-2d'),
      /no subnet in us-west-2d for the Mac host there; the network has subnets in us-west-2a, us-west-2b, us-west-2c\. Add a subnet in us-west-2d or pick other zones/,
    );
  });

  it('the regional components refuse the wrong OS, naming the fix', () => {
    componentEngine();
    const common = {
      region: 'us-west-2',
      provider: undefined as unknown as pulumi.ProviderResource,
      environment: 'prod',
      labels: ['us-west-2'],
      image: 'ami-1',
      network: awsNetwork('us-west-2'),
      instanceProfile: { arn: 'a', name: 'n' },
      userData: 'x',
      tags: {},
    };
    assert.throws(
      () =>
        new AwsAutoscalingRunners('x', {
          ...common,
          pool: poolConfig({ cloud: 'aws', os: 'macos', regions: ['us-west-2'] }),
        }),
      /macOS runs on dedicated hosts, use AwsMacRunners/,
    );
    assert.throws(
      () =>
        new AwsMacRunners('y', {
          ...common,
          pool: poolConfig({ cloud: 'aws', os: 'macos', regions: ['us-west-2'], spot: true }),
        }),
      /must be a macOS pool without spot/,
    );
    assert.throws(
      () =>
        new AwsMacRunners('z', {
          ...common,
          region: 'eu-west-1',
          pool: poolConfig({ cloud: 'aws', os: 'macos', regions: ['us-west-2'] }),
        }),
      /args\.region "eu-west-1" is not one of the pool's regions/,
    );
  });
});
