export { GoldenImage, type GoldenImageArgs, type GoldenImageParent } from './golden-image';
export {
  ImagePipeline,
  imagePipeline,
  type ImagePipelineArgs,
  type ImagePipelineVersion,
} from './image-pipeline';
export {
  ImagePipelineConfigError,
  loadImagePipelineConfig,
  parseImagePipelineConfig,
  type ImagePipelineConfig,
} from './pipeline-config';
export { TEMPLATES, type TemplateSpec } from './template-catalog';
export { contentHash, type TemplateVariable } from './content-hash';
export { planPrune, executePrune, type PruneCandidate } from './prune/prune-plan';
export { AwsImageStore } from './prune/aws-image-store';
export { GcpImageStore } from './prune/gcp-image-store';
export type { ImageStore, ImageArtifact } from './prune/image-store';
export {
  RUNNER_MINIMUM_VERSION,
  parseRunnerRelease,
  runnerVersionStatus,
  type RunnerRelease,
} from './runner-release';
export { bumpRunner } from './runner-bump';
