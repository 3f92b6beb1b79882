import assert from 'node:assert/strict';
import { cliEnv, ingot, ingotJson, ingotOk, rows } from '../helpers/cli';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

const HOUR = 3_600_000;

describe('ingot channels (against a live registry)', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    registry = await startTestRegistry('sqlite');
    env = cliEnv(registry);
    await registry.publish('runner-ubuntu', 'fp-1');
    await registry.publish('runner-ubuntu', 'fp-2');
  });
  after(async () => registry?.close());

  it('sets channels (creating them), lists them and shows their history', async () => {
    const setDev = await ingotOk(
      ['channels', 'set', 'runner-ubuntu', 'dev', '--version', 'fp-1'],
      env,
    );
    assert.match(setDev, /Channel "dev" of bucket "runner-ubuntu" now serves v1 \(fp-1\)\./);
    registry.clock.advance(HOUR);
    const moved = await ingotJson(
      ['channels', 'set', 'runner-ubuntu', 'dev', '--version', 'fp-2'],
      env,
    );
    assert.equal(moved.channel.name, 'dev');
    assert.equal(moved.channel.version.fingerprint, 'fp-2');

    const [lsTable, historyTable, history] = await Promise.all([
      ingotOk(['channels', 'ls', 'runner-ubuntu'], env),
      ingotOk(['channels', 'history', 'runner-ubuntu', 'dev'], env),
      ingotJson(['channels', 'history', 'runner-ubuntu', 'dev'], env),
    ]);
    const table = rows(lsTable);
    assert.deepEqual(table.map((r) => r[0]).sort(), ['CHANNEL', 'dev', 'latest']);
    assert.deepEqual(table[0].slice(0, 6), [
      'CHANNEL',
      'VERSION',
      'FINGERPRINT',
      'STATUS',
      'RESTRICTED',
      'MANAGED',
    ]);
    assert.deepEqual(table.find((r) => r[0] === 'dev')?.slice(0, 6), [
      'dev',
      'v2',
      'fp-2',
      'active',
      'no',
      'no',
    ]);

    assert.deepEqual(
      history.history.map((h: any) => [h.version.fingerprint, h.assigned_at]),
      [
        ['fp-2', '2026-03-01T13:00:00.000Z'],
        ['fp-1', '2026-03-01T12:00:00.000Z'],
      ],
    );
    assert.deepEqual(
      rows(historyTable).map((r) => r.slice(0, 4)),
      [
        ['ASSIGNED AT', 'VERSION', 'FINGERPRINT', 'STATUS'],
        ['2026-03-01T13:00:00Z', 'v2', 'fp-2', 'active'],
        ['2026-03-01T12:00:00Z', 'v1', 'fp-1', 'active'],
      ],
    );
  });

  it('promotes what --from serves now, and says when --to already serves it', async () => {
    const promoted = await ingotOk(
      ['channels', 'promote', 'runner-ubuntu', '--from', 'dev', '--to', 'staging'],
      env,
    );
    assert.match(
      promoted,
      /Promoted v2 \(fp-2\) from "dev" to "staging" in bucket "runner-ubuntu"\./,
    );
    const again = await ingotJson(
      ['channels', 'promote', 'runner-ubuntu', '--from', 'dev', '--to', 'staging'],
      env,
    );
    assert.equal(again.changed, false);
    assert.equal(again.channel.name, 'staging');
    assert.equal(again.version.fingerprint, 'fp-2');
    const history = await registry.ok(
      'GET',
      `${registry.packer()}/buckets/runner-ubuntu/channels/staging/history`,
    );
    assert.equal(history.history.length, 1, 'promoting twice assigns once');
  });

  it('promotes with --soak only a version held long enough, and says so when none is', async () => {
    // staging has held v2 for 0 s: nothing qualifies for a 24 h soak.
    const early = await ingot(
      [
        'channels',
        'promote',
        'runner-ubuntu',
        '--from',
        'staging',
        '--to',
        'prod',
        '--soak',
        '24h',
      ],
      env,
    );
    assert.equal(early.status, 3, 'exit 3: not due yet');
    assert.equal(early.stdout, '');
    assert.match(
      early.stderr,
      /^ingot: nothing to promote: in bucket "runner-ubuntu", channel "staging" has held no valid version for at least 24h yet; "prod" is unchanged\. Wait, or promote with a shorter --soak\./,
    );
    const prod = await registry.api(
      'GET',
      `${registry.packer()}/buckets/runner-ubuntu/channels/prod`,
    );
    assert.equal(prod.status, 404, 'prod was not created');

    registry.clock.advance(25 * HOUR);
    const soaked = await ingotJson(
      [
        'channels',
        'promote',
        'runner-ubuntu',
        '--from',
        'staging',
        '--to',
        'prod',
        '--soak',
        '24h',
      ],
      env,
    );
    assert.equal(soaked.changed, true);
    assert.equal(soaked.channel.name, 'prod');
    assert.equal(soaked.channel.version.fingerprint, 'fp-2');
    assert.equal(soaked.soaked.held_for, '25h');
  });

  it('refuses a bad --soak and --from equal to --to, naming them', async () => {
    const [soak, same] = await Promise.all([
      ingot(
        ['channels', 'promote', 'runner-ubuntu', '--from', 'a', '--to', 'b', '--soak', '1 day'],
        env,
      ),
      ingot(['channels', 'promote', 'runner-ubuntu', '--from', 'dev', '--to', 'dev'], env),
    ]);
    assert.equal(soak.status, 2, 'a bad flag value is a usage error');
    assert.equal(same.status, 1);
    for (const result of [soak, same]) assert.match(result.stderr, /^ingot: /);
    assert.match(soak.stderr, /--soak <duration>' argument '1 day' is invalid.*e\.g\. 24h/);
    assert.match(same.stderr, /--from and --to name the same channel/);
  });
});
