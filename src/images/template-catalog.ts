import type { TemplateVariable } from './content-hash';
import type { ImagePipelineConfig } from './pipeline-config';
import type { Os } from '../fleet/sizes';
import type { SmokeCheck } from './integration-test';
import { awsSharingVariables } from './pipeline-settings';

/**
 * The templates under packer/: where they live, which shared scripts they read (hashed
 * with them), their sources per cloud, their parent, and how the stack's `images` config
 * becomes their variables. test/packer checks this against the parsed templates.
 */
export type Cloud = 'aws' | 'gcp' | 'local';
export type Arch = 'x64' | 'arm64';

export interface CatalogSource {
  /** `type.name` as in the template and the manifest's component type. */
  name: string;
  cloud: Cloud;
  arch: Arch;
}

export interface TemplateSpec {
  name: string;
  /** The OS of the image: which of the fleet's boot scripts its test boots with. */
  os: Os;
  bucket: string;
  description: string;
  /** Template directory, relative to the repository root. */
  dir: string;
  /** Shared files outside `dir` the build reads, relative to the repository root. */
  scripts: string[];
  sources: CatalogSource[];
  /** The template this one builds on; its artifacts become `parentImages` variables. */
  parent?: string;
  parentImages?: { variable: string; cloud: Cloud; arch: Arch }[];
  /** Variables that receive the parent's bucket and channel (templates reading it with hcp-packer-version). */
  parentVariables?: { bucket: string; channel: string };
  smoke: SmokeCheck;
  /** Variables from the stack config, for the clouds being built. */
  variables(config: ImagePipelineConfig): Record<string, TemplateVariable>;
  /** Extra integration test arguments for a cloud. */
  testArgs?(config: ImagePipelineConfig, cloud: Cloud): Record<string, string>;
  /** Why this template cannot build with this config, if it cannot. */
  unavailable?(config: ImagePipelineConfig): string | undefined;
}

/** Registry platform of a cloud's artifacts (`file` for the local builder). */
export const PLATFORM: Record<Cloud, string> = { aws: 'aws', gcp: 'gcp', local: 'file' };

/** Region a parent artifact is read from, and a test runs in. */
export function artifactRegion(config: ImagePipelineConfig, cloud: Cloud): string {
  if (cloud === 'aws') return config.aws?.regions[0] ?? 'us-east-1';
  return cloud === 'gcp' ? 'global' : 'local';
}

const LINUX = 'packer/scripts/linux';
const COMMON = 'packer/scripts/common';
const WINDOWS = 'packer/scripts/windows';

function awsVariables(c: ImagePipelineConfig, types: Record<string, string | undefined> = {}) {
  if (!c.aws) return {};
  const vars: Record<string, TemplateVariable> = {
    aws_regions: c.aws.regions,
    ...awsSharingVariables(c.aws),
  };
  if (c.aws.subnetId) vars.aws_subnet_id = c.aws.subnetId;
  for (const [name, value] of Object.entries(types)) if (value) vars[name] = value;
  return vars;
}

function gcpVariables(c: ImagePipelineConfig) {
  if (!c.gcp) return {};
  const vars: Record<string, TemplateVariable> = {
    gcp_project_id: c.gcp.projectId,
    gcp_zone: c.gcp.zone,
  };
  if (c.gcp.subnetwork) vars.gcp_subnetwork = c.gcp.subnetwork;
  return vars;
}

function cloudTestArgs(c: ImagePipelineConfig, cloud: Cloud): Record<string, string> {
  if (cloud === 'gcp' && c.gcp) return { project: c.gcp.projectId, zone: c.gcp.zone };
  if (cloud === 'aws' && c.aws?.subnetId) return { 'subnet-id': c.aws.subnetId };
  return {};
}

