import fs from 'node:fs';
import path from 'node:path';
import {
  compareVersions,
  runnerPackage,
  type RunnerPlatform,
  type RunnerRelease,
} from './runner-release';

/**
 * Where the templates pin the runner: the `runner_version` default and, per checksum
 * variable, the release platform whose package it verifies. `npm run images:bump-runner`
 * rewrites exactly these defaults.
 */
export const RUNNER_PINS: { file: string; checksums: Record<string, RunnerPlatform> }[] = [
  {
    file: 'packer/runner-ubuntu/variables.pkr.hcl',
    checksums: { runner_sha256_x64: 'linux-x64', runner_sha256_arm64: 'linux-arm64' },
  },
  {
    file: 'packer/runner-macos/variables.pkr.hcl',
    checksums: { runner_sha256_arm64: 'osx-arm64' },
  },
  { file: 'packer/runner-windows/variables.pkr.hcl', checksums: { runner_sha256: 'win-x64' } },
  {
    file: 'packer/local/variables.pkr.hcl',
    checksums: { runner_sha256_x64: 'linux-x64', runner_sha256_arm64: 'linux-arm64' },
  },
];

export interface BumpResult {
  /** Files rewritten (relative to the root), with the version they pinned before. */
  changed: { file: string; from: string }[];
  to: string;
}

/** The text of a variable block, from `variable "name" {` to its closing brace. */
function variableBlock(text: string, name: string): { start: number; end: number } | undefined {
  const start = text.indexOf(`variable "${name}" {`);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return { start, end: i + 1 };
  }
  return undefined;
}

/** Sets (or adds) the `default` of a string variable. */
export function setDefault(text: string, name: string, value: string, file: string): string {
  const block = variableBlock(text, name);
  if (!block) throw new Error(`${file} declares no variable "${name}".`);
  const body = text.slice(block.start, block.end);
  const updated = /\n(\s*)default\s*=\s*"[^"]*"/.test(body)
    ? body.replace(/\n(\s*)default(\s*)=(\s*)"[^"]*"/, `\n$1default$2=$3"${value}"`)
    : body.replace(
        /\n(\s*)description(\s*)= ("(?:[^"\\]|\\.)*")\n/,
        (_match, indent, pad, desc) =>
          `\n${indent}description${pad}= ${desc}\n${indent}default${' '.repeat('description'.length + pad.length - 'default'.length)}= "${value}"\n`,
      );
  return text.slice(0, block.start) + updated + text.slice(block.end);
}

/**
 * Pins `release` in every template: its version and, for each checksum variable, the
 * release's SHA-256 of that platform's package. Refuses (changing nothing) when the
 * release lacks a checksum a template needs, or is older than what a template pins.
 */
export function bumpRunner(root: string, release: RunnerRelease, write = true): BumpResult {
  const missing = RUNNER_PINS.flatMap((p) => Object.values(p.checksums)).filter(
    (platform) => !release.sha256[platform],
  );
  if (missing.length)
    throw new Error(
      `release v${release.version} publishes no SHA-256 for ${[...new Set(missing)].map((p) => runnerPackage(p, release.version)).join(', ')}; nothing was changed.`,
    );
  const edits: { file: string; from: string; text: string }[] = [];
  for (const pin of RUNNER_PINS) {
    const file = path.join(root, pin.file);
    let text = fs.readFileSync(file, 'utf8');
    const block = variableBlock(text, 'runner_version');
    const from = block
      ? (/default\s*=\s*"([^"]*)"/.exec(text.slice(block.start, block.end))?.[1] ?? '')
      : '';
    if (from && /^\d+\.\d+\.\d+$/.test(from) && compareVersions(release.version, from) < 0)
      throw new Error(
        `${pin.file} pins runner ${from}, newer than release v${release.version}; nothing was changed.`,
      );
    text = setDefault(text, 'runner_version', release.version, pin.file);
    for (const [variable, platform] of Object.entries(pin.checksums))
      text = setDefault(text, variable, release.sha256[platform] as string, pin.file);
    edits.push({ file: pin.file, from, text });
  }
  const changed = edits.filter((e) => e.text !== fs.readFileSync(path.join(root, e.file), 'utf8'));
  if (write) for (const e of changed) fs.writeFileSync(path.join(root, e.file), e.text);
  return { changed: changed.map(({ file, from }) => ({ file, from })), to: release.version };
}
