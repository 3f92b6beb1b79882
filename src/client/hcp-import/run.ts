import { asRegistryError } from '../errors';
import type { ImportOutcome, RegistryClient, Version } from '../registry-client';
import { versionVerdict } from './compare';
import type { ImportPlan } from './plan';

/** What one bucket's import did (or, in a dry run, would do). */
export interface BucketSummary {
  bucket: string;
  bucketOutcome: ImportOutcome | 'conflict';
  versions: Record<ImportOutcome | 'conflict', number>;
  channels: Record<ImportOutcome | 'conflict', number>;
  assignments: number;
  revoked: number;
  parentLinks: number;
}

export interface ImportProblem {
  bucket: string;
  /** `version fp`, `channel dev`, `bucket`. */
  item: string;
  message: string;
}

export interface ImportResult {
  buckets: BucketSummary[];
  problems: ImportProblem[];
}

export interface ImportProgress {
  (event: { done: number; total: number; item: string }): void;
}

const counts = () => ({ created: 0, updated: 0, unchanged: 0, conflict: 0 });

/** Reasons that concern one record: reported, and the import goes on with the others. */
const RECORD_PROBLEMS = ['IMPORT_CONFLICT', 'IMPORT_REFERENCE_MISSING', 'INVALID_ARGUMENT'];

export function emptySummaries(plan: ImportPlan): Map<string, BucketSummary> {
  return new Map(
    plan.buckets.map((b) => [
      b.name,
      {
        bucket: b.name,
        bucketOutcome: 'unchanged' as const,
        versions: counts(),
        channels: counts(),
        assignments: plan.channels
          .filter((c) => c.bucket === b.name)
          .reduce((n, c) => n + c.assignments, 0),
        revoked: plan.versions.filter((v) => v.bucket === b.name && v.revoked).length,
        parentLinks: plan.versions
          .filter((v) => v.bucket === b.name)
          .reduce((n, v) => n + v.parentLinks, 0),
      },
    ]),
  );
}

/**
 * Writes the plan to an Ingot registry, one idempotent call per record, in plan order.
 * A record the registry refuses (it changed here, or what it names was refused) is
 * reported and skipped; anything else (the registry unreachable, credentials) stops the
 * import, which is resumed by running it again: what is there already is left alone.
 */
export async function runImport(
  target: RegistryClient,
  plan: ImportPlan,
  progress: ImportProgress = () => undefined,
): Promise<ImportResult> {
  const summaries = emptySummaries(plan);
  const problems: ImportProblem[] = [];
  const total = plan.buckets.length + plan.versions.length + plan.channels.length;
  let done = 0;
  const step = async (bucket: string, item: string, path: string, body: unknown) => {
    try {
      const { outcome } = await target.importRecord(
        path,
        body,
        `import ${item} of bucket "${bucket}"`,
      );
      return outcome;
    } catch (error) {
      const known = asRegistryError(error);
      if (!known || !RECORD_PROBLEMS.includes(known.reason)) throw error;
      problems.push({ bucket, item, message: known.detail.registryMessage ?? known.message });
      return 'conflict' as const;
    } finally {
      progress({ done: ++done, total, item: `${bucket} ${item}` });
    }
  };
  const enc = encodeURIComponent;
  const refused = new Set<string>();
  for (const b of plan.buckets) {
    const summary = summaries.get(b.name) as BucketSummary;
    summary.bucketOutcome = await step(b.name, 'bucket', `buckets/${enc(b.name)}`, b.body);
    if (summary.bucketOutcome === 'conflict') refused.add(b.name);
  }
  // What lives in a refused bucket is not tried: its one problem says why.
  const skipped = (bucket: string) => {
    if (!refused.has(bucket)) return false;
    progress({ done: ++done, total, item: `${bucket} (skipped)` });
    return true;
  };
  // What is there already and the same needs no call (a resumed or repeated import).
  const here = new Map<string, Version>();
  for (const b of plan.buckets) {
    if (refused.has(b.name) || (summaries.get(b.name) as BucketSummary).bucketOutcome === 'created')
      continue;
    for (const v of await target.listVersions(b.name)) here.set(`${b.name}/${v.fingerprint}`, v);
  }
  for (const v of plan.versions) {
    if (skipped(v.bucket)) continue;
    const there = here.get(`${v.bucket}/${v.fingerprint}`);
    if (there && versionVerdict(v, there)[0] === 'unchanged') {
      (summaries.get(v.bucket) as BucketSummary).versions.unchanged++;
      progress({ done: ++done, total, item: `${v.bucket} version ${v.fingerprint}` });
      continue;
    }
    const outcome = await step(
      v.bucket,
      `version ${v.fingerprint}`,
      `buckets/${enc(v.bucket)}/versions/${enc(v.fingerprint)}`,
      v.body,
    );
    (summaries.get(v.bucket) as BucketSummary).versions[outcome]++;
  }
  for (const c of plan.channels) {
    if (skipped(c.bucket)) continue;
    const outcome = await step(
      c.bucket,
      `channel ${c.channel}`,
      `buckets/${enc(c.bucket)}/channels/${enc(c.channel)}`,
      c.body,
    );
    (summaries.get(c.bucket) as BucketSummary).channels[outcome]++;
  }
  return { buckets: [...summaries.values()], problems };
}
