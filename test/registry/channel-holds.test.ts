import assert from 'node:assert/strict';
import { cliEnv } from '../helpers/cli';
import { runIngot } from '../helpers/cli-in-process';
import { describeEachEngine } from '../helpers/registry-harness';

const HOUR = 3_600_000;

/**
 * Channel holds (an Ingot extension) and the consumer-based soak, on both engines: the
 * API, and the CLI that promote.yml runs (`channels hold --version` for a rollback, the
 * scheduled `channels promote --soak 24h --soak-consumer ingot-fleet/staging`).
 */
describeEachEngine('channel holds and the staging fleet soak', (get) => {
  const bucket = 'runner-ubuntu';
  const channel = (name: string) => `${get().packer()}/buckets/${bucket}/channels/${name}`;
  const hold = (name: string) => `${get().ingot()}/buckets/${bucket}/channels/${name}/hold`;
  const serves = async (name: string) =>
    (await get().ok('GET', channel(name))).channel.version?.fingerprint ?? null;
  const ingot = (args: string[]) => runIngot(args, { env: cliEnv(get()) });
  const consumer = (fingerprint: string, stack: string) =>
    get().ok('POST', `${get().ingot()}/buckets/${bucket}/versions/${fingerprint}/consumers`, {
      pulumi_project: 'ingot-fleet',
      stack,
      urn: `urn:pulumi:${stack}::ingot-fleet::ingot:provider:ChannelImages::${bucket}-${stack}`,
      channel: stack,
    });

  before(async () => {
    const r = get();
    for (const fp of ['u-1', 'u-2', 'u-3']) await r.publish(bucket, fp);
    for (const [name, fp] of [
      ['staging', 'u-1'],
      ['prod', 'u-1'],
    ])
      await r.ok('POST', `${r.packer()}/buckets/${bucket}/channels`, {
        name,
        version_fingerprint: fp,
      });
  });

  it('the soak counts from the staging fleet running the version, not from the assignment', async () => {
    const r = get();
    await r.ok('PATCH', channel('staging'), { version_fingerprint: 'u-2' });
    r.clock.advance(20 * HOUR); // assigned 20 h ago, but no machine ran it yet
    await consumer('u-2', 'staging');
    r.clock.advance(10 * HOUR); // assigned 30 h ago, run for 10 h
    const assigned = await r.ok(
      'GET',
      `${r.ingot()}/buckets/${bucket}/channels/staging/soaked?minimum_soak=24h`,
    );
    assert.equal(assigned.version.fingerprint, 'u-2', 'by assignment age it has soaked');
    const running = await r.api(
      'GET',
      `${r.ingot()}/buckets/${bucket}/channels/staging/soaked?minimum_soak=24h&consumer_stack=ingot-fleet/staging`,
    );
    // u-1 was never run by the staging fleet either: nothing qualifies.
    assert.equal(running.status, 404);
    assert.match(
      running.body.message,
      /run by stack ingot-fleet\/staging \(its consumer record\) from channel "staging" for at least 1d/,
    );
    const cli = await ingot([
      'channels',
      'promote',
      bucket,
      '--from',
      'staging',
      '--to',
      'prod',
      '--soak',
      '24h',
      '--soak-consumer',
      'ingot-fleet/staging',
    ]);
    assert.equal(cli.status, 3, cli.stderr);
    assert.match(
      cli.stderr,
      /stack ingot-fleet\/staging has run no valid version of channel "staging" for at least 24h yet; "prod" is unchanged/,
    );
    r.clock.advance(14 * HOUR);
    const due = await r.ok(
      'GET',
      `${r.ingot()}/buckets/${bucket}/channels/staging/soaked?minimum_soak=24h&consumer_stack=ingot-fleet/staging`,
    );
    assert.equal(due.version.fingerprint, 'u-2');
    assert.equal(due.held_for, '1d');
    assert.ok(due.running_since > due.assigned_at);
  });

  it('a soak consumer stack that never ran anything is refused by name, not "not due" forever', async () => {
    const r = get();
    const typo = await r.api(
      'GET',
      `${r.ingot()}/buckets/${bucket}/channels/staging/soaked?minimum_soak=24h&consumer_stack=ingot-fleet/stagin`,
    );
    assert.equal(typo.status, 404);
    assert.equal(typo.body.details[0].reason, 'CONSUMER_STACK_NOT_FOUND');
    assert.match(
      typo.body.message,
      /consumer stack "ingot-fleet\/stagin" does not exist; no stack of that name ever ran an image of this project; the stacks that did are ingot-fleet\/staging: name one of them/,
    );
    const cli = await ingot([
      'channels',
      'promote',
      bucket,
      '--from',
      'staging',
      '--to',
      'prod',
      '--soak',
      '24h',
      '--soak-consumer',
      'ingot-fleet/stagin',
    ]);
    assert.equal(cli.status, 1, 'a failure, not "not due" (exit 3)');
    assert.match(
      cli.stderr,
      /consumer stack "ingot-fleet\/stagin" does not exist;.*--soak-consumer/,
    );
    assert.equal(await serves('prod'), 'u-1', 'nothing moved');
  });

  it('a rollback moves prod and holds it in one request; promotions refuse naming who and why', async () => {
    const r = get();
    const dry = await ingot([
      'channels',
      'promote',
      bucket,
      '--from',
      'staging',
      '--to',
      'prod',
      '--soak',
      '24h',
      '--soak-consumer',
      'ingot-fleet/staging',
      '--dry-run',
    ]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /^Would promote v2 .* from "staging" to "prod" .*dry run: nothing changed/,
    );
    assert.equal(await serves('prod'), 'u-1', 'a dry run moves nothing');

    const held = await ingot([
      'channels',
      'hold',
      bucket,
      'prod',
      '--version',
      'u-1',
      '--reason',
      'rollback: v2 breaks Docker builds',
      '--by',
      'octocat',
      '--expires-in',
      '72h',
    ]);
    assert.equal(held.status, 0, held.stderr);
    assert.match(
      held.stdout,
      /held by octocat on v1 .*until 2026-03-0\dT.*: rollback: v2 breaks Docker builds/,
    );

    const refused = await ingot([
      'channels',
      'promote',
      bucket,
      '--from',
      'staging',
      '--to',
      'prod',
      '--soak',
      '24h',
      '--soak-consumer',
      'ingot-fleet/staging',
    ]);
    assert.equal(refused.status, 5);
    assert.match(
      refused.stderr,
      /channel "prod" of bucket "runner-ubuntu" is held by octocat since .*: rollback: v2 breaks Docker builds; "prod" is unchanged\. Release it with `ingot channels release runner-ubuntu prod`/,
    );
    // The registry refuses too, whichever client asks (HCP's PATCH, channels set).
    const patch = await r.api('PATCH', channel('prod'), {
      version_fingerprint: 'u-2',
      update_mask: 'versionFingerprint',
    });
    // FailedPrecondition: HTTP 400, as grpc-gateway (HCP) maps code 9.
    assert.equal(patch.status, 400);
    assert.match(
      patch.body.message,
      /is held by octocat since .*: rollback: v2 breaks Docker builds; nothing moved/,
    );
    const set = await ingot(['channels', 'set', bucket, 'prod', '--version', 'u-2']);
    assert.notEqual(set.status, 0);
    assert.equal(await serves('prod'), 'u-1');

    const ls = await ingot(['channels', 'ls', bucket]);
    assert.match(
      ls.stdout,
      /HELD CHANNEL\s+BY\s+SINCE\s+UNTIL\s+REASON\nprod\s+octocat\s+.*rollback: v2 breaks Docker builds/,
    );
    const got = await r.ok('GET', hold('prod'));
    assert.equal(got.hold.held_by, 'octocat');
    assert.equal(got.hold.author_id, r.admin.clientId);
  });

  it('released, or expired by the registry clock, the channel moves again', async () => {
    const r = get();
    const release = await ingot(['channels', 'release', bucket, 'prod']);
    assert.equal(release.status, 0, release.stderr);
    assert.deepEqual(await r.ok('GET', hold('prod')), {}, 'not held');
    const again = await ingot(['channels', 'release', bucket, 'prod']);
    assert.notEqual(again.status, 0);
    assert.match(
      again.stderr,
      /channel "prod" of bucket "runner-ubuntu" is not held; nothing to release/,
    );

    await r.ok('PUT', hold('prod'), { reason: 'freeze for the audit', expires_in: '2h' });
    assert.equal(
      (
        await r.api('PATCH', channel('prod'), {
          version_fingerprint: 'u-2',
          update_mask: 'versionFingerprint',
        })
      ).status,
      400,
    );
    r.clock.advance(2 * HOUR);
    const promoted = await ingot([
      'channels',
      'promote',
      bucket,
      '--from',
      'staging',
      '--to',
      'prod',
    ]);
    assert.equal(promoted.status, 0, promoted.stderr);
    assert.equal(await serves('prod'), 'u-2');
  });

  it('refuses bad holds, naming the field and the fix; nothing is held', async () => {
    const r = get();
    const past = await r.api('PUT', hold('staging'), {
      reason: 'x',
      expires_at: '2020-01-01T00:00:00Z',
    });
    assert.equal(past.status, 400);
    assert.match(past.body.message, /expires_at 2020-01-01T00:00:00.000Z is not in the future/);
    const empty = await r.api('PUT', hold('staging'), { reason: '' });
    assert.equal(empty.status, 400);
    const revoked = await r.api('PUT', hold('staging'), {
      reason: 'x',
      version_fingerprint: 'nope',
    });
    assert.equal(revoked.status, 404);
    const latest = await r.api('PUT', `${r.ingot()}/buckets/${bucket}/channels/latest/hold`, {
      reason: 'x',
    });
    assert.equal(latest.status, 400);
    assert.deepEqual((await r.ok('GET', `${r.ingot()}/buckets/${bucket}/holds`)).holds, []);
    assert.equal(await serves('staging'), 'u-2');
  });
});
