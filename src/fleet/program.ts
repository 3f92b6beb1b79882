import * as pulumi from '@pulumi/pulumi';
import { loadFleetConfig } from '../config/load-fleet-config';
import { SCALER_SECRETS_KEY } from '../config/parse-scaler';
import type { FleetConfig } from '../config/fleet-config';
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