const ubuntuBase: TemplateSpec = {
  os: 'ubuntu',
  name: 'ubuntu-base',
  bucket: 'ubuntu-base',
  description: 'Ubuntu 24.04: hardened, patched, monitoring agent',
  dir: 'packer/ubuntu-base',
  scripts: [
    `${LINUX}/wait-for-cloud-init.sh`,
    `${LINUX}/patch.sh`,
    `${LINUX}/configure-apt.sh`,
    `${LINUX}/harden.sh`,
    `${LINUX}/install-monitoring-agent.sh`,
    `${COMMON}/record-versions.sh`,
    `${LINUX}/cleanup.sh`,
  ],
  sources: [
    { name: 'amazon-ebs.base-x64', cloud: 'aws', arch: 'x64' },
    { name: 'amazon-ebs.base-arm64', cloud: 'aws', arch: 'arm64' },
    { name: 'googlecompute.base', cloud: 'gcp', arch: 'x64' },
  ],
  smoke: 'base',
  variables: (c) => ({
    ...awsVariables(c, {
      aws_instance_type_x64: c.aws?.instanceTypes.x64,
      aws_instance_type_arm64: c.aws?.instanceTypes.arm64,
    }),
    ...gcpVariables(c),
  }),
  testArgs: cloudTestArgs,
};

const runnerUbuntu: TemplateSpec = {
  os: 'ubuntu',
  name: 'runner-ubuntu',
  bucket: 'runner-ubuntu',
  description: 'GitHub Actions runner on Ubuntu 24.04, built on ubuntu-base',
  dir: 'packer/runner-ubuntu',
  scripts: [
    `${LINUX}/wait-for-cloud-init.sh`,
    `${LINUX}/install-git.sh`,
    `${COMMON}/install-runner.sh`,
    `${LINUX}/install-docker.sh`,
    `${LINUX}/install-aws-cli.sh`,
    `${COMMON}/record-versions.sh`,
    `${LINUX}/cleanup.sh`,
  ],
  sources: [
    { name: 'amazon-ebs.runner-x64', cloud: 'aws', arch: 'x64' },
    { name: 'amazon-ebs.runner-arm64', cloud: 'aws', arch: 'arm64' },
    { name: 'googlecompute.runner', cloud: 'gcp', arch: 'x64' },
  ],
  parent: 'ubuntu-base',
  parentVariables: { bucket: 'parent_bucket', channel: 'parent_channel' },
  smoke: 'runner',
  variables: (c) => ({
    clouds: (['aws', 'gcp'] as const).filter((cloud) => c[cloud]),
    ...awsVariables(c, {
      aws_instance_type_x64: c.aws?.instanceTypes.x64,
      aws_instance_type_arm64: c.aws?.instanceTypes.arm64,
    }),
    ...gcpVariables(c),
  }),
  testArgs: cloudTestArgs,
};

const runnerWindows: TemplateSpec = {
  os: 'windows',
  name: 'runner-windows',
  bucket: 'runner-windows',
  description: 'GitHub Actions runner on Windows Server 2022',
  dir: 'packer/runner-windows',
  scripts: [
    `${WINDOWS}/bootstrap-winrm.ps1`,
    `${WINDOWS}/install-powershell.ps1`,
    `${WINDOWS}/install-aws-cli.ps1`,
    `${WINDOWS}/install-git.ps1`,
    `${WINDOWS}/install-runner.ps1`,
    `${WINDOWS}/install-docker.ps1`,
    `${WINDOWS}/record-versions.ps1`,
    `${WINDOWS}/cleanup.ps1`,
  ],
  sources: [
    { name: 'amazon-ebs.runner', cloud: 'aws', arch: 'x64' },
    { name: 'googlecompute.runner', cloud: 'gcp', arch: 'x64' },
  ],
  smoke: 'runner',
  variables: (c) => ({
    ...awsVariables(c, { aws_instance_type: c.aws?.instanceTypes.windows }),
    ...gcpVariables(c),
  }),
  testArgs: (c, cloud) => ({ ...cloudTestArgs(c, cloud), os: 'windows' }),
  unavailable: (c) => {
    const vars = c.variables['runner-windows'] ?? {};
    const missing = ['git_sha256', 'docker_sha256', 'powershell_sha256'].filter((v) => !vars[v]);
    return missing.length > 0
      ? `runner-windows needs ${missing.join(', ')} (SHA-256 of the Git for Windows installer, the Docker zip and the PowerShell 7 MSI of the pinned versions): set images.variables.runner-windows.${missing[0]}`
      : undefined;
  },
};

