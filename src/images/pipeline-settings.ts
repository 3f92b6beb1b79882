import fs from 'node:fs';
import path from 'node:path';
import type { TemplateVariable } from './content-hash';
import { compareVersions, RUNNER_MINIMUM_VERSION } from './runner-release';

/**
 * Parts of the `images` config beyond what to build where: how the integration test's
 * runner registers (the fleet's GitHub settings), how AMIs are encrypted and shared, and
 * the runner version floor. Each parser adds sentences naming the setting to `problems`.
 */
type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fleet's GitHub settings (its `github` stack config has the same shape). */
export interface TestGithubConfig {
  organization: string;
  runnerGroup: string;
  url: string;
  apiUrl: string;
  registrationSecret: { aws?: string; gcp?: string };
}

export function parseTestGithub(
  where: string,
  raw: unknown,
  problems: string[],
): TestGithubConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    problems.push(
      `${where} must be an object like the fleet's github config, e.g. { organization: acme, registrationSecret: { aws: ingot/dev/github-runner-app } }.`,
    );
    return undefined;
  }
  const known = ['organization', 'runnerGroup', 'url', 'apiUrl', 'registrationSecret', 'labels'];
  for (const key of Object.keys(raw))
    if (!known.includes(key))
      problems.push(`${where}.${key} is not a setting; use one of ${known.join(', ')}.`);
  const organization = typeof raw.organization === 'string' ? raw.organization : '';
  if (!/^[A-Za-z0-9-]{1,39}$/.test(organization))
    problems.push(
      `${where}.organization is ${JSON.stringify(raw.organization ?? null)}; name the GitHub organization the test runner registers with.`,
    );
  const secret = isObject(raw.registrationSecret) ? raw.registrationSecret : {};
  if (!secret.aws && !secret.gcp)
    problems.push(
      `${where}.registrationSecret must name the secret with the GitHub App per cloud, e.g. { aws: ingot/dev/github-runner-app }.`,
    );
  for (const url of ['url', 'apiUrl'] as const)
    if (raw[url] !== undefined && !/^https?:\/\/[^\s]+$/.test(String(raw[url])))
      problems.push(`${where}.${url} is ${JSON.stringify(raw[url])}; use an http(s) URL.`);
  return {
    organization,
    runnerGroup: typeof raw.runnerGroup === 'string' ? raw.runnerGroup : 'Default',
    url: typeof raw.url === 'string' ? raw.url.replace(/\/$/, '') : 'https://github.com',
    apiUrl:
      typeof raw.apiUrl === 'string' ? raw.apiUrl.replace(/\/$/, '') : 'https://api.github.com',
    registrationSecret: Object.fromEntries(
      (['aws', 'gcp'] as const)
        .filter((c) => typeof secret[c] === 'string')
        .map((c) => [c, secret[c] as string]),
    ),
  };
}

/** How AMIs are encrypted and shared (`images.aws.*`), as template variables. */
export interface AwsSharing {
  kmsKeyId?: string;
  regionKmsKeyIds?: Record<string, string>;
  amiUsers?: string[];
  amiOrgArns?: string[];
}

export function awsSharingProblems(sharing: AwsSharing, regions: string[]): string[] {
  const problems: string[] = [];
  (sharing.amiUsers ?? []).forEach((a, i) => {
    if (!/^\d{12}$/.test(a))
      problems.push(`images.aws.amiUsers[${i}] is "${a}"; use a 12-digit AWS account id.`);
  });
  (sharing.amiOrgArns ?? []).forEach((a, i) => {
    if (!/^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/.test(a))
      problems.push(
        `images.aws.amiOrgArns[${i}] is "${a}"; use an organization ARN such as arn:aws:organizations::123456789012:organization/o-abcd123456.`,
      );
  });
  const shared = (sharing.amiUsers?.length ?? 0) + (sharing.amiOrgArns?.length ?? 0) > 0;
  if (shared && !sharing.kmsKeyId)
    problems.push(
      'images.aws shares AMIs (amiUsers/amiOrgArns) but sets no kmsKeyId: encrypted AMIs can only be shared with a customer managed KMS key; set images.aws.kmsKeyId (and regionKmsKeyIds for the copy regions).',
    );
  if (sharing.kmsKeyId)
    for (const region of regions.slice(1))
      if (!sharing.regionKmsKeyIds?.[region])
        problems.push(
          `images.aws.regionKmsKeyIds has no key for ${region}: KMS keys are regional, so each copy region needs its own (images.aws.regionKmsKeyIds.${region}).`,
        );
  return problems;
}

export function awsSharingVariables(sharing: AwsSharing): Record<string, TemplateVariable> {
  const vars: Record<string, TemplateVariable> = {};
  if (sharing.kmsKeyId) vars.aws_kms_key_id = sharing.kmsKeyId;
  if (sharing.regionKmsKeyIds && Object.keys(sharing.regionKmsKeyIds).length)
    vars.aws_region_kms_key_ids = sharing.regionKmsKeyIds;
  if (sharing.amiUsers?.length) vars.aws_ami_users = sharing.amiUsers;
  if (sharing.amiOrgArns?.length) vars.aws_ami_org_arns = sharing.amiOrgArns;
  return vars;
}

/** A template variable's default, read from its variables.pkr.hcl. */
export function templateDefault(root: string, dir: string, variable: string): string | undefined {
  const file = path.join(root, dir, 'variables.pkr.hcl');
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  const block = new RegExp(`variable "${variable}" \\{[^}]*?default\\s*=\\s*"([^"]*)"`, 's').exec(
    text,
  );
  return block?.[1];
}

/**
 * The runner every template would install is at least the minimum GitHub accepts
 * (`images.runner.minimumVersion`, default {@link RUNNER_MINIMUM_VERSION}): checked
 * before any build, naming the variable and the fix.
 */
export function runnerPinProblems(
  root: string,
  templates: { name: string; dir: string }[],
  variables: Record<string, Record<string, TemplateVariable>>,
  minimum = RUNNER_MINIMUM_VERSION,
): string[] {
  const problems: string[] = [];
  for (const t of templates) {
    const override = variables[t.name]?.runner_version;
    const version =
      typeof override === 'string' ? override : templateDefault(root, t.dir, 'runner_version');
    if (!version) continue;
    if (!/^\d+\.\d+\.\d+$/.test(version))
      problems.push(
        `${t.name}: runner_version is "${version}"; use a release version such as ${minimum}.`,
      );
    else if (compareVersions(version, minimum) < 0)
      problems.push(
        `${t.name}: runner_version ${version} is below the minimum ${minimum} that GitHub accepts for registration; run \`npm run images:bump-runner\` (or set images.variables.${t.name}.runner_version to ${minimum} or later with its checksums).`,
      );
  }
  return problems;
}
