import { resolveConnection, type ConnectionOptions } from '../client/connection';
import { RegistryClient, type Channel, type ExternalArtifact } from '../client/registry-client';
import { asRegistryError } from '../client/errors';
import type { TransportOptions } from '../client/transport';
import type { ImageRef } from './image-ref';
import type { PolicySettings } from './policy-config';

/** One registry record of an image: which bucket, version and build hold it. */
export interface ImageMatch {
  bucket: string;
  version: {
    fingerprint: string;
    name: string;
    status: string;
    revokeAt?: string;
    revocationMessage?: string;
    revocationAuthor?: string;
  };
  build: { id: string; platform: string; componentType: string; createdAt: string };
  /** The artifact's region in the registry (`global` for GCP). */
  region: string;
}

export interface LookupResult {
  /** Newest version first; empty when the registry does not track the image. */
  matches: ImageMatch[];
  /**
   * The search in the resource's region found nothing but the image is tracked
   * elsewhere: the region was inferred wrong, or the id was copied between regions.
   * The matches are judged all the same, so a revoked image never slips through a
   * region mix-up.
   */
  outsideRegion: boolean;
}

function toMatch(artifact: ExternalArtifact, externalIdentifier: string): ImageMatch {
  const { bucket, version, build } = artifact;
  return {
    bucket: bucket.name,
    version: {
      fingerprint: version.fingerprint,
      name: version.name,
      status: version.status,
      revokeAt: version.revoke_at,
      revocationMessage: version.revocation_message,
      revocationAuthor: version.revocation_author,
    },
    build: {
      id: build.id,
      platform: build.platform,
      componentType: build.component_type,
      createdAt: build.created_at,
    },
    region: build.artifacts.find((a) => a.external_identifier === externalIdentifier)?.region ?? '',
  };
}

/** Failures that say the registry will not answer this run: unreachable, or credentials refused. */
function registryDown(error: unknown): boolean {
  const e = asRegistryError(error);
  return !!e && (e.name === 'RegistryUnavailableError' || e.name === 'RegistryAuthError');
}

/**
 * Registry lookups of one connection, cached for the life of the policy pack process —
 * one `pulumi preview` or `pulumi up`. Promises are cached, not results: concurrent
 * checks of one image share one request, and a failure is remembered too. Once the
 * registry is down or refuses the credentials (after the client's own retries), no
 * further request is sent this run: a stack of 200 resources over 50 images does not
 * wait out 50 rounds of timeouts, nor send 50 rounds of refused credentials.
 */
export class ImageLookup {
  private readonly searches = new Map<string, Promise<ImageMatch[]>>();
  private readonly channelLists = new Map<string, Promise<Channel[]>>();
  private down: unknown = null;

  constructor(readonly client: RegistryClient) {}

  /** Sends `request` unless the registry already failed this run; remembers such a failure. */
  private ask<T>(request: () => Promise<T>): Promise<T> {
    if (this.down) return Promise.reject(this.down);
    const answer = request().catch((error: unknown) => {
      if (registryDown(error)) this.down ??= error;
      throw error;
    });
    // Rejections are awaited by every caller; this keeps an unobserved one from
    // crashing the process before the first caller gets to it.
    answer.catch(() => undefined);
    return answer;
  }

  /** "the image registry at URL (organization o, project p)", for messages. */
  get registry(): string {
    const { registryUrl, organizationId, projectId } = this.client.connection;
    return `the image registry at ${registryUrl} (organization "${organizationId}", project "${projectId}")`;
  }

  /** Which bucket/version/build hold the image: by id, platform and (when known) region. */
  async find(image: ImageRef): Promise<LookupResult> {
    const inRegion = await this.search(image.externalIdentifier, image.platform, image.region);
    if (inRegion.length > 0 || !image.region) return { matches: inRegion, outsideRegion: false };
    const anywhere = await this.search(image.externalIdentifier, image.platform, undefined);
    return { matches: anywhere, outsideRegion: anywhere.length > 0 };
  }

  /** The bucket's channels with the version each serves now (one request per bucket). */
  channels(bucket: string): Promise<Channel[]> {
    let list = this.channelLists.get(bucket);
    if (!list) {
      list = this.ask(() => this.client.listChannels(bucket));
      this.channelLists.set(bucket, list);
    }
    return list;
  }

  private search(
    externalIdentifier: string,
    platform: string,
    region: string | undefined,
  ): Promise<ImageMatch[]> {
    const key = JSON.stringify([externalIdentifier, platform, region ?? null]);
    let found = this.searches.get(key);
    if (!found) {
      found = this.ask(async () => {
        const filter = region ? { platform, region } : { platform };
        const artifacts = await this.client.searchArtifact(externalIdentifier, filter);
        return artifacts.map((a) => toMatch(a, externalIdentifier));
      });
      this.searches.set(key, found);
    }
    return found;
  }
}

export interface ImageLookupsOptions {
  /** Over the settings and the environment: timeouts and retries (tests make them short). */
  connection?: Pick<ConnectionOptions, 'timeoutMs' | 'maxRetries'>;
  transport?: TransportOptions;
  env?: NodeJS.ProcessEnv;
  /** Where failures that do not become violations are told (once each). */
  warn?: (message: string) => void;
  /** What "now" is for judgements of time (scheduled revocations, image age). */
  clock?: { now(): Date };
}

/**
 * The lookups of every registry connection the policies' settings name. Policies are
 * configured separately but usually name the same registry: they share its lookup, its
 * cache and its token.
 */
export class ImageLookups {
  private readonly lookups = new Map<string, ImageLookup>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: ImageLookupsOptions = {}) {}

  /**
   * The lookup for a policy's settings, credentials from the environment. Throws the
   * client's `ClientConfigError` (every missing or invalid setting) when the
   * connection is incomplete.
   */
  forSettings(settings: PolicySettings): ImageLookup {
    const connection = resolveConnection(
      {
        registryUrl: settings.registryUrl,
        organizationId: settings.organization,
        projectId: settings.project,
        ...this.options.connection,
      },
      this.options.env ?? process.env,
    );
    const key = JSON.stringify(connection);
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = new ImageLookup(new RegistryClient(connection, this.options.transport));
      this.lookups.set(key, lookup);
    }
    return lookup;
  }

  now(): Date {
    return this.options.clock?.now() ?? new Date();
  }

  /** Tells a problem once per kind and process: the pack's stderr shows in the CLI's output. */
  warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    (this.options.warn ?? ((m: string) => console.error(m)))(message);
  }
}
