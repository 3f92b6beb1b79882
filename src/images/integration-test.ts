import type * as pulumi from '@pulumi/pulumi';
import { shellQuote } from './packer-command';

/**
 * The integration test of a new version: scripts/image-integration-test.sh launches a
 * throwaway machine from one artifact (AWS, GCP) or unpacks the local artifact, waits
 * until it is healthy (base) or its runner is online and a smoke job passed (runner),
 * and always tears it down. The channel is assigned only after it passes.
 */
export type IntegrationTestMode = 'aws' | 'gcp' | 'local';
export type SmokeCheck = 'base' | 'runner';

/** Arguments of a GoldenImage's integration test. */
export interface IntegrationTestArgs {
  /** Where the throwaway machine runs: `aws`, `gcp`, or `local` (the local artifact). */
  mode: IntegrationTestMode;
  /** What must pass: `base` (boots healthy) or `runner` (runner online, smoke job passed). */
  smoke: SmokeCheck;
  /** The artifact to test: registry platform (`aws`, `gcp`, `file`), region and component type. */
  platform: string;
  region: string;
  componentType?: string;
  /** Extra `--name value` arguments of the script (instance type, subnet, zone, repository…). @default {} */
  args?: Record<string, string>;
  /** Secrets of the test (e.g. `GITHUB_TOKEN`), passed as a Pulumi secret environment. @default none */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The test script. @default `scripts/image-integration-test.sh` under the GoldenImage's root */
  script?: string;
}

export interface IntegrationTestInvocation {
  script: string;
  mode: IntegrationTestMode;
  smoke: SmokeCheck;
  image: string;
  region: string;
  bucket: string;
  fingerprint: string;
  args?: Record<string, string>;
}

/** The command line of one test run (bash, every value quoted). */
export function integrationTestCommand(t: IntegrationTestInvocation): string {
  const q = shellQuote;
  const pairs: [string, string][] = [
    ['mode', t.mode],
    ['smoke', t.smoke],
    ['image', t.image],
    ['region', t.region],
    ['bucket', t.bucket],
    ['fingerprint', t.fingerprint],
    ...Object.entries(t.args ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
  ];
  return `bash ${q(t.script)} ${pairs.map(([k, v]) => `--${k} ${q(v)}`).join(' ')}\n`;
}

const ARG_NAME = /^[a-z][a-z0-9-]*$/;
const RESERVED = new Set(['mode', 'smoke', 'image', 'region', 'bucket', 'fingerprint']);

/** Problems with integration test arguments, as sentences naming the argument. */
export function integrationTestProblems(where: string, t: IntegrationTestArgs): string[] {
  const problems: string[] = [];
  if (!['aws', 'gcp', 'local'].includes(t.mode))
    problems.push(`${where}.mode is "${t.mode}"; use "aws", "gcp" or "local".`);
  if (!['base', 'runner'].includes(t.smoke))
    problems.push(`${where}.smoke is "${t.smoke}"; use "base" or "runner".`);
  if (!t.platform) problems.push(`${where}.platform is required, e.g. "aws".`);
  if (!t.region) problems.push(`${where}.region is required, e.g. "us-east-1".`);
  for (const name of Object.keys(t.args ?? {})) {
    if (!ARG_NAME.test(name) || RESERVED.has(name))
      problems.push(
        `${where}.args has "${name}"; names are lowercase words with hyphens (e.g. "instance-type") and not one of ${[...RESERVED].join(', ')}.`,
      );
  }
  return problems;
}
