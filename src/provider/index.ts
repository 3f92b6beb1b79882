/**
 * `ingot/providers`: the dynamic providers, for any Pulumi program (docs/providers.md).
 * Importing this registers nothing and loads neither the registry server nor a cloud SDK:
 * test/package/entry-points.test.ts holds it to that.
 */
export {
  ChannelAssignment,
  type ChannelAssignmentArgs,
  type ChannelAssignmentOutputs,
} from './channel-assignment';
export {
  ChannelImages,
  type ChannelBuild,
  type ChannelImagesArgs,
  type ChannelImagesOutputs,
} from './channel-images';
export {
  PublishedVersion,
  type PublishedVersionArgs,
  type PublishedVersionOutputs,
} from './published-version';
export {
  RegistryImage,
  type OnRevoked,
  type RegistryImageArgs,
  type RegistryImageOutputs,
} from './registry-image';
export { CONFIG_KEYS, type RegistryConnectionArgs } from './registry-connection';
export type { ImageQuery } from '../client/resolve';
