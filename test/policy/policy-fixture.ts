import { ImageLookups, type ImageLookupsOptions } from '../../src/policy/image-lookup';
import { useRegistryEnv } from '../helpers/provider-env';
import { imageId, startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

/**
 * A registry as the policies meet it: bucket `runner-ubuntu` with
 *   v1 `fp-old`        no channel serves it any more (outdated)
 *   v2 `fp-current`    served by `prod` — the passing example
 *   v3 `fp-revoked`    revoked now, with a message
 *   v4 `fp-scheduled`  revocation scheduled a week ahead; `latest` serves it
 * Each version has AWS images in us-east-1 and eu-west-1 and a global GCP image.
 * One SQLite registry per file: the policies behave alike on either engine.
 */
export const BUCKET = 'runner-ubuntu';
export const REVOCATION_MESSAGE = 'CVE-2026-0001 in openssl';
export const SCHEDULE_MESSAGE = 'superseded by the March rebuild';

export const ami = (fingerprint: string, region = 'us-east-1') =>
  imageId('aws', fingerprint, region);
export const gcpImage = (fingerprint: string) => imageId('gcp', fingerprint, 'global');

export interface PolicyRegistry {
  registry: () => TestRegistry;
  /** Fresh lookups (an empty cache) against the registry, credentials from the environment. */
  lookups: (options?: ImageLookupsOptions) => ImageLookups;
  warnings: string[];
}

/** Starts the registry for a describe block, publishes the versions and points the env at it. */
export function usePolicyRegistry(): PolicyRegistry {
  let registry: TestRegistry;
  const warnings: string[] = [];
  before(async function () {
    this.timeout(60_000);
    registry = await startTestRegistry('sqlite');
    const builds = [
      { platform: 'aws', regions: ['us-east-1', 'eu-west-1'] },
      { platform: 'gcp', regions: ['global'] },
    ];
    const base = `${registry.packer()}/buckets/${BUCKET}`;
    await registry.publish(BUCKET, 'fp-old', builds);
    await registry.publish(BUCKET, 'fp-current', builds);
    await registry.ok('POST', `${base}/channels`, {
      name: 'prod',
      version_fingerprint: 'fp-current',
    });
    await registry.publish(BUCKET, 'fp-revoked', builds);
    await registry.ok('PATCH', `${base}/versions/fp-revoked`, {
      revoke_in: '0s',
      revocation_message: REVOCATION_MESSAGE,
    });
    await registry.publish(BUCKET, 'fp-scheduled', builds);
    await registry.ok('PATCH', `${base}/versions/fp-scheduled`, {
      revoke_in: '168h',
      revocation_message: SCHEDULE_MESSAGE,
    });
  });
  after(async () => {
    await registry?.close();
  });
  useRegistryEnv(() => registry);
  beforeEach(() => {
    warnings.length = 0;
  });
  return {
    registry: () => registry,
    lookups: (options = {}) =>
      new ImageLookups({
        clock: registry.clock,
        warn: (message) => warnings.push(message),
        ...options,
      }),
    warnings,
  };
}
