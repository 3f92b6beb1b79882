import { useEffect, useState } from 'preact/hooks';
import type { Scope } from './api/registry-api';

/**
 * Pages live in the URL's fragment (`#/acme/images/buckets/runner-ubuntu`), so links can
 * be shared and reloaded while the server needs only one HTML route.
 */
export type Route =
  | { page: 'buckets'; scope: Scope }
  | { page: 'bucket'; scope: Scope; bucket: string }
  | { page: 'version'; scope: Scope; bucket: string; fingerprint: string }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string, fallback: Scope): Route {
  const path = hash.replace(/^#\/?/, '');
  if (!path) return { page: 'buckets', scope: fallback };
  let parts: string[];
  try {
    parts = path.split('/').map(decodeURIComponent);
  } catch {
    return { page: 'not-found', path };
  }
  const [organizationId, projectId, buckets, bucket, versions, fingerprint, ...rest] = parts;
  const scope = { organizationId, projectId };
  if (!organizationId || !projectId || rest.length) return { page: 'not-found', path };
  if (buckets === undefined) return { page: 'buckets', scope };
  if (buckets !== 'buckets' || !bucket) return { page: 'not-found', path };
  if (versions === undefined) return { page: 'bucket', scope, bucket };
  if (versions !== 'versions' || !fingerprint) return { page: 'not-found', path };
  return { page: 'version', scope, bucket, fingerprint };
}

const segment = encodeURIComponent;

export function bucketsHref(scope: Scope): string {
  return `#/${segment(scope.organizationId)}/${segment(scope.projectId)}`;
}

export function bucketHref(scope: Scope, bucket: string): string {
  return `${bucketsHref(scope)}/buckets/${segment(bucket)}`;
}

export function versionHref(scope: Scope, bucket: string, fingerprint: string): string {
  return `${bucketHref(scope, bucket)}/versions/${segment(fingerprint)}`;
}

/** The current fragment, following browser navigation. */
export function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}
