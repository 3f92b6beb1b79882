import * as pulumi from '@pulumi/pulumi';
import type {
  AwsRegionNetwork,
  FleetConfig,
  PoolConfig,
  ScalerVpcSettings,
} from '../../config/fleet-config';
import type { AwsRunnerPool } from '../aws/aws-runner-pool';
import { AwsAutoscalingRunners } from '../aws/autoscaling-runners';
import { AwsMacRunners } from '../aws/mac-runners';
import { runnerTags } from '../naming';
import type { RegionalProviders } from '../providers';
import { AwsScaler } from './aws-scaler';
import { GcpScaler } from './gcp-scaler';
import { gcpGroupName, scalerUrlParameter, type PoolScalerArgs } from './pool-scaler-args';
import { poolScalerArgs, scaledPools, scalerConfigFor } from './scaler-targets';

/** The scalers as the stack exports them: where each cloud's GitHub App webhook points. */
export interface ScalerExport {
  aws?: { webhookUrl: string; function: string; region: string };
  gcp?: { webhookUrl: string; service: string; region: string };
}

/**
 * The AWS scaler's VPC attachment: the subnets given (each must be a subnet of the
 * region's network, where the security group is made) or all of the network's subnets.
 */
export function scalerVpc(
  project: string,
  region: string,
  vpc: ScalerVpcSettings,
  network: pulumi.Output<AwsRegionNetwork> | undefined,
) {
  if (!network) throw new Error(`FleetScalers: no network for the AWS scaler's region ${region}.`);
  return {
    vpcId: network.vpcId,
    securityGroupIds: vpc.securityGroupIds,
    subnetIds: network.apply((n) => {
      const known = n.subnets.map((s) => s.id);
      const foreign = (vpc.subnetIds ?? []).filter((id) => !known.includes(id));
      if (foreign.length > 0)
        throw new Error(
          `${project}:scaler.aws.vpc.subnetIds: ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not a subnet of the ${region} network (${n.vpcId}: ${known.join(', ')}); pick from those, or leave subnetIds out to use all of them.`,
        );
      return vpc.subnetIds ?? known;
    }),
  };
}

/** One cloud's App secret and database URL, from `<project>:scalerSecrets` (a Pulumi secret). */
function cloudSecrets(secrets: pulumi.Output<string>, cloud: 'aws' | 'gcp') {
  const entry = secrets.apply(
    (text) => (JSON.parse(text) as Record<string, Record<string, unknown>>)[cloud],
  );
  return {
    appSecret: entry.apply((e) =>
      JSON.stringify({
        app_id: String(e.app_id),
        installation_id: String(e.installation_id),
        private_key: e.private_key,
        webhook_secret: e.webhook_secret,
      }),
    ),
    databaseUrl: entry.apply((e) => String(e.database_url)),
  };
}

/**
 * The fleet's scalers, one per cloud with scaled pools. The GCP scaler comes first: its
 * configuration names only derived names (group names, runner accounts), and its URL goes
 * into the runners' metadata. The AWS scaler comes after the pools, since it names the
 * Auto Scaling groups' generated names.
 */
export class FleetScalers {
  readonly gcp?: GcpScaler;
  aws?: AwsScaler;

  constructor(
    private readonly config: FleetConfig,
    private readonly secrets: pulumi.Output<string>,
    private readonly providers: RegionalProviders,
    private readonly parent: pulumi.Resource,
  ) {
    const settings = config.scaler;
    if (!settings) throw new Error('FleetScalers: the stack has no scaler settings.');
    if (settings.gcp) {
      const project = config.gcp?.project as string;
      this.gcp = new GcpScaler(
        'scaler-gcp',
        {
          environment: config.environment,
          project,
          region: settings.gcp.region,
          provider: providers.gcp[settings.gcp.region],
          image: settings.gcp.image,
          config: JSON.stringify(scalerConfigFor(config, 'gcp', {})),
          groups: scaledPools(config, 'gcp').flatMap((pool) =>
            pool.regions.map((region) => ({
              region,
              name: gcpGroupName(config.environment, pool.name, region),
            })),
          ),
          ...cloudSecrets(secrets, 'gcp'),
          labels: runnerTags(config.environment, 'scaler'),
        },
        { parent },
      );
    }
  }

