import assert from 'node:assert/strict';
import { SingleFlight } from '../../src/registry/single-flight';
import { queriesOf } from '../helpers/query-log';
import { describeEachEngine, type TestRegistry } from '../helpers/registry-harness';

/** A lookup that resolves when the test says so, counting how often it started. */
function gate<V>() {
  let release!: (value: V) => void;
  let fail!: (error: Error) => void;
  let started = 0;
  const promise = new Promise<V>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return {
    work: () => {
      started++;
      return promise;
    },
    started: () => started,
    release: (value: V) => release(value),
    fail: (error: Error) => fail(error),
  };
}

describe('single flight', () => {
  it('runs one lookup for concurrent callers of a key under one marker', async () => {
    const flights = new SingleFlight<string>();
    const g = gate<string>();
    const answers = [1, 2, 3].map(() => flights.run('k', 'm1', g.work));
    assert.equal(g.started(), 1);
    g.release('v');
    assert.deepEqual(await Promise.all(answers), ['v', 'v', 'v']);
  });

  it('starts a lookup of its own after a commit (another marker), and for another key', async () => {
    const flights = new SingleFlight<string>();
    const first = gate<string>();
    const second = gate<string>();
    const third = gate<string>();
    const before = flights.run('k', 'm1', first.work);
    const after = flights.run('k', 'm2', second.work);
    const elsewhere = flights.run('other', 'm2', third.work);
    assert.deepEqual([first.started(), second.started(), third.started()], [1, 1, 1]);
    first.release('old');
    second.release('new');
    third.release('x');
    assert.deepEqual(await Promise.all([before, after, elsewhere]), ['old', 'new', 'x']);
  });

  it('forgets a lookup once it has landed, failed or not', async () => {
    const flights = new SingleFlight<string>();
    const failing = gate<string>();
    const shared = [flights.run('k', 'm', failing.work), flights.run('k', 'm', failing.work)];
    failing.fail(new Error('database down'));
    for (const answer of shared) await assert.rejects(answer, /database down/);
    const next = gate<string>();
    const retried = flights.run('k', 'm', next.work);
    assert.equal(next.started(), 1, 'a failure is not shared with later callers');
    next.release('v');
    assert.equal(await retried, 'v');
  });
});

/**
 * `reads`, started while a write transaction is open: on SQLite reads queue behind it, so
 * concurrent misses meet there (as they do under load); PostgreSQL reads go on.
 */
async function whileWriting<T>(registry: TestRegistry, reads: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const writing = registry.running.registry.db.transaction(
    () => new Promise<void>((resolve) => (release = resolve)),
  );
  const reading = reads();
  await new Promise((resolve) => setTimeout(resolve, 300));
  release();
  await writing;
  return reading;
}

describeEachEngine('concurrent misses share one lookup', (registry) => {
  const channel = () => `${registry().packer()}/buckets/runner-flight/channels/prod`;

  before(async () => {
    await registry().publish('runner-flight', 'f-1');
    await registry().publish('runner-flight', 'f-2');
    await registry().ok('POST', `${registry().packer()}/buckets/runner-flight/channels`, {
      name: 'prod',
      version_fingerprint: 'f-1',
    });
  });

  it('reads a channel once for 20 requests arriving together after a write, all seeing the write', async () => {
    await registry().ok('PATCH', channel(), { version_fingerprint: 'f-2' });
    await registry().token();
    let answers: { status: number; body: { channel: { version: { fingerprint: string } } } }[] = [];
    const sql = await queriesOf(registry(), async () => {
      answers = await whileWriting(registry(), () =>
        Promise.all(Array.from({ length: 20 }, () => registry().api('GET', channel()))),
      );
    });
    assert.deepEqual(
      answers.map((a) => [a.status, a.body.channel.version.fingerprint]),
      Array.from({ length: 20 }, () => [200, 'f-2']),
    );
    const channelLookups = sql.filter((q) => /FROM channels WHERE bucket_id/.test(q));
    assert.equal(channelLookups.length, 1, sql.join('\n'));
  });

  it('looks a new token up once for 20 requests arriving together with it', async () => {
    const token = await registry().token();
    registry().running.registry.auth.tokens.forget(token);
    let statuses: number[] = [];
    const sql = await queriesOf(registry(), async () => {
      statuses = (
        await whileWriting(registry(), () =>
          Promise.all(Array.from({ length: 20 }, () => registry().api('GET', channel()))),
        )
      ).map((a) => a.status);
    });
    assert.deepEqual(
      statuses,
      Array.from({ length: 20 }, () => 200),
    );
    assert.equal(sql.filter((q) => /token/i.test(q)).length, 1, sql.join('\n'));
  });
});
