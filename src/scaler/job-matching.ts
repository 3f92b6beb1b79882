import type { ScalerTarget } from './scaler-config';

/**
 * Whether a runner with `runnerLabels` can take a job that `runs-on` `jobLabels`: every
 * job label must be one of the runner's, compared case-insensitively, as GitHub
 * assigns jobs (and as terraform-aws-github-runner's `canRunJob` with `exactMatch`
 * does, lambdas/functions/webhook/src/runners/labels.ts). A job without labels never
 * matches a self-hosted pool.
 */
export function canRunJob(jobLabels: readonly string[], runnerLabels: readonly string[]): boolean {
  if (jobLabels.length === 0) return false;
  const have = new Set(runnerLabels.map((l) => l.toLowerCase()));
  return jobLabels.every((label) => have.has(label.toLowerCase()));
}

/**
 * The target that serves a queued job, or `undefined` when no pool's labels cover the
 * job's. Among matches: the most specific pool (fewest labels the job did not ask
 * for: `[self-hosted, ubuntu]` goes to the smallest declared pool rather than to the
 * largest), then the region with the most room (`headroom`: max minus what it already
 * has to serve), then the order of the configuration. Deterministic for a given state.
 */
export function chooseTarget(
  jobLabels: readonly string[],
  targets: readonly ScalerTarget[],
  headroom: (target: ScalerTarget) => number,
): ScalerTarget | undefined {
  let best: { target: ScalerTarget; extra: number; room: number } | undefined;
  for (const target of targets) {
    if (!canRunJob(jobLabels, target.labels)) continue;
    // The region label is not counted: every region of a pool is equally specific.
    const extra = target.labels.length - 1 - jobLabels.length;
    const room = headroom(target);
    const better =
      !best ||
      extra < best.extra ||
      (extra === best.extra && target.pool === best.target.pool && room > best.room);
    if (better) best = { target, extra, room };
  }
  return best?.target;
}

/**
 * The targets `chooseTarget` picks among once specificity has spoken: the matches of the
 * most specific pool (its regions). Only when there are several does room matter, so
 * the caller counts queued jobs for these alone, and usually not at all.
 */
export function closestTargets(
  jobLabels: readonly string[],
  targets: readonly ScalerTarget[],
): ScalerTarget[] {
  let best: ScalerTarget[] = [];
  let bestExtra = Infinity;
  for (const target of targets) {
    if (!canRunJob(jobLabels, target.labels)) continue;
    const extra = target.labels.length - 1 - jobLabels.length;
    if (extra < bestExtra) {
      best = [target];
      bestExtra = extra;
    } else if (extra === bestExtra && target.pool === best[0].pool) best.push(target);
  }
  return best;
}
