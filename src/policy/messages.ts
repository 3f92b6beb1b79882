import type { ImageRef } from './image-ref';
import type { ImageMatch } from './image-lookup';

/**
 * The pieces of violation messages. A message is read in a CI log by whoever opened
 * the pull request: it names the resource, the image and where it sits, the bucket and
 * version, and what to do — without a trip to the registry's UI.
 */

export interface ResourceName {
  type: string;
  name: string;
}

/** How to stop hard-coding images: what every "move to another image" advice ends with. */
export const USE_A_CHANNEL =
  'resolve the image from a registry channel (the RegistryImage or ChannelImages resource) instead of hard-coding its id';

export function resourceLabel(resource: ResourceName): string {
  return `${resource.type} "${resource.name}"`;
}

/** `image ami-0abc in us-east-1 (property \`ami\`)`. */
export function imageLabel(image: ImageRef): string {
  const written = image.written ? ` (written "${image.written}")` : '';
  const region = image.region ? ` in ${image.region}` : '';
  return `image ${image.externalIdentifier}${written}${region} (property \`${image.property}\`)`;
}

/** `version v3 (fingerprint 01J…) of bucket "runner-ubuntu"`. */
export function versionLabel(match: ImageMatch): string {
  const { name, fingerprint } = match.version;
  return `version ${name || fingerprint} (fingerprint ${fingerprint}) of bucket "${match.bucket}"`;
}

/** ` The registry has it in eu-west-1, not us-east-1.` when the region lookup missed. */
export function regionNote(image: ImageRef, match: ImageMatch, outsideRegion: boolean): string {
  return outsideRegion && image.region
    ? ` (The registry records this image in ${match.region || 'another region'}, not ${image.region}; check the resource's region.)`
    : '';
}

/** `with the message "…"` / `by alice` parts of a revocation, when the registry has them. */
export function revocationDetails(match: ImageMatch): string {
  const { revocationAuthor, revocationMessage } = match.version;
  const by = revocationAuthor ? ` by ${revocationAuthor}` : '';
  const why = revocationMessage ? ` with the message "${revocationMessage}"` : ' without a message';
  return `${by}${why}`;
}

/** `in 3 days`, `in 5 hours`, `in 12 minutes`; `now` once the time has come. */
export function timeUntil(at: string, now: Date): string {
  const ms = Date.parse(at) - now.getTime();
  if (!(ms > 0)) return 'now';
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 120) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `in ${hours} hours`;
  return `in ${days(Math.floor(hours / 24))}`;
}

/** `1 day`, `3 days`. */
export function days(count: number): string {
  return `${count} day${count === 1 ? '' : 's'}`;
}

/** Whole days between `at` and `now` (never negative). */
export function daysSince(at: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(at)) / 86_400_000));
}
