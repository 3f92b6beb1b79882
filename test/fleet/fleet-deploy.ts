import { parseFleetConfig } from '../../src/config/parse-fleet-config';
import type { FleetConfig } from '../../src/config/fleet-config';
import type { PoolExport } from '../../src/fleet/fleet-outputs';
import { runFleet } from '../../src/fleet/program';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';
import {
  FleetEngine,
  type CloudModel,
  registryRequests,
  resetRegistryClients,
  resolved,
  settle,
} from './fleet-engine';
import {
  pointChannel,
  publishRunnerImages,
  networkStackOutputs,
  RUNNER_BUCKETS,
  runnerBuilds,
} from './runner-images';
import { projectName, stackFileConfig, STACKS } from './stack-files';

export const AWS_REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];
export const GCP_REGIONS = ['us-west2', 'europe-west4'];
const SECRET_KEYS = ['ingot:registryClientId', 'ingot:registryClientSecret'];
const ENV_KEYS = [
  'INGOT_REGISTRY_URL',
  'HCP_API_ADDRESS',
  'HCP_CLIENT_ID',
  'HCP_CLIENT_SECRET',
  'HCP_ORGANIZATION_ID',
  'HCP_PROJECT_ID',
  'INGOT_CREDENTIALS_FILE',
];

/** The fingerprint each stack's channel serves at first: prod v1, staging v2, dev v3. */
export function channelFingerprint(bucket: string, channel: string): string {
  return `${bucket}-${{ prod: 1, staging: 2, dev: 3 }[channel]}`;
}

export interface Deployment {
  engine: FleetEngine;
  config: FleetConfig;
  pools: Record<string, PoolExport>;
  images: Record<string, { version: string; fingerprint: string }>;
  /** Registry HTTP requests the evaluation made (token included). */
  requests: number;
  /** The `scaler` stack output, when the stack has scalers. */
  scaler?: unknown;
}

/**
 * A live registry holding three versions of each runner bucket, with the dev, staging
 * and prod channels on different ones, and a way to evaluate the fleet program for a
 * stack against it. Credentials reach the provider as the engine passes them: from the
 * stack's secret config (`ingot:registryClientId/Secret`), not the environment.
 */
export class FleetRegistry {
  private saved: Record<string, string | undefined> = {};

  constructor(readonly registry: TestRegistry) {}

  /** `empty`: a registry with no bucket at all (the bootstrap tests start there). */
  static async start(contents: 'published' | 'empty' = 'published'): Promise<FleetRegistry> {
    // Every `ingot` command and provider client takes a token of the admin's: a delivery
    // walked in seconds asks for more than the 30 a minute one client gets by default.
    const fleet = new FleetRegistry(
      await startTestRegistry('sqlite', undefined, {
        tokenRateLimit: { perClient: 10_000, perAddress: 10_000, windowMs: 60_000 },
      }),
    );
    for (const key of ENV_KEYS) {
      fleet.saved[key] = process.env[key];
      delete process.env[key];
    }
    if (contents === 'empty') return fleet;
    for (const bucket of RUNNER_BUCKETS) {
      for (const n of [1, 2, 3])
        await publishRunnerImages(
          fleet.registry,
          bucket,
          `${bucket}-${n}`,
          runnerBuilds(bucket, AWS_REGIONS),
        );
      for (const stack of STACKS)
        await pointChannel(fleet.registry, bucket, stack, channelFingerprint(bucket, stack));
    }
    return fleet;
  }

  async close(): Promise<void> {
    for (const [key, value] of Object.entries(this.saved))
      if (value !== undefined) process.env[key] = value;
    await this.registry.close();
  }

  /** The stack file's config, pointed at this registry, credentials as secrets. */
  stackConfig(
    stack: string,
    values: Record<string, string> = stackFileConfig(stack),
  ): Record<string, string> {
    return {
      ...values,
      'ingot:registryUrl': this.registry.url,
      'ingot:registryClientId': this.registry.admin.clientId,
      'ingot:registryClientSecret': this.registry.admin.clientSecret,
    };
  }

  /** Installs the engine for a stack (with the network team's stacks available). */
  engine(
    stack: string,
    config: Record<string, string>,
    secretKeys = SECRET_KEYS,
    stacks: Record<string, Record<string, unknown>> = {},
    cloud?: CloudModel,
  ): FleetEngine {
    const engine = new FleetEngine({
      project: projectName(),
      stack,
      config,
      secretKeys,
      cloud,
      stacks: {
        'acme/network/staging': networkStackOutputs('staging', AWS_REGIONS, GCP_REGIONS),
        'acme/network/prod': networkStackOutputs('prod', AWS_REGIONS, GCP_REGIONS),
        'acme/ingot-images/dev': { channel: 'dev', buckets: ['ubuntu-base', ...RUNNER_BUCKETS] },
        ...stacks,
      },
    });
    engine.install();
    return engine;
  }

  /**
   * Evaluates the program for a stack, as `pulumi up` of a new stack would — or, with a
   * `cloud` model that keeps state between runs (`Ec2Rollout`), as the next `pulumi up`.
   */
  async deploy(
    stack: string,
    values?: Record<string, string>,
    extraSecretKeys: string[] = [],
    cloud?: CloudModel,
  ): Promise<Deployment> {
    const config = this.stackConfig(stack, values);
    const engine = this.engine(stack, config, [...SECRET_KEYS, ...extraSecretKeys], {}, cloud);
    await resetRegistryClients(this.registry);
    const outputs = runFleet();
    const [pools, images, scaler] = await Promise.all([
      resolved(outputs.pools),
      resolved(outputs.images),
      outputs.scaler ? resolved(outputs.scaler) : undefined,
    ]);
    await settle();
    return {
      engine,
      config: parseFleetConfig({
        project: projectName(),
        stack,
        values: config,
        secretKeys: [...SECRET_KEYS, ...extraSecretKeys],
        env: {},
      }),
      pools: pools as Record<string, PoolExport>,
      images,
      scaler,
      requests: registryRequests(),
    };
  }
}
