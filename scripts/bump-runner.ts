/**
 * `npm run images:bump-runner`: pins the latest actions/runner release in every template
 * (runner_version and the SHA-256 of each package, see src/images/runner-bump.ts), from
 * the GitHub REST API (`GET /repos/actions/runner/releases/latest`; GITHUB_TOKEN is used
 * when set) or, offline, from a saved response (`--release-file FILE`). Prints what
 * changed; with `--github-output FILE` also writes `changed`, `version` and `from` for a
 * workflow step. Exits 1, changing nothing, when the release lacks a checksum.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bumpRunner } from '../src/images/runner-bump';
import { parseRunnerRelease } from '../src/images/runner-release';

async function main(argv: string[]): Promise<void> {
  const flag = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = path.resolve(flag('--root') ?? path.join(__dirname, '..'));
  const file = flag('--release-file');
  let json: unknown;
  if (file) json = JSON.parse(fs.readFileSync(file, 'utf8'));
  else {
    const api = (process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, '');
    const response = await fetch(`${api}/repos/actions/runner/releases/latest`, {
      headers: {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        ...(process.env.GITHUB_TOKEN
          ? { authorization: `Bearer ${process.env.GITHUB_TOKEN}` }
          : {}),
      },
    });
    if (!response.ok)
      throw new Error(
        `GitHub answered ${response.status} for the latest actions/runner release; set GITHUB_TOKEN if rate limited.`,
      );
    json = await response.json();
  }
  const release = parseRunnerRelease(json);
  const result = bumpRunner(root, release);
  const from = [...new Set(result.changed.map((c) => c.from))].join(', ');
  console.log(
    result.changed.length
      ? `runner ${from} → ${result.to} in ${result.changed.map((c) => c.file).join(', ')}`
      : `every template already pins runner ${result.to}`,
  );
  const output = flag('--github-output');
  if (output)
    fs.appendFileSync(
      output,
      `changed=${result.changed.length > 0}\nversion=${result.to}\nfrom=${from}\n`,
    );
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`bump-runner: ${error.message}`);
  process.exit(1);
});
