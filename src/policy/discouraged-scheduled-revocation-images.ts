import type { ResourceValidationPolicy } from '@pulumi/policy';
import { imagePolicy } from './image-policy';
import type { ImageLookups } from './image-lookup';
import {
  imageLabel,
  regionNote,
  resourceLabel,
  revocationDetails,
  timeUntil,
  USE_A_CHANNEL,
  versionLabel,
} from './messages';
import { CONNECTION_SETTINGS, type PolicyDefaults } from './policy-config';
import { PROHIBITED_REVOKED_IMAGES } from './prohibited-revoked-images';

export const DISCOURAGED_SCHEDULED_REVOCATION_IMAGES = 'discouraged-scheduled-revocation-images';

/** Warns (advisory by default) about images whose version is scheduled for revocation. */
export function discouragedScheduledRevocationImages(
  lookups: ImageLookups,
  config: PolicyDefaults = {},
): ResourceValidationPolicy {
  return imagePolicy(
    {
      name: DISCOURAGED_SCHEDULED_REVOCATION_IMAGES,
      description:
        'Warns about images whose version in the image registry is scheduled for revocation, and says when.',
      enforcementLevel: 'advisory',
      settings: [...CONNECTION_SETTINGS],
      guard: false,
      judge: ({ resource, image, result, now }) => {
        const scheduled = result.matches.find(
          (m) => m.version.status === 'VERSION_REVOCATION_SCHEDULED' && m.version.revokeAt,
        );
        if (!scheduled) return [];
        const revokeAt = scheduled.version.revokeAt as string;
        return [
          `${resourceLabel(resource)} uses ${imageLabel(image)}, which is ${versionLabel(scheduled)}; that version is scheduled to be revoked at ${revokeAt} (${timeUntil(revokeAt, now)})${revocationDetails(scheduled)}.${regionNote(image, scheduled, result.outsideRegion)} From then on policy "${PROHIBITED_REVOKED_IMAGES}" refuses it: move the resource to a newer version before then — ${USE_A_CHANNEL}.`,
        ];
      },
    },
    lookups,
    config,
  );
}
