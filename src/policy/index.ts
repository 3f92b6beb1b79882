// The Ingot policy pack. Importing this module starts the policy pack's gRPC server (it is
// what `pulumi preview --policy-pack src/policy` runs): tests import the policies, never this.
import { PolicyPack } from '@pulumi/policy';
import { discouragedOutdatedImages } from './discouraged-outdated-images';
import { discouragedScheduledRevocationImages } from './discouraged-scheduled-revocation-images';
import { ImageLookups } from './image-lookup';
import { prohibitedRevokedImages } from './prohibited-revoked-images';
import { requiredTrackedImages } from './required-tracked-images';

// One set of lookups for the process (one preview or update): policies naming the same
// registry share its cache and token.
const lookups = new ImageLookups();

new PolicyPack('ingot-images', {
  description:
    'Blocks revoked images and reports untracked, soon-revoked and outdated ones, checked against the Ingot (or HCP Packer) image registry.',
  policies: [
    prohibitedRevokedImages(lookups),
    discouragedScheduledRevocationImages(lookups),
    requiredTrackedImages(lookups),
    discouragedOutdatedImages(lookups),
  ],
});
