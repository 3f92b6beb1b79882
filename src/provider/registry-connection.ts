import type * as pulumi from '@pulumi/pulumi';
import { RegistryClient } from '../client/registry-client';

/**
 * Where a provider's registry is. Only non-secret values are resource inputs (they
 * land in the state); credentials never do: the provider reads them from the
 * environment of `pulumi` (`HCP_CLIENT_ID`/`HCP_CLIENT_SECRET` or
 * `INGOT_CREDENTIALS_FILE`) or, through `configure`, from the stack's secret config
 * `ingot:registryClientId` / `ingot:registryClientSecret`, which Pulumi keeps encrypted.
 */
export interface RegistryConnectionArgs {
  /** Registry base URL. @default `INGOT_REGISTRY_URL`, else stack config `ingot:registryUrl` */
  url?: pulumi.Input<string>;
  /** @default `HCP_ORGANIZATION_ID`, else stack config `ingot:organizationId` */
  organizationId?: pulumi.Input<string>;
  /** @default `HCP_PROJECT_ID`, else stack config `ingot:projectId` */
  projectId?: pulumi.Input<string>;
}

export interface RegistryConnectionInputs {
  url?: string;
  organizationId?: string;
  projectId?: string;
}

/** What `configure` read from the stack config. */
export interface ProviderSettings {
  url?: string;
  organizationId?: string;
  projectId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Per-attempt timeout of a registry call, ms. */
  timeoutMs?: number;
  /** Total time of a registry call (attempts and waits), ms. */
  deadlineMs?: number;
  /** `ingot:allowStaleImages`: an unreachable registry lets an update keep the last images. */
  allowStaleImages?: boolean;
}

/** Stack config keys the providers read (namespaced, so any project name works). */
export const CONFIG_KEYS = {
  url: 'ingot:registryUrl',
  organizationId: 'ingot:organizationId',
  projectId: 'ingot:projectId',
  clientId: 'ingot:registryClientId',
  clientSecret: 'ingot:registryClientSecret',
  timeoutMs: 'ingot:registryTimeoutMs',
  deadlineMs: 'ingot:registryDeadlineMs',
  allowStaleImages: 'ingot:allowStaleImages',
} as const;

/** A whole number of milliseconds from the stack config (raw strings there), or a clear error. */
function milliseconds(key: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(
      `stack config ${key} is "${raw}": give a whole number of milliseconds, e.g. \`pulumi config set ${key} 10000\`.`,
    );
  return value;
}

export function settingsFromConfig(config: {
  get(key: string): string | undefined;
}): ProviderSettings {
  const stale = config.get(CONFIG_KEYS.allowStaleImages);
  if (stale !== undefined && stale !== 'true' && stale !== 'false')
    throw new Error(
      `stack config ${CONFIG_KEYS.allowStaleImages} is "${stale}": use true or false (\`pulumi config set ${CONFIG_KEYS.allowStaleImages} true\`).`,
    );
  return {
    url: config.get(CONFIG_KEYS.url),
    organizationId: config.get(CONFIG_KEYS.organizationId),
    projectId: config.get(CONFIG_KEYS.projectId),
    clientId: config.get(CONFIG_KEYS.clientId),
    clientSecret: config.get(CONFIG_KEYS.clientSecret),
    timeoutMs: milliseconds(CONFIG_KEYS.timeoutMs, config.get(CONFIG_KEYS.timeoutMs)),
    deadlineMs: milliseconds(CONFIG_KEYS.deadlineMs, config.get(CONFIG_KEYS.deadlineMs)),
    allowStaleImages: stale === 'true',
  };
}

/**
 * A client for a provider call: inputs, then environment, then stack config. Clients
 * are shared per connection in the provider process (through a global, never through
 * the provider object, which is serialized into the state), so a stack's many lookups
 * share one token.
 */
export function registryClient(
  inputs: RegistryConnectionInputs | undefined,
  settings: ProviderSettings = {},
): RegistryClient {
  const env = process.env;
  // Named in "check …" advice, so the message says where the URL the provider used comes from.
  const registryUrlSource = inputs?.url
    ? 'the resource input registry.url'
    : env.INGOT_REGISTRY_URL
      ? 'INGOT_REGISTRY_URL'
      : env.HCP_API_ADDRESS
        ? 'HCP_API_ADDRESS'
        : `stack config ${CONFIG_KEYS.url}`;
  const options = {
    registryUrl: inputs?.url || env.INGOT_REGISTRY_URL || env.HCP_API_ADDRESS || settings.url,
    registryUrlSource,
    organizationId: inputs?.organizationId || env.HCP_ORGANIZATION_ID || settings.organizationId,
    projectId: inputs?.projectId || env.HCP_PROJECT_ID || settings.projectId,
    clientId: env.HCP_CLIENT_ID || settings.clientId,
    clientSecret: env.HCP_CLIENT_SECRET || settings.clientSecret,
    credentialsFile: env.INGOT_CREDENTIALS_FILE,
    timeoutMs: settings.timeoutMs,
    deadlineMs: settings.deadlineMs,
  };
  // A string key: serialized closures cannot carry symbols.
  const store = globalThis as { __ingotRegistryClients?: Map<string, RegistryClient> };
  const clients = (store.__ingotRegistryClients ??= new Map());
  const key = JSON.stringify(options);
  let client = clients.get(key);
  if (!client) {
    client = new RegistryClient(options);
    clients.set(key, client);
  }
  return client;
}

/** The value the engine passes for inputs not known yet (during preview). */
export const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/** Whether any of the values (deeply) is still unknown. */
export function hasUnknown(...values: unknown[]): boolean {
  return values.some((v) =>
    v === UNKNOWN
      ? true
      : typeof v === 'object' && v !== null
        ? hasUnknown(...Object.values(v))
        : false,
  );
}

/** Resolved outputs that name who uses which version (RegistryImage, ChannelImages). */
export interface ConsumedVersion {
  bucket: string;
  versionFingerprint: string;
  channel?: string;
  registry?: RegistryConnectionInputs;
  consumer?: { project: string; stack: string; urn: string };
}

/** Records the stack resource as a consumer of the version (Ingot only; skipped on HCP). */
export async function recordConsumer(
  outs: ConsumedVersion,
  settings: ProviderSettings | undefined,
): Promise<void> {
  if (!outs.consumer) return;
  await registryClient(outs.registry, settings).registerConsumer(
    outs.bucket,
    outs.versionFingerprint,
    {
      pulumi_project: outs.consumer.project,
      stack: outs.consumer.stack,
      urn: outs.consumer.urn,
      channel: outs.channel ?? '',
    },
  );
}
