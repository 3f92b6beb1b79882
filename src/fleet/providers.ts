import * as aws from '@pulumi/aws';
import * as gcp from '@pulumi/gcp';
import type * as pulumi from '@pulumi/pulumi';
import type { FleetConfig } from '../config/fleet-config';
import { runnerTags } from './naming';

/** One explicit provider per region a cloud's pools use. */
export interface RegionalProviders {
  aws: Record<string, aws.Provider>;
  gcp: Record<string, gcp.Provider>;
}

/** The regions each cloud's pools use, in first-mention order. */
export function regionsByCloud(config: FleetConfig): { aws: string[]; gcp: string[] } {
  const regions = { aws: new Set<string>(), gcp: new Set<string>() };
  for (const pool of config.pools)
    for (const region of pool.regions) regions[pool.cloud].add(region);
  return { aws: [...regions.aws], gcp: [...regions.gcp] };
}

/**
 * An `aws.Provider` per AWS region and a `gcp.Provider` per GCP region, named
 * `aws-<region>` / `gcp-<region>`. Every regional resource is created with its region's
 * provider, never the default one (the stacks disable default providers).
 */
export function regionalProviders(config: FleetConfig, parent: pulumi.Resource): RegionalProviders {
  const regions = regionsByCloud(config);
  const tags = { 'ingot-environment': config.environment, 'managed-by': 'pulumi' };
  const providers: RegionalProviders = { aws: {}, gcp: {} };
  for (const region of regions.aws) {
    providers.aws[region] = new aws.Provider(
      `aws-${region}`,
      { region, defaultTags: { tags } },
      { parent },
    );
  }
  for (const region of regions.gcp) {
    providers.gcp[region] = new gcp.Provider(
      `gcp-${region}`,
      {
        project: config.gcp?.project,
        region,
        defaultLabels: runnerTags(config.environment, 'fleet'),
      },
      { parent },
    );
  }
  return providers;
}
