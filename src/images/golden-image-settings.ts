import type * as pulumi from '@pulumi/pulumi';
import fs from 'node:fs';
import path from 'node:path';
import type { RegistryConnectionArgs } from '../provider/registry-connection';
import type { TemplateVariable } from './content-hash';
import { checkoutCommit } from './git-commit';
import type { GoldenImageArgs, GoldenImageParent } from './golden-image';
import { integrationTestProblems, type IntegrationTestArgs } from './integration-test';
import { readTemplate } from './packer-command';

/** GoldenImage arguments checked, with paths resolved and defaults filled in. */
export interface GoldenImageSettings {
  bucket: string;
  channel: string;
  description?: string;
  root: string;
  templateDir: string;
  relativeTemplateDir: string;
  /** Shared scripts, relative to root. */
  scripts: string[];
  sources: string[];
  /** Variables the template declares. */
  declared: Set<string>;
  variables: Record<string, pulumi.Input<TemplateVariable>>;
  parent?: GoldenImageParent;
  integrationTest?: IntegrationTestArgs & { script: string; args: Record<string, string> };
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  commit: string;
  workDir: string;
  packer: string;
  init: boolean;
  hcpPackerRegistry: boolean;
  logFilter: string;
  /** Where Ingot itself is: its CLI revokes a version that fails its test. */
  packageRoot: string;
  registry?: RegistryConnectionArgs;
}

/** Variables the pipeline fills in itself (when the template declares them). */
export const PIPELINE_VARIABLES = [
  'bucket',
  'fingerprint',
  'git_commit',
  'manifest_path',
  'output_dir',
  'name_suffix',
];
const BUCKET = /^[A-Za-z0-9-]{3,36}$/;
const CHANNEL = /^[A-Za-z0-9-]{1,36}$/;
const SOURCE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Where Ingot itself is (src/images/../..): its log filter and integration test script. */
const PACKAGE_ROOT = path.resolve(__dirname, '../..');

/**
 * Checks a GoldenImage's arguments before anything is registered. Every problem is
 * reported at once, each naming the argument and what to do.
 */
