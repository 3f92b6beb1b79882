import * as pulumi from '@pulumi/pulumi';
import type { PoolConfig } from '../config/fleet-config';
import type { PoolImageSource, RunnerPool } from './pool-contract';
import type { ScalerExport } from './scaler/fleet-scalers';

/** One region of a pool, as exported. */
export interface GroupExport {
  kind: string;
  /** Auto Scaling group / managed instance group names, or Mac instance ids. */
  names: string[];
  labels: string[];
  image: string;
  instanceTypes: string[];
}

/** One pool, as exported: what another team needs to target and audit it. */
export interface PoolExport {
  cloud: 'aws' | 'gcp';
  os: string;
  arch: string;
  size: string;
  regions: string[];
  /** The labels every runner of the pool carries; add a region label to pick a region. */
  labels: string[];
  groups: Record<string, GroupExport>;
  /** The registry version the pool runs. */
  image: { bucket: string; channel: string; version: string; fingerprint: string };
}

/** The stack's outputs (read by other teams with `StackReference`). */
export interface FleetOutputs {
  environment: string;
  channel: string;
  /** pool name → pool. */
  pools: pulumi.Output<Record<string, PoolExport>>;
  /** bucket → the version the stack's channel serves. */
  images: pulumi.Output<Record<string, { version: string; fingerprint: string }>>;
  /** The scalers' webhook URLs (point each cloud's GitHub App webhook there). */
  scaler?: pulumi.Output<ScalerExport>;
}

/** Builds the exported form of the pools and images. */
export function fleetOutputs(
  environment: string,
  channel: string,
  pools: { config: PoolConfig; pool: RunnerPool }[],
  images: Map<string, PoolImageSource>,
): FleetOutputs {
  const poolExports = pools.map(({ config, pool }) =>
    pulumi
      .all([
        pulumi.all(pool.groups.map((g) => pulumi.all([g.names, g.image]))),
        pool.imageVersion,
        pool.imageFingerprint,
      ])
      .apply(([groups, version, fingerprint]): [string, PoolExport] => [
        pool.poolName,
        {
          cloud: pool.cloud,
          os: config.os,
          arch: config.arch,
          size: config.size,
          regions: pool.regions,
          labels: pool.labels,
          groups: Object.fromEntries(
            pool.groups.map((g, i) => [
              g.region,
              {
                kind: g.kind,
                names: groups[i][0],
                labels: g.labels,
                image: groups[i][1],
                instanceTypes: g.instanceTypes,
              },
            ]),
          ),
          image: { bucket: config.bucket, channel, version, fingerprint },
        },
      ]),
  );
  const imageExports = [...images].map(([bucket, source]) =>
    pulumi
      .all([source.versionName, source.versionFingerprint])
      .apply(([version, fingerprint]): [string, { version: string; fingerprint: string }] => [
        bucket,
        { version, fingerprint },
      ]),
  );
  return {
    environment,
    channel,
    pools: pulumi.all(poolExports).apply((entries) => Object.fromEntries(entries)),
    images: pulumi.all(imageExports).apply((entries) => Object.fromEntries(entries)),
  };
}
