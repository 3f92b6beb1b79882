import { ValidationError } from './errors';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+)(ms|s|m|h|d|w)$/;

/** The accepted duration format, for error messages and schemas. */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h|d|w)$';

/**
 * Parses `30d`, `12h`, `15m`, `0s`... into milliseconds. Compound forms (`1h30m`) are
 * refused on purpose: HCP's `revoke_in` takes one number and one unit.
 */
export function parseDuration(field: string, text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new ValidationError(
      field,
      `${field} "${text}" is not a duration; use a whole number and one unit of ms, s, m, h, d or w, e.g. "30d", "12h" or "0s".`,
    );
  }
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  if (!Number.isSafeInteger(ms)) {
    throw new ValidationError(field, `${field} "${text}" is too long a duration.`);
  }
  return ms;
}

/** Formats milliseconds the way `parseDuration` reads them, in the largest exact unit. */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return ms === 0 ? '0s' : `${ms}ms`;
}