export function goldenImageSettings(name: string, args: GoldenImageArgs): GoldenImageSettings {
  const problems: string[] = [];
  const root = path.resolve(args.root ?? process.cwd());
  const templateDir = path.resolve(root, args.templateDir ?? '');
  const relativeTemplateDir = path.relative(root, templateDir) || '.';
  const bucket = args.bucket ?? name;
  const channel = args.channel ?? 'dev';
  if (!BUCKET.test(bucket))
    problems.push(
      `bucket is "${bucket}"; use 3-36 letters, digits or hyphens, e.g. "runner-ubuntu".`,
    );
  if (!CHANNEL.test(channel) || channel === 'latest')
    problems.push(
      `channel is "${channel}"; use 1-36 letters, digits or hyphens other than "latest", e.g. "dev".`,
    );

  let declaredVariables = new Set<string>();
  let declaredSources = new Set<string>();
  let requiresPlugins = false;
  if (!args.templateDir || !fs.statSync(templateDir, { throwIfNoEntry: false })?.isDirectory()) {
    problems.push(
      `templateDir "${args.templateDir ?? ''}" is not a directory under ${root}; point it at a Packer template directory such as packer/runner-ubuntu.`,
    );
  } else {
    const template = readTemplate(templateDir);
    if (template.files.length === 0)
      problems.push(
        `templateDir "${args.templateDir}" has no *.pkr.hcl files; Packer HCL2 templates are needed.`,
      );
    declaredVariables = template.variables;
    declaredSources = template.sources;
    requiresPlugins = template.requiresPlugins;
    for (const required of ['fingerprint', 'manifest_path'])
      if (template.files.length > 0 && !declaredVariables.has(required))
        problems.push(
          `the template in ${args.templateDir} declares no variable "${required}"; the pipeline passes it to the manifest post-processor (see packer/local/variables.pkr.hcl).`,
        );
  }

  const sources = args.sources ?? [];
  if (sources.length === 0)
    problems.push(
      `sources is empty; list the sources to build as type.name, e.g. ["amazon-ebs.runner-x64"].`,
    );
  for (const source of sources) {
    if (!SOURCE.test(source))
      problems.push(
        `sources has "${source}"; write sources as type.name, e.g. "amazon-ebs.runner-x64".`,
      );
    else if (declaredSources.size > 0 && !declaredSources.has(source))
      problems.push(
        `sources has "${source}", which the template does not declare; it declares ${[...declaredSources].join(', ')}.`,
      );
  }

  const scripts = (args.scripts ?? []).map((s) => path.relative(root, path.resolve(root, s)));
  for (const script of scripts)
    if (!fs.existsSync(path.join(root, script)))
      problems.push(`scripts has "${script}", which does not exist under ${root}.`);

  const variables = args.variables ?? {};
  const checkVariable = (where: string, variable: string) => {
    if (PIPELINE_VARIABLES.includes(variable))
      problems.push(`${where} sets "${variable}", which the pipeline fills in itself; remove it.`);
    else if (declaredVariables.size > 0 && !declaredVariables.has(variable))
      problems.push(
        `${where} sets "${variable}", which the template does not declare; declare it in a variables.pkr.hcl or remove it.`,
      );
  };
  for (const variable of Object.keys(variables)) checkVariable('variables', variable);

  if (args.parent) {
    const p = args.parent;
    if (!BUCKET.test(p.bucket ?? ''))
      problems.push(
        `parent.bucket is "${p.bucket}"; name the parent's bucket, e.g. "ubuntu-base".`,
      );
    if (!CHANNEL.test(p.channel ?? ''))
      problems.push(
        `parent.channel is "${p.channel}"; name the channel to build from, e.g. "dev".`,
      );
    if (!p.images?.length && !p.channelVariable)
      problems.push(
        'parent has neither images nor channelVariable; map parent artifacts to template variables, or name the variable that receives the parent channel (templates that read it with hcp-packer-version).',
      );
    for (const [key, variable] of [
      ['bucketVariable', p.bucketVariable],
      ['channelVariable', p.channelVariable],
    ] as const)
      if (variable) checkVariable(`parent.${key}`, variable);
    const seen = new Set<string>();
    for (const image of p.images ?? []) {
      checkVariable('parent.images', image.variable);
      if (seen.has(image.variable) || image.variable in variables)
        problems.push(
          `parent.images sets "${image.variable}" twice (or also in variables); give each variable one value.`,
        );
      seen.add(image.variable);
    }
  }

  let integrationTest: GoldenImageSettings['integrationTest'];
  if (args.integrationTest) {
    problems.push(...integrationTestProblems('integrationTest', args.integrationTest));
    const script = args.integrationTest.script
      ? path.resolve(root, args.integrationTest.script)
      : path.join(PACKAGE_ROOT, 'scripts/image-integration-test.sh');
    if (!fs.existsSync(script)) problems.push(`integrationTest.script ${script} does not exist.`);
    integrationTest = { ...args.integrationTest, script, args: args.integrationTest.args ?? {} };
  }

  if (problems.length > 0)
    throw new Error(
      `GoldenImage "${name}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );

  return {
    bucket,
    channel,
    description: args.description,
    root,
    templateDir,
    relativeTemplateDir,
    scripts,
    sources: [...sources],
    declared: declaredVariables,
    variables,
    parent: args.parent,
    integrationTest,
    environment: args.environment,
    commit: args.commit ?? checkoutCommit(root, [relativeTemplateDir, ...scripts]),
    workDir: path.resolve(root, args.workDir ?? '.ingot/images'),
    packer: args.packer ?? 'packer',
    init: args.init ?? requiresPlugins,
    hcpPackerRegistry: args.hcpPackerRegistry ?? false,
    logFilter: path.join(PACKAGE_ROOT, 'packer/tools/packer-log.sh'),
    packageRoot: PACKAGE_ROOT,
    registry: args.registry,
  };
}
