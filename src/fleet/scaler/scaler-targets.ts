import type * as pulumi from '@pulumi/pulumi';
import type { FleetConfig, PoolConfig } from '../../config/fleet-config';
import { parseScalerConfig } from '../../scaler/scaler-config';
import { runnerLabels } from '../labels';
import { gcpAccountId, runnerNamePrefix } from '../naming';
import {
  gcpGroupName,
  gcpScalerAudience,
  jitParameterPrefix,
  LIFECYCLE_HOOK,
  type PoolScalerArgs,
} from './pool-scaler-args';

/** The pools a cloud's scaler drives: every Auto Scaling or GCP pool of that cloud. */
export function scaledPools(config: FleetConfig, cloud: 'aws' | 'gcp'): PoolConfig[] {
  return config.pools.filter((pool) => pool.cloud === cloud && pool.os !== 'macos');
}

/** What a pool of `cloud` receives when the scaler drives it. */
export function poolScalerArgs(
  config: FleetConfig,
  cloud: 'aws' | 'gcp',
  gcpUrl?: pulumi.Input<string>,
): PoolScalerArgs {
  return {
    ssmPrefix: jitParameterPrefix(config.environment),
    lifecycleHook: LIFECYCLE_HOOK,
    ...(cloud === 'gcp' && gcpUrl !== undefined
      ? {
          gcp: {
            url: gcpUrl,
            audience: gcpScalerAudience(config.gcp?.project as string, config.environment),
          },
        }
      : {}),
  };
}

/**
 * The configuration of one cloud's scaler, derived from the fleet config so it cannot
 * drift from the pools: one target per region of every scaled pool, with exactly the
 * labels its runners register with (the boot scripts and `generate-jitconfig` use the
 * same `runnerLabels`), its group, min/max and warm runners. `groups` maps
 * `<pool>/<region>` to the group name (AWS: the Auto Scaling group's generated name).
 * macOS pools on AWS become `hosts` (`hostInstances` maps `<pool>/<region>` to their
 * account and instance ids): the instances the AWS scaler hands runners to.
 * The result is checked with the scaler's own parser, so a stack never deploys a
 * scaler that would refuse its configuration at start.
 */
export function scalerConfigFor(
  config: FleetConfig,
  cloud: 'aws' | 'gcp',
  groups: Record<string, string>,
  hostInstances: Record<string, { account: string; instances: string[] }> = {},
): Record<string, unknown> {
  const settings = config.scaler;
  if (!settings) throw new Error('scalerConfigFor: the stack has no scaler settings.');
  const project = config.gcp?.project;
  const targets = scaledPools(config, cloud).flatMap((pool) =>
    pool.regions.map((region) => {
      const warm = settings.warm[pool.name];
      const group =
        cloud === 'gcp'
          ? gcpGroupName(config.environment, pool.name, region)
          : groups[`${pool.name}/${region}`];
      if (!group) throw new Error(`scalerConfigFor: no group for ${pool.name}/${region}.`);
      return {
        pool: pool.name,
        cloud,
        region,
        group,
        labels: runnerLabels({
          ...pool,
          environment: config.environment,
          region,
          extra: config.github.labels,
        }),
        namePrefix: runnerNamePrefix(config.environment, pool.name),
        min: pool.min,
        max: pool.max,
        ...(warm ? { idle: warm.idle } : {}),
        ...(warm?.schedule !== undefined ? { idleSchedule: warm.schedule } : {}),
        ...(cloud === 'gcp'
          ? {
              project,
              serviceAccount: `${gcpAccountId(config.environment, pool.name)}@${project}.iam.gserviceaccount.com`,
            }
          : {}),
      };
    }),
  );
  const hosts =
    cloud === 'aws'
      ? config.pools
          .filter((pool) => pool.cloud === 'aws' && pool.os === 'macos')
          .flatMap((pool) =>
            pool.regions.map((region) => {
              const found = hostInstances[`${pool.name}/${region}`];
              if (!found)
                throw new Error(`scalerConfigFor: no instances for ${pool.name}/${region}.`);
              return {
                pool: pool.name,
                region,
                account: found.account,
                instances: found.instances,
                labels: runnerLabels({
                  ...pool,
                  environment: config.environment,
                  region,
                  extra: config.github.labels,
                }),
                namePrefix: runnerNamePrefix(config.environment, pool.name),
              };
            }),
          )
      : [];
  const raw = {
    github: {
      organization: config.github.organization,
      runnerGroup: config.github.runnerGroup,
      apiUrl: config.github.apiUrl,
    },
    targets,
    ...(hosts.length > 0 ? { hosts } : {}),
    ...(settings.timeouts ? { timeouts: settings.timeouts } : {}),
    ssmPrefix: jitParameterPrefix(config.environment),
    lifecycleHook: LIFECYCLE_HOOK,
    ...(cloud === 'gcp'
      ? { audience: gcpScalerAudience(project as string, config.environment) }
      : {}),
  };
  parseScalerConfig(raw);
  return raw;
}
