import type { ChannelAssignment, RegistryClient, Version } from '../registry-client';
import type { ChannelStep, ImportPlan, VersionStep } from './plan';
import { emptySummaries, type BucketSummary, type ImportResult } from './run';

type Verdict = 'created' | 'updated' | 'unchanged' | 'conflict';

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
function versionVerdict(step: VersionStep, here: Version | undefined): [Verdict, string?] {
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
function channelVerdict(
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

/**
 * What `runImport` would do, from reads of the target alone: nothing is written. Records
 * that differ in ways only the registry can judge in full are counted as updates.
 */
export async function dryRunImport(
  target: RegistryClient,
  plan: ImportPlan,
): Promise<ImportResult> {
  const summaries = emptySummaries(plan);
  const problems: ImportResult['problems'] = [];
  const existing = new Set((await target.listBuckets()).map((b) => b.name));
  for (const b of plan.buckets) {
    const summary = summaries.get(b.name) as BucketSummary;
    const there = existing.has(b.name);
    summary.bucketOutcome = there ? 'unchanged' : 'created';
    const versions = new Map<string, Version>(
      there ? (await target.listVersions(b.name)).map((v) => [v.fingerprint, v]) : [],
    );
    for (const step of plan.versions.filter((v) => v.bucket === b.name)) {
      const [verdict, why] = versionVerdict(step, versions.get(step.fingerprint));
      summary.versions[verdict]++;
      if (why) problems.push({ bucket: b.name, item: `version ${step.fingerprint}`, message: why });
    }
    const channels = new Set(there ? (await target.listChannels(b.name)).map((c) => c.name) : []);
    for (const step of plan.channels.filter((c) => c.bucket === b.name)) {
      const history = channels.has(step.channel)
        ? await target.channelHistory(b.name, step.channel)
        : undefined;
      const [verdict, why] = channelVerdict(step, history);
      summary.channels[verdict]++;
      if (why) problems.push({ bucket: b.name, item: `channel ${step.channel}`, message: why });
    }
  }
  return { buckets: [...summaries.values()], problems };
}
