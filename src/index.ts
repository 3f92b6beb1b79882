/**
 * The runner-fleet Pulumi program (`pulumi stack select dev && pulumi up`). Its exports
 * are the stack outputs other teams read with `StackReference` (see docs/fleet.md). A stack
 * whose config has `images` also runs the golden-image pipeline (dev builds and assigns
 * `dev`; see docs/images.md).
 */
import * as pulumi from '@pulumi/pulumi';
import { runFleet } from './fleet/program';
import { imagePipeline, loadImagePipelineConfig } from './images';

const config = new pulumi.Config();
if (config.getObject<unknown>('images') !== undefined)
  imagePipeline(loadImagePipelineConfig(config));

export = runFleet();
