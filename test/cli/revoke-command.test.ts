import assert from 'node:assert/strict';
import { cliEnv, ingot, ingotJson, ingotOk } from '../helpers/cli';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

const HOUR = 3_600_000;

describe('ingot revoke and restore (against a live registry)', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  let env: NodeJS.ProcessEnv;

  const channel = async (name: string) =>
    (await registry.ok('GET', `${registry.packer()}/buckets/runner-ubuntu/channels/${name}`))
      .channel;
  const child = async () =>
    (await registry.ok('GET', `${registry.packer()}/buckets/runner-app/versions/fp-app`)).version;

  before(async function () {
    registry = await startTestRegistry('sqlite');
    env = cliEnv(registry);
    const base = `${registry.packer()}/buckets/runner-ubuntu/channels`;
    await registry.publish('runner-ubuntu', 'fp-1');
    const v2 = await registry.publish('runner-ubuntu', 'fp-2');
    // A version of another bucket built from v2: it inherits v2's revocation.
    await registry.publish('runner-app', 'fp-app', [
      { platform: 'aws', regions: ['us-east-1'], parent_version_id: v2.id },
    ]);
    await registry.ok('POST', base, { name: 'dev', version_fingerprint: 'fp-1' });
    await registry.ok('PATCH', `${base}/dev`, {
      version_fingerprint: 'fp-2',
      update_mask: 'versionFingerprint',
    });
    await registry.ok('POST', base, { name: 'prod', version_fingerprint: 'fp-2' });
  });
  after(async () => registry?.close());

  it('revokes now: channels roll back, descendants inherit; restore undoes it', async () => {
    const out = await ingotOk(
      ['revoke', 'runner-ubuntu', 'fp-2', '--message', 'CVE-2026-0001 in openssl'],
      env,
    );
    assert.match(out, /^Revoked v2 \(fp-2\) of bucket "runner-ubuntu": CVE-2026-0001 in openssl$/m);
    assert.match(out, /^Channel "dev" rolled back to v1 \(fp-1\)\.$/m);
    assert.match(out, /^Channel "prod" now serves no version: it had no earlier valid one\.$/m);
    assert.match(out, /^1 version\(s\) built from it inherited the revocation\.$/m);
    assert.equal((await channel('dev')).version.fingerprint, 'fp-1');
    assert.equal((await child()).status, 'VERSION_REVOKED');

    const restored = await ingotJson(['restore', 'runner-ubuntu', 'fp-2'], env);
    assert.equal(restored.version.status, 'VERSION_ACTIVE');
    assert.equal(restored.version.revoke_at, undefined);
    assert.equal((await child()).status, 'VERSION_ACTIVE');
  });

  it('schedules a revocation with --in, restores it, then --at (any zone) with --skip-descendants --no-rollback', async () => {
    await registry.ok('PATCH', `${registry.packer()}/buckets/runner-ubuntu/channels/dev`, {
      version_fingerprint: 'fp-2',
      update_mask: 'versionFingerprint',
    });
    const scheduled = await ingotJson(
      ['revoke', 'runner-ubuntu', 'fp-2', '--in', '12h', '--message', 'superseded'],
      env,
    );
    const now = registry.clock.now().getTime();
    assert.equal(scheduled.version.status, 'VERSION_REVOCATION_SCHEDULED');
    assert.equal(scheduled.version.revoke_at, new Date(now + 12 * HOUR).toISOString());
    // What each channel will serve then: dev its earlier v1, latest the newest valid one;
    // the child's bucket has nothing else, so its latest is left empty.
    assert.deepEqual(
      scheduled.impact.channels.map((c: any) => [c.bucket, c.channel, c.outcome, c.to?.name]),
      [
        ['runner-ubuntu', 'dev', 'rolls-back', 'v1'],
        ['runner-ubuntu', 'latest', 'rolls-back', 'v1'],
        ['runner-app', 'latest', 'left-empty', undefined],
      ],
    );

    const restoredOut = await ingotOk(['restore', 'runner-ubuntu', 'fp-2'], env);
    assert.match(restoredOut, /^Restored v2 \(fp-2\) of bucket "runner-ubuntu"\.$/m);

    // The clock is at 2026-03-01T12:00Z; 14:00 at +02:00 is 12:00 UTC the next day.
    const at = await ingotOk(
      [
        'revoke',
        'runner-ubuntu',
        'fp-2',
        '--at',
        '2026-03-02T14:00:00+02:00',
        '--message',
        'bad kernel',
        '--skip-descendants',
        '--no-rollback',
      ],
      env,
    );
    assert.match(
      at,
      /^Scheduled the revocation of v2 \(fp-2\) of bucket "runner-ubuntu" at 2026-03-02T12:00:00Z: bad kernel$/m,
    );
    assert.match(
      at,
      /^Until then, channel "dev" serves it\. Channel "dev" keeps serving v2 \(fp-2\) \(--no-rollback\)\.$/m,
    );
    assert.match(at, /keep their status \(--skip-descendants\)/);

    registry.clock.set('2026-03-02T12:00:00.000Z');
    const dev = await channel('dev');
    assert.equal(dev.version.fingerprint, 'fp-2', '--no-rollback leaves the channel on it');
    assert.equal(dev.version.status, 'VERSION_REVOKED');
    assert.equal((await child()).status, 'VERSION_ACTIVE', '--skip-descendants spares the child');
  });

  it('refuses conflicting or bad flags and impossible restores, naming them', async () => {
    const [both, at, restore] = await Promise.all([
      ingot(['revoke', 'runner-ubuntu', 'fp-1', '--at', '2026-04-01T00:00:00Z', '--in', '1h'], env),
      ingot(['revoke', 'runner-ubuntu', 'fp-1', '--at', 'next tuesday'], env),
      ingot(['restore', 'runner-ubuntu', 'fp-1'], env),
    ]);
    for (const [result, code] of [
      [both, 2],
      [at, 2],
      [restore, 1],
    ] as const) {
      assert.equal(result.status, code, 'usage errors exit 2, refusals 1');
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^ingot: /);
    }
    assert.match(both.stderr, /option '--at <time>' cannot be used with option '--in <duration>'/);
    assert.match(
      at.stderr,
      /'--at <time>' argument 'next tuesday' is invalid\. use an RFC 3339 time/,
    );
    assert.match(restore.stderr, /neither revoked nor scheduled/);
    const v1 = await registry.ok('GET', `${registry.packer()}/buckets/runner-ubuntu/versions/fp-1`);
    assert.equal(v1.version.status, 'VERSION_ACTIVE', 'nothing was revoked');
  });
});
