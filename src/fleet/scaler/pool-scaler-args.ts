import type * as pulumi from '@pulumi/pulumi';
import { fitName } from '../naming';

/**
 * What a runner pool needs to know when the scaler drives it: how its runners receive
 * their JIT configurations. The pools then run no self-registration, hold no access to
 * the GitHub App key, and leave their size to the scaler.
 */
export interface PoolScalerArgs {
  /** AWS: the SSM path the scaler writes `<prefix>/<instance id>` under. */
  ssmPrefix: string;
  /** AWS: the launch lifecycle hook that holds a new instance until its config is written. */
  lifecycleHook: string;
  /** GCP: the scaler's URL (`POST /jit`) and the audience of the VMs' identity tokens. */
  gcp?: { url: pulumi.Input<string>; audience: string };
  /**
   * AWS macOS hosts: the SSM parameter (in the scaler's `region`) holding the AWS scaler's
   * URL, where each host asks for its runners' configurations (`POST /jit/aws`).
   */
  host?: { region: string; urlParameter: string };
}

/** The SSM parameter the AWS scaler publishes its URL in (for macOS hosts). */
export function scalerUrlParameter(environment: string): string {
  return `/ingot/${environment}/scaler/url`;
}

/** The launch lifecycle hook name on every scaled Auto Scaling group. */
export const LIFECYCLE_HOOK = 'ingot-runner-launch';

/** Seconds an instance may wait in the launch hook for its JIT configuration before it is abandoned. */
export const LIFECYCLE_HOOK_TIMEOUT_SECONDS = 900;

/** The SSM path of an environment's JIT configurations. */
export function jitParameterPrefix(environment: string): string {
  return `/ingot/${environment}/jit`;
}

/** The audience GCP runners' identity tokens carry: names the scaler of one stack. */
export function gcpScalerAudience(project: string, environment: string): string {
  return `ingot-scaler:${project}:${environment}`;
}

/** A regional managed instance group's name (also what the GCP scaler's config names). */
export function gcpGroupName(environment: string, pool: string, region: string): string {
  return fitName(`${environment}-${pool}-${region}`, 60);
}
