import assert from 'node:assert/strict';
import { cliEnv, ingot } from '../helpers/cli';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

describe('ingot drift (against a live registry)', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  const consumer = (stack: string, name: string) => ({
    pulumi_project: 'fleet',
    stack,
    urn: `urn:pulumi:${stack}::fleet::aws:ec2/launchTemplate:LaunchTemplate::${name}`,
  });
  const register = (fp: string, body: object) =>
    registry.ok('POST', `${registry.ingot()}/buckets/runner-ubuntu/versions/${fp}/consumers`, body);

  before(async () => {
    registry = await startTestRegistry('sqlite');
    for (const fp of ['d-1', 'd-2', 'd-3']) await registry.publish('runner-ubuntu', fp);
    await registry.publish('runner-windows', 'w-1');
    // prod's template still runs d-1; staging's moved from d-1 to d-2; dev runs d-3.
    await register('d-1', consumer('prod', 'ubuntu-us-east-1'));
    await register('d-1', consumer('staging', 'ubuntu-us-east-1'));
    registry.clock.advance(60_000);
    await register('d-2', consumer('staging', 'ubuntu-us-east-1'));
    await register('d-3', consumer('dev', 'ubuntu-us-east-1'));
    await registry.ok('PATCH', `${registry.packer()}/buckets/runner-ubuntu/versions/d-1`, {
      revoke_in: '0s',
      revocation_message: 'CVE-2026-7777',
    });
    await registry.ok('PATCH', `${registry.packer()}/buckets/runner-ubuntu/versions/d-3`, {
      revoke_in: '7d',
      revocation_message: 'kernel EOL',
    });
  });
  after(() => registry?.close());

  it('lists the resources on revoked or scheduled versions, not those that moved on, and exits 4', async () => {
    const result = await ingot(['drift', '--json'], cliEnv(registry));
    assert.equal(result.status, 4, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(report.buckets, ['runner-ubuntu', 'runner-windows']);
    assert.deepEqual(
      report.entries.map((e: any) => [e.stack, e.version_name, e.status, e.revocation_message]),
      [
        ['dev', 'v3', 'VERSION_REVOCATION_SCHEDULED', 'kernel EOL'],
        ['prod', 'v1', 'VERSION_REVOKED', 'CVE-2026-7777'],
      ],
    );
    assert.match(result.stderr, /ingot: 2 stack resource\(s\) run a revoked version/);
  });

  it('prints a table, and --fail-on decides the exit code', async () => {
    const never = await ingot(
      ['drift', '--fail-on', 'never', '--bucket', 'runner-ubuntu'],
      cliEnv(registry),
    );
    assert.equal(never.status, 0, never.stderr);
    assert.match(never.stdout, /^BUCKET\s+VERSION\s+STATUS/m);
    assert.match(
      never.stdout,
      /runner-ubuntu\s+v1\s+revoked\s+\S+\s+fleet\s+prod\s+ubuntu-us-east-1\s+CVE-2026-7777/,
    );
    const clean = await ingot(
      ['drift', '--bucket', 'runner-windows', '--fail-on', 'scheduled'],
      cliEnv(registry),
    );
    assert.equal(clean.status, 0);
    assert.match(
      clean.stdout,
      /No stack runs a revoked or scheduled-for-revocation version \(1 bucket\(s\) checked\)/,
    );
    const bad = await ingot(['drift', '--fail-on', 'sometimes'], cliEnv(registry));
    assert.equal(bad.status, 2, 'a bad flag value is a usage error');
    assert.match(bad.stderr, /Allowed choices are revoked, scheduled, never/);
  });
});
