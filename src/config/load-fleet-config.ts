import * as pulumi from '@pulumi/pulumi';
import type { FleetConfig } from './fleet-config';
import { parseFleetConfig, type RawStackConfig } from './parse-fleet-config';

/** `pulumi.runtime.isConfigSecret` exists at run time but is not in the typings. */
type SecretCheck = (key: string) => boolean;

/** The running program's stack configuration, as the engine passed it. */
export function stackConfig(env: Record<string, string | undefined> = process.env): RawStackConfig {
  const values = pulumi.runtime.allConfig();
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: SecretCheck }).isConfigSecret;
  return {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    values,
    secretKeys: Object.keys(values).filter((key) => isSecret?.(key) ?? false),
    env,
  };
}

/**
 * Reads and validates the stack configuration once, at the start of the program: a
 * stack with problems stops here with all of them listed.
 */
export function loadFleetConfig(): FleetConfig {
  return parseFleetConfig(stackConfig());
}
