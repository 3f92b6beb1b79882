/**
 * Follows a registry channel from a Pulumi project of your own: `ingot/providers` is the
 * package's entry point for programs (docs/providers.md shows how to install it). The
 * registry and its credentials come from the stack config (`ingot:registryUrl`,
 * `ingot:organizationId`, `ingot:projectId`, `ingot:registryClientId` and the secret
 * `ingot:registryClientSecret`) or from the environment of `pulumi` (`INGOT_REGISTRY_URL`,
 * `HCP_CLIENT_ID`, …).
 */
import * as pulumi from '@pulumi/pulumi';
import { ChannelImages, type ImageQuery } from 'ingot/providers';

const config = new pulumi.Config();
const bucket = config.get('bucket') ?? 'runner-ubuntu';
const channel = config.get('channel') ?? 'prod';
const regions = config.getObject<string[]>('regions') ?? ['us-east-1'];

// One registry call for every image of the version the channel serves; a preview shows
// new image ids as soon as the channel moves.
const images = new ChannelImages(`${bucket}-${channel}`, { bucket, channel });

export const version = images.versionName;
export const revokeAt = images.revokeAt;
/** The AMI of each region, e.g. for a launch template per region. */
export const amis: Record<string, pulumi.Output<string>> = Object.fromEntries(
  regions.map((region) => {
    const query: ImageQuery = { platform: 'aws', region };
    return [region, images.image(query)];
  }),
);
