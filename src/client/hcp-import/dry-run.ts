import { ValidationError } from '../../registry/errors';
import { checkImportedVersion } from '../../registry/service/limits';
import type { RegistryClient, Version } from '../registry-client';
import { channelVerdict, versionVerdict } from './compare';
import type { ImportPlan, VersionStep } from './plan';
import { emptySummaries, type BucketSummary, type ImportResult } from './run';

interface PlannedBuild {
  platform: string;
  component_type: string;
  metadata: unknown;
  artifacts: unknown[];
}

/** The registry's refusal of a version over its size limits (as this Ingot has them), if any. */
function overLimits(bucket: string, step: VersionStep): string | undefined {
  const { builds } = step.body as { builds: PlannedBuild[] };
  try {
    checkImportedVersion(
      bucket,
      step.fingerprint,
      builds.map((b) => ({ ...b, componentType: b.component_type })),
    );
    return undefined;
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
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
      const refused = overLimits(b.name, step);
      const [verdict, why] = refused
        ? (['conflict', refused] as const)
        : versionVerdict(step, versions.get(step.fingerprint));
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
