import type { ScalerTarget } from './scaler-config';

/** An instance of a group, as the cloud reports it. */
export interface GroupInstance {
  id: string;
  /**
   * `pending`: launching, waiting for its configuration (AWS: `Pending:Wait` in the launch
   * lifecycle hook; GCP: `CREATING`/booting); `running`; `terminating`: on its way out.
   */
  state: 'pending' | 'running' | 'terminating';
  /** When the cloud launched it, if known. */
  launchedAt?: Date;
}

export interface GroupState {
  /** The group's desired (AWS) / target (GCP) size. */
  desired: number;
  instances: GroupInstance[];
}

/**
 * The contract every cloud implements for the scaler (one contract suite,
 * `test/scaler/cloud-contract.ts`, runs against each):
 * - `describe` reports the group's size and instances;
 * - `setDesired` raises (or lowers) the size without removing any chosen instance;
 *   instances the scaler launches are protected from the group's own scale-in;
 * - `terminate` removes exactly one instance and lowers the size by one, so the group
 *   does not replace it;
 * - `deliverConfig` hands one instance its JIT configuration over a channel only that
 *   instance can read, and lets it finish launching (AWS: a SecureString parameter
 *   tagged with the instance id, then the lifecycle action completes). Clouds whose
 *   instances fetch their configuration from the scaler instead (GCP, with an identity
 *   token) implement `authenticateInstance`.
 */
export interface CloudBackend {
  readonly cloud: 'aws' | 'gcp';
  describe(target: ScalerTarget): Promise<GroupState>;
  setDesired(target: ScalerTarget, desired: number): Promise<void>;
  terminate(target: ScalerTarget, instanceId: string): Promise<void>;
  /** Push delivery (AWS). */
  deliverConfig?(target: ScalerTarget, instanceId: string, encodedJitConfig: string): Promise<void>;
  /** Pull delivery (GCP): which target's instance presents this credential, or throws. */
  authenticateInstance?(
    credential: string,
    targets: readonly ScalerTarget[],
  ): Promise<{ target: ScalerTarget; instanceId: string }>;
}
