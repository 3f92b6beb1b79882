import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { BUILD_EPOCH_ENV, buildEpoch, isoWeek } from '../../src/images/build-epoch';
import { runIngot } from '../helpers/cli-in-process';

const DAY = 86_400_000;
/** Dates from 1970 to 2199, at any time of day (UTC). */
const dates = fc.date({
  min: new Date('1970-01-01T00:00:00Z'),
  max: new Date('2199-12-31T23:59:59Z'),
  noInvalidDate: true,
});
const parse = (w: string) => {
  const m = /^(\d{4})-W(\d{2})$/.exec(w);
  assert.ok(m, `${w} is YYYY-Www`);
  return { year: Number(m[1]), week: Number(m[2]) };
};

describe('build epoch: the ISO 8601 week', () => {
  it('agrees with GNU date -u +%G-W%V (the oracle the workflow could use) on random dates', () => {
    const sample = fc.sample(dates, 300);
    // One `date -f -` call reads every date: a real implementation, not ours twice.
    const expected = execFileSync('date', ['-u', '-f', '-', '+%G-W%V'], {
      input: sample.map((d) => d.toISOString()).join('\n'),
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    assert.deepEqual(
      sample.map((d) => isoWeek(d)),
      expected,
    );
  });

  it('is the same Monday through Sunday, and the next week on the next Monday', () => {
    fc.assert(
      fc.property(dates, (date) => {
        const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
        const monday = midnight - ((new Date(midnight).getUTCDay() + 6) % 7) * DAY;
        const week = isoWeek(date);
        for (let d = 0; d < 7; d++)
          assert.equal(isoWeek(new Date(monday + d * DAY + 43_200_000)), week);
        const next = parse(isoWeek(new Date(monday + 7 * DAY)));
        const { year, week: n } = parse(week);
        assert.ok(
          (next.year === year && next.week === n + 1) ||
            (next.year === year + 1 && next.week === 1 && n >= 52),
          `${week} → ${next.year}-W${next.week}`,
        );
      }),
    );
  });

  it("weeks run 1 to 52 or 53, and a week's Thursday lies in its year", () => {
    fc.assert(
      fc.property(dates, (date) => {
        const { year, week } = parse(isoWeek(date));
        assert.ok(week >= 1 && week <= 53);
        const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
        const thursday = new Date(
          midnight + (3 - ((new Date(midnight).getUTCDay() + 6) % 7)) * DAY,
        );
        assert.equal(thursday.getUTCFullYear(), year);
      }),
    );
  });

  it('knows the year boundaries', () => {
    assert.equal(isoWeek(new Date('2024-12-30T00:00:00Z')), '2025-W01');
    assert.equal(isoWeek(new Date('2027-01-01T23:59:59Z')), '2026-W53');
    assert.equal(isoWeek(new Date('2026-03-02T06:00:00Z')), '2026-W10');
    assert.throws(() => isoWeek(new Date('nope')), /the date is invalid/);
  });

  it('INGOT_BUILD_EPOCH overrides images.buildEpoch; unset or empty leaves it', () => {
    assert.equal(buildEpoch('2026-W09', { [BUILD_EPOCH_ENV]: '2026-W10' }), '2026-W10');
    assert.equal(buildEpoch('2026-W09', { [BUILD_EPOCH_ENV]: '' }), '2026-W09');
    assert.equal(buildEpoch(undefined, {}), undefined);
  });

  it('`ingot images epoch --date` prints the week, and refuses a malformed date', async () => {
    const ok = await runIngot(['images', 'epoch', '--date', '2027-01-01'], { env: {} });
    assert.equal(ok.stdout.trim(), '2026-W53');
    const bad = await runIngot(['images', 'epoch', '--date', '01/02/2027'], { env: {} });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--date is "01\/02\/2027"; give a date as YYYY-MM-DD/);
  });
});
