import assert from 'node:assert/strict';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { AwsMacRunners } from '../../src/fleet/aws/mac-runners';
import { MAC_ROOT_VOLUME_WAIT_KEY } from '../../src/fleet/aws/mac-root-volume';
import type { Ec2Double } from './ec2-double';
import { startEc2 } from './ec2-env';
import { Ec2Rollout } from './ec2-rollout';
import { AWS_REGIONS, channelFingerprint, FleetRegistry } from './fleet-deploy';
import { FleetEngine, resolved, settle } from './fleet-engine';
import { T } from './fleet-graph';
import { awsNetwork, poolConfig } from './pool-fixtures';
import { pointChannel, publishRunnerImages, runnerBuilds, runnerImageId } from './runner-images';
import { stackFileConfig } from './stack-files';

const REGION = 'us-west-2';

/**
 * Mac image rollouts through `pulumi up` runs against the local EC2, with host scrubbing
 * modelled: a launch or start on a scrubbing host fails the run, as on AWS
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/mac-instance-stop.html).
 */
describe('Mac rollouts: a new image in one pulumi up, hosts never scrubbed', function () {
  this.timeout(60_000);
  let ec2: Ec2Double;
  let restore: () => Promise<void>;

  before(async () => {
    ({ ec2, restore } = await startEc2());
    for (const ami of ['ami-mac-v1', 'ami-mac-v2', 'ami-mac-v3']) ec2.images.set(ami, 'arm64');
  });
  after(async () => restore?.());

  const pool = poolConfig({
    cloud: 'aws',
    os: 'macos',
    name: 'mac',
    size: 'medium',
    regions: [REGION],
    desired: 2,
    min: 2,
    max: 2,
  });

  /** One `pulumi up` of a Mac pool region with this image and user data. */
  async function up(
    rollout: Ec2Rollout,
    image: string,
    userData: string,
    opts: pulumi.ComponentResourceOptions = {},
  ): Promise<AwsMacRunners> {
    rollout.nextRun();
    const engine = new FleetEngine({
      project: 'ingot-fleet',
      stack: 'prod',
      config: {},
      cloud: rollout,
    });
    engine.install();
    const runners = new AwsMacRunners(
      `${pool.name}-${REGION}`,
      {
        pool,
        region: REGION,
        provider: new aws.Provider(`aws-${REGION}`, { region: REGION }),
        environment: 'prod',
        labels: [REGION],
        image,
        network: awsNetwork(REGION),
        instanceProfile: { arn: 'arn:aws:iam::123456789012:instance-profile/mac', name: 'mac' },
        userData,
        tags: {},
      },
      opts,
    );
    // A refused launch fails the instance's registration: its id rejects.
    await resolved(runners.instances.map((i) => i.id));
    await resolved(runners.rootVolumes.map((r) => r.taskId));
    await settle();
    return runners;
  }

  const launched = () => ec2.events.filter((e) => e.action === 'run').length;
  const disruptive = () =>
    ec2.events.filter((e) => ['terminate', 'stop', 'refused'].includes(e.action));

  it('a new AMI replaces each root volume in place: no launch, no termination, no stop, same instances on the same hosts', async () => {
    const rollout = new Ec2Rollout(ec2, { [MAC_ROOT_VOLUME_WAIT_KEY]: '8000' });
    const first = await up(rollout, 'ami-mac-v1', '#!/bin/bash\necho v1');
    const instances = await resolved(first.instances.map((i) => i.id));
    assert.equal(launched(), 2);
    assert.equal(ec2.tasks.length, 0, 'a fresh instance already runs the image');

    const runsBefore = launched();
    const second = await up(rollout, 'ami-mac-v2', '#!/bin/bash\necho v1');
    assert.deepEqual(await resolved(second.instances.map((i) => i.id)), instances);
    assert.equal(launched(), runsBefore, 'no launch at all, so none on a scrubbing host');
    assert.deepEqual(disruptive(), []);
    for (const id of instances) {
      const instance = ec2.instances.get(id);
      assert.equal(instance?.state, 'running');
      assert.equal(instance?.rootImageId, 'ami-mac-v2');
    }
    assert.deepEqual(
      ec2.tasks.map((t) => [t.instanceId, t.imageId, t.state, t.deleteReplacedRootVolume]),
      instances.map((id) => [id, 'ami-mac-v2', 'succeeded', true]),
    );
    assert.ok([...ec2.hosts.values()].every((h) => h.state === 'available'));

    // The next promotion rolls the same way.
    await up(rollout, 'ami-mac-v3', '#!/bin/bash\necho v1');
    assert.equal(launched(), runsBefore);
    assert.deepEqual(
      instances.map((id) => ec2.instances.get(id)?.rootImageId),
      ['ami-mac-v3', 'ami-mac-v3'],
    );
    assert.deepEqual(disruptive(), []);
  });

  it('user data changes neither stop/start nor replace an instance', async () => {
    const rollout = new Ec2Rollout(ec2);
    const first = await up(rollout, 'ami-mac-v1', '#!/bin/bash\necho a');
    const before = ec2.events.length;
    const second = await up(rollout, 'ami-mac-v1', '#!/bin/bash\necho b');
    assert.deepEqual(
      await resolved(second.instances.map((i) => i.id)),
      await resolved(first.instances.map((i) => i.id)),
    );
    assert.deepEqual(ec2.events.slice(before), []);
  });

  it('the model fails the old way: an AMI that replaces the instance (delete first) launches on a scrubbing host and pulumi up fails', async () => {
    // What the pool did before: `ami` not ignored, each instance deleted before its replacement.
    const oldWay: pulumi.ResourceTransformation = (args) =>
      args.type === 'aws:ec2/instance:Instance'
        ? {
            props: args.props,
            opts: { ...args.opts, ignoreChanges: ['userData', 'userDataBase64'] },
          }
        : undefined;
    const rollout = new Ec2Rollout(ec2);
    await up(rollout, 'ami-mac-v1', '#!/bin/bash\necho a', { transformations: [oldWay] });
    const listeners = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    const unhandled: unknown[] = [];
    process.on('unhandledRejection', (e) => unhandled.push(e));
    try {
      await assert.rejects(
        up(rollout, 'ami-mac-v2', '#!/bin/bash\necho a', { transformations: [oldWay] }),
        /host h-\w+ is pending \(scrubbing after its last Mac instance stopped or terminated\)/,
      );
    } finally {
      process.removeAllListeners('unhandledRejection');
      for (const l of listeners) process.on('unhandledRejection', l);
    }
    assert.ok(ec2.events.some((e) => e.action === 'refused' && /run: host/.test(e.detail ?? '')));
  });
});

