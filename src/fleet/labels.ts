import type { Arch, Os, Size } from './sizes';

/** What a runner's labels are computed from. */
export interface RunnerLabelInput {
  os: Os;
  arch: Arch;
  size: Size;
  /** `dev`, `staging`, `prod`… */
  environment: string;
  /** Omit for the labels every region of a pool shares. */
  region?: string;
  /** The stack's extra labels (`ingot-fleet:github.labels`). */
  extra?: readonly string[];
}

/**
 * A GitHub runner label as `config.sh --labels` takes it (a comma-separated list): no
 * commas, spaces or quotes.
 */
export const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The labels a runner registers with, in a fixed order:
 * `self-hosted, <os>, <arch>, <size>, <environment>, <region>`, then the extra labels.
 * Duplicates (compared case-insensitively, as GitHub does) are dropped.
 */
export function runnerLabels(input: RunnerLabelInput): string[] {
  const base = ['self-hosted', input.os, input.arch, input.size, input.environment];
  if (input.region) base.push(input.region);
  const seen = new Set<string>();
  const labels: string[] = [];
  for (const label of [...base, ...(input.extra ?? [])]) {
    const key = label.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    labels.push(label);
  }
  return labels;
}
