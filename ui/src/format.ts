import type { AncestryStatus, VersionStatus } from './api/types';

// The user's locale and time zone, named: registry times are instants seen from anywhere.
const TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

export function formatTime(iso: string): string {
  return TIME.format(new Date(iso));
}

const VERSION_STATUS: Record<VersionStatus, string> = {
  VERSION_ACTIVE: 'active',
  VERSION_REVOKED: 'revoked',
  VERSION_REVOCATION_SCHEDULED: 'revocation scheduled',
  VERSION_RUNNING: 'building',
  VERSION_CANCELLED: 'cancelled',
  VERSION_FAILED: 'failed',
  VERSION_INCOMPLETE: 'incomplete',
};

export function versionStatusText(status: VersionStatus): string {
  return VERSION_STATUS[status] ?? status;
}

const ANCESTRY_STATUS: Record<AncestryStatus, string> = {
  UP_TO_DATE: 'up to date',
  OUT_OF_DATE: 'out of date',
  UNDETERMINED: 'undetermined',
};

export function ancestryStatusText(status: AncestryStatus): string {
  return ANCESTRY_STATUS[status] ?? status;
}

export function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}