describe('Mac rollouts of the prod stack: the channel moves, one pulumi up rolls every Mac instance', function () {
  this.timeout(300_000);
  let ec2: Ec2Double;
  let restore: () => Promise<void>;
  let fleet: FleetRegistry;

  before(async () => {
    ({ ec2, restore } = await startEc2());
    fleet = await FleetRegistry.start();
    for (const n of [1, 2, 3, 4])
      for (const region of AWS_REGIONS)
        ec2.images.set(runnerImageId('aws', `runner-macos-${n}`, 'arm64', region), 'arm64');
  });
  after(async () => {
    await fleet?.close();
    await restore?.();
  });

  it('a new runner-macos version on prod replaces the root volume of each Mac instance in its region, launching and terminating nothing', async () => {
    const values = { ...stackFileConfig('prod'), [MAC_ROOT_VOLUME_WAIT_KEY]: '8000' };
    const rollout = new Ec2Rollout(ec2, values);
    rollout.nextRun();
    const first = await fleet.deploy('prod', values, [], rollout);
    const instances = first.engine.ofType(T.instance);
    const macPools = first.config.pools.filter((p) => p.os === 'macos');
    assert.equal(
      instances.length,
      macPools.reduce((n, p) => n + p.desired * p.regions.length, 0),
    );
    assert.equal(ec2.events.filter((e) => e.action === 'run').length, instances.length);
    assert.equal(ec2.tasks.length, 0);

    const { registry } = fleet;
    await publishRunnerImages(
      registry,
      'runner-macos',
      'runner-macos-4',
      runnerBuilds('runner-macos', AWS_REGIONS),
    );
    await pointChannel(registry, 'runner-macos', 'prod', 'runner-macos-4');
    try {
      const eventsBefore = ec2.events.length;
      rollout.nextRun();
      const second = await fleet.deploy('prod', values, [], rollout);
      assert.deepEqual(
        second.engine.ofType(T.instance).map((r) => r.id),
        instances.map((r) => r.id),
      );
      const during = ec2.events.slice(eventsBefore);
      assert.deepEqual(
        during.filter((e) => e.action !== 'replace-root'),
        [],
        'no launch, stop, termination or refusal',
      );
      for (const instance of second.engine.ofType(T.instance)) {
        const region = second.engine.regionOf(instance);
        assert.equal(
          ec2.instances.get(instance.id)?.rootImageId,
          runnerImageId('aws', 'runner-macos-4', 'arm64', region),
          `${instance.name} in ${region}`,
        );
      }
      assert.equal(ec2.tasks.length, instances.length);
      assert.ok(ec2.tasks.every((t) => t.state === 'succeeded'));
      assert.equal(second.pools['macos-medium'].image.version, 'v4');
    } finally {
      await pointChannel(
        registry,
        'runner-macos',
        'prod',
        channelFingerprint('runner-macos', 'prod'),
      );
    }
  });
});
