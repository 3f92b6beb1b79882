import { execFileSync } from 'node:child_process';

/**
 * The commit a golden image is built from, for its `git_commit` label and the version
 * it records inside the image — never for the fingerprint or the rebuild decision, which
 * depend on file contents and the build epoch only. The checkout's own commit
 * (`GITHUB_SHA` in Actions, else `git rev-parse HEAD`), which a depth-1 clone has too:
 * no history is read. 12 characters, `+dirty` when the template or its scripts have
 * uncommitted changes; `uncommitted` outside a git checkout.
 */
export function checkoutCommit(
  root: string,
  paths: string[],
  env: Record<string, string | undefined> = process.env,
): string {
  const git = (args: string[]) =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  let commit = env.GITHUB_SHA ?? '';
  if (!commit) {
    try {
      commit = git(['rev-parse', 'HEAD']);
    } catch {
      return 'uncommitted';
    }
  }
  let dirty = false;
  try {
    dirty = git(['status', '--porcelain', '--', ...paths]) !== '';
  } catch {
    dirty = false;
  }
  return `${commit.slice(0, 12)}${dirty ? '+dirty' : ''}`;
}
