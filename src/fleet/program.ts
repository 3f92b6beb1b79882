import * as pulumi from '@pulumi/pulumi';
import { loadFleetConfig } from '../config/load-fleet-config';
import { SCALER_SECRETS_KEY } from '../config/parse-scaler';
import type { FleetConfig } from '../config/fleet-config';
import { registryClient, settingsFromConfig } from '../provider/registry-connection';
import { assertChannelsReady } from './channel-readiness';
import type { FleetOutputs } from './fleet-outputs';
import { RunnerFleet } from './runner-fleet';

/**
 * The runner-fleet program: reads and validates the stack configuration (stopping with
 * every problem at once), builds the fleet and returns the stack outputs. A function,
 * not module-level code, so tests (and the benchmark) can run it once per stack in one
 * process, after installing mocks and config.
 */
export function runFleet(config: FleetConfig = loadFleetConfig()): FleetOutputs {
  const scalerSecrets = config.scaler
    ? new pulumi.Config(config.project).requireSecret(SCALER_SECRETS_KEY)
    : undefined;
  return new RunnerFleet('runner-fleet', { config, scalerSecrets }).outputs;
}

/** The buckets the image factory's stack says it builds (its `buckets` output). */
async function factoryBuckets(stack: string): Promise<string[] | undefined> {
  const value: unknown = await new pulumi.StackReference(stack).getOutputValue('buckets');
  return Array.isArray(value) ? value.map(String) : undefined;
}

/**
 * What `pulumi up` runs (`src/index.ts`): the configuration, then the registry check that
 * every pool's channel serves a version (an empty registry stops here, listing every
 * missing bucket/channel with its fix, before anything is created), then the fleet.
 */
export async function startFleet(config: FleetConfig = loadFleetConfig()): Promise<FleetOutputs> {
  const client = registryClient(
    undefined,
    settingsFromConfig({ get: (key) => pulumi.runtime.getConfig(key) }),
  );
  const factory = config.imageFactory;
  await assertChannelsReady(config, client, {
    factoryStack: factory?.stack ?? 'dev',
    factoryChannel: factory?.channel,
    factoryBuckets: factory ? await factoryBuckets(factory.stack) : undefined,
  });
  return runFleet(config);
}
