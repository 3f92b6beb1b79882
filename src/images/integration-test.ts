import type * as pulumi from '@pulumi/pulumi';
import path from 'node:path';
import { bootstrapScript, type BootstrapSpec } from '../fleet/bootstrap';
import type { Os } from '../fleet/sizes';
import { shellQuote } from './packer-command';

/**
 * The integration test of a new version: scripts/image-integration-test.sh boots a
 * throwaway machine from each artifact (one per architecture) — on AWS or GCP, or in a
 * chroot for the local artifact — with the fleet's own boot script as its user data
 * (src/fleet/bootstrap: one source of truth for how runners register), waits until it is
 * healthy (base) or its runner is online and a smoke job passed (runner), and always
 * tears it down. The channel is assigned only after every architecture passed; a failure
 * revokes the version at once, naming the failed check, so it is never `latest` nor
 * resolvable.
 */
export type IntegrationTestMode = 'aws' | 'gcp' | 'local';
export type SmokeCheck = 'base' | 'runner';

/** How the test's runner registers: the fleet's settings, minus what the test sets itself. */
export type IntegrationTestRunner = Pick<
  BootstrapSpec,
  'organization' | 'runnerGroup' | 'githubUrl' | 'apiUrl' | 'secret'
> & { os: Os };

/** Arguments of a GoldenImage's integration test. */
export interface IntegrationTestArgs {
  /** Where the throwaway machines run: `aws`, `gcp`, or `local` (a chroot of the local artifact). */
  mode: IntegrationTestMode;
  /** What must pass: `base` (boots healthy) or `runner` (runner online, smoke job passed). */
  smoke: SmokeCheck;
  /** The artifacts to test: registry platform (`aws`, `gcp`, `file`) and region… */
  platform: string;
  region: string;
  /** …and one component type per architecture, each booted on its own machine. */
  componentTypes: string[];
  /** The fleet's runner registration, for `smoke: runner`. */
  runner?: IntegrationTestRunner;
  /** Extra `--name value` arguments of the script (instance type, subnet, zone, repository…). @default {} */
  args?: Record<string, string>;
  /** Secrets of the test (e.g. `GITHUB_TOKEN`), passed as a Pulumi secret environment. @default none */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The test script. @default `scripts/image-integration-test.sh` under the GoldenImage's root */
  script?: string;
}

export interface IntegrationTestTarget {
  componentType: string;
  /** The artifact's external identifier (AMI id, GCE image, local image path). */
  image: string;
}

export interface IntegrationTestInvocation {
  script: string;
  mode: IntegrationTestMode;
  smoke: SmokeCheck;
  targets: IntegrationTestTarget[];
  region: string;
  bucket: string;
  fingerprint: string;
  runner?: IntegrationTestRunner;
  args?: Record<string, string>;
  /** `node bin/ingot.js` of this package: revokes the version when a check fails. */
  cli: string;
}

/** The runner name prefix (and only label) of one architecture's test machine. */
export function testRunnerPrefix(
  bucket: string,
  fingerprint: string,
  componentType: string,
): string {
  const arch = /arm64/.test(componentType) ? 'arm64' : 'x64';
  const fp = fingerprint
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .slice(0, 12);
  return `ingot-test-${bucket}-${fp}-${arch}`.replace(/-+/g, '-');
}

/** The fleet's boot script for one test machine. */
export function testUserData(
  runner: IntegrationTestRunner,
  mode: IntegrationTestMode,
  prefix: string,
): string {
  return bootstrapScript({
    ...runner,
    cloud: mode === 'gcp' ? 'gcp' : 'aws',
    labels: [prefix],
    namePrefix: prefix,
  });
}

/**
 * The command text of one test run (bash, every value quoted): each architecture in
 * turn; the first failure revokes the version with the check that failed and stops.
 */