  /**
   * What a pool gets: JIT delivery settings. macOS hosts on AWS ask the AWS scaler for
   * their runners when there is one; without it they register themselves.
   */
  poolArgs(pool: PoolConfig): PoolScalerArgs | undefined {
    if (pool.os === 'macos') {
      const region = this.config.scaler?.aws?.region;
      if (pool.cloud !== 'aws' || !region) return undefined;
      return {
        ...poolScalerArgs(this.config, 'aws'),
        host: { region, urlParameter: scalerUrlParameter(this.config.environment) },
      };
    }
    return poolScalerArgs(
      this.config,
      pool.cloud,
      pool.cloud === 'gcp' ? this.gcp?.url : undefined,
    );
  }

  /**
   * Deploys the AWS scaler over the Auto Scaling groups of the AWS pools just built (and
   * their macOS hosts); with `scaler.aws.vpc`, in the VPC of its region's network.
   */
  deployAws(
    pools: AwsRunnerPool[],
    networks: Record<string, pulumi.Output<AwsRegionNetwork>>,
  ): void {
    const settings = this.config.scaler;
    if (!settings?.aws) return;
    const { region, vpc } = settings.aws;
    const groups = pools.flatMap((pool) =>
      Object.entries(pool.regional)
        .filter(
          (entry): entry is [string, AwsAutoscalingRunners] =>
            entry[1] instanceof AwsAutoscalingRunners,
        )
        .map(([region, runners]) => ({
          pool: pool.poolName,
          region,
          name: runners.group.name,
          arn: runners.group.arn,
        })),
    );
    // macOS instances: their ids and account (from their ARNs) name who may ask for runners.
    const hosts = pools.flatMap((pool) =>
      Object.entries(pool.regional)
        .filter((entry): entry is [string, AwsMacRunners] => entry[1] instanceof AwsMacRunners)
        .map(([region, mac]) => ({
          key: `${pool.poolName}/${region}`,
          arns: pulumi.all(mac.instances.map((i) => i.arn)),
        })),
    );
    const config = pulumi
      .all([pulumi.all(groups.map((g) => g.name)), pulumi.all(hosts.map((h) => h.arns))])
      .apply(([names, arns]) =>
        JSON.stringify(
          scalerConfigFor(
            this.config,
            'aws',
            Object.fromEntries(groups.map((g, i) => [`${g.pool}/${g.region}`, names[i]])),
            Object.fromEntries(
              hosts.map((h, i) => [
                h.key,
                {
                  account: arns[i][0]?.split(':')[4] ?? '',
                  instances: arns[i].map((arn) => arn.split('/').pop() as string),
                },
              ]),
            ),
          ),
        ),
      );
    this.aws = new AwsScaler(
      'scaler-aws',
      {
        environment: this.config.environment,
        region: settings.aws.region,
        providers: this.providers.aws,
        config,
        groups,
        ssmPrefix: poolScalerArgs(this.config, 'aws').ssmPrefix,
        urlParameter: scalerUrlParameter(this.config.environment),
        ...(vpc ? { vpc: scalerVpc(this.config.project, region, vpc, networks[region]) } : {}),
        ...cloudSecrets(this.secrets, 'aws'),
        tags: runnerTags(this.config.environment, 'scaler'),
      },
      { parent: this.parent },
    );
  }

  /** The stack output: each scaler's webhook URL. */
  outputs(): pulumi.Output<ScalerExport> {
    const settings = this.config.scaler;
    return pulumi
      .all([
        this.aws?.webhookUrl,
        this.aws?.function.name,
        this.gcp?.webhookUrl,
        this.gcp?.service.name,
      ])
      .apply(([awsUrl, fn, gcpUrl, service]) => ({
        ...(this.aws && settings?.aws
          ? {
              aws: {
                webhookUrl: awsUrl as string,
                function: fn as string,
                region: settings.aws.region,
              },
            }
          : {}),
        ...(this.gcp && settings?.gcp
          ? {
              gcp: {
                webhookUrl: gcpUrl as string,
                service: service as string,
                region: settings.gcp.region,
              },
            }
          : {}),
      }));
  }
}
