/**
 * The build epoch: an opaque value hashed into every image, so a new value rebuilds every
 * template for the week's patches even when no file changed. The scheduled images
 * workflow sets it to the ISO 8601 week of the run (`2026-W10`) through
 * `INGOT_BUILD_EPOCH`; a rerun in the same week builds nothing new.
 */

/** The environment variable that overrides `images.buildEpoch` (set by the scheduled run). */
export const BUILD_EPOCH_ENV = 'INGOT_BUILD_EPOCH';

const DAY_MS = 86_400_000;

/**
 * The ISO 8601 week of a UTC date as `YYYY-Www`: weeks start on Monday, and week 1 is the
 * week with the year's first Thursday, so the year is the one its Thursday falls in
 * (2024-12-30 is `2025-W01`, 2027-01-01 is `2026-W53`). GNU `date -u +%G-W%V` agrees.
 */
export function isoWeek(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new Error('isoWeek: the date is invalid.');
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${String(year).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

/** `INGOT_BUILD_EPOCH` when set (non-empty), else the stack's `images.buildEpoch`. */
export function buildEpoch(
  configured: unknown,
  env: Record<string, string | undefined> = process.env,
): unknown {
  const fromEnv = env[BUILD_EPOCH_ENV];
  return fromEnv ? fromEnv : configured;
}
