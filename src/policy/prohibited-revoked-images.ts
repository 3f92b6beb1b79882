import type { ResourceValidationPolicy } from '@pulumi/policy';
import { imagePolicy } from './image-policy';
import type { ImageLookups } from './image-lookup';
import {
  imageLabel,
  regionNote,
  resourceLabel,
  revocationDetails,
  USE_A_CHANNEL,
  versionLabel,
} from './messages';
import { CONNECTION_SETTINGS, type PolicyDefaults } from './policy-config';

export const PROHIBITED_REVOKED_IMAGES = 'prohibited-revoked-images';

/**
 * Blocks resources whose image belongs to a revoked version (mandatory by default).
 * HCP's run task blocks only creates and replacements; Pulumi hands a policy the
 * resource's inputs, not the planned operation, so an unchanged resource on an image
 * revoked since is reported too — the stack has to move off the image (or the policy
 * be set to advisory for a grace period) before the next update.
 */
export function prohibitedRevokedImages(
  lookups: ImageLookups,
  config: PolicyDefaults = {},
): ResourceValidationPolicy {
  return imagePolicy(
    {
      name: PROHIBITED_REVOKED_IMAGES,
      description:
        'Prohibits images of revoked versions in the image registry on every resource that takes an image id.',
      enforcementLevel: 'mandatory',
      settings: [...CONNECTION_SETTINGS, 'failClosed'],
      guard: true,
      judge: ({ resource, image, result }) => {
        // The same image may sit in several versions; any revocation of it counts,
        // since a revocation is someone's explicit word that the image is unsafe.
        const revoked = result.matches.find((m) => m.version.status === 'VERSION_REVOKED');
        if (!revoked) return [];
        const { bucket, version } = revoked;
        return [
          `${resourceLabel(resource)} uses ${imageLabel(image)}, which is ${versionLabel(revoked)}; that version was revoked at ${version.revokeAt ?? 'an unknown time'}${revocationDetails(revoked)}.${regionNote(image, revoked, result.outsideRegion)} Move the resource to an image of a valid version — ${USE_A_CHANNEL} — or, if the revocation was a mistake, restore the version with \`ingot restore ${bucket} ${version.fingerprint}\`.`,
        ];
      },
    },
    lookups,
    config,
  );
}
