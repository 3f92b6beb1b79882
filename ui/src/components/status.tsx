import type { AncestryStatus, Version } from '../api/types';
import { ancestryStatusText, formatTime, versionStatusText } from '../format';

const VERSION_TONE: Record<string, string> = {
  VERSION_ACTIVE: 'good',
  VERSION_REVOKED: 'bad',
  VERSION_REVOCATION_SCHEDULED: 'warn',
};

/** A version's status in words (never by colour alone), with a scheduled revocation's time. */
export function VersionStatusBadge({ version }: { version: Version }) {
  return (
    <>
      <span class={`badge ${VERSION_TONE[version.status] ?? 'neutral'}`}>
        {versionStatusText(version.status)}
      </span>
      {version.status === 'VERSION_REVOCATION_SCHEDULED' && version.revoke_at && (
        <span class="small"> for {formatTime(version.revoke_at)}</span>
      )}
    </>
  );
}

const ANCESTRY_TONE: Record<AncestryStatus, string> = {
  UP_TO_DATE: 'good',
  OUT_OF_DATE: 'warn',
  UNDETERMINED: 'neutral',
};

export function AncestryBadge({ status }: { status?: AncestryStatus }) {
  if (!status) return <span class="muted">none</span>;
  return <span class={`badge ${ANCESTRY_TONE[status]}`}>{ancestryStatusText(status)}</span>;
}
