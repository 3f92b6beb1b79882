import * as pulumi from '@pulumi/pulumi';
import fs from 'node:fs';
import { parseManifest } from '../client/packer-manifest';
import { publishVersion } from '../client/publish';
import {
  registryClient,
  settingsFromConfig,
  type ProviderSettings,
  type RegistryConnectionArgs,
  type RegistryConnectionInputs,
} from './registry-connection';

/** Arguments of {@link PublishedVersion}: a Packer manifest published as one version. */
export interface PublishedVersionArgs {
  bucket: pulumi.Input<string>;
  /** Identifies the build run (e.g. the template's content hash plus the commit). */
  fingerprint: pulumi.Input<string>;
  /** Path of the manifest the `manifest` post-processor wrote. Exactly one of `manifestPath` and `manifest`. */
  manifestPath?: pulumi.Input<string>;
  /** The manifest's JSON text. */
  manifest?: pulumi.Input<string>;
  /** Only this Packer run's builds. @default the manifest's `last_run_uuid` */
  packerRunUuid?: pulumi.Input<string>;
  bucketDescription?: pulumi.Input<string>;
  bucketLabels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Labels on every build: runner version, OS version, git commit… */
  buildLabels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The version (and channel) the image was built from: recorded as ancestry. */
  parent?: pulumi.Input<{ bucket: pulumi.Input<string>; channel: pulumi.Input<string> }>;
  /** Component types that must all be in the manifest, or nothing is published. */
  expectBuilds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Revoke the version when this resource is deleted. @default false */
  revokeOnDelete?: pulumi.Input<boolean>;
  registry?: RegistryConnectionArgs;
}

export interface PublishedVersionInputs {
  bucket: string;
  fingerprint: string;
  manifestPath?: string;
  manifest?: string;
  packerRunUuid?: string;
  bucketDescription?: string;
  bucketLabels?: Record<string, string>;
  buildLabels?: Record<string, string>;
  parent?: { bucket: string; channel: string };
  expectBuilds?: string[];
  revokeOnDelete?: boolean;
  registry?: RegistryConnectionInputs;
  consumer?: { project: string; stack: string };
}

export interface PublishedVersionOutputs extends PublishedVersionInputs {
  versionId: string;
  versionName: string;
  /** `platform/region/componentType` → image id (x64 and arm64 builds apart). */
  images: Record<string, string>;
}

interface ProviderState {
  settings?: ProviderSettings;
}

async function publish(
  inputs: PublishedVersionInputs,
  settings: ProviderSettings | undefined,
): Promise<PublishedVersionOutputs> {
  const client = registryClient(inputs.registry, settings);
  const source = inputs.manifestPath ?? 'the manifest input';
  const text = inputs.manifestPath
    ? fs.readFileSync(inputs.manifestPath, 'utf8')
    : (inputs.manifest as string);
  const builds = parseManifest(text, source, inputs.packerRunUuid);
  let parentVersionId: string | undefined;
  let parentChannelId: string | undefined;
  if (inputs.parent) {
    const channel = await client.getChannel(inputs.parent.bucket, inputs.parent.channel);
    parentChannelId = channel.id;
    parentVersionId = channel.version?.id;
  }
  const { version } = await publishVersion(client, {
    bucket: inputs.bucket,
    fingerprint: inputs.fingerprint,
    builds,
    bucketDescription: inputs.bucketDescription,
    bucketLabels: inputs.bucketLabels,
    buildLabels: inputs.buildLabels,
    parentVersionId,
    parentChannelId,
    expectBuilds: inputs.expectBuilds,
  });
  const images: Record<string, string> = {};
  for (const build of version.builds) {
    for (const artifact of build.artifacts)
      images[`${build.platform}/${artifact.region}/${build.component_type}`] =
        artifact.external_identifier;
  }
  return { ...inputs, versionId: version.id, versionName: version.name, images };
}

