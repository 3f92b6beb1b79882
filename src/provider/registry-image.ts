import * as pulumi from '@pulumi/pulumi';
import {
  assertNotRevoked,
  isRevoked,
  pickImage,
  resolveVersion,
  revocationMessage,
} from '../client/resolve';
import {
  hasUnknown,
  recordConsumer,
  registryClient,
  settingsFromConfig,
  type ProviderSettings,
  type RegistryConnectionArgs,
  type RegistryConnectionInputs,
} from './registry-connection';
import { consumerUrn } from './consumer-urn';
import { lookupFailure, mayUseStale, staleWarning } from './stale-images';

export type OnRevoked = 'fail' | 'warn';

/** Arguments of {@link RegistryImage}: which image, from which channel or version. */
export interface RegistryImageArgs {
  /** Bucket name, e.g. `runner-ubuntu`. */
  bucket: pulumi.Input<string>;
  /** Channel to follow. Exactly one of `channel` and `versionFingerprint`. */
  channel?: pulumi.Input<string>;
  /** A pinned version. Exactly one of `channel` and `versionFingerprint`. */
  versionFingerprint?: pulumi.Input<string>;
  /** `aws`, `gcp`… */
  platform: pulumi.Input<string>;
  /** Cloud region of the artifact, e.g. `us-east-1` (GCP's global images serve every region). */
  region: pulumi.Input<string>;
  /** Only builds of this component type, e.g. `amazon-ebs.runner-arm64`. */
  componentType?: pulumi.Input<string>;
  /** Only builds with all these labels. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** What a revoked version does. @default "fail" */
  onRevoked?: pulumi.Input<OnRevoked>;
  /** Registry location. @default from the environment / stack config */
  registry?: RegistryConnectionArgs;
}

/** Inputs as the provider sees them (resolved by the engine). */
export interface RegistryImageInputs {
  bucket: string;
  channel?: string;
  versionFingerprint?: string;
  platform: string;
  region: string;
  componentType?: string;
  labels?: Record<string, string>;
  onRevoked?: OnRevoked;
  registry?: RegistryConnectionInputs;
  /** Who uses the image, recorded as a consumer of the version on create/update. */
  consumer?: { project: string; stack: string; urn: string };
}

export interface RegistryImageOutputs extends RegistryImageInputs {
  externalIdentifier: string;
  versionFingerprint: string;
  versionName: string;
  versionId: string;
  buildId: string;
  /** RFC 3339 when the version is (scheduled to be) revoked, else empty. */
  revokeAt: string;
  /** A warning to show (scheduled revocation, revoked with onRevoked "warn", stale), else empty. */
  warning: string;
  /** Kept from the last resolution because the registry was unreachable (`ingot:allowStaleImages`). */
  stale?: boolean;
}

/** The resolved fields: compared by `diff`, produced by `check`, `create`, `update`, `read`. */
const RESOLVED = [
  'externalIdentifier',
  'versionFingerprint',
  'versionName',
  'versionId',
  'buildId',
  'revokeAt',
  'warning',
] as const;

interface ProviderState {
  settings?: ProviderSettings;
}

function validate(inputs: RegistryImageInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const required = (property: keyof RegistryImageInputs, example: string) => {
    if (typeof inputs[property] !== 'string' || !inputs[property]) {
      failures.push({ property, reason: `${property} is required, e.g. "${example}".` });
    }
  };
  required('bucket', 'runner-ubuntu');
  required('platform', 'aws');
  required('region', 'us-east-1');
  if (!inputs.channel === !inputs.versionFingerprint) {
    failures.push({
      property: 'channel',
      reason:
        'set exactly one of channel (to follow a channel) and versionFingerprint (to pin a version).',
    });
  }
  if (
    inputs.onRevoked !== undefined &&
    inputs.onRevoked !== 'fail' &&
    inputs.onRevoked !== 'warn'
  ) {
    failures.push({
      property: 'onRevoked',
      reason: `onRevoked is "${inputs.onRevoked}"; use "fail" or "warn".`,
    });
  }
  return failures;
}

