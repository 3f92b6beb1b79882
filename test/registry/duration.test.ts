import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../src/registry/duration';
import { ValidationError } from '../../src/registry/errors';

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
type Unit = keyof typeof UNITS;
const unit = fc.constantFrom(...(Object.keys(UNITS) as Unit[]));
const field = fc.constantFrom('revoke_in', 'soak', 'min_age', 'promotion.hold_for');

/** A duration the format accepts: a whole number and one unit, with a safe product. */
const wellFormed = fc
  .tuple(unit, fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }))
  .map(([u, n]) => ({ unit: u, count: Number(n / BigInt(UNITS[u])) }))
  .map(({ unit: u, count }) => ({ text: `${count}${u}`, ms: count * UNITS[u] }));

function rejects(fieldName: string, text: string): ValidationError {
  let caught: unknown;
  try {
    parseDuration(fieldName, text);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ValidationError, `"${text}" is rejected with a ValidationError`);
  assert.equal(caught.metadata.field, fieldName);
  assert.ok(caught.message.includes(fieldName), `the message names the field: ${caught.message}`);
  return caught;
}

describe('durations', () => {
  it('parses a whole number and one unit into milliseconds', () => {
    fc.assert(
      fc.property(field, wellFormed, (f, { text, ms }) => {
        assert.equal(parseDuration(f, text), ms);
      }),
    );
  });

  it('round-trips: parseDuration(formatDuration(ms)) === ms for every safe millisecond count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (ms) => {
        assert.equal(parseDuration('revoke_in', formatDuration(ms)), ms);
      }),
    );
  });

  it('formats in the largest exact unit, so formatting is canonical', () => {
    fc.assert(
      fc.property(wellFormed, ({ text, ms }) => {
        const formatted = formatDuration(parseDuration('revoke_in', text));
        assert.equal(parseDuration('revoke_in', formatted), ms);
        // Canonical: formatting what was parsed from a formatted duration changes nothing.
        assert.equal(formatDuration(parseDuration('revoke_in', formatted)), formatted);
        const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(formatted);
        assert.ok(match, formatted);
        const [, count, u] = match;
        // No larger unit divides it exactly.
        const larger = (Object.keys(UNITS) as Unit[]).filter(
          (other) => UNITS[other] > UNITS[u as Unit],
        );
        if (ms !== 0) {
          for (const other of larger) assert.notEqual(ms % UNITS[other], 0, `${formatted}`);
          assert.notEqual(count, '0');
        }
      }),
    );
  });

  it('examples', () => {
    assert.equal(parseDuration('revoke_in', '30d'), 30 * 86_400_000);
    assert.equal(parseDuration('revoke_in', '12h'), 12 * 3_600_000);
    assert.equal(parseDuration('revoke_in', '0s'), 0);
    assert.equal(parseDuration('revoke_in', ' 15m '), 900_000);
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(1_209_600_000), '2w');
    assert.equal(formatDuration(1500), '1500ms');
  });

  it('rejects malformed input with a message naming the field', () => {
    for (const text of [
      '',
      ' ',
      '12',
      'h',
      '1h30m',
      '-1s',
      '1.5h',
      '12H',
      '12 h',
      '+3d',
      '1e3s',
      '3 days',
      'P1D',
      '0x10s',
      '١٢h',
    ]) {
      rejects('revoke_in', text);
    }
  });

  it('rejects any text that is not digits followed by exactly one unit', () => {
    const grammar = /^\d+(ms|s|m|h|d|w)$/;
    const noise = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(...'0123456789smhdw.-+ '.split('')) }),
    );
    fc.assert(
      fc.property(field, noise, (f, text) => {
        fc.pre(!grammar.test(text.trim()));
        rejects(f, text);
      }),
    );
  });

  it('rejects durations whose milliseconds are not a safe integer, naming the field', () => {
    fc.assert(
      fc.property(
        field,
        unit,
        fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: 10n ** 30n }),
        (f, u, ms) => {
          const count = ms / BigInt(UNITS[u]) + 1n;
          const error = rejects(f, `${count}${u}`);
          assert.match(error.message, /too long/);
        },
      ),
    );
  });
});
