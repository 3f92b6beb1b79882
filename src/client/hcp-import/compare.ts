import type { ChannelAssignment, Version } from '../registry-client';
import type { ChannelStep, VersionStep } from './plan';

/** How a planned record compares with what the target holds (reads only). */

export type Verdict = 'created' | 'updated' | 'unchanged' | 'conflict';

const iso = (t: string | undefined | null) => (t ? new Date(t).toISOString() : '');
const images = (builds: { artifacts: { region: string; external_identifier: string }[] }[]) =>
  builds
    .flatMap((b) => b.artifacts.map((a) => `${a.region} ${a.external_identifier}`))
    .sort()
    .join('\n');

interface PlannedBuild {
  artifacts: { region: string; external_identifier: string }[];
}

/** What importing this version would do to the one already there. */
export function versionVerdict(step: VersionStep, here: Version | undefined): [Verdict, string?] {
  if (!here) return ['created'];
  const body = step.body as {
    name: string;
    builds: PlannedBuild[];
    revocation?: { revoke_at: string };
  };
  const complete = here.name && here.name !== 'v0';
  const sameImages = images(here.builds) === images(body.builds);
  const revokeAt = body.revocation ? iso(body.revocation.revoke_at) : '';
  if (!complete) return ['updated'];
  if (here.name !== body.name || !sameImages)
    return ['conflict', `version ${step.fingerprint} is ${here.name} here with other builds`];
  if (here.revoke_at && !revokeAt)
    return ['conflict', `version ${step.fingerprint} is revoked here and not there`];
  if (iso(here.revoke_at) !== revokeAt)
    return here.revoke_at
      ? ['conflict', `version ${step.fingerprint} is revoked differently here`]
      : ['updated'];
  return ['unchanged'];
}

/** What importing this channel would do: append to its history, or refuse a diverged one. */
export function channelVerdict(
  step: ChannelStep,
  history: ChannelAssignment[] | undefined,
): [Verdict, string?] {
  if (!history) return ['created'];
  const planned = (
    step.body as { history: { version_fingerprint: string | null; assigned_at: string }[] }
  ).history;
  const here = [...history].reverse();
  const diverged = here.some(
    (h, i) =>
      !planned[i] ||
      (h.version?.fingerprint ?? null) !== planned[i].version_fingerprint ||
      iso(h.assigned_at) !== iso(planned[i].assigned_at),
  );
  if (diverged) return ['conflict', `channel ${step.channel} was assigned here since`];
  return [here.length === planned.length ? 'unchanged' : 'updated'];
}