/** Looks the image up (one registry call) and returns the resolved fields. */
async function resolve(
  inputs: RegistryImageInputs,
  settings: ProviderSettings | undefined,
): Promise<RegistryImageOutputs> {
  const client = registryClient(inputs.registry, settings);
  // With a channel, `versionFingerprint` is an earlier resolution's output: follow the channel.
  const resolved = await resolveVersion(
    client,
    inputs.bucket,
    inputs.channel ? { channel: inputs.channel } : { fingerprint: inputs.versionFingerprint },
  );
  if ((inputs.onRevoked ?? 'fail') === 'fail') assertNotRevoked(resolved);
  const image = pickImage(resolved, {
    platform: inputs.platform,
    region: inputs.region,
    componentType: inputs.componentType,
    labels: inputs.labels,
  });
  const { version } = resolved;
  let warning = '';
  if (isRevoked(version))
    warning = `using a revoked image because onRevoked is "warn": ${revocationMessage(resolved)}.`;
  else if (version.revoke_at) {
    warning = `version ${version.name} of bucket "${inputs.bucket}"${resolved.channel ? ` (channel "${resolved.channel}")` : ''} is scheduled to be revoked at ${version.revoke_at}${version.revocation_message ? `: ${version.revocation_message}` : ''}; move to a newer version before then.`;
  }
  return {
    ...inputs,
    externalIdentifier: image.externalIdentifier,
    versionFingerprint: version.fingerprint,
    versionName: version.name,
    versionId: version.id,
    buildId: image.build.id,
    revokeAt: version.revoke_at ?? '',
    warning,
    stale: false,
  };
}

/**
 * What `check` resolved, applied as is: the channel may move between preview and update,
 * and the update must do what the preview showed. Resolves only when `check` could not
 * (inputs that were unknown then).
 */
async function checked(
  inputs: RegistryImageInputs,
  settings: ProviderSettings | undefined,
): Promise<RegistryImageOutputs> {
  const outs = inputs as Partial<RegistryImageOutputs>;
  if (outs.externalIdentifier && !hasUnknown(...RESOLVED.map((k) => outs[k])))
    return inputs as RegistryImageOutputs;
  return resolve(inputs, settings);
}

/** Whether the last resolution answered the same question as `news` asks. */
function sameQuery(olds: Partial<RegistryImageOutputs>, news: RegistryImageInputs): boolean {
  return (
    (['bucket', 'channel', 'platform', 'region', 'componentType', 'onRevoked'] as const).every(
      (k) => olds[k] === news[k],
    ) &&
    (news.channel !== undefined || olds.versionFingerprint === news.versionFingerprint) &&
    JSON.stringify(olds.labels ?? {}) === JSON.stringify(news.labels ?? {}) &&
    JSON.stringify(olds.registry ?? {}) === JSON.stringify(news.registry ?? {})
  );
}

/** The last resolution, kept with a warning, while the registry is unreachable. */
function staleResolution(
  olds: RegistryImageOutputs,
  news: RegistryImageInputs,
  error: unknown,
): RegistryImageOutputs {
  const resolved = Object.fromEntries(RESOLVED.map((k) => [k, olds[k]])) as Pick<
    RegistryImageOutputs,
    (typeof RESOLVED)[number]
  >;
  return {
    ...news,
    ...resolved,
    stale: true,
    warning: staleWarning(
      `image ${olds.externalIdentifier} of bucket "${olds.bucket}"`,
      olds.versionName,
      error,
    ),
  };
}

/**
 * The provider. The lookup happens in `check`, which the engine calls on every preview
 * and update (create/update/read are not called during preview): the resolved image id
 * becomes part of the checked inputs, `diff` sees a moved channel as a change, and the
 * preview shows the new id — and every resource using it — instead of an unknown.
 */
