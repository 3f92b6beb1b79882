import assert from 'node:assert/strict';
import type { Clock } from '../../src/registry/clock';
import {
  ENGINES,
  startAnotherProcess,
  startDatabaseClockRegistry,
  type TestRegistry,
} from '../helpers/registry-harness';

const MINUTE = 60_000;

/** A process clock `offsetMs` off the machine's (a host whose NTP failed). */
function skewed(offsetMs: number): Clock {
  return { now: () => new Date(Date.now() + offsetMs) };
}

/**
 * Several processes on one database judge validity by the database's clock, not their
 * own: a process 10 minutes behind never serves a revoked version, and one 2 hours ahead
 * never deletes other clients' live tokens (issue 16, fault 3).
 */
for (const engine of ENGINES) {
  describe(`one clock across processes [${engine}]`, function () {
    this.timeout(60_000);
    let first: TestRegistry<Clock>;
    let behind: TestRegistry<Clock>;
    let ahead: TestRegistry<Clock>;

    before(async () => {
      first = await startDatabaseClockRegistry(engine);
      behind = await startAnotherProcess(first, skewed(-10 * MINUTE));
      ahead = await startAnotherProcess(first, skewed(120 * MINUTE));
    });
    after(async () => {
      await ahead?.close();
      await behind?.close();
      await first?.close();
    });

    it('a process whose clock is behind never serves a version revoked now', async () => {
      const base = `${first.packer()}/buckets/clock-skew`;
      await first.publish('clock-skew', 'good');
      await first.publish('clock-skew', 'bad');
      await first.ok('PATCH', `${base}/versions/bad`, {
        revoke_in: '0s',
        revocation_message: 'broken image',
      });

      const version = await behind.ok('GET', `${base}/versions/bad`);
      assert.equal(version.version.status, 'VERSION_REVOKED');
      const latest = await behind.ok('GET', `${base}/channels/latest`);
      assert.equal(latest.channel.version?.fingerprint, 'good');
    });

    it('every process reports the same clock, the database’s', async () => {
      const times = await Promise.all(
        [first, behind, ahead].map(async (r) =>
          Date.parse((await r.ok('GET', '/healthz', undefined, null)).time),
        ),
      );
      // The skews are 10 minutes and 2 hours; the processes agree to well under one.
      assert.ok(Math.max(...times) - Math.min(...times) < MINUTE, JSON.stringify(times));
    });

    it('a process whose clock is ahead never deletes other clients’ live tokens', async () => {
      const viewer = await first.principal('viewer');
      const token = await first.token(viewer);
      // Issuing a token sweeps expired tokens, judged by the issuing process's clock.
      await ahead.token(await first.principal('contributor'));
      const res = await fetch(`${first.url}${first.packer()}/buckets`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 200);
    });
  });
}
