/**
 * `ingot/client`: the typed registry client, for programs of your own (scripts, CI steps,
 * other tools). It speaks the `packer/2023-01-01` API, so it works against Ingot and HCP
 * Packer alike; see docs/providers.md#the-package.
 */
export {
  RegistryClient,
  type ArtifactInput,
  type Bucket,
  type BucketAncestry,
  type Build,
  type BuildInput,
  type Channel,
  type ChannelAssignment,
  type ChannelHold,
  type Consumer,
  type ExternalArtifact,
  type RevokeOptions,
  type SoakedVersion,
  type Version,
} from './registry-client';
export { resolveConnection, type Connection, type ConnectionOptions } from './connection';
export type { StoredToken, TokenOwner, TokenStore, TransportOptions } from './transport';
export {
  asRegistryError,
  ClientConfigError,
  isNotFound,
  RegistryAuthError,
  RegistryClientError,
  RegistryUnavailableError,
  RevokedVersionError,
  type ErrorDetail,
} from './errors';
export {
  assertNotRevoked,
  isRevoked,
  matchingImages,
  pickImage,
  pickOnlyImage,
  resolveVersion,
  revocationMessage,
  type ImageQuery,
  type ResolvedImage,
  type ResolvedVersion,
} from './resolve';
export {
  ManifestError,
  parseManifest,
  type ManifestBuild,
  type ManifestOptions,
  type PackerManifest,
} from './packer-manifest';
export { assignOrCreate, publishVersion, type PublishInput, type PublishResult } from './publish';
export { findVersion } from './version-ref';
export {
  revocationImpact,
  type ChannelImpact,
  type ImpactOptions,
  type RevocationImpact,
} from './revocation-impact';
export {
  EnforcedBlocksClient,
  type EnforcedBlock,
  type EnforcedBlockDetail,
} from './enforced-blocks-client';
