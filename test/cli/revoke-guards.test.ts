import assert from 'node:assert/strict';
import { cliEnv } from '../helpers/cli';
import { runIngot } from '../helpers/cli-in-process';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

describe('ingot revoke: preview, confirmation, past times; version names everywhere', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  let env: NodeJS.ProcessEnv;
  const ingot = (...args: string[]) => runIngot(args, { env });
  const status = async (fp: string) =>
    (await r.ok('GET', `${r.packer()}/buckets/app/versions/${fp}`)).version.status;

  before(async () => {
    r = await startTestRegistry('sqlite');
    env = cliEnv(r);
    for (const fp of ['a1', 'a2', 'a3']) await r.publish('app', fp);
    // dev: v1 then v2; staging: only v2; prod: only v3 (channels set takes names).
    for (const [channel, version] of [
      ['dev', 'v1'],
      ['dev', 'v2'],
      ['staging', 'v2'],
      ['prod', 'v3'],
    ]) {
      const set = await ingot('channels', 'set', 'app', channel, '--version', version);
      assert.equal(set.status, 0, set.stderr);
    }
    await r.ok('POST', `${r.ingot()}/buckets/app/versions/a2/consumers`, {
      pulumi_project: 'fleet',
      stack: 'prod',
      urn: 'urn:pulumi:prod::fleet::aws:ec2/launchTemplate:LaunchTemplate::ubuntu-us-east-1',
      channel: 'dev',
    });
  });
  after(async () => r?.close());

  it('--dry-run prints where each channel goes (or that it is left empty) and who uses it, and changes nothing', async () => {
    const dry = await ingot('revoke', 'app', 'v2', '--dry-run', '--message', 'CVE-2026-0001');
    assert.equal(dry.status, 0, dry.stderr);
    const lines = dry.stdout.trim().split('\n');
    assert.equal(lines[0], 'Would revoke v2 (a2) of bucket "app" now: CVE-2026-0001');
    assert.ok(lines.includes('  Channel "dev" rolls back to v1 (a1).'), dry.stdout);
    assert.ok(
      lines.includes(
        '  Channel "staging" is left empty: it served no earlier version that is still valid.',
      ),
      dry.stdout,
    );
    assert.ok(!/rolls back to its previous valid version/.test(dry.stdout));
    assert.match(dry.stdout, /1 stack resource\(s\) use it/);
    assert.match(dry.stdout, /app +v2 +fleet +prod +ubuntu-us-east-1/);
    assert.equal(lines[lines.length - 1], 'Nothing changed (--dry-run).');
    assert.equal(await status('a2'), 'VERSION_ACTIVE');
    const json = JSON.parse((await ingot('revoke', 'app', 'a2', '--dry-run', '--json')).stdout);
    assert.deepEqual(
      json.impact.channels.map((c: any) => [c.channel, c.outcome, c.to?.name ?? null]),
      [
        ['dev', 'rolls-back', 'v1'],
        ['latest', 'rolls-back', 'v3'],
        ['staging', 'left-empty', null],
      ].filter(([name]) => json.impact.channels.some((c: any) => c.channel === name)),
    );
  });

  it('refuses an --at in the past, naming --now, and revokes nothing', async () => {
    const past = await ingot('revoke', 'app', 'v2', '--at', '2000-01-01T00:00:00Z');
    assert.equal(past.status, 2);
    assert.match(
      past.stderr,
      /^ingot: --at 2000-01-01T00:00:00Z is in the past \(it is 2026-03-01T12:00:00Z at the registry\): the version would be revoked at once\. Give a future time, or revoke now with --now\. Nothing was revoked\./,
    );
    assert.equal(await status('a2'), 'VERSION_ACTIVE');
    const both = await ingot('revoke', 'app', 'v2', '--now', '--in', '1h');
    assert.equal(both.status, 2);
    assert.match(
      both.stderr,
      /^ingot: option '--in <duration>' cannot be used with option '--now'/,
    );
  });

  it('on a terminal shows the impact and asks; "no" revokes nothing', async () => {
    const declined = await runIngot(['revoke', 'app', 'v2'], { env, tty: true, stdin: 'n\n' });
    assert.equal(declined.status, 1);
    assert.match(declined.stderr, /^Revoking v2 \(a2\) of bucket "app" now\./);
    assert.match(declined.stderr, /Channel "staging" is left empty/);
    assert.match(declined.stderr, /Revoke v2 \(a2\) of bucket "app" now\? \[y\/N\] /);
    assert.match(
      declined.stderr,
      /ingot: nothing was revoked \(not confirmed; --yes skips the question\)\./,
    );
    assert.equal(await status('a2'), 'VERSION_ACTIVE');
  });

  it('a scheduled revocation says which channel will be left empty at that time', async () => {
    const scheduled = await ingot('revoke', 'app', 'v3', '--at', '2099-01-01T00:00:00Z', '--yes');
    assert.equal(scheduled.status, 0, scheduled.stderr);
    assert.match(
      scheduled.stdout,
      /^Scheduled the revocation of v3 \(a3\) of bucket "app" at 2099-01-01T00:00:00Z\.$/m,
    );
    assert.match(
      scheduled.stdout,
      /^Until then, channel "prod" serves it\. Channel "prod" is left empty at that time: it served no earlier version that is still valid\.$/m,
    );
    assert.equal(await status('a3'), 'VERSION_REVOCATION_SCHEDULED');
    assert.equal((await ingot('restore', 'app', 'v3')).status, 0, 'restore takes the name');
  });

  it('on a terminal "yes" revokes; channels roll back or are left empty, as previewed', async () => {
    const done = await runIngot(['revoke', 'app', 'v2', '--message', 'CVE-2026-0001'], {
      env,
      tty: true,
      stdin: 'y\n',
    });
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /^Revoked v2 \(a2\) of bucket "app": CVE-2026-0001$/m);
    assert.match(done.stdout, /^Channel "dev" rolled back to v1 \(a1\)\.$/m);
    assert.match(
      done.stdout,
      /^Channel "staging" now serves no version: it had no earlier valid one\.$/m,
    );
    const staging = await r.ok('GET', `${r.packer()}/buckets/app/channels/staging`);
    assert.equal(staging.channel.version, undefined);
    const again = await ingot('revoke', 'app', 'v2');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already revoked; `ingot restore app v2` undoes it/);
    assert.equal((await ingot('restore', 'app', 'v2')).status, 0);
  });

  it('takes version names wherever fingerprints go, and says which names exist', async () => {
    const show = await ingot('versions', 'show', 'app', 'v1');
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /^Fingerprint: +a1$/m);
    assert.match((await ingot('builds', 'ls', 'app', 'v1')).stdout, /amazon-ebs\.runner/);
    const missing = await ingot('versions', 'show', 'app', 'v9');
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /^ingot: bucket "app" has no version named "v9" \(nor with that fingerprint\)\. `ingot versions ls app` lists its versions by name and fingerprint\.$/m,
    );
    const latest = await ingot('channels', 'set', 'app', 'latest', '--version', 'v1');
    assert.equal(latest.status, 1);
    assert.match(latest.stderr, /"latest" is managed by the registry/);
  });
});

