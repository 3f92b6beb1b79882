import assert from 'node:assert/strict';
import type * as pulumi from '@pulumi/pulumi';
import {
  MAC_ROOT_VOLUME_WAIT_KEY,
  macRootVolumeProvider,
  waitSettings,
  type MacRootVolumeOutputs,
} from '../../src/fleet/aws/mac-root-volume';
import type { Ec2Double, Instance } from './ec2-double';
import { serializedProvider, startEc2 } from './ec2-env';

/**
 * The MacRootVolume provider run from its serialized form (as the engine runs it) against
 * the local EC2: task states as EC2 documents them (pending, in-progress, succeeded,
 * failing, failed, failing-detached, failed-detached —
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRootVolumeTask.html),
 * a running instance required (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/replace-root.html).
 */
describe('MacRootVolume provider (serialized) against a local EC2', function () {
  this.timeout(30_000);
  let ec2: Ec2Double;
  let restore: () => Promise<void>;
  let provider: Required<pulumi.dynamic.ResourceProvider>;
  let instance: Instance;
  const config = { [MAC_ROOT_VOLUME_WAIT_KEY]: '2000' };

  before(async () => {
    ({ ec2, restore } = await startEc2());
    for (const ami of ['ami-v1', 'ami-v2', 'ami-v3']) ec2.images.set(ami, 'arm64');
    ec2.images.set('ami-intel', 'x86_64');
    provider = await serializedProvider(macRootVolumeProvider, config);
  });
  after(async () => restore?.());
  beforeEach(() => {
    ec2.taskOutcome = 'succeeded';
    const host = ec2.allocateHost('mac2-m2.metal', 'us-west-2a');
    instance = ec2.runInstance({
      hostId: host.id,
      imageId: 'ami-v1',
      instanceType: 'mac2-m2.metal',
      userData: '',
    });
  });

  const inputs = (imageId: string) => ({
    region: 'us-west-2',
    instanceId: instance.id,
    launchedImageId: 'ami-v1',
    imageId,
  });

  it('create on a fresh instance does nothing; a new image replaces the root volume in place and waits for success', async () => {
    const created = await provider.create(inputs('ami-v1'));
    const outs = created.outs as MacRootVolumeOutputs;
    assert.deepEqual([outs.replacements, outs.taskId], [0, '']);
    assert.equal(ec2.tasks.length, 0);

    const diff = await provider.diff(created.id, outs, inputs('ami-v2'));
    assert.deepEqual([diff.changes, diff.replaces], [true, []]);
    const updated = (await provider.update(created.id, outs, inputs('ami-v2')))
      .outs as MacRootVolumeOutputs;
    const task = ec2.tasks.at(-1);
    assert.equal(task?.state, 'succeeded');
    assert.equal(updated.taskId, task?.id);
    assert.equal(updated.replacements, 1);
    assert.equal(task?.deleteReplacedRootVolume, true);
    assert.equal(instance.rootImageId, 'ami-v2');
    assert.equal(instance.state, 'running');
    assert.ok(!ec2.events.some((e) => e.action === 'terminate' || e.action === 'stop'));

    // Same image again: no task.
    const again = await provider.diff(created.id, updated, inputs('ami-v2'));
    assert.equal(again.changes, false);
  });

  it('a new instance (replaced for another reason) is a replacement of the resource', async () => {
    const outs = (await provider.create(inputs('ami-v1'))).outs as MacRootVolumeOutputs;
    const diff = await provider.diff('x', outs, { ...inputs('ami-v1'), instanceId: 'i-other' });
    assert.deepEqual(
      [diff.changes, diff.replaces, diff.deleteBeforeReplace],
      [true, ['instanceId'], false],
    );
  });

  it('a stopped instance is refused with the fix, and no task is started', async () => {
    ec2.stopInstance(instance.id);
    const outs = (await provider.create(inputs('ami-v1'))).outs as MacRootVolumeOutputs;
    await assert.rejects(
      provider.update('x', outs, inputs('ami-v2')),
      new RegExp(
        `Mac instance ${instance.id} in us-west-2 is stopped: EC2 replaces the root volume of a running instance only\\. Start it once its host is available again`,
      ),
    );
    assert.equal(ec2.tasks.filter((t) => t.instanceId === instance.id).length, 0);
  });

  it('a failed task says the old volume is still attached; the next run tries again with a new task', async () => {
    const outs = (await provider.create(inputs('ami-v1'))).outs as MacRootVolumeOutputs;
    ec2.taskOutcome = 'failed';
    await assert.rejects(
      provider.update('x', outs, inputs('ami-v2')),
      /root volume replacement replacevol-\w+ of Mac instance i-\w+ in us-west-2 with image ami-v2 ended failed: the original root volume is still attached/,
    );
    ec2.taskOutcome = 'succeeded';
    await provider.update('x', outs, inputs('ami-v2'));
    const mine = ec2.tasks.filter((t) => t.instanceId === instance.id);
    assert.deepEqual(
      mine.map((t) => t.state),
      ['failed', 'succeeded'],
    );
    assert.equal(instance.rootImageId, 'ami-v2');
  });

  it('a task that does not finish fails within the bound, naming the task and the setting; the next run resumes the same task', async () => {
    const outs = (await provider.create(inputs('ami-v1'))).outs as MacRootVolumeOutputs;
    ec2.taskOutcome = 'stuck';
    const started = Date.now();
    await assert.rejects(
      provider.update('x', outs, inputs('ami-v3')),
      new RegExp(
        `root volume replacement replacevol-\\w+ of Mac instance ${instance.id} in us-west-2 with image ami-v3 is still in-progress after 2 s: the task goes on in AWS\\. Run \`pulumi up\` again .*${MAC_ROOT_VOLUME_WAIT_KEY}`,
      ),
    );
    // The bound is the setting (2 s) plus one poll: never an open-ended wait.
    assert.ok(Date.now() - started < 2000 + waitSettings('2000').pollMs + 1500);
    ec2.taskOutcome = 'succeeded';
    await provider.update('x', outs, inputs('ami-v3'));
    const mine = ec2.tasks.filter((t) => t.instanceId === instance.id);
    assert.equal(mine.length, 1, 'the same task (client token) was resumed');
    assert.equal(mine[0].state, 'succeeded');
  });

  it('an image of another architecture is refused by EC2 and the message names the call and image', async () => {
    const outs = (await provider.create(inputs('ami-v1'))).outs as MacRootVolumeOutputs;
    await assert.rejects(
      provider.update('x', outs, inputs('ami-intel')),
      /CreateReplaceRootVolumeTask \(image ami-intel\) for Mac instance i-\w+ in us-west-2 failed: InvalidParameterCombination: The architecture of image ami-intel/,
    );
  });

  it('check names a missing input; the wait setting must be a whole number of milliseconds', async () => {
    const checked = await provider.check({}, { ...inputs('ami-v1'), imageId: '' });
    assert.deepEqual(
      checked.failures?.map((f) => f.property),
      ['imageId'],
    );
    assert.throws(
      () => waitSettings('soon'),
      /stack config ingot:macRootVolumeWaitMs is "soon": give a whole number of milliseconds/,
    );
    assert.deepEqual(waitSettings(undefined), { waitMs: 7_200_000, pollMs: 15_000 });
  });
});
