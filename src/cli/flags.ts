import { InvalidArgumentError } from 'commander';

/**
 * Flag parsers for commander's `.argParser`. Commander names the flag in front of the
 * message (`option '--soak <duration>' argument '1 day' is invalid.`), so the messages
 * here say what would be valid.
 */

const DURATION = /^\d+(ms|s|m|h|d|w)$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const LABEL_KEY = /^[^\s=]{1,255}$/;

/** A duration the registry accepts: a whole number and one unit (`24h`, `30d`, `0s`). */
export function duration(value: string): string {
  if (!DURATION.test(value.trim())) {
    throw new InvalidArgumentError(
      'use a whole number and one unit of ms, s, m, h, d or w, e.g. 24h, 30d or 0s.',
    );
  }
  return value.trim();
}

/** An RFC 3339 time with a zone (`2026-04-01T09:00:00Z`), normalised to UTC. */
export function rfc3339(value: string): string {
  const ms = Date.parse(value.trim());
  if (!RFC3339.test(value.trim()) || Number.isNaN(ms)) {
    throw new InvalidArgumentError(
      'use an RFC 3339 time with a zone, e.g. 2026-04-01T09:00:00Z or 2026-04-01T11:00:00+02:00.',
    );
  }
  return new Date(ms).toISOString();
}

/** Collects repeated `--label key=value` flags into one object. */
export function label(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const at = value.indexOf('=');
  const key = at < 0 ? '' : value.slice(0, at).trim();
  if (at < 0 || !LABEL_KEY.test(key)) {
    throw new InvalidArgumentError(
      'use key=value with a non-empty key of up to 255 characters, e.g. --label os_version=24.04.',
    );
  }
  if (key in previous) throw new InvalidArgumentError(`label "${key}" is given twice.`);
  const text = value.slice(at + 1);
  if (text.length > 255) throw new InvalidArgumentError(`label "${key}" is longer than 255.`);
  return { ...previous, [key]: text };
}
