/**
 * `ingot/policy`: the policies of the Ingot policy pack, to run in a pack of your own
 * (next to other policies, under another name, with settings baked in). `index.ts` is the
 * pack `pulumi preview --policy-pack src/policy` runs; it builds its list here too.
 *
 *   new PolicyPack('images', { policies: [...ingotImagePolicies(), ...myPolicies] });
 */
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { discouragedOutdatedImages } from './discouraged-outdated-images';
import { discouragedScheduledRevocationImages } from './discouraged-scheduled-revocation-images';
import { ImageLookups } from './image-lookup';
import type { PolicyDefaults } from './policy-config';
import { prohibitedRevokedImages } from './prohibited-revoked-images';
import { requiredTrackedImages } from './required-tracked-images';

/** The pack's name and description, for a pack that wants to look like Ingot's. */
export const INGOT_POLICY_PACK = {
  name: 'ingot-images',
  description:
    'Blocks revoked images and reports untracked, soon-revoked and outdated ones, checked against the Ingot (or HCP Packer) image registry.',
} as const;

/**
 * The four image policies. They share `lookups` (one per preview or update): policies
 * naming the same registry share its cache and token. `defaults` are settings baked into
 * every policy (the policy pack config still overrides them).
 */
export function ingotImagePolicies(
  lookups: ImageLookups = new ImageLookups(),
  defaults: PolicyDefaults = {},
): ResourceValidationPolicy[] {
  return [
    prohibitedRevokedImages(lookups, defaults),
    discouragedScheduledRevocationImages(lookups, defaults),
    requiredTrackedImages(lookups, defaults),
    discouragedOutdatedImages(lookups, defaults),
  ];
}

export {
  DISCOURAGED_OUTDATED_IMAGES,
  discouragedOutdatedImages,
} from './discouraged-outdated-images';
export {
  DISCOURAGED_SCHEDULED_REVOCATION_IMAGES,
  discouragedScheduledRevocationImages,
} from './discouraged-scheduled-revocation-images';
export { ImageLookups, type ImageLookupsOptions } from './image-lookup';
export { PolicyConfigError, type PolicyDefaults, type PolicySettings } from './policy-config';
export { PROHIBITED_REVOKED_IMAGES, prohibitedRevokedImages } from './prohibited-revoked-images';
export { REQUIRED_TRACKED_IMAGES, requiredTrackedImages } from './required-tracked-images';
