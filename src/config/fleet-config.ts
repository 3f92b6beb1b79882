import type { Arch, Cloud, Os, Size, SizeTable } from '../fleet/sizes';

/**
 * The runner fleet's stack configuration, validated. Produced by `parseFleetConfig`
 * (pure) or `loadFleetConfig` (from the running Pulumi program). It never holds a
 * secret value: credentials stay in the stack's secret config or the environment, where
 * the providers read them.
 */
export interface FleetConfig {
  /** The Pulumi project, e.g. `ingot-fleet` (the namespace of the fleet's keys). */
  project: string;
  /** The Pulumi stack, e.g. `prod`. */
  stack: string;
  /** The environment: a runner label and part of names and tags. @default the stack name */
  environment: string;
  /** The registry channel every image comes from. @default the environment */
  channel: string;
  registry: RegistrySettings;
  github: GithubSettings;
  /** Present when a pool runs on GCP. */
  gcp?: GcpSettings;
  network: NetworkSettings;
  /** The size table with the stack's overrides applied. */
  sizes: SizeTable;
  pools: PoolConfig[];
  /** Present when runners come on demand from the scaler (`<project>:scaler`). */
  scaler?: FleetScalerSettings;
  /**
   * The image factory's stack (`images/`, project `ingot-images`), read through a
   * StackReference: the buckets it builds, and the channel it assigns. Absent: the fleet
   * still checks its channels, and names `pulumi up -C images -s dev` as the fix.
   */
  imageFactory?: { stack: string; channel: string };
}

/**
 * Where the scalers run and how they keep runners warm. Their secrets (GitHub App,
 * database URL) are never here: the program reads `<project>:scalerSecrets` as a
 * Pulumi secret.
 */
export interface FleetScalerSettings {
  /** The clouds whose Auto Scaling / GCP pools the scalers drive (macOS hosts are fixed). */
  clouds: ('aws' | 'gcp')[];
  /** The AWS scaler: a Lambda function in this region, optionally attached to a VPC. */
  aws?: { region: string; vpc?: ScalerVpcSettings };
  /** The GCP scaler: a Cloud Run service in this region, running this container image. */
  gcp?: { region: string; image: string };
  /** Control loop timeouts in seconds (the scaler's defaults when absent). */
  timeouts?: { boot?: number; idle?: number; reconcile?: number };
  /** Warm runners per pool name: `idle` runners, while `schedule` (raw) says so. */
  warm: Record<string, { idle: number; schedule?: unknown }>;
}

/**
 * The AWS scaler inside the VPC of its region's network (to reach a private PostgreSQL):
 * `subnetIds` default to the network's subnets there (they need a NAT route: the scaler
 * calls GitHub and AWS APIs), `securityGroupIds` to an egress-only group made for it.
 */
export interface ScalerVpcSettings {
  subnetIds?: string[];
  securityGroupIds?: string[];
}

/** Where the image registry is (not who we are to it: see `credentials`). */
export interface RegistrySettings {
  /** `ingot:registryUrl` */
  url: string;
  /** `ingot:organizationId` */
  organizationId: string;
  /** `ingot:projectId` */
  projectId: string;
  /** Where the providers find credentials: the stack's secret config or the environment. */
  credentials: 'stack-config' | 'environment';
}

export interface GithubSettings {
  /** The organization runners register with. */
  organization: string;
  /** The runner group they join. @default "Default" */
  runnerGroup: string;
  /** Labels added to every runner's computed labels. @default [] */
  labels: string[];
  /** GitHub's web URL (GitHub Enterprise Server: its URL). @default "https://github.com" */
  url: string;
  /** Its REST API URL. @default api.github.com, or `<url>/api/v3` for GHES */
  apiUrl: string;
  /**
   * Name of the secret holding the GitHub App credentials (`{"app_id", "installation_id",
   * "private_key"}`) per cloud: AWS Secrets Manager (same name in each region), GCP
   * Secret Manager (in the GCP project). Present for each cloud a pool runs on.
   */
  registrationSecret: { aws?: string; gcp?: string };
}

export interface GcpSettings {
  /** The project the GCP pools run in (and where the registration secret lives). */
  project: string;
}

/** A region's network on AWS: the VPC and the private subnets runners may use. */
export interface AwsRegionNetwork {
  vpcId: string;
  subnets: { id: string; zone: string }[];
}

/** A region's network on GCP. */
export interface GcpRegionNetwork {
  /** Network self link or name, e.g. `projects/net/global/networks/runners`. */
  network: string;
  /** Subnetwork self link, e.g. `projects/net/regions/us-west2/subnetworks/runners`. */
  subnetwork: string;
}

/**
 * Where each region's network comes from: explicit entries win; other regions come from
 * the network team's stack through a `StackReference`.
 */
export interface NetworkSettings {
  stackReference?: {
    /** Fully qualified stack name, e.g. `acme/network/prod`. */
    name: string;
    /** Output keys per cloud; each output maps region → network. */
    outputs: { aws?: string; gcp?: string };
  };
  aws: Record<string, AwsRegionNetwork>;
  gcp: Record<string, GcpRegionNetwork>;
}

/** One runner pool: an OS and size on one cloud, in one or more regions. */
export interface PoolConfig {
  /** Unique in the stack; part of resource names. */
  name: string;
  os: Os;
  size: Size;
  cloud: Cloud;
  regions: string[];
  /** @default x64 where offered (macOS: arm64) */
  arch: Arch;
  /** Instances per region: minimum, maximum, desired (macOS: the fixed count). */
  min: number;
  max: number;
  desired: number;
  /** Spot capacity (AWS Ubuntu and Windows only). @default false */
  spot: boolean;
  /** Registry bucket of the image. @default `runner-<os>` */
  bucket: string;
  /** Build labels that pick the image out of the bucket's version. @default `{ arch }` */
  imageLabels: Record<string, string>;
  /** Root disk in GB. @default per OS and size (`DISK_SIZE_GB`) */
  diskSizeGb: number;
  /** The size's instance types (from `sizes`), preferred first. */
  instanceTypes: string[];
  /** macOS: availability-zone letters for the dedicated hosts. @default the subnets' zones */
  zones?: string[];
  /** GCP: give runners an external IP. @default false */
  externalIp: boolean;
  /** Rolling replacement keeps at least this percentage healthy. @default 90 */
  minHealthyPercent: number;
}
