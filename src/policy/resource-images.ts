import { AWS_WITHOUT_IMAGES, awsImages } from './aws-images';
import { gcpImages } from './gcp-images';
import type { ResourceImages } from './image-ref';

/** What a policy needs of a resource to find its images (a subset of `ResourceValidationArgs`). */
export interface ImageCarrier {
  type: string;
  props: unknown;
  provider?: { type: string; props: unknown };
}

export type ImagesOrReason = ResourceImages | { notApplicable: string };

/**
 * The image ids a resource carries, per provider module, or why the resource cannot
 * carry one (the policies report that as "not applicable", as the SDK expects).
 */
export function imagesOf(resource: ImageCarrier): ImagesOrReason {
  const { type, props, provider } = resource;
  const found = awsImages(type, props, provider) ?? gcpImages(type, props, provider);
  if (found) return found;
  const reason = AWS_WITHOUT_IMAGES[type];
  return { notApplicable: reason ?? `${type} does not take an image id` };
}
