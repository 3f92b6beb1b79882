import type * as pulumi from '@pulumi/pulumi';
import type { FleetConfig } from '../config/fleet-config';
import { ChannelImages } from '../provider/channel-images';

/**
 * One `ChannelImages` per bucket the pools use, on the stack's channel: every region,
 * size and architecture of a bucket comes from one registry lookup. A revoked version
 * on the channel fails the lookup, and with it `pulumi preview` / `pulumi up`, with the
 * registry's message.
 */
export function poolImages(
  config: FleetConfig,
  parent: pulumi.Resource,
): Map<string, ChannelImages> {
  const images = new Map<string, ChannelImages>();
  for (const pool of config.pools) {
    if (images.has(pool.bucket)) continue;
    images.set(
      pool.bucket,
      new ChannelImages(
        `${pool.bucket}-${config.channel}`,
        {
          bucket: pool.bucket,
          channel: config.channel,
          registry: {
            url: config.registry.url,
            organizationId: config.registry.organizationId,
            projectId: config.registry.projectId,
          },
        },
        { parent },
      ),
    );
  }
  return images;
}