/** Publishes a manifest as a complete version; idempotent on the fingerprint. */
export const publishedVersionProvider: pulumi.dynamic.ResourceProvider & ProviderState = {
  async configure(this: ProviderState, req: pulumi.dynamic.ConfigureRequest) {
    this.settings = settingsFromConfig(req.config);
  },

  async check(_olds: PublishedVersionInputs, news: PublishedVersionInputs) {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!news.bucket)
      failures.push({ property: 'bucket', reason: 'bucket is required, e.g. "runner-ubuntu".' });
    if (!news.fingerprint)
      failures.push({
        property: 'fingerprint',
        reason: 'fingerprint is required (e.g. the template hash plus the commit).',
      });
    if (!news.manifestPath === !news.manifest) {
      failures.push({
        property: 'manifestPath',
        reason: 'set exactly one of manifestPath (a file) and manifest (its JSON text).',
      });
    }
    return { inputs: news, failures };
  },

  async diff(_id: string, olds: PublishedVersionOutputs, news: PublishedVersionInputs) {
    // The fingerprint identifies the version: a new one is a new version. The manifest
    // alone does not count, since a version's builds are immutable once complete.
    const replaces = (['bucket', 'fingerprint'] as const).filter((k) => olds[k] !== news[k]);
    const updates =
      olds.bucketDescription !== news.bucketDescription ||
      JSON.stringify(olds.bucketLabels ?? {}) !== JSON.stringify(news.bucketLabels ?? {}) ||
      olds.revokeOnDelete !== news.revokeOnDelete;
    return { changes: replaces.length > 0 || updates, replaces };
  },

  async create(this: ProviderState, inputs: PublishedVersionInputs) {
    const outs = await publish(inputs, this.settings);
    return { id: `${inputs.bucket}/${inputs.fingerprint}`, outs };
  },

  async update(
    this: ProviderState,
    _id: string,
    olds: PublishedVersionOutputs,
    news: PublishedVersionInputs,
  ) {
    const client = registryClient(news.registry, this.settings);
    await client.updateBucket(news.bucket, {
      description: news.bucketDescription,
      labels: news.bucketLabels,
    });
    return {
      outs: {
        ...olds,
        ...news,
        versionId: olds.versionId,
        versionName: olds.versionName,
        images: olds.images,
      },
    };
  },

  async read(this: ProviderState, id: string, props: PublishedVersionOutputs) {
    const version = await registryClient(props.registry, this.settings).getVersion(
      props.bucket,
      props.fingerprint,
    );
    return { id, props: { ...props, versionId: version.id, versionName: version.name } };
  },

  async delete(this: ProviderState, _id: string, props: PublishedVersionOutputs) {
    // The version stays: other stacks may run it. Revoking is an explicit choice.
    if (!props.revokeOnDelete) return;
    const who = props.consumer
      ? `${props.consumer.project}/${props.consumer.stack}`
      : 'its Pulumi stack';
    await registryClient(props.registry, this.settings).revokeVersion(
      props.bucket,
      props.fingerprint,
      {
        revokeIn: '0s',
        message: `removed from ${who}`,
      },
    );
  },
};

/** A Packer manifest published to the registry as one complete version. */
export class PublishedVersion extends pulumi.dynamic.Resource {
  declare readonly bucket: pulumi.Output<string>;
  declare readonly fingerprint: pulumi.Output<string>;
  declare readonly versionId: pulumi.Output<string>;
  declare readonly versionName: pulumi.Output<string>;
  declare readonly images: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PublishedVersionArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      publishedVersionProvider,
      name,
      {
        ...args,
        revokeOnDelete: args.revokeOnDelete ?? false,
        consumer: { project: pulumi.getProject(), stack: pulumi.getStack() },
        versionId: undefined,
        versionName: undefined,
        images: undefined,
      },
      opts,
      'ingot',
      'PublishedVersion',
    );
  }
}
