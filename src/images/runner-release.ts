/**
 * The GitHub Actions runner's release rules, and its releases as the GitHub REST API
 * returns them (`GET /repos/actions/runner/releases/latest`, docs.github.com/rest/releases).
 * GitHub refuses to register runners below a minimum version, and a runner registered
 * with `--disableupdate` (as the fleet's are) must be replaced by one of a new release
 * within 30 days of that release's publication, or it stops getting jobs
 * (docs.github.com: "Updating self-hosted runners").
 */
export const RUNNER_MINIMUM_VERSION = '2.329.0';
export const RUNNER_UPDATE_WINDOW_DAYS = 30;

/** Runner packages the templates install, by the platform name of the release assets. */
export const RUNNER_PLATFORMS = ['linux-x64', 'linux-arm64', 'osx-arm64', 'win-x64'] as const;
export type RunnerPlatform = (typeof RUNNER_PLATFORMS)[number];

export interface RunnerRelease {
  version: string;
  publishedAt: string;
  /** SHA-256 per platform, for the platforms the release lists one for. */
  sha256: Partial<Record<RunnerPlatform, string>>;
}

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b` (x.y.z). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The package name of a runner release asset, e.g. `actions-runner-linux-x64-2.330.0.tar.gz`. */
export function runnerPackage(platform: RunnerPlatform, version: string): string {
  return `actions-runner-${platform}-${version}.${platform.startsWith('win') ? 'zip' : 'tar.gz'}`;
}

interface ReleaseJson {
  tag_name?: unknown;
  published_at?: unknown;
  draft?: unknown;
  prerelease?: unknown;
  body?: unknown;
  assets?: { name?: unknown; digest?: unknown }[];
}

/**
 * Version, publication time and checksums of a release response. A checksum comes from
 * the asset's `digest` (`sha256:<hex>`, which GitHub computes for every asset) or else
 * from the release notes' `<!-- BEGIN SHA linux-x64 -->…<!-- END SHA linux-x64 -->`
 * markers (actions/runner's releaseNote.md). Throws, saying what is wrong, on anything
 * else than a published release.
 */
export function parseRunnerRelease(json: unknown): RunnerRelease {
  const r = (json ?? {}) as ReleaseJson;
  const tag = typeof r.tag_name === 'string' ? r.tag_name : '';
  const version = tag.replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(
      `the release's tag_name is ${JSON.stringify(r.tag_name ?? null)}, not a runner version such as v2.330.0.`,
    );
  if (r.draft === true || r.prerelease === true)
    throw new Error(`release ${tag} is a draft or a pre-release; pin published releases only.`);
  if (typeof r.published_at !== 'string' || Number.isNaN(Date.parse(r.published_at)))
    throw new Error(`release ${tag} has no published_at time.`);
  const body = typeof r.body === 'string' ? r.body : '';
  const sha256: RunnerRelease['sha256'] = {};
  for (const platform of RUNNER_PLATFORMS) {
    const name = runnerPackage(platform, version);
    const digest = r.assets?.find((a) => a.name === name)?.digest;
    const fromDigest =
      typeof digest === 'string' ? /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1] : undefined;
    const fromBody = new RegExp(
      `<!-- BEGIN SHA ${platform} -->([0-9a-f]{64})<!-- END SHA ${platform} -->`,
    ).exec(body)?.[1];
    if (fromDigest && fromBody && fromDigest !== fromBody)
      throw new Error(
        `release ${tag} lists two checksums for ${name} (asset digest ${fromDigest}, release notes ${fromBody}); refusing to pick one.`,
      );
    const value = fromDigest ?? fromBody;
    if (value) sha256[platform] = value;
  }
  return { version, publishedAt: r.published_at, sha256 };
}

/**
 * Whether a runner version still gets jobs: it must not be below the minimum, and no
 * newer release may have been published more than the update window ago.
 */
export function runnerVersionStatus(
  version: string,
  releases: { version: string; publishedAt: string }[],
  now: Date,
  minimum = RUNNER_MINIMUM_VERSION,
): { ok: boolean; reason?: string; deadline?: string } {
  if (compareVersions(version, minimum) < 0)
    return {
      ok: false,
      reason: `runner ${version} is below the minimum ${minimum} GitHub registers`,
    };
  const newer = releases
    .filter((r) => compareVersions(r.version, version) > 0)
    .sort((a, b) => Date.parse(a.publishedAt) - Date.parse(b.publishedAt))[0];
  if (!newer) return { ok: true };
  const deadline = new Date(Date.parse(newer.publishedAt) + RUNNER_UPDATE_WINDOW_DAYS * 86_400_000);
  if (now.getTime() > deadline.getTime())
    return {
      ok: false,
      reason: `runner ${version} is older than the ${RUNNER_UPDATE_WINDOW_DAYS}-day window: ${newer.version} was published ${newer.publishedAt.slice(0, 10)}, so runners with --disableupdate stopped getting jobs on ${deadline.toISOString().slice(0, 10)}`,
      deadline: deadline.toISOString(),
    };
  return { ok: true, deadline: deadline.toISOString() };
}