export const registryImageProvider: pulumi.dynamic.ResourceProvider & ProviderState = {
  async configure(this: ProviderState, req: pulumi.dynamic.ConfigureRequest) {
    this.settings = settingsFromConfig(req.config);
  },

  async check(this: ProviderState, olds: Partial<RegistryImageOutputs>, news: RegistryImageInputs) {
    const failures = validate(news);
    if (
      failures.length > 0 ||
      hasUnknown(
        news.bucket,
        news.channel,
        news.versionFingerprint,
        news.platform,
        news.region,
        news.registry,
      )
    ) {
      return { inputs: news, failures };
    }
    try {
      return { inputs: await resolve(news, this.settings) };
    } catch (error) {
      if (olds.externalIdentifier && mayUseStale(error, this.settings, olds, sameQuery(olds, news)))
        return { inputs: staleResolution(olds as RegistryImageOutputs, news, error) };
      return {
        inputs: news,
        failures: [
          {
            property: news.channel ? 'channel' : 'versionFingerprint',
            reason: lookupFailure(error, this.settings),
          },
        ],
      };
    }
  },

  async diff(_id: string, olds: RegistryImageOutputs, news: RegistryImageOutputs) {
    const inputsChanged = (
      ['bucket', 'channel', 'platform', 'region', 'componentType', 'onRevoked'] as const
    ).some((k) => olds[k] !== news[k]);
    const changed =
      inputsChanged ||
      JSON.stringify(olds.labels ?? {}) !== JSON.stringify(news.labels ?? {}) ||
      RESOLVED.some((k) => (news[k] as unknown) !== undefined && olds[k] !== news[k]) ||
      news.externalIdentifier === undefined;
    return { changes: changed };
  },

  async create(this: ProviderState, inputs: RegistryImageInputs) {
    const outs = await checked(inputs, this.settings);
    if (!outs.stale) await recordConsumer(outs, this.settings);
    return {
      id: `${outs.bucket}/${outs.channel ?? outs.versionFingerprint}/${outs.platform}/${outs.region}`,
      outs,
    };
  },

  async update(
    this: ProviderState,
    _id: string,
    _olds: RegistryImageOutputs,
    news: RegistryImageInputs,
  ) {
    const outs = await checked(news, this.settings);
    if (!outs.stale) await recordConsumer(outs, this.settings);
    return { outs };
  },

  /** Refresh: what the channel serves now, recorded like an update so `ingot drift` sees it. */
  async read(this: ProviderState, id: string, props: RegistryImageOutputs) {
    let outs: RegistryImageOutputs;
    try {
      outs = await resolve(props, this.settings);
    } catch (error) {
      if (mayUseStale(error, this.settings, props, true))
        return { id, props: staleResolution(props, props, error) };
      throw error;
    }
    await recordConsumer(outs, this.settings);
    return { id, props: outs };
  },

  async delete() {
    // A data source: nothing to delete in the registry.
  },
};

export const REGISTRY_IMAGE_TYPE = 'pulumi-nodejs:dynamic/ingot:RegistryImage';

/**
 * An image id resolved from the registry: follows a channel (or pins a version),
 * refuses revoked versions (unless `onRevoked: "warn"`), warns on scheduled
 * revocations and records the stack as a consumer of the version.
 */
export class RegistryImage extends pulumi.dynamic.Resource {
  declare readonly externalIdentifier: pulumi.Output<string>;
  declare readonly versionFingerprint: pulumi.Output<string>;
  declare readonly versionName: pulumi.Output<string>;
  declare readonly versionId: pulumi.Output<string>;
  declare readonly buildId: pulumi.Output<string>;
  declare readonly revokeAt: pulumi.Output<string>;
  declare readonly channel: pulumi.Output<string | undefined>;
  declare readonly warning: pulumi.Output<string>;

  constructor(name: string, args: RegistryImageArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      registryImageProvider,
      name,
      {
        ...args,
        onRevoked: args.onRevoked ?? 'fail',
        consumer: {
          project: pulumi.getProject(),
          stack: pulumi.getStack(),
          urn: consumerUrn(name, REGISTRY_IMAGE_TYPE, opts?.parent),
        },
        externalIdentifier: undefined,
        versionName: undefined,
        versionId: undefined,
        buildId: undefined,
        revokeAt: undefined,
        warning: undefined,
      },
      opts,
      'ingot',
      'RegistryImage',
    );
    this.warning.apply((warning) => {
      if (warning) void pulumi.log.warn(warning, this);
    });
  }
}
