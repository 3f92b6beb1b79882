import { execFileSync } from 'node:child_process';

/**
 * The commit a golden image is built from: the last commit that touched the template
 * and its scripts (not HEAD, so commits elsewhere in the repository do not rebuild
 * images), abbreviated to 12 characters, with `+dirty` when those files have uncommitted
 * changes. `uncommitted` outside a git checkout or for files never committed.
 */
export function lastCommit(root: string, paths: string[]): string {
  const git = (args: string[]) =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  let commit: string;
  try {
    commit = git(['log', '-1', '--format=%H', '--', ...paths]);
  } catch {
    return 'uncommitted';
  }
  if (!commit) return 'uncommitted';
  let dirty = false;
  try {
    dirty = git(['status', '--porcelain', '--', ...paths]) !== '';
  } catch {
    dirty = false;
  }
  return `${commit.slice(0, 12)}${dirty ? '+dirty' : ''}`;
}
