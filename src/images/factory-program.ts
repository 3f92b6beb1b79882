import * as pulumi from '@pulumi/pulumi';
import { imagePipeline, type ImagePipelineVersion } from './image-pipeline';
import { loadImagePipelineConfig, type ImagePipelineConfig } from './pipeline-config';
import { TEMPLATES } from './template-catalog';

/**
 * The image factory's stack outputs: what other teams read through a StackReference
 * (`acme/ingot-images/dev`). The fleet checks its pools' buckets against `buckets`.
 */
export interface ImageFactoryOutputs {
  /** The channel this stack assigns (dev builds and assigns `dev`). */
  channel: string;
  /** The buckets this stack builds or promotes, e.g. `[ubuntu-base, runner-ubuntu]`. */
  buckets: string[];
  /** Per template: the version the channel points at after this `up`. */
  versions: pulumi.Output<Record<string, ImagePipelineVersion>>;
  /** Accounts and organizations the AMIs are shared with (the fleet's accounts). */
  sharedWith: { awsAccounts: string[]; awsOrganizations: string[] };
}

/**
 * The image factory program: reads and validates `<project>:images` (stopping with every
 * problem at once), runs the pipeline and returns the outputs. Nothing of the fleet's
 * configuration is needed: the local no-cloud stack has only `images`.
 */
export function runImageFactory(
  config: ImagePipelineConfig = loadImagePipelineConfig(),
): ImageFactoryOutputs {
  const pipeline = imagePipeline(config);
  return {
    channel: config.channel,
    buckets: config.templates.map((t) => TEMPLATES[t].bucket),
    versions: pipeline.versions,
    sharedWith: {
      awsAccounts: config.aws?.amiUsers ?? [],
      awsOrganizations: config.aws?.amiOrgArns ?? [],
    },
  };
}
