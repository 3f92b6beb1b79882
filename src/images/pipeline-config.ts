import * as pulumi from '@pulumi/pulumi';
import path from 'node:path';
import type { RegistryConnectionArgs } from '../provider/registry-connection';
import { parseDuration } from '../registry/duration';
import type { TemplateVariable } from './content-hash';
import {
  awsSharingProblems,
  parseTestGithub,
  runnerPinProblems,
  type AwsSharing,
  type TestGithubConfig,
} from './pipeline-settings';
import { buildEpoch } from './build-epoch';
import { RUNNER_MINIMUM_VERSION } from './runner-release';
import { DEFAULT_TEMPLATES, TEMPLATES } from './template-catalog';

/**
 * What a stack does with images, from its `images` config (validated, with defaults by
 * stack name). `dev` builds (Packer), publishes, tests and assigns `dev`; `staging`
 * promotes what `dev` holds; `prod` promotes what `staging` has held for 24 hours.
 */
export type PipelineRole = 'build' | 'promote';

export interface AwsImageConfig extends AwsSharing {
  /** Regions of every AMI: built in the first, copied to the others. */
  regions: string[];
  subnetId?: string;
  instanceTypes: { x64?: string; arm64?: string; windows?: string };
  /** EC2 Mac dedicated host for runner-macos: exactly one of hostId and hostResourceGroupArn. */
  mac?: { hostId?: string; hostResourceGroupArn?: string; instanceType?: string };
}

export interface GcpImageConfig {
  projectId: string;
  zone: string;
  subnetwork?: string;
}

export interface ImagePipelineConfig {
  stack: string;
  role: PipelineRole;
  /** The channel this stack manages. */
  channel: string;
  /** Role promote: where versions come from, and how long they must have been there. */
  promoteFrom?: { channel: string; minimumSoak: string };
  /** Templates (packer/ directories, see template-catalog.ts), parents before children. */
  templates: string[];
  /** Channel a child template's parent image is read from. */
  parentChannel: string;
  aws?: AwsImageConfig;
  gcp?: GcpImageConfig;
  /** false: assign the channel right after publishing (not recommended). */
  integrationTest:
    | false
    | {
        cloud?: 'aws' | 'gcp';
        args: Record<string, string>;
        /** How the test runner registers: the fleet's `github` settings. */
        github?: TestGithubConfig;
      };
  /** The lowest runner version a template may pin (GitHub refuses older ones). */
  runnerMinimumVersion: string;
  /** Opaque value hashed into every image: change it (e.g. weekly) to rebuild for patches. */
  buildEpoch: string;
  /**
   * Let Packer publish natively through the templates' hcp_packer_registry blocks (to
   * Ingot or HCP Packer), so it records each build's parent itself. Default: on when a
   * cloud is configured (local builds run Packer 1.6.6, which has no such block).
   */
  hcpPackerRegistry: boolean;
  /** Manifests, logs and local artifacts, per bucket and fingerprint. */
  workDir: string;
  /** Extra template variables per template name. */
  variables: Record<string, Record<string, TemplateVariable>>;
  /** Repository root: templates and scripts are found under it. */
  root: string;
  /** Secret environment of `packer build` (cloud credentials); from `imagesEnvironment`. */
  environment?: pulumi.Input<Record<string, string>>;
  /** Secret environment of the integration test (GITHUB_TOKEN); from `imagesTestEnvironment`. */
  testEnvironment?: pulumi.Input<Record<string, string>>;
  registry?: RegistryConnectionArgs;
}

