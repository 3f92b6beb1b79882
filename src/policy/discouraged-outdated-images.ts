import type { ResourceValidationPolicy } from '@pulumi/policy';
import { imagePolicy } from './image-policy';
import type { ImageLookups, ImageMatch } from './image-lookup';
import {
  days,
  daysSince,
  imageLabel,
  resourceLabel,
  USE_A_CHANNEL,
  versionLabel,
} from './messages';
import { CONNECTION_SETTINGS, type PolicyDefaults } from './policy-config';

export const DISCOURAGED_OUTDATED_IMAGES = 'discouraged-outdated-images';

/**
 * Warns (advisory by default) about images no channel of their bucket serves any more,
 * and — with `maxAgeDays` — about images built too long ago. Revoked versions are left
 * to `prohibited-revoked-images`; untracked images to `required-tracked-images`.
 */
export function discouragedOutdatedImages(
  lookups: ImageLookups,
  config: PolicyDefaults = {},
): ResourceValidationPolicy {
  return imagePolicy(
    {
      name: DISCOURAGED_OUTDATED_IMAGES,
      description:
        'Warns about images that are not the current version of any channel of their bucket, or older than maxAgeDays.',
      enforcementLevel: 'advisory',
      settings: [...CONNECTION_SETTINGS, 'maxAgeDays'],
      guard: false,
      judge: async ({ resource, image, result, lookup, settings, now }) => {
        const usable = result.matches.filter((m) => m.version.status !== 'VERSION_REVOKED');
        if (usable.length === 0) return [];
        const messages: string[] = [];
        const newest = usable[0];

        // Current when any channel of any bucket holding the image serves its version now.
        const served: { match: ImageMatch; channels: string[] }[] = [];
        let current = false;
        for (const match of usable) {
          const channels = (await lookup.channels(match.bucket)).filter((c) => c.version);
          if (channels.some((c) => c.version?.fingerprint === match.version.fingerprint))
            current = true;
          served.push({
            match,
            channels: channels.map(
              (c) => `${c.name}: ${c.version?.name || c.version?.fingerprint}`,
            ),
          });
        }
        const withChannels = served.find((s) => s.channels.length > 0);
        // A bucket without any serving channel gives nothing to be behind of.
        if (!current && withChannels) {
          messages.push(
            `${resourceLabel(resource)} uses ${imageLabel(image)}, which is ${versionLabel(withChannels.match)}; no channel of the bucket serves that version now (${withChannels.channels.join(', ')}). Move the resource to what its channel serves now — ${USE_A_CHANNEL}, so it follows promotions.`,
          );
        }

        if (settings.maxAgeDays !== undefined) {
          const age = daysSince(newest.build.createdAt, now);
          if (age > settings.maxAgeDays) {
            messages.push(
              `${resourceLabel(resource)} uses ${imageLabel(image)}, which is ${versionLabel(newest)}, built on ${newest.build.createdAt.slice(0, 10)} — ${days(age)} ago, more than the ${days(settings.maxAgeDays)} maxAgeDays allows. Rebuild the image so it carries current patches, publish it and move the resource to the new version — ${USE_A_CHANNEL}.`,
            );
          }
        }
        return messages;
      },
    },
    lookups,
    config,
  );
}
