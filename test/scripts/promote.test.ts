import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_ARGS, cliEnv } from '../helpers/cli';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3_600_000;

function promote(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'scripts/promote.sh'), ...args], {
      cwd: ROOT,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** scripts/promote.sh as the hourly workflow runs it, against a live registry. */
describe('scripts/promote.sh (staging → prod with a 24 h soak)', function () {
  this.timeout(180_000);
  let registry: TestRegistry;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const serves = async (bucket: string, channel: string) =>
    (await registry.api('GET', `${registry.packer()}/buckets/${bucket}/channels/${channel}`)).body
      .channel?.version?.fingerprint ?? null;

  before(async () => {
    registry = await startTestRegistry('sqlite');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-promote-'));
    env = {
      ...cliEnv(registry),
      INGOT: [process.execPath, ...CLI_ARGS].join(' '),
      GITHUB_OUTPUT: path.join(dir, 'output'),
    };
    for (const bucket of ['runner-ubuntu', 'runner-windows', 'runner-macos']) {
      await registry.publish(bucket, `${bucket}-1`);
      await registry.ok('POST', `${registry.packer()}/buckets/${bucket}/channels`, {
        name: 'staging',
        version_fingerprint: `${bucket}-1`,
      });
      await registry.ok('POST', `${registry.packer()}/buckets/${bucket}/channels`, {
        name: 'prod',
        version_fingerprint: `${bucket}-1`,
      });
    }
    // New versions reach staging now; macOS's is revoked an hour later.
    for (const bucket of ['runner-ubuntu', 'runner-windows', 'runner-macos']) {
      await registry.publish(bucket, `${bucket}-2`);
      await registry.ok('PATCH', `${registry.packer()}/buckets/${bucket}/channels/staging`, {
        version_fingerprint: `${bucket}-2`,
      });
    }
    registry.clock.advance(HOUR);
    await registry.ok(
      'PATCH',
      `${registry.packer()}/buckets/runner-macos/versions/runner-macos-2`,
      {
        revoke_in: '0s',
        revocation_message: 'kernel panic on M2',
        disable_rollback_channels: true,
      },
    );
  });
  after(async () => {
    await registry?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('before 24 h nothing is due: every bucket says so and the run succeeds', async () => {
    const run = await promote(['--from', 'staging', '--to', 'prod', '--soak', '24h'], env);
    assert.equal(run.status, 0, run.stderr);
    for (const bucket of ['runner-macos', 'runner-ubuntu', 'runner-windows'])
      assert.match(run.stdout, new RegExp(`^${bucket}: not due: nothing to promote`, 'm'));
    assert.equal(fs.readFileSync(env.GITHUB_OUTPUT as string, 'utf8'), 'promoted=\n');
    assert.equal(await serves('runner-ubuntu', 'prod'), 'runner-ubuntu-1');
  });

  it('after 24 h it promotes the soaked versions, never a revoked one, and reports which', async () => {
    registry.clock.advance(24 * HOUR);
    fs.rmSync(env.GITHUB_OUTPUT as string, { force: true });
    const run = await promote(['--from', 'staging', '--to', 'prod', '--soak', '24h'], env);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^runner-ubuntu: Promoted v2 \(runner-ubuntu-2\) from "staging" to "prod"/m,
    );
    assert.match(run.stdout, /^runner-windows: Promoted v2/m);
    // macOS: v2 is revoked; v1 (held before it only briefly) never soaked: prod keeps v1.
    assert.match(run.stdout, /^runner-macos: not due/m);
    assert.equal(await serves('runner-ubuntu', 'prod'), 'runner-ubuntu-2');
    assert.equal(await serves('runner-macos', 'prod'), 'runner-macos-1');
    assert.equal(
      fs.readFileSync(env.GITHUB_OUTPUT as string, 'utf8'),
      'promoted=runner-ubuntu runner-windows\n',
    );
  });

  it('a manual dispatch promotes one bucket with a reason; a failure fails the run', async () => {
    const one = await promote(
      ['--from', 'staging', '--to', 'prod', '--bucket', 'runner-ubuntu', '--reason', 'hotfix'],
      env,
    );
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /^runner-ubuntu: "prod" already serves v2 .*\(reason: hotfix\)$/m);
    const missing = await promote(
      ['--from', 'staging', '--to', 'prod', '--bucket', 'no-such-bucket'],
      env,
    );
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /^no-such-bucket: FAILED: .*bucket "no-such-bucket" does not exist/m,
    );
    const usage = await promote(['--to', 'prod'], env);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /usage: .*--from CHANNEL --to CHANNEL/);
  });
});
