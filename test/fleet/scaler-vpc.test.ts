import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { LAMBDA_BUNDLE, LAMBDA_VPC_ACCESS } from '../../src/fleet/scaler/aws-scaler';
import { scalerVpc } from '../../src/fleet/scaler/fleet-scalers';
import { resolved, type Recorded } from './fleet-engine';
import { FleetRegistry, type Deployment } from './fleet-deploy';
import { regional, T } from './fleet-graph';
import { SECRETS_KEY, withScaler } from './scaler-stack-config';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The AWS scaler inside the VPC of its region's network (staging reads its networks
 * from the network team's stack through a StackReference, as its pools do), evaluated by
 * the engine harness; AWS's managed AWSLambdaVPCAccessExecutionRole (v3) is what the
 * role gets, and only then.
 */
describe('runner fleet stacks: the AWS scaler in a VPC', function () {
  this.timeout(180_000);
  let fleet: FleetRegistry;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

  before(async () => {
    if (!fs.existsSync(LAMBDA_BUNDLE))
      execFileSync('node', [path.join(ROOT, 'scripts', 'build-scaler.mjs')], { cwd: ROOT });
    fleet = await FleetRegistry.start();
  });
  after(async () => {
    await fleet?.close();
  });

  const deploy = (aws: Record<string, unknown>) =>
    fleet.deploy('staging', fleet.stackConfig('staging', withScaler('staging', pem, aws)), [
      SECRETS_KEY,
    ]);
  const named = (d: Deployment, type: string, name: string): Recorded[] =>
    d.engine.resources.filter((r) => r.type === type && r.name === name);
  /** The subnets and VPC the stack's Auto Scaling runners use in the scaler's region. */
  const runnerNetwork = (d: Deployment) => {
    const region = d.config.scaler!.aws!.region;
    const pool = d.config.pools.find(
      (p) => p.cloud === 'aws' && p.os !== 'macos' && p.regions.includes(region),
    )!;
    const [asg] = regional(d, pool, region, 'asg').filter((r) => r.type === T.asg);
    const [sg] = regional(d, pool, region, 'sg').filter((r) => r.type === T.sg);
    return { subnets: asg.inputs.vpcZoneIdentifiers as string[], vpcId: sg.inputs.vpcId };
  };

  it("with vpc: {} the function runs in the region network's subnets behind an egress-only group, and its role may manage its network interfaces", async () => {
    const d = await deploy({ vpc: {} });
    const [fn] = named(d, 'aws:lambda/function:Function', 'scaler-aws-function');
    const network = runnerNetwork(d);
    assert.ok(network.subnets.length > 0);
    assert.deepEqual(fn.inputs.vpcConfig.subnetIds, network.subnets);
    const [sg] = named(d, T.sg, 'scaler-aws-sg');
    assert.equal(sg.inputs.vpcId, network.vpcId);
    assert.deepEqual(sg.inputs.ingress, []);
    assert.deepEqual(fn.inputs.vpcConfig.securityGroupIds, [sg.id]);
    const [policy] = named(d, 'aws:iam/rolePolicy:RolePolicy', 'scaler-aws-vpc');
    const [role] = named(d, 'aws:iam/role:Role', 'scaler-aws-role');
    assert.equal(policy.inputs.role, role.state.name);
    assert.deepEqual(JSON.parse(policy.inputs.policy), LAMBDA_VPC_ACCESS);
    // The managed policy's EC2 actions, exactly (its log actions the role has on its own log group).
    assert.deepEqual(LAMBDA_VPC_ACCESS.Statement[0].Action, [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ]);
  });

  it('given subnets and security groups are used as they are: no group is made', async () => {
    const probe = await deploy({ vpc: {} });
    const [subnet] = runnerNetwork(probe).subnets;
    const d = await deploy({ vpc: { subnetIds: [subnet], securityGroupIds: ['sg-0123abcd'] } });
    const [fn] = named(d, 'aws:lambda/function:Function', 'scaler-aws-function');
    assert.deepEqual(fn.inputs.vpcConfig, {
      subnetIds: [subnet],
      securityGroupIds: ['sg-0123abcd'],
    });
    assert.deepEqual(named(d, T.sg, 'scaler-aws-sg'), []);
  });

  it('without vpc the function stays outside any VPC and its role gets no network-interface access', async () => {
    const d = await deploy({});
    const [fn] = named(d, 'aws:lambda/function:Function', 'scaler-aws-function');
    assert.equal(fn.inputs.vpcConfig, undefined);
    assert.deepEqual(named(d, 'aws:iam/rolePolicy:RolePolicy', 'scaler-aws-vpc'), []);
    const text = JSON.stringify(
      d.engine.ofType('aws:iam/rolePolicy:RolePolicy').map((p) => p.inputs.policy),
    );
    assert.doesNotMatch(text, /ec2:CreateNetworkInterface/);
  });

  it("refuses subnets outside the region's network, naming them and the network's subnets", async () => {
    const network = pulumi.output({
      vpcId: 'vpc-0aaa1111',
      subnets: [
        { id: 'subnet-0aaa0001', zone: 'us-west-2a' },
        { id: 'subnet-0aaa0002', zone: 'us-west-2b' },
      ],
    });
    const vpc = scalerVpc('ingot-fleet', 'us-west-2', { subnetIds: ['subnet-0bbb0009'] }, network);
    await assert.rejects(
      resolved(vpc.subnetIds),
      /ingot-fleet:scaler\.aws\.vpc\.subnetIds: subnet-0bbb0009 is not a subnet of the us-west-2 network \(vpc-0aaa1111: subnet-0aaa0001, subnet-0aaa0002\)/,
    );
    assert.deepEqual(await resolved(scalerVpc('ingot-fleet', 'us-west-2', {}, network).subnetIds), [
      'subnet-0aaa0001',
      'subnet-0aaa0002',
    ]);
  });
});
