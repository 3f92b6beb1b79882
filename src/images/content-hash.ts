import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The content hash of a golden image: what Packer reads (the template directory and the
 * shared scripts it uses, by content and relative path), the variables it is given and
 * the sources it builds. Computed at program time, deterministic: the same files and
 * variables give the same hash on any machine, in any checkout directory, in any order.
 * It is the Command's trigger (an unchanged template is not rebuilt) and the version
 * fingerprint; git history plays no part.
 */

/** A Packer variable value as `-var` passes it: strings, numbers, booleans, lists, maps. */
export type TemplateVariable =
  string | number | boolean | TemplateVariable[] | { [key: string]: TemplateVariable };

export interface FileDigest {
  /** Path relative to the hashing root, with `/` separators. */
  path: string;
  sha256: string;
}

export interface ContentHashInput {
  files: FileDigest[];
  variables: Record<string, TemplateVariable>;
  sources: string[];
}

/** What Packer or people leave in a template directory that is not part of the template. */
const IGNORED = [
  /(^|\/)packer-manifest\.json$/,
  /(^|\/)packer_cache(\/|$)/,
  /(^|\/)\.packer\.d(\/|$)/,
  /(^|\/)crash\.log$/,
  /\.log$/,
  /(^|\/)\.DS_Store$/,
  /(^|\/)\.terraform(\/|$)/,
];

function ignored(relative: string): boolean {
  return IGNORED.some((pattern) => pattern.test(relative));
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Every file under `target` (a file or a directory), as paths relative to `root`. */
function listFiles(root: string, target: string): string[] {
  const absolute = path.resolve(root, target);
  const stat = fs.statSync(absolute, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${target} does not exist (resolved against ${root}).`);
  if (stat.isFile()) return [toPosix(path.relative(root, absolute))];
  const found: string[] = [];
  for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
    const child = path.join(absolute, entry.name);
    const relative = toPosix(path.relative(root, child));
    if (ignored(relative)) continue;
    if (entry.isDirectory()) found.push(...listFiles(root, child));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}

/** SHA-256 of every file under `targets`, relative to `root`, sorted by path, without duplicates. */
export function digestFiles(root: string, targets: string[]): FileDigest[] {
  const paths = [...new Set(targets.flatMap((t) => listFiles(root, t)))].sort();
  return paths.map((relative) => ({
    path: relative,
    sha256: crypto
      .createHash('sha256')
      .update(fs.readFileSync(path.join(root, relative)))
      .digest('hex'),
  }));
}

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash itself (hex SHA-256). Files are keyed by path (order-free), sources are a set;
 * list variables keep their order (the first region is where an AMI is built).
 */
export function contentHash(input: ContentHashInput): string {
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const document = canonicalJson({
    version: 1,
    files: files.map((f) => [f.path, f.sha256]),
    variables: input.variables,
    sources: [...new Set(input.sources)].sort(),
  });
  return crypto.createHash('sha256').update(document).digest('hex');
}

/**
 * The version fingerprint: the content hash alone (its first 32 hex digits). Never the
 * commit: a commit elsewhere, or a shallow clone, must not make a new version of
 * unchanged files; a new week does, through the build epoch in the variables.
 */
export function versionFingerprint(hash: string): string {
  return hash.slice(0, 32);
}
