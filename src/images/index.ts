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
