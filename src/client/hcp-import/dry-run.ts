import type { RegistryClient, Version } from '../registry-client';
import { channelVerdict, versionVerdict } from './compare';
import type { ImportPlan } from './plan';
import { emptySummaries, type BucketSummary, type ImportResult } from './run';

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
