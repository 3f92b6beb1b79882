import * as pulumi from '@pulumi/pulumi';
import { ChannelAssignment } from '../provider/channel-assignment';
import { GoldenImage, type GoldenImageArgs } from './golden-image';
import type { IntegrationTestArgs, IntegrationTestRunner } from './integration-test';
import type { ImagePipelineConfig } from './pipeline-config';
import {
  PLATFORM,
  TEMPLATES,
  artifactRegion,
  type Cloud,
  type TemplateSpec,
} from './template-catalog';

/** Arguments of {@link ImagePipeline}. */
export interface ImagePipelineArgs {
  /** The stack's validated `images` config (see `loadImagePipelineConfig`). */
  config: ImagePipelineConfig;
}

/** What a stack did with one bucket: its channel and the version it points at. */
export interface ImagePipelineVersion {
  bucket: string;
  channel: string;
  fingerprint: string;
  versionName: string;
}

/** Templates in build order: every parent before its children, otherwise as listed. */
export function buildOrder(templates: string[]): string[] {
  const ordered: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (ordered.includes(name)) return;
    if (path.includes(name))
      throw new Error(`templates form a parent cycle: ${[...path, name].join(' → ')}.`);
    const parent = TEMPLATES[name]?.parent;
    if (parent && templates.includes(parent)) visit(parent, [...path, name]);
    ordered.push(name);
  };
  for (const name of templates) visit(name, []);
  return ordered;
}

function cloudsOf(spec: TemplateSpec, config: ImagePipelineConfig): Cloud[] {
  return [...new Set(spec.sources.map((s) => s.cloud))].filter(
    (c) => c === 'local' || config[c] !== undefined,
  );
}

/** The registration the test runner uses: the fleet's GitHub settings and its secret on that cloud. */
function testRunner(
  spec: TemplateSpec,
  config: ImagePipelineConfig,
  cloud: Cloud,
): IntegrationTestRunner | undefined {
  const github = config.integrationTest ? config.integrationTest.github : undefined;
  if (!github) return undefined;
  // Locally the boot script reads its secret as on AWS (the test points the image's AWS
  // CLI at a local endpoint).
  const secret: IntegrationTestRunner['secret'] =
    cloud === 'gcp'
      ? {
          cloud: 'gcp',
          project: config.gcp?.projectId ?? '',
          name: github.registrationSecret.gcp ?? '',
        }
      : {
          cloud: 'aws',
          region: config.aws?.regions[0] ?? 'us-east-1',
          name: github.registrationSecret.aws ?? '',
        };
  return {
    os: spec.os,
    organization: github.organization,
    runnerGroup: github.runnerGroup,
    githubUrl: github.url,
    apiUrl: github.apiUrl,
    secret,
  };
}

/** The test of a template: every architecture built on the test's cloud, booted like the fleet boots it. */
function testOf(
  spec: TemplateSpec,
  config: ImagePipelineConfig,
  clouds: Cloud[],
): IntegrationTestArgs | undefined {
  if (config.integrationTest === false) return undefined;
  const wanted = clouds.includes('local') ? 'local' : config.integrationTest.cloud;
  const cloud = wanted && clouds.includes(wanted) ? wanted : clouds[0];
  const sources = spec.sources.filter((s) => s.cloud === cloud);
  if (sources.length === 0) return undefined;
  return {
    mode: cloud,
    smoke: spec.smoke,
    platform: PLATFORM[cloud],
    region: artifactRegion(config, cloud),
    componentTypes: sources.map((s) => s.name),
    runner: spec.smoke === 'runner' ? testRunner(spec, config, cloud) : undefined,
    args: {
      ...spec.testArgs?.(config, cloud),
      ...(config.integrationTest.github
        ? { organization: config.integrationTest.github.organization }
        : {}),
      ...config.integrationTest.args,
    },
    environment: config.testEnvironment,
  };
}