const runnerMacos: TemplateSpec = {
  os: 'macos',
  name: 'runner-macos',
  bucket: 'runner-macos',
  description:
    'GitHub Actions runner on macOS 14 (Apple silicon), built on EC2 Mac dedicated hosts',
  dir: 'packer/runner-macos',
  scripts: [
    'packer/scripts/macos/install-tools.sh',
    'packer/scripts/macos/install-git.sh',
    `${COMMON}/install-runner.sh`,
    `${COMMON}/record-versions.sh`,
    'packer/scripts/macos/cleanup.sh',
  ],
  sources: [{ name: 'amazon-ebs.runner-arm64', cloud: 'aws', arch: 'arm64' }],
  smoke: 'runner',
  variables: (c) => {
    const mac = c.aws?.mac;
    const vars: Record<string, TemplateVariable> = awsVariables(c, {
      mac_instance_type: mac?.instanceType,
    });
    if (mac?.hostId) vars.mac_host_id = mac.hostId;
    if (mac?.hostResourceGroupArn) vars.mac_host_resource_group_arn = mac.hostResourceGroupArn;
    return vars;
  },
  testArgs: (c) => {
    const mac = c.aws?.mac;
    return {
      ...cloudTestArgs(c, 'aws'),
      os: 'macos',
      // EC2 Mac instances take up to about half an hour to pass their status checks.
      attempts: '240',
      'instance-type': mac?.instanceType ?? 'mac2.metal',
      ...(mac?.hostId ? { 'host-id': mac.hostId } : {}),
      ...(mac?.hostResourceGroupArn ? { 'host-resource-group-arn': mac.hostResourceGroupArn } : {}),
    };
  },
  unavailable: (c) =>
    !c.aws
      ? 'runner-macos builds only on AWS: configure images.aws'
      : !c.aws.mac?.hostId && !c.aws.mac?.hostResourceGroupArn
        ? 'runner-macos builds on an EC2 Mac dedicated host: set images.aws.mac.hostId or images.aws.mac.hostResourceGroupArn'
        : undefined,
};

/** The local builder builds the host's architecture only (no emulation here). */
export const LOCAL_ARCH: Arch = process.arch === 'arm64' ? 'arm64' : 'x64';

/**
 * The local stand-in of a cloud template: packer/local provisions a Debian root file
 * system with the counterpart's own scripts, in the counterpart's order.
 */
function localTemplate(
  name: string,
  layer: 'base' | 'runner',
  counterpart: TemplateSpec,
): TemplateSpec {
  return {
    name,
    os: counterpart.os,
    bucket: name,
    description: `Local ${counterpart.name} (packer/local: Debian root file system, the same scripts)${
      layer === 'runner' ? ', built on local-base' : ''
    }`,
    dir: 'packer/local',
    scripts: counterpart.scripts,
    sources: [{ name: `file.${LOCAL_ARCH}`, cloud: 'local', arch: LOCAL_ARCH }],
    ...(layer === 'runner'
      ? {
          parent: 'local-base',
          parentImages: [
            { variable: `parent_image_${LOCAL_ARCH}`, cloud: 'local' as const, arch: LOCAL_ARCH },
          ],
        }
      : {}),
    smoke: layer,
    variables: () => ({ layer, scripts: counterpart.scripts }),
  };
}

/** Every template the pipeline knows, by name. */
export const TEMPLATES: Record<string, TemplateSpec> = Object.fromEntries(
  [
    ubuntuBase,
    runnerUbuntu,
    runnerWindows,
    runnerMacos,
    localTemplate('local-base', 'base', ubuntuBase),
    localTemplate('local-runner', 'runner', runnerUbuntu),
  ].map((t) => [t.name, t]),
);

/** Templates a stack handles when its config lists none (Windows and macOS need settings). */
export const DEFAULT_TEMPLATES = ['ubuntu-base', 'runner-ubuntu'];
