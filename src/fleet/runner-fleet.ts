import * as pulumi from '@pulumi/pulumi';
import type { FleetConfig } from '../config/fleet-config';
import type { ChannelImages } from '../provider/channel-images';
import { AwsRunnerPool } from './aws/aws-runner-pool';
import { fleetOutputs, type FleetOutputs } from './fleet-outputs';
import { GcpRunnerPool } from './gcp/gcp-runner-pool';
import { fleetNetworks, type FleetNetworks } from './networks';
import { poolImages } from './pool-images';
import type { RunnerPool } from './pool-contract';
import { regionalProviders, type RegionalProviders } from './providers';
import { FleetScalers } from './scaler/fleet-scalers';

/** Arguments of {@link RunnerFleet}. */
export interface RunnerFleetArgs {
  /** The validated stack configuration (`loadFleetConfig()`). */
  config: FleetConfig;
  /** `<project>:scalerSecrets` as a Pulumi secret: required when `config.scaler` is set. */
  scalerSecrets?: pulumi.Output<string>;
}

/**
 * The whole runner fleet of a stack: a provider per region, the networks (explicit or
 * from the network team's stack), one image lookup per bucket on the stack's channel,
 * and every pool on its cloud. `outputs` is what the stack exports.
 */
export class RunnerFleet extends pulumi.ComponentResource {
  readonly providers: RegionalProviders;
  readonly networks: FleetNetworks;
  readonly images: Map<string, ChannelImages>;
  readonly pools: RunnerPool[] = [];
  readonly outputs: FleetOutputs;
  /** The scalers, when the stack's pools scale on demand. */
  readonly scalers?: FleetScalers;

  constructor(name: string, args: RunnerFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:RunnerFleet', name, {}, opts);
    const { config } = args;
    if (!config || !Array.isArray(config.pools))
      throw new Error(
        `RunnerFleet "${name}": args.config is required; load it with loadFleetConfig().`,
      );
    this.providers = regionalProviders(config, this);
    this.networks = fleetNetworks(config, this);
    this.images = poolImages(config, this);
    if (config.scaler) {
      if (!args.scalerSecrets)
        throw new Error(
          `RunnerFleet "${name}": args.scalerSecrets is required with config.scaler; read it with new pulumi.Config().requireSecret("scalerSecrets").`,
        );
      this.scalers = new FleetScalers(config, args.scalerSecrets, this.providers, this);
    }

    const built: { config: FleetConfig['pools'][number]; pool: RunnerPool }[] = [];
    for (const pool of config.pools) {
      const common = {
        pool,
        environment: config.environment,
        images: this.images.get(pool.bucket) as ChannelImages,
        github: config.github,
        scaler: this.scalers?.poolArgs(pool),
      };
      const runnerPool =
        pool.cloud === 'aws'
          ? new AwsRunnerPool(
              pool.name,
              {
                ...common,
                providers: pick(this.providers.aws, pool.regions),
                networks: pick(this.networks.aws, pool.regions),
              },
              { parent: this },
            )
          : new GcpRunnerPool(
              pool.name,
              {
                ...common,
                project: config.gcp?.project as string,
                providers: pick(this.providers.gcp, pool.regions),
                networks: pick(this.networks.gcp, pool.regions),
              },
              { parent: this },
            );
      this.pools.push(runnerPool);
      built.push({ config: pool, pool: runnerPool });
    }
    this.scalers?.deployAws(
      this.pools.filter((p): p is AwsRunnerPool => p instanceof AwsRunnerPool),
      this.networks.aws,
    );
    this.outputs = {
      ...fleetOutputs(config.environment, config.channel, built, this.images),
      ...(this.scalers ? { scaler: this.scalers.outputs() } : {}),
    };
    this.registerOutputs({
      pools: this.outputs.pools,
      images: this.outputs.images,
      scaler: this.outputs.scaler,
    });
  }
}

function pick<T>(all: Record<string, T>, keys: string[]): Record<string, T> {
  return Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]]));
}
