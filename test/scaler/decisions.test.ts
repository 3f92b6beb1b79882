import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canRunJob, chooseTarget } from '../../src/scaler/job-matching';
import { parseScalerConfig, parseScalerSecrets } from '../../src/scaler/scaler-config';
import { planTarget } from '../../src/scaler/target-plan';
import { parseSchedule, scheduleActive } from '../../src/scaler/warm-schedule';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('scaler decisions', () => {
  it('planTarget: within min/max, never removes busy capacity, grows only to what is wanted', () => {
    fc.assert(
      fc.property(
        fc.record({
          min: fc.nat(5),
          span: fc.nat(20),
          idle: fc.nat(5),
          queued: fc.nat(50),
          busy: fc.nat(20),
          done: fc.nat(5),
          stuck: fc.nat(5),
          idleExpired: fc.nat(10),
        }),
        (r) => {
          const max = r.min + r.span;
          const busy = Math.min(r.busy, max);
          const desired = busy + r.done + r.stuck + r.idleExpired;
          const plan = planTarget({
            min: r.min,
            max,
            idle: r.idle,
            queued: r.queued,
            desired,
            busy,
            done: ids('d', r.done),
            stuck: ids('s', r.stuck),
            idleExpired: ids('i', r.idleExpired),
          });
          assert.ok(plan.want >= r.min && plan.want <= max);
          assert.ok(plan.want >= Math.min(max, busy), 'busy instances are always wanted');
          const after = desired - plan.remove.length;
          assert.ok(after >= busy, 'no busy instance is removed');
          if (plan.growTo !== undefined) assert.equal(plan.growTo, plan.want);
          assert.ok((plan.growTo ?? after) <= Math.max(max, busy));
          // Done and stuck instances always go; surplus idle ones only down to `want`.
          assert.ok(plan.remove.filter((x) => x.reason !== 'surplus').length === r.done + r.stuck);
          const surplus = plan.remove.filter((x) => x.reason === 'surplus').length;
          if (surplus > 0) assert.equal(after, plan.want);
        },
      ),
    );
  });

  it('planTarget: a burst of queued jobs asks for exactly min(max, jobs)', () => {
    fc.assert(
      fc.property(fc.nat(500), fc.integer({ min: 1, max: 100 }), (jobs, max) => {
        const plan = planTarget({
          min: 0,
          max,
          idle: 0,
          queued: jobs,
          desired: 0,
          busy: 0,
          done: [],
          stuck: [],
          idleExpired: [],
        });
        assert.equal(plan.growTo ?? 0, Math.min(max, jobs));
      }),
    );
  });

  it('canRunJob: every job label must be a runner label, case-insensitively', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (labels, cut) => {
          const subset = labels.slice(0, 1 + (cut % labels.length));
          assert.ok(
            canRunJob(
              subset.map((l) => l.toUpperCase()),
              labels,
            ),
          );
          assert.ok(!canRunJob([...subset, 'not-a-label-of-it'], labels));
        },
      ),
    );
    assert.equal(canRunJob([], ['self-hosted']), false);
  });

  it('chooseTarget: the most specific pool, then the region with room', () => {
    const { targets } = parseScalerConfig({
      github: { organization: 'acme' },
      targets: [
        {
          pool: 'small',
          cloud: 'aws',
          region: 'r1',
          group: 'g',
          labels: ['self-hosted', 'linux', 'small', 'r1'],
          max: 5,
        },
        {
          pool: 'small',
          cloud: 'aws',
          region: 'r2',
          group: 'g',
          labels: ['self-hosted', 'linux', 'small', 'r2'],
          max: 5,
        },
        {
          pool: 'gpu',
          cloud: 'aws',
          region: 'r1',
          group: 'g',
          labels: ['self-hosted', 'linux', 'small', 'gpu', 'r1'],
          max: 5,
        },
      ],
    });
    const room = (key: string) => (t: { key: string }) => (t.key === key ? 5 : 1);
    assert.equal(
      chooseTarget(['self-hosted', 'linux'], targets, room('small/r2'))?.key,
      'small/r2',
    );
    assert.equal(chooseTarget(['gpu'], targets, room('small/r2'))?.key, 'gpu/r1');
    assert.equal(chooseTarget(['linux', 'r1'], targets, room('small/r2'))?.key, 'small/r1');
    assert.equal(chooseTarget(['windows'], targets, room('x')), undefined);
  });

  it('parseScalerConfig reports every problem at once, naming the key', () => {
    assert.throws(
      () =>
        parseScalerConfig({
          github: {},
          targets: [
            { pool: 'X', cloud: 'azure', region: 'r', labels: ['a b'], min: 3, max: 2, idle: 5 },
          ],
        }),
      (error: Error) => {
        for (const key of [
          'github.organization',
          'targets[0].pool',
          'targets[0].cloud',
          'targets[0].group',
          'targets[0].labels',
          'targets[0].min',
          'targets[0].idle',
        ])
          assert.ok(error.message.includes(key), `${key} in ${error.message}`);
        return true;
      },
    );
  });

  it('parseScalerSecrets never echoes a value', () => {
    assert.throws(
      () =>
        parseScalerSecrets(
          { app_id: 'abc', installation_id: '1', private_key: 'hunter2', webhook_secret: '' },
          'the secret',
        ),
      (error: Error) =>
        !error.message.includes('hunter2') &&
        /app_id/.test(error.message) &&
        /private_key/.test(error.message),
    );
  });

  it('warm schedules apply in their time zone', () => {
    const schedule = parseSchedule({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      from: '08:00',
      to: '18:00',
      timeZone: 'Europe/Berlin',
    });
    assert.equal(scheduleActive(schedule, new Date('2025-06-02T06:30:00Z')), true); // Mon 08:30 CEST
    assert.equal(scheduleActive(schedule, new Date('2025-06-02T05:30:00Z')), false); // Mon 07:30
    assert.equal(scheduleActive(schedule, new Date('2025-06-07T10:00:00Z')), false); // Saturday
    assert.equal(scheduleActive(undefined, new Date()), true);
    assert.throws(() => parseSchedule({ from: '18:00', to: '08:00' }), /before/);
    assert.throws(
      () => parseSchedule({ from: '08:00', to: '18:00', timeZone: 'Mars/Olympus' }),
      /IANA/,
    );
  });
});