describe('ingot resolve --arch / --label (one version, x64 and arm64 builds)', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  let env: NodeJS.ProcessEnv;
  const resolve = (...extra: string[]) =>
    runIngot(['resolve', 'runner-ubuntu', '--platform', 'aws', '--region', 'us-east-1', ...extra], {
      env,
    });

  before(async () => {
    r = await startTestRegistry('sqlite');
    env = cliEnv(r);
    const base = `${r.packer()}/buckets/runner-ubuntu`;
    await r.ok('PUT', `${r.packer()}/buckets`, { name: 'runner-ubuntu' });
    await r.ok('POST', `${base}/versions`, { fingerprint: 'fp-1' });
    for (const arch of ['x64', 'arm64']) {
      await r.ok('POST', `${base}/versions/fp-1/builds`, {
        platform: 'aws',
        component_type: `amazon-ebs.runner-${arch}`,
        status: 'BUILD_DONE',
        labels: { arch, os: 'ubuntu' },
        artifacts: [{ external_identifier: `ami-0${arch}000000000000`, region: 'us-east-1' }],
      });
    }
    await r.ok('PATCH', `${base}/versions/fp-1`, { complete: true });
  });
  after(async () => r?.close());

  it('refuses to pick between two images silently, listing them and the flags that choose', async () => {
    const result = await resolve();
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^ingot: version v1 of bucket "runner-ubuntu" has 2 aws images in us-east-1: ami-0x64000000000000 \(amazon-ebs\.runner-x64; arch=x64,os=ubuntu\), ami-0arm64000000000000 \(amazon-ebs\.runner-arm64; arch=arm64,os=ubuntu\)\. Pick one with --arch, --label key=value or --component-type\.$/m,
    );
  });

  it('--arch and --label pick the build; --version takes the name', async () => {
    assert.equal((await resolve('--arch', 'arm64')).stdout, 'ami-0arm64000000000000\n');
    assert.equal((await resolve('--label', 'arch=x64')).stdout, 'ami-0x64000000000000\n');
    assert.equal(
      (await resolve('--version', 'v1', '--arch', 'x64')).stdout,
      'ami-0x64000000000000\n',
    );
    const none = await resolve('--arch', 'riscv');
    assert.equal(none.status, 1);
    assert.match(none.stderr, /has no aws image in us-east-1 with labels \{"arch":"riscv"\}/);
    const clash = await resolve('--arch', 'x64', '--label', 'arch=arm64');
    assert.equal(clash.status, 1);
    assert.match(clash.stderr, /--arch x64 and --label arch=arm64 disagree/);
  });
});
