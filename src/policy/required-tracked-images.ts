import type { ResourceValidationPolicy } from '@pulumi/policy';
import { imagePolicy } from './image-policy';
import type { ImageLookups } from './image-lookup';
import { imageLabel, resourceLabel, USE_A_CHANNEL } from './messages';
import { CONNECTION_SETTINGS, type PolicyDefaults } from './policy-config';

export const REQUIRED_TRACKED_IMAGES = 'required-tracked-images';

/**
 * Reports images the registry does not track (advisory by default). HCP's run task
 * calls this `on_untracked_image`; its "fail" is `enforcementLevel: mandatory` here,
 * "warn" is advisory, and switching the check off is `disabled`.
 */
export function requiredTrackedImages(
  lookups: ImageLookups,
  config: PolicyDefaults = {},
): ResourceValidationPolicy {
  return imagePolicy(
    {
      name: REQUIRED_TRACKED_IMAGES,
      description:
        'Requires every image id a resource uses to be tracked by the image registry (built by the image pipeline and published).',
      enforcementLevel: 'advisory',
      settings: [...CONNECTION_SETTINGS, 'failClosed'],
      guard: true,
      judgesFamilies: true,
      judge: ({ resource, image, result, lookup }) => {
        if (image.family) {
          return [
            `${resourceLabel(resource)} uses the image family ${image.externalIdentifier}${image.written ? ` (written "${image.written}")` : ''} (property \`${image.property}\`), which picks whichever image is newest in the family when the resource is created, so ${lookup.registry} cannot vouch for it. Pin an image the registry tracks — ${USE_A_CHANNEL}.`,
          ];
        }
        if (result.matches.length > 0) return [];
        return [
          `${resourceLabel(resource)} uses ${imageLabel(image)}, which ${lookup.registry} does not track: nothing records how it was built or whether it has been revoked. Build it with the Packer pipeline and publish it (\`ingot publish --bucket <bucket> --manifest packer-manifest.json\`), or ${USE_A_CHANNEL}.`,
        ];
      },
    },
    lookups,
    config,
  );
}
