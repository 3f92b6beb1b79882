import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { bumpRunner, RUNNER_PINS } from '../../src/images/runner-bump';
import {
  compareVersions,
  parseRunnerRelease,
  runnerVersionStatus,
  RUNNER_MINIMUM_VERSION,
} from '../../src/images/runner-release';
import { runnerPinProblems } from '../../src/images/pipeline-settings';
import { TS_RUN } from '../helpers/cli';

/**
 * The runner pin kept current, offline: test/fixtures/github/actions-runner-release-latest.json
 * is a `GET /repos/actions/runner/releases/latest` response in the shape of the GitHub
 * REST API docs (docs.github.com/rest/releases/releases#get-the-latest-release: assets
 * with `digest`, the release notes' `<!-- BEGIN SHA … -->` markers of actions/runner's
 * releaseNote.md), with v2.330.0's published checksums for the packages whose checksums
 * are known here (ids and times are illustrative; osx-arm64's is left out, as in a
 * release whose asset has no digest yet).
 */
const ROOT = path.resolve(__dirname, '../..');
const RECORDED = path.join(ROOT, 'test/fixtures/github/actions-runner-release-latest.json');
const recorded = () => JSON.parse(fs.readFileSync(RECORDED, 'utf8'));
const hex = (c: string) => c.repeat(64);

/** The recorded response as a newer release with every package's digest (synthetic values). */
function newer(version = '2.331.0') {
  const json = recorded();
  json.tag_name = `v${version}`;
  json.published_at = '2026-01-20T12:00:00Z';
  json.body = '';
  for (const asset of json.assets) {
    asset.name = asset.name.replace('2.330.0', version);
    asset.digest = `sha256:${hex(asset.name.includes('osx-arm64') ? 'c' : asset.name.includes('win-x64') ? 'd' : asset.name.includes('arm64') ? 'b' : 'a')}`;
  }
  return json;
}

