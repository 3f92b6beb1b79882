import assert from 'node:assert/strict';
import { GCP_MEDIUM, LARGE, quietLog, ScalerHarness, SMALL } from './scaler-harness';

/**
 * The scaler end to end over HTTP: webhooks signed by a fake GitHub
 * (X-Hub-Signature-256, workflow_job payloads shaped as in GitHub's webhook docs), the
 * GitHub App flow (installation token, generate-jitconfig), AWS through the SDK with
 * aws-sdk-client-mock, GCP through a fake compute client and Google-style identity tokens.
 */
describe('scaler: workflow_job webhooks to runners', function () {
  this.timeout(60_000);
  let h: ScalerHarness;

  afterEach(async () => {
    await h.stop();
  });

  const setDesiredCalls = () => h.aws.calls.filter((c) => c.command === 'SetDesiredCapacity');

  it('grows the pool of a queued job by one instance and hands that instance its own JIT config', async () => {
    h = await new ScalerHarness().start();
    const res = await h.queue(1, ['self-hosted', 'ubuntu', 'small']);
    assert.deepEqual([res.status, res.body], [202, { outcome: 'recorded' }]);
    await h.scaler.settle();
    assert.equal(h.asg('asg-small').desired, 1);
    const [instance] = h.asg('asg-small').instances;
    await h.tick(); // the pass that sees the new instance in Pending:Wait configures it
    assert.equal(instance.lifecycle, 'InService', 'the lifecycle action was completed');
    const parameter = h.aws.parameters.get(`/ingot/prod/jit/${instance.id}`)!;
    assert.equal(parameter.type, 'SecureString');
    // The runner role's condition compares InstanceArn with the caller's ec2:SourceInstanceARN.
    assert.deepEqual(parameter.tags, {
      InstanceId: instance.id,
      InstanceArn: `arn:aws:ec2:us-west-2:123456789012:instance/${instance.id}`,
    });
    assert.throws(
      () => h.aws.readParameterAs('i-0someoneelse0000', `/ingot/prod/jit/${instance.id}`),
      /not authorized/,
    );
    const runner = h.bootAws(instance.id);
    assert.equal(runner.name, `prod-ubuntu-small-${instance.id}`);
    assert.deepEqual(
      runner.labels.map((l) => l.name),
      SMALL,
    );
    assert.equal(runner.runner_group_id, 1);
    assert.equal(h.aws.parameters.size, 0, 'the instance deleted its parameter after reading it');
    assert.equal(h.asg('asg-large').desired, 0);
  });

  it('refuses unsigned and wrongly signed deliveries with 401 and scales nothing', async () => {
    h = await new ScalerHarness().start();
    const body = JSON.stringify(h.github.payload('queued', { id: 7, labels: SMALL }));
    const unsigned = await h.github.deliver(h.url, body, { signature: null });
    const wrongSecret = await h.github.deliver(h.url, body, { secret: 'not-the-secret' });
    const tampered = await h.github.deliver(h.url, body.replace('"small"', '"large"'), {
      signature: `sha256=${'0'.repeat(64)}`,
    });
    for (const res of [unsigned, wrongSecret, tampered]) {
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 'BAD_SIGNATURE');
    }
    await h.tick();
    assert.equal(setDesiredCalls().length, 0);
    assert.equal(h.asg('asg-small').desired, 0);
    // A signed delivery of the same body is then accepted: nothing of the bad ones was recorded.
    assert.equal((await h.github.deliver(h.url, body)).body.outcome, 'recorded');
  });

  it('answers malformed, foreign and unknown-installation deliveries without crashing', async () => {
    h = await new ScalerHarness().start();
    assert.equal((await h.github.deliver(h.url, '{not json')).status, 400);
    assert.equal((await h.github.deliver(h.url, JSON.stringify({ action: 'queued' }))).status, 400);
    assert.equal(
      (await h.github.deliver(h.url, '{"zen":"Keep it logically awesome."}', { event: 'ping' }))
        .status,
      200,
    );
    assert.deepEqual((await h.github.deliver(h.url, '{}', { event: 'push' })).body, {
      outcome: 'ignored',
    });
    const foreign = h.github.payload('queued', { id: 8, labels: SMALL });
    foreign.installation.id = 42;
    const res = await h.github.deliver(h.url, JSON.stringify(foreign));
    assert.deepEqual([res.status, res.body.code], [403, 'UNKNOWN_INSTALLATION']);
    const health = await fetch(`${h.url}/healthz`);
    assert.equal(health.status, 200);
  });

  it('logs and ignores jobs whose labels no pool has', async () => {
    h = await new ScalerHarness().start();
    quietLog.lines.length = 0;
    const res = await h.queue(9, ['self-hosted', 'windows', 'gpu']);
    assert.deepEqual(res.body, { outcome: 'unmatched' });
    await h.tick();
    assert.equal(setDesiredCalls().length, 0);
    assert.ok(quietLog.lines.some((l) => l.message.includes('no pool has these labels')));
  });

  it('launches once per job whatever the duplicates and the order of deliveries', async () => {
    h = await new ScalerHarness().start();
    const first = await h.queue(10, SMALL);
    // Redelivery of the same delivery, and the same job queued again under a new delivery id.
    await h.github.sendWorkflowJob(
      h.url,
      'queued',
      { id: 10, labels: SMALL },
      { delivery: first.delivery },
    );
    await h.queue(10, SMALL);
    // Job 11 completes (cancelled) before its in_progress and queued deliveries arrive.
    await h.github.sendWorkflowJob(
      h.url,
      'completed',
      { id: 11, labels: SMALL },
      { conclusion: 'cancelled' },
    );
    await h.github.sendWorkflowJob(h.url, 'in_progress', {
      id: 11,
      labels: SMALL,
      runnerName: 'x',
    });
    await h.queue(11, SMALL);
    await h.tick();
    assert.equal(h.asg('asg-small').desired, 1);
    const requested = await h.metrics.instancesRequested.get();
    assert.equal(
      requested.values.reduce((n, v) => n + v.value, 0),
      1,
    );
  });

  it('absorbs a burst of 200 queued jobs across pools without overshooting max', async () => {
    h = await new ScalerHarness().start();
    const labels = [SMALL, LARGE, GCP_MEDIUM];
    const sends = Array.from({ length: 200 }, (_, i) => h.queue(1000 + i, labels[i % 3]));
    const results = await Promise.all(sends);
    assert.ok(results.every((r) => r.status === 202 && r.body.outcome === 'recorded'));
    await h.tick();
    assert.equal(h.asg('asg-small').desired, 10);
    assert.equal(h.asg('asg-large').desired, 10);
    assert.equal(h.mig().targetSize, 10);
    const requested = await h.metrics.instancesRequested.get();
    assert.equal(
      requested.values.reduce((n, v) => n + v.value, 0),
      30,
    );
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    assert.match(metrics, /ingot_scaler_queued_jobs\{pool="ubuntu-small",region="us-west-2"\} 67/);
    assert.match(metrics, /ingot_scaler_webhooks_total\{outcome="recorded"\} 200/);
  });

  it('serves jobs beyond max as capacity frees up', async () => {
    h = await new ScalerHarness({ max: { small: 2 } }).start();
    for (const id of [21, 22, 23]) await h.queue(id, SMALL);
    await h.tick();
    await h.tick();
    assert.equal(h.asg('asg-small').desired, 2);
    const [a, b] = h.asg('asg-small').instances.map((i) => h.bootAws(i.id));
    await h.github.sendWorkflowJob(h.url, 'in_progress', {
      id: 21,
      labels: SMALL,
      runnerName: a.name,
    });
    await h.github.sendWorkflowJob(h.url, 'in_progress', {
      id: 22,
      labels: SMALL,
      runnerName: b.name,
    });
    h.github.startJob(a);
    h.github.finishJob(a);
    await h.github.sendWorkflowJob(h.url, 'completed', {
      id: 21,
      labels: SMALL,
      runnerName: a.name,
    });
    await h.scaler.settle();
    const terminations = h.aws.calls.filter(
      (c) => c.command === 'TerminateInstanceInAutoScalingGroup',
    );
    assert.equal(terminations.length, 1);
    assert.equal(terminations[0].input.ShouldDecrementDesiredCapacity, true);
    assert.equal(
      h.asg('asg-small').desired,
      2,
      'a new instance replaces the finished one for job 23',
    );
    await h.tick();
    const fresh = h
      .asg('asg-small')
      .instances.find(
        (i) => i.lifecycle === 'InService' && !a.name.endsWith(i.id) && !b.name.endsWith(i.id),
      )!;
    assert.ok(h.bootAws(fresh.id));
  });

  it('removes the instance of a cancelled job once idle, never a busy one', async () => {
    h = await new ScalerHarness({ timeouts: { idle: 300, boot: 600 } }).start();
    await h.queue(31, SMALL);
    await h.queue(32, SMALL);
    await h.tick();
    await h.tick();
    const [busy, idle] = h.asg('asg-small').instances.map((i) => h.bootAws(i.id));
    h.github.startJob(busy);
    await h.github.sendWorkflowJob(h.url, 'in_progress', {
      id: 31,
      labels: SMALL,
      runnerName: busy.name,
    });
    await h.github.sendWorkflowJob(
      h.url,
      'completed',
      { id: 32, labels: SMALL },
      { conclusion: 'cancelled' },
    );
    await h.scaler.settle();
    assert.equal(h.asg('asg-small').desired, 2, 'an idle runner is kept for the idle timeout');
    h.advance(301);
    await h.tick();
    assert.equal(h.asg('asg-small').desired, 1);
    assert.ok(h.github.runners.has(busy.id) && !h.github.runners.has(idle.id));
    assert.ok(h.asg('asg-small').instances.some((i) => busy.name.endsWith(i.id)));
  });

  it('keeps a runner GitHub reports busy even when its in_progress delivery was lost', async () => {
    h = await new ScalerHarness().start();
    await h.queue(41, SMALL);
    await h.tick();
    await h.tick();
    const runner = h.bootAws(h.asg('asg-small').instances[0].id);
    h.github.startJob(runner); // the in_progress delivery never arrives
    await h.github.sendWorkflowJob(
      h.url,
      'completed',
      { id: 41, labels: SMALL },
      { conclusion: 'cancelled' },
    );
    h.advance(1000);
    await h.tick();
    assert.equal(h.asg('asg-small').desired, 1);
    assert.ok(h.github.runners.has(runner.id));
  });

  it('reaps an instance whose runner never came online, and replaces it for the waiting job', async () => {
    h = await new ScalerHarness({ timeouts: { boot: 600 } }).start();
    await h.queue(51, SMALL);
    await h.tick();
    await h.tick();
    const [stuck] = h.asg('asg-small').instances;
    const runnerName = `prod-ubuntu-small-${stuck.id}`;
    assert.ok(h.github.runnerByName(runnerName), 'registered with GitHub, offline');
    h.advance(601);
    await h.tick();
    assert.ok(!h.asg('asg-small').instances.some((i) => i.id === stuck.id), 'reaped');
    assert.equal(
      h.github.runnerByName(runnerName),
      undefined,
      'its runner was removed from GitHub',
    );
    assert.equal(h.asg('asg-small').desired, 1, 'a replacement serves the still queued job');
    const reaps = await h.metrics.scaleActions.get();
    assert.ok(reaps.values.some((v) => v.labels.action === 'reap' && v.value === 1));
  });

  it('restarts mid-burst without losing or duplicating instances', async () => {
    h = await new ScalerHarness({ max: { small: 40 } }).start();
    await Promise.all(Array.from({ length: 25 }, (_, i) => h.queue(600 + i, SMALL)));
    await h.restart(); // in-flight passes are lost with the process
    await Promise.all(Array.from({ length: 25 }, (_, i) => h.queue(625 + i, SMALL)));
    await h.restart();
    h.advance(61); // the dead process's lease on the target runs out
    await h.tick();
    await h.tick();
    assert.equal(h.asg('asg-small').desired, 40);
    assert.equal(h.asg('asg-small').instances.length, 40);
    const minted = h.github.requests.filter((r) => r.path.endsWith('/generate-jitconfig'));
    assert.equal(minted.length, 40, 'one JIT config per instance');
    assert.equal(new Set(minted.map((r) => r.body.name)).size, 40);
  });

  it('GCP: grows the group; a VM gets its config once with its identity token, impostors get nothing', async () => {
    h = await new ScalerHarness().start();
    await h.queue(71, ['self-hosted', 'medium', 'us-west2']);
    await h.tick();
    assert.equal(h.mig().targetSize, 1);
    const [vm] = h.mig().vms;
    const runner = await h.bootGcp(vm.id);
    assert.equal(runner.name, `prod-gcp-medium-${vm.id}`);
    assert.deepEqual(
      runner.labels.map((l) => l.name),
      GCP_MEDIUM,
    );
    const again = await h.fetchJit(h.gcpToken(vm.id));
    assert.deepEqual([again.status, again.body.code], [409, 'CONFIG_ALREADY_ISSUED']);
    await h.queue(72, GCP_MEDIUM);
    await h.tick();
    const other = h.mig().vms[1];
    const wrongAccount = await h.fetchJit(
      h.gcpToken(other.id, { email: 'job@acme-runners.iam.gserviceaccount.com' }),
    );
    assert.deepEqual([wrongAccount.status, wrongAccount.body.code], [403, 'UNKNOWN_INSTANCE']);
    const wrongAudience = await h.fetchJit(h.gcpToken(other.id, { audience: 'https://elsewhere' }));
    assert.equal(wrongAudience.status, 401);
    const forged = h.identity.token(
      {
        audience: 'https://scaler.example.com',
        email: 'runner-prod-gcp-medium@acme-runners.iam.gserviceaccount.com',
        project: 'acme-runners',
        zone: other.zone,
        instanceId: other.id,
        instanceName: other.name,
      },
      h.identity.otherKey(),
    );
    assert.equal((await h.fetchJit(forged)).status, 401);
    assert.equal((await fetch(`${h.url}/jit`, { method: 'POST' })).status, 401);
    assert.ok(await h.bootGcp(other.id));
  });

  it('retries GitHub rate limits and server errors, and counts them', async () => {
    h = await new ScalerHarness().start();
    h.github.failNext('/generate-jitconfig', 429, 1, { 'retry-after': '0' });
    h.github.failNext('/generate-jitconfig', 502, 1);
    await h.queue(81, SMALL);
    await h.tick();
    await h.tick();
    assert.ok(h.bootAws(h.asg('asg-small').instances[0].id));
    const retries = await h.metrics.githubRetries.get();
    assert.deepEqual(retries.values.map((v) => [v.labels.status, v.value]).sort(), [
      ['429', 1],
      ['502', 1],
    ]);
  });
});