/**
 * The image pipeline of one stack. Role `build` (dev): a GoldenImage per template, each
 * parent before its children, independent templates in parallel, each assigning the
 * stack's channel after its integration test. Role `promote` (staging, prod): one
 * ChannelAssignment per template that promotes what `promoteFrom.channel` has held for
 * `promoteFrom.minimumSoak` — one registry lookup and one assignment, whatever the
 * number of builds, clouds and regions.
 */
export class ImagePipeline extends pulumi.ComponentResource {
  readonly images: Record<string, GoldenImage> = {};
  readonly promotions: Record<string, ChannelAssignment> = {};
  readonly versions: pulumi.Output<Record<string, ImagePipelineVersion>>;

  constructor(name: string, args: ImagePipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:images:ImagePipeline', name, {}, opts);
    const { config } = args;
    const versions: Record<string, pulumi.Output<ImagePipelineVersion>> = {};

    if (config.role === 'build') {
      for (const template of buildOrder(config.templates)) {
        const spec = TEMPLATES[template];
        const clouds = cloudsOf(spec, config);
        const parentSpec = spec.parent ? TEMPLATES[spec.parent] : undefined;
        const parent: GoldenImageArgs['parent'] = parentSpec
          ? {
              bucket: parentSpec.bucket,
              channel: config.parentChannel,
              bucketVariable: spec.parentVariables?.bucket,
              channelVariable: spec.parentVariables?.channel,
              images: (spec.parentImages ?? [])
                .filter((p) => clouds.includes(p.cloud))
                .map((p) => ({
                  variable: p.variable,
                  platform: PLATFORM[p.cloud],
                  region: artifactRegion(config, p.cloud),
                  componentType: parentSpec.sources.find(
                    (s) => s.cloud === p.cloud && s.arch === p.arch,
                  )?.name,
                })),
              after: this.images[parentSpec.name] ? [this.images[parentSpec.name]] : [],
            }
          : undefined;
        const image = new GoldenImage(
          `${name}-${template}`,
          {
            templateDir: spec.dir,
            bucket: spec.bucket,
            description: spec.description,
            sources: spec.sources.filter((s) => clouds.includes(s.cloud)).map((s) => s.name),
            scripts: spec.scripts,
            variables: {
              ...spec.variables(config),
              ...(config.buildEpoch ? { build_epoch: config.buildEpoch } : {}),
              ...config.variables[template],
            },
            parent,
            channel: config.channel,
            integrationTest: testOf(spec, config, clouds),
            environment: config.environment,
            workDir: config.workDir,
            root: config.root,
            hcpPackerRegistry: config.hcpPackerRegistry,
            registry: config.registry,
          },
          { parent: this },
        );
        this.images[template] = image;
        versions[template] = pulumi
          .all([image.fingerprint, image.versionName])
          .apply(([fingerprint, versionName]) => ({
            bucket: spec.bucket,
            channel: config.channel,
            fingerprint,
            versionName,
          }));
      }
    } else {
      const from = config.promoteFrom as { channel: string; minimumSoak: string };
      for (const template of config.templates) {
        const spec = TEMPLATES[template];
        const promotion = new ChannelAssignment(
          `${name}-${template}-${config.channel}`,
          {
            bucket: spec.bucket,
            channel: config.channel,
            promoteFrom: { channel: from.channel, minimumSoak: from.minimumSoak },
            registry: config.registry,
          },
          { parent: this },
        );
        this.promotions[template] = promotion;
        versions[template] = pulumi
          .all([promotion.assignedFingerprint, promotion.assignedVersionName])
          .apply(([fingerprint, versionName]) => ({
            bucket: spec.bucket,
            channel: config.channel,
            fingerprint,
            versionName,
          }));
      }
    }
    this.versions = pulumi.all(versions);
    this.registerOutputs({ versions: this.versions });
  }
}

/**
 * The entry the Pulumi program calls: `imagePipeline(loadImagePipelineConfig())` builds
 * or promotes what the stack's config says, under one `images` component.
 */
export function imagePipeline(
  config: ImagePipelineConfig,
  opts?: pulumi.ComponentResourceOptions,
): ImagePipeline {
  return new ImagePipeline('images', { config }, opts);
}