export function integrationTestCommand(t: IntegrationTestInvocation): string {
  const q = shellQuote;
  const lines = [
    'set -uo pipefail',
    'work="$(mktemp -d)"',
    `trap 'rm -rf "$work"' EXIT`,
    'revoke() {',
    '  local reason',
    `  reason="$(grep -h 'integration test failed: ' "$work/stderr" | tail -n 1)"`,
    `  reason="\${reason:-integration test failed: $1}"`,
    `  echo "ingot: revoking ${t.bucket} ${t.fingerprint}: $reason" >&2`,
    `  ${t.cli} revoke ${q(t.bucket)} ${q(t.fingerprint)} --message "$reason" >&2 ||`,
    `    echo 'ingot: could not revoke the version; revoke it by hand (ingot revoke ${t.bucket} ${t.fingerprint})' >&2`,
    '  exit 1',
    '}',
  ];
  for (const target of t.targets) {
    const prefix = testRunnerPrefix(t.bucket, t.fingerprint, target.componentType);
    const pairs: [string, string][] = [
      ['mode', t.mode],
      ['smoke', t.smoke],
      ['image', target.image],
      ['region', t.region],
      ['bucket', t.bucket],
      ['fingerprint', t.fingerprint],
      ...Object.entries(t.args ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
    ];
    let extra = '';
    if (t.smoke === 'runner' && t.runner) {
      const userData = testUserData(t.runner, t.mode, prefix);
      lines.push(
        `cat >"$work/user-data" <<'INGOT_USER_DATA'`,
        userData.replace(/\n$/, ''),
        'INGOT_USER_DATA',
      );
      extra = ` --user-data "$work/user-data" --runner-prefix ${q(prefix)}`;
    }
    lines.push(
      `echo ${q(`ingot: testing ${target.componentType} (${target.image})`)}`,
      `bash ${q(t.script)} ${pairs.map(([k, v]) => `--${k} ${q(v)}`).join(' ')}${extra} 2> >(tee "$work/stderr" >&2) || revoke ${q(target.componentType)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `node <package>/bin/ingot.js`, the CLI the test revokes with. */
export function ingotCli(packageRoot: string): string {
  return `${shellQuote(process.execPath)} ${shellQuote(path.join(packageRoot, 'bin/ingot.js'))}`;
}

const ARG_NAME = /^[a-z][a-z0-9-]*$/;
const RESERVED = new Set([
  'mode',
  'smoke',
  'image',
  'region',
  'bucket',
  'fingerprint',
  'user-data',
  'runner-prefix',
]);

/** Problems with integration test arguments, as sentences naming the argument. */
export function integrationTestProblems(where: string, t: IntegrationTestArgs): string[] {
  const problems: string[] = [];
  if (!['aws', 'gcp', 'local'].includes(t.mode))
    problems.push(`${where}.mode is "${t.mode}"; use "aws", "gcp" or "local".`);
  if (!['base', 'runner'].includes(t.smoke))
    problems.push(`${where}.smoke is "${t.smoke}"; use "base" or "runner".`);
  if (!t.platform) problems.push(`${where}.platform is required, e.g. "aws".`);
  if (!t.region) problems.push(`${where}.region is required, e.g. "us-east-1".`);
  if (!t.componentTypes?.length)
    problems.push(
      `${where}.componentTypes is empty; list the builds to boot, e.g. ["amazon-ebs.runner-x64", "amazon-ebs.runner-arm64"].`,
    );
  if (t.smoke === 'runner' && !t.runner)
    problems.push(
      `${where}.runner is required for smoke "runner": the fleet's GitHub organization, runner group and registration secret (the boot script registers with them).`,
    );
  for (const name of Object.keys(t.args ?? {})) {
    if (!ARG_NAME.test(name) || RESERVED.has(name))
      problems.push(
        `${where}.args has "${name}"; names are lowercase words with hyphens (e.g. "instance-type") and not one of ${[...RESERVED].join(', ')}.`,
      );
  }
  return problems;
}