export class ImagePipelineConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: string[],
  ) {
    super(
      `the images config of stack "${stack}" has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ImagePipelineConfigError';
  }
}

const KEYS = [
  'role',
  'channel',
  'promoteFrom',
  'templates',
  'parentChannel',
  'aws',
  'gcp',
  'integrationTest',
  'buildEpoch',
  'hcpPackerRegistry',
  'workDir',
  'variables',
  'runnerMinimumVersion',
];
const CHANNEL = /^[A-Za-z0-9-]{1,36}$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_ZONE = /^[a-z]+-[a-z]+\d+-[a-z]$/;
const DEFAULTS: Record<string, { role: PipelineRole; promoteFrom?: string; soak?: string }> = {
  dev: { role: 'build' },
  staging: { role: 'promote', promoteFrom: 'dev', soak: '0s' },
  prod: { role: 'promote', promoteFrom: 'staging', soak: '24h' },
};

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

function unknownKeys(where: string, value: Raw, known: string[], problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      problems.push(`${where}.${key} is not a setting; use one of ${known.join(', ')}.`);
  }
}

function optionalString(where: string, value: unknown, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value) return value;
  problems.push(`${where} must be a non-empty string.`);
  return undefined;
}

function parseAws(raw: unknown, problems: string[]): AwsImageConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    problems.push('images.aws must be an object with regions, e.g. { regions: [us-east-1] }.');
    return undefined;
  }
  unknownKeys(
    'images.aws',
    raw,
    [
      'regions',
      'subnetId',
      'instanceTypes',
      'mac',
      'kmsKeyId',
      'regionKmsKeyIds',
      'amiUsers',
      'amiOrgArns',
    ],
    problems,
  );
  const strings = (key: string): string[] | undefined => {
    if (raw[key] === undefined) return undefined;
    if (isStrings(raw[key])) return raw[key];
    problems.push(`images.aws.${key} must be a list of strings.`);
    return undefined;
  };
  const regionKeys = raw.regionKmsKeyIds;
  if (
    regionKeys !== undefined &&
    (!isObject(regionKeys) || !Object.values(regionKeys).every((v) => typeof v === 'string'))
  )
    problems.push('images.aws.regionKmsKeyIds must map region names to KMS key ids.');
  const sharing: AwsSharing = {
    kmsKeyId: optionalString('images.aws.kmsKeyId', raw.kmsKeyId, problems),
    regionKmsKeyIds: isObject(regionKeys) ? (regionKeys as Record<string, string>) : undefined,
    amiUsers: strings('amiUsers'),
    amiOrgArns: strings('amiOrgArns'),
  };
  const regions = isStrings(raw.regions) ? raw.regions : [];
  if (regions.length === 0)
    problems.push('images.aws.regions must list at least one region, e.g. [us-east-1, eu-west-1].');
  regions.forEach((r, i) => {
    if (!AWS_REGION.test(r))
      problems.push(`images.aws.regions[${i}] is "${r}"; use a region name such as us-east-1.`);
  });
  if (new Set(regions).size !== regions.length)
    problems.push('images.aws.regions lists a region twice.');
  const types = isObject(raw.instanceTypes) ? raw.instanceTypes : {};
  if (raw.instanceTypes !== undefined) {
    if (!isObject(raw.instanceTypes)) problems.push('images.aws.instanceTypes must be an object.');
    else unknownKeys('images.aws.instanceTypes', types, ['x64', 'arm64', 'windows'], problems);
  }
  let mac: AwsImageConfig['mac'];
  if (raw.mac !== undefined) {
    if (!isObject(raw.mac)) problems.push('images.aws.mac must be an object.');
    else {
      unknownKeys(
        'images.aws.mac',
        raw.mac,
        ['hostId', 'hostResourceGroupArn', 'instanceType'],
        problems,
      );
      mac = {
        hostId: optionalString('images.aws.mac.hostId', raw.mac.hostId, problems),
        hostResourceGroupArn: optionalString(
          'images.aws.mac.hostResourceGroupArn',
          raw.mac.hostResourceGroupArn,
          problems,
        ),
        instanceType: optionalString('images.aws.mac.instanceType', raw.mac.instanceType, problems),
      };
      if (mac.hostId && !/^h-[0-9a-f]{8,17}$/.test(mac.hostId))
        problems.push(`images.aws.mac.hostId is "${mac.hostId}"; use a dedicated host id (h-…).`);
      if (mac.hostId && mac.hostResourceGroupArn)
        problems.push(
          'images.aws.mac sets both hostId and hostResourceGroupArn; Packer takes one of them: keep one.',
        );
    }
  }
  problems.push(...awsSharingProblems(sharing, regions));
  return {
    ...sharing,
    regions,
    subnetId: optionalString('images.aws.subnetId', raw.subnetId, problems),
    instanceTypes: {
      x64: optionalString('images.aws.instanceTypes.x64', types.x64, problems),
      arm64: optionalString('images.aws.instanceTypes.arm64', types.arm64, problems),
      windows: optionalString('images.aws.instanceTypes.windows', types.windows, problems),
    },
    mac,
  };
}

function parseGcp(raw: unknown, problems: string[]): GcpImageConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isObject(raw)) {
    problems.push('images.gcp must be an object with projectId, e.g. { projectId: acme-images }.');
    return undefined;
  }
  unknownKeys('images.gcp', raw, ['projectId', 'zone', 'subnetwork'], problems);
  const projectId = typeof raw.projectId === 'string' ? raw.projectId : '';
  if (!GCP_PROJECT.test(projectId))
    problems.push(
      `images.gcp.projectId is ${JSON.stringify(raw.projectId ?? null)}; use the GCP project id the images live in, e.g. acme-images.`,
    );
  const zone = raw.zone === undefined ? 'us-central1-a' : String(raw.zone);
  if (!GCP_ZONE.test(zone))
    problems.push(`images.gcp.zone is "${zone}"; use a zone such as us-central1-a.`);
  return {
    projectId,
    zone,
    subnetwork: optionalString('images.gcp.subnetwork', raw.subnetwork, problems),
  };
}

function parseChannel(where: string, value: unknown, problems: string[]): string {
  if (typeof value !== 'string' || !CHANNEL.test(value) || value === 'latest') {
    problems.push(
      `${where} is ${JSON.stringify(value ?? null)}; use a channel name of 1-36 letters, digits or hyphens other than "latest", e.g. "dev".`,
    );
    return '';
  }
  return value;
}

/** Validates a stack's raw `images` config and fills in the defaults of its stack name. */
export function parseImagePipelineConfig(
  raw: unknown,
  stack: string,
  extras: Pick<ImagePipelineConfig, 'environment' | 'testEnvironment' | 'registry'> & {
    root?: string;
    /** The fleet's `github` stack config: the integration test registers like the fleet. */
    github?: unknown;
  } = {},
): ImagePipelineConfig {
  const problems: string[] = [];
  const value: Raw = raw === undefined || raw === null ? {} : isObject(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isObject(raw))
    problems.push('images must be an object (a YAML map under <project>:images).');
  unknownKeys('images', value, KEYS, problems);
  const defaults = DEFAULTS[stack];

  let role: PipelineRole = defaults?.role ?? 'build';
  if (value.role !== undefined) {
    if (value.role === 'build' || value.role === 'promote') role = value.role;
    else problems.push(`images.role is ${JSON.stringify(value.role)}; use "build" or "promote".`);
  } else if (!defaults) {
    problems.push(
      `images.role is not set and stack "${stack}" has no default (dev builds, staging and prod promote); set it to "build" or "promote".`,
    );
  }
  const channel = parseChannel('images.channel', value.channel ?? stack, problems);

  let promoteFrom: ImagePipelineConfig['promoteFrom'];
  if (role === 'promote') {
    const from = value.promoteFrom ?? (defaults?.promoteFrom ? {} : undefined);
    if (!isObject(from)) {
      problems.push(
        'images.promoteFrom is required for role "promote", e.g. { channel: staging, minimumSoak: 24h }.',
      );
    } else {
      unknownKeys('images.promoteFrom', from, ['channel', 'minimumSoak'], problems);
      const source = parseChannel(
        'images.promoteFrom.channel',
        from.channel ?? defaults?.promoteFrom,
        problems,
      );
      const minimumSoak = String(from.minimumSoak ?? defaults?.soak ?? '0s');
      try {
        parseDuration('images.promoteFrom.minimumSoak', minimumSoak);
      } catch (error) {
        problems.push((error as Error).message);
      }
      if (source && source === channel)
        problems.push(
          `images.promoteFrom.channel is "${source}", the stack's own channel; promote from another one.`,
        );
      promoteFrom = { channel: source, minimumSoak };
    }
  } else if (value.promoteFrom !== undefined) {
    problems.push('images.promoteFrom applies to role "promote"; remove it or set images.role.');
  }

  const aws = parseAws(value.aws, problems);
  const gcp = parseGcp(value.gcp, problems);

  let templates = DEFAULT_TEMPLATES;
  if (value.templates !== undefined) {
    if (!isStrings(value.templates) || value.templates.length === 0)
      problems.push(
        'images.templates must be a non-empty list, e.g. [ubuntu-base, runner-ubuntu].',
      );
    else templates = value.templates;
  }
  templates.forEach((t, i) => {
    if (!TEMPLATES[t])
      problems.push(
        `images.templates[${i}] is "${t}"; known templates: ${Object.keys(TEMPLATES).join(', ')}.`,
      );
  });
  if (new Set(templates).size !== templates.length)
    problems.push('images.templates lists a template twice.');

  let integrationTest: ImagePipelineConfig['integrationTest'] = { args: {} };
  if (value.integrationTest === false) integrationTest = false;
  else if (value.integrationTest !== undefined) {
    const t = value.integrationTest;
    if (!isObject(t)) problems.push('images.integrationTest must be an object or false.');
    else {
      unknownKeys('images.integrationTest', t, ['cloud', 'args', 'github'], problems);
      if (t.cloud !== undefined && t.cloud !== 'aws' && t.cloud !== 'gcp')
        problems.push(
          `images.integrationTest.cloud is ${JSON.stringify(t.cloud)}; use "aws" or "gcp".`,
        );
      if (t.cloud !== undefined && !(t.cloud === 'aws' ? aws : gcp))
        problems.push(
          `images.integrationTest.cloud is "${t.cloud}" but images.${t.cloud} is not configured.`,
        );
      const args = t.args === undefined ? {} : t.args;
      if (!isObject(args) || !Object.values(args).every((v) => typeof v === 'string'))
        problems.push('images.integrationTest.args must map argument names to strings.');
      integrationTest = {
        cloud: t.cloud as 'aws' | 'gcp' | undefined,
        args: isObject(args) ? (args as Record<string, string>) : {},
        github: parseTestGithub('images.integrationTest.github', t.github, problems),
      };
    }
  }
  if (integrationTest && !integrationTest.github && extras.github !== undefined)
    integrationTest.github = parseTestGithub('github (the fleet config)', extras.github, problems);

  const variables: ImagePipelineConfig['variables'] = {};
  if (value.variables !== undefined) {
    if (!isObject(value.variables))
      problems.push('images.variables must map template names to variables.');
    else
      for (const [template, vars] of Object.entries(value.variables)) {
        if (!TEMPLATES[template])
          problems.push(
            `images.variables.${template} names no template; known: ${Object.keys(TEMPLATES).join(', ')}.`,
          );
        if (!isObject(vars)) problems.push(`images.variables.${template} must be an object.`);
        else variables[template] = vars as Record<string, TemplateVariable>;
      }
  }

  const config: ImagePipelineConfig = {
    stack,
    role,
    channel,
    promoteFrom,
    templates,
    parentChannel: parseChannel('images.parentChannel', value.parentChannel ?? channel, problems),
    aws,
    gcp,
    integrationTest,
    buildEpoch: optionalString('images.buildEpoch', value.buildEpoch, problems) ?? '',
    hcpPackerRegistry:
      typeof value.hcpPackerRegistry === 'boolean' ? value.hcpPackerRegistry : Boolean(aws || gcp),
    workDir: optionalString('images.workDir', value.workDir, problems) ?? '.ingot/images',
    variables,
    runnerMinimumVersion:
      optionalString('images.runnerMinimumVersion', value.runnerMinimumVersion, problems) ??
      RUNNER_MINIMUM_VERSION,
    root: path.resolve(extras.root ?? process.cwd()),
    environment: extras.environment,
    testEnvironment: extras.testEnvironment,
    registry: extras.registry,
  };
  if (value.hcpPackerRegistry !== undefined && typeof value.hcpPackerRegistry !== 'boolean')
    problems.push('images.hcpPackerRegistry must be true or false.');

  if (role === 'build') {
    for (const name of templates.filter((t) => TEMPLATES[t])) {
      const spec = TEMPLATES[name];
      const why = spec.unavailable?.(config);
      if (why) problems.push(`images.templates has "${name}" but ${why}.`);
      else if (!spec.sources.some((s) => s.cloud === 'local' || config[s.cloud]))
        problems.push(
          `images.templates has "${name}", which builds on ${[...new Set(spec.sources.map((s) => s.cloud))].join(' or ')}; configure images.aws or images.gcp.`,
        );
    }
  }
  if (role === 'build') {
    const built = templates
      .filter((t) => TEMPLATES[t])
      .map((t) => ({ name: t, dir: TEMPLATES[t].dir }));
    problems.push(...runnerPinProblems(config.root, built, variables, config.runnerMinimumVersion));
    const test = config.integrationTest;
    if (test && !test.github && templates.some((t) => TEMPLATES[t]?.smoke === 'runner'))
      problems.push(
        "images.integrationTest.github is not set and the stack has no github config: the runner images' test registers a runner like the fleet does; set the fleet's github config (organization, registrationSecret) or images.integrationTest.github, or images.integrationTest: false.",
      );
  }
  if (problems.length > 0) throw new ImagePipelineConfigError(stack, problems);
  return config;
}

/**
 * Reads the stack config: `<project>:images` (a map; `INGOT_BUILD_EPOCH` overrides its
 * `buildEpoch`), and the optional secrets
 * `<project>:imagesEnvironment` (cloud credentials for Packer, e.g. AWS_ACCESS_KEY_ID)
 * and `<project>:imagesTestEnvironment` (e.g. GITHUB_TOKEN for the integration test).
 * Credentials already in the environment of `pulumi up` (CI OIDC) need neither.
 */
export function loadImagePipelineConfig(
  config: pulumi.Config = new pulumi.Config(),
  stack: string = pulumi.getStack(),
): ImagePipelineConfig {
  const images = config.getObject<unknown>('images');
  const epoch = buildEpoch(isObject(images) ? images.buildEpoch : undefined);
  return parseImagePipelineConfig(
    isObject(images) && epoch !== undefined ? { ...images, buildEpoch: epoch } : images,
    stack,
    {
      environment: config.getSecretObject<Record<string, string>>('imagesEnvironment'),
      testEnvironment: config.getSecretObject<Record<string, string>>('imagesTestEnvironment'),
      github: config.getObject<unknown>('github'),
    },
  );
}
