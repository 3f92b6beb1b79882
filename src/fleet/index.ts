export { AwsRunnerPool, type AwsRunnerPoolArgs } from './aws/aws-runner-pool';
export { GcpRunnerPool, type GcpRunnerPoolArgs } from './gcp/gcp-runner-pool';
export type { FleetOutputs, PoolExport } from './fleet-outputs';
export { runnerLabels } from './labels';
export type { PoolImageSource, RunnerGroup, RunnerPool, RunnerPoolArgs } from './pool-contract';
export { runFleet } from './program';
export { RunnerFleet, type RunnerFleetArgs } from './runner-fleet';
export { instanceTypes, SIZE_TABLE } from './sizes';
