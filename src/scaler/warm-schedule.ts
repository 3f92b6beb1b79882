import { isObject, show } from '../config/problems';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];

/** When a pool keeps idle runners: days of the week and an hour range in a time zone. */
export interface WarmSchedule {
  days: Day[];
  /** Minutes after midnight, inclusive. */
  from: number;
  /** Minutes after midnight, exclusive. */
  to: number;
  /** IANA time zone. @default "UTC" */
  timeZone: string;
}

function minutes(value: unknown, key: string): number {
  const match = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value) : null;
  const total = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!match || Number(match[1]) > 24 || Number(match[2]) > 59 || total > 1440)
    throw new Error(`${key} must be a time like "08:00" (24:00 for midnight); got ${show(value)}.`);
  return total;
}

/**
 * Reads `{"days": ["mon", …], "from": "08:00", "to": "18:00", "timeZone": "Europe/Berlin"}`;
 * throws a message naming the field and the fix.
 */
export function parseSchedule(raw: unknown): WarmSchedule {
  if (!isObject(raw))
    throw new Error(
      `must be a map like {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "08:00", "to": "18:00", "timeZone": "UTC"}; got ${show(raw)}.`,
    );
  const days = raw.days ?? ['mon', 'tue', 'wed', 'thu', 'fri'];
  if (!Array.isArray(days) || days.length === 0 || days.some((d) => !DAYS.includes(d as Day)))
    throw new Error(`days must list some of ${DAYS.join(', ')}; got ${show(raw.days)}.`);
  const from = minutes(raw.from, 'from');
  const to = minutes(raw.to, 'to');
  if (from >= to) throw new Error(`from (${raw.from}) must be before to (${raw.to}).`);
  const timeZone = typeof raw.timeZone === 'string' ? raw.timeZone : 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`timeZone "${timeZone}" is not an IANA time zone such as "Europe/Berlin".`);
  }
  return { days: days as Day[], from, to, timeZone };
}

/** Whether `schedule` (absent: always) is in force at `now`. */
export function scheduleActive(schedule: WarmSchedule | undefined, now: Date): boolean {
  if (!schedule) return true;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: schedule.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as Day;
  const minute = Number(get('hour')) * 60 + Number(get('minute'));
  return schedule.days.includes(day) && minute >= schedule.from && minute < schedule.to;
}
