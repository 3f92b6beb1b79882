export { ChannelAssignment, type ChannelAssignmentArgs } from './channel-assignment';
export { ChannelImages, type ChannelImagesArgs } from './channel-images';
export { PublishedVersion, type PublishedVersionArgs } from './published-version';
export { RegistryImage, type RegistryImageArgs } from './registry-image';
export { CONFIG_KEYS, type RegistryConnectionArgs } from './registry-connection';