describe('runner releases and the runner pin (npm run images:bump-runner)', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bump-'));
    for (const pin of RUNNER_PINS) {
      fs.mkdirSync(path.dirname(path.join(root, pin.file)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, pin.file), path.join(root, pin.file));
    }
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('orders versions numerically (property)', () => {
    const v = fc.tuple(fc.nat(40), fc.nat(400), fc.nat(40)).map((p) => p.join('.'));
    fc.assert(
      fc.property(v, v, (a, b) => {
        assert.equal(compareVersions(a, b), -compareVersions(b, a));
        assert.equal(compareVersions(a, a), 0);
      }),
    );
    assert.equal(compareVersions('2.330.0', '2.99.0'), 1);
  });

  it('reads version, time and checksums from the recorded release; digests and notes must agree', () => {
    const release = parseRunnerRelease(recorded());
    assert.equal(release.version, '2.330.0');
    assert.equal(
      release.sha256['linux-x64'],
      'af5c33fa94f3cc33b8e97937939136a6b04197e6dadfcfb3b6e33ae1bf41e79a',
    );
    assert.equal(
      release.sha256['win-x64'],
      'a7469e7f2949657327fdd75688fd8858e1352202847d024d68b93de033990779',
    );
    assert.equal(release.sha256['osx-arm64'], undefined);
    const tampered = recorded();
    tampered.assets.find((a: { name: string }) => a.name.includes('linux-x64')).digest =
      `sha256:${hex('e')}`;
    assert.throws(
      () => parseRunnerRelease(tampered),
      /two checksums for actions-runner-linux-x64-2\.330\.0\.tar\.gz/,
    );
    assert.throws(() => parseRunnerRelease({ ...recorded(), prerelease: true }), /pre-release/);
    assert.throws(() => parseRunnerRelease({ tag_name: 'latest' }), /not a runner version/);
  });

  it('refuses a release lacking a checksum a template needs, changing nothing', () => {
    const before = fs.readFileSync(path.join(root, RUNNER_PINS[0].file), 'utf8');
    assert.throws(
      () => bumpRunner(root, parseRunnerRelease(recorded())),
      /publishes no SHA-256 for actions-runner-osx-arm64-2\.330\.0\.tar\.gz; nothing was changed/,
    );
    assert.equal(fs.readFileSync(path.join(root, RUNNER_PINS[0].file), 'utf8'), before);
  });

  it('pins a new release in every template, formatted as packer fmt wants, and is idempotent', () => {
    const release = parseRunnerRelease(newer());
    const result = bumpRunner(root, release);
    assert.deepEqual(
      result.changed.map((c) => c.file).sort(),
      RUNNER_PINS.map((p) => p.file).sort(),
    );
    const ubuntu = fs.readFileSync(
      path.join(root, 'packer/runner-ubuntu/variables.pkr.hcl'),
      'utf8',
    );
    assert.match(ubuntu, /variable "runner_version" \{[^}]*default\s+= "2\.331\.0"/);
    assert.match(
      ubuntu,
      new RegExp(`variable "runner_sha256_arm64" \\{[^}]*default\\s+= "${hex('b')}"`),
    );
    const mac = fs.readFileSync(path.join(root, 'packer/runner-macos/variables.pkr.hcl'), 'utf8');
    assert.match(
      mac,
      new RegExp(`variable "runner_sha256_arm64" \\{[^}]*default\\s+= "${hex('c')}"`),
    );
    for (const pin of RUNNER_PINS) {
      const fmt = spawnSync('packer', ['fmt', '-check', '-diff', path.join(root, pin.file)], {
        encoding: 'utf8',
      });
      assert.equal(fmt.status, 0, `${pin.file}:\n${fmt.stdout}${fmt.stderr}`);
    }
    assert.deepEqual(bumpRunner(root, release).changed, [], 'a second run changes nothing');
    assert.throws(
      () => bumpRunner(root, parseRunnerRelease(newer('2.330.5'))),
      /newer than release v2\.330\.5/,
    );
  });

  it('the script reads a saved response and reports for the workflow', () => {
    const file = path.join(root, 'release.json');
    fs.writeFileSync(file, JSON.stringify(newer()));
    const output = path.join(root, 'github-output');
    const run = spawnSync(
      process.execPath,
      [
        ...TS_RUN,
        path.join(ROOT, 'scripts/bump-runner.ts'),
        '--root',
        root,
        '--release-file',
        file,
        '--github-output',
        output,
      ],
      { encoding: 'utf8', cwd: ROOT },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /runner 2\.330\.0 → 2\.331\.0 in packer\/runner-ubuntu\/variables\.pkr\.hcl/,
    );
    assert.match(
      fs.readFileSync(output, 'utf8'),
      /changed=true\nversion=2\.331\.0\nfrom=2\.330\.0/,
    );
    const refused = spawnSync(
      process.execPath,
      [
        ...TS_RUN,
        path.join(ROOT, 'scripts/bump-runner.ts'),
        '--root',
        root,
        '--release-file',
        RECORDED,
      ],
      { encoding: 'utf8', cwd: ROOT },
    );
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /bump-runner: release v2\.330\.0 publishes no SHA-256/);
  });

  it('a pin below the minimum is refused before any build, naming the variable and the fix', () => {
    const problems = runnerPinProblems(
      ROOT,
      [{ name: 'runner-ubuntu', dir: 'packer/runner-ubuntu' }],
      {
        'runner-ubuntu': { runner_version: '2.319.1' },
      },
    );
    assert.deepEqual(problems, [
      `runner-ubuntu: runner_version 2.319.1 is below the minimum ${RUNNER_MINIMUM_VERSION} that GitHub accepts for registration; run \`npm run images:bump-runner\` (or set images.variables.runner-ubuntu.runner_version to ${RUNNER_MINIMUM_VERSION} or later with its checksums).`,
    ]);
    for (const dir of ['runner-ubuntu', 'runner-windows', 'runner-macos', 'local'])
      assert.deepEqual(
        runnerPinProblems(ROOT, [{ name: dir, dir: `packer/${dir}` }], {}),
        [],
        `${dir} pins a current runner`,
      );
  });

  it('tells when a pinned runner falls out of the 30-day update window', () => {
    const releases = [
      { version: '2.330.0', publishedAt: '2025-11-19T17:05:20Z' },
      { version: '2.331.0', publishedAt: '2026-01-20T12:00:00Z' },
    ];
    assert.deepEqual(runnerVersionStatus('2.331.0', releases, new Date('2026-06-01')), {
      ok: true,
    });
    const inWindow = runnerVersionStatus('2.330.0', releases, new Date('2026-02-10'));
    assert.equal(inWindow.ok, true);
    assert.equal(inWindow.deadline, '2026-02-19T12:00:00.000Z');
    const late = runnerVersionStatus('2.330.0', releases, new Date('2026-02-20'));
    assert.equal(late.ok, false);
    assert.match(late.reason!, /older than the 30-day window: 2\.331\.0 was published 2026-01-20/);
    assert.match(
      runnerVersionStatus('2.319.1', releases, new Date('2025-12-01')).reason!,
      /below the minimum/,
    );
  });
});
