import { RegistryClientError } from './errors';
import type { RegistryClient, Version } from './registry-client';

/** `v3`: how the registry names complete versions (HCP's `name`). */
const VERSION_NAME = /^v\d+$/;

/**
 * The version a person means by `ref`: its name (`v3`, as every listing prints it) or
 * its fingerprint. The API looks versions up by fingerprint only, so a name costs one
 * listing of the bucket; a fingerprint that happens to look like a name is found too, and
 * a ref that is the name of one version and the fingerprint of another is refused.
 */
export async function findVersion(
  client: RegistryClient,
  bucket: string,
  ref: string,
): Promise<Version> {
  if (!VERSION_NAME.test(ref)) return client.getVersion(bucket, ref);
  const versions = await client.listVersions(bucket);
  const byName = versions.filter((v) => v.name === ref);
  const byFingerprint = versions.find((v) => v.fingerprint === ref);
  if (byName.length > 1) {
    throw new RegistryClientError(
      `bucket "${bucket}" has ${byName.length} versions named "${ref}" (incomplete versions share it); name one by fingerprint: ${byName.map((v) => v.fingerprint).join(', ')}.`,
      0,
      'VERSION_AMBIGUOUS',
    );
  }
  if (byName.length === 1 && byFingerprint && byFingerprint !== byName[0]) {
    throw new RegistryClientError(
      `"${ref}" is the name of version ${byName[0].fingerprint} and the fingerprint of version ${byFingerprint.name || '(incomplete)'} in bucket "${bucket}"; give the fingerprint of the one you mean.`,
      0,
      'VERSION_AMBIGUOUS',
    );
  }
  const found = byName[0] ?? byFingerprint;
  if (!found) {
    throw new RegistryClientError(
      `bucket "${bucket}" has no version named "${ref}" (nor with that fingerprint). \`ingot versions ls ${bucket}\` lists its versions by name and fingerprint.`,
      404,
      'VERSION_NOT_FOUND',
    );
  }
  // Listings may leave builds out (HCP's list answers are not full versions): fetch it whole.
  return found.builds?.length ? found : client.getVersion(bucket, found.fingerprint);
}
