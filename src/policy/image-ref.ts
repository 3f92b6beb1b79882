import { UnknownValueError } from '@pulumi/policy';

/** Where one image id sits in a resource, and what the registry should be asked about it. */
export interface ImageRef {
  /** The id as the registry stores it: `ami-…`, `projects/p/global/images/name`. */
  externalIdentifier: string;
  /** The id as the resource wrote it, when normalising changed it (a GCP URL or short name). */
  written?: string;
  /** Registry platform: `aws`, `gcp`. */
  platform: string;
  /** Cloud region of the artifact, when the resource tells it (GCP images are global: never). */
  region?: string;
  /** Property path inside the resource, e.g. `disks[1].sourceImage`. */
  property: string;
  /**
   * A GCP image family: it names whichever image is newest in the family when the
   * resource is created, so no registry lookup can vouch for it.
   */
  family?: boolean;
}

/** The images a resource carries, and the property paths not known yet (preview). */
export interface ResourceImages {
  images: ImageRef[];
  /** Paths whose value is unknown during preview: checked by `pulumi up`, never guessed. */
  unknown: string[];
}

/** Marks a value the engine does not know yet. */
export const UNKNOWN: unique symbol = Symbol('unknown during preview');
export type Known<T> = T | typeof UNKNOWN;

/** The engine's sentinel for an unknown string (what props hold when not proxied). */
const UNKNOWN_STRING = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

/**
 * Reads `obj[key]` from resource props. During preview the policy SDK wraps props in a
 * proxy that throws on unknown values (and the SDK would turn that into a "can't run
 * during preview" warning for the whole policy); reading through here turns it into
 * `UNKNOWN` so one unknown field skips only the image it belongs to.
 */
export function read(obj: unknown, key: string | number): Known<unknown> {
  if (obj === null || typeof obj !== 'object') return undefined;
  try {
    const value = (obj as Record<string | number, unknown>)[key];
    return value === UNKNOWN_STRING ? UNKNOWN : value;
  } catch (error) {
    if (error instanceof UnknownValueError) return UNKNOWN;
    throw error;
  }
}

/** A known, non-empty string, `UNKNOWN`, or undefined (absent or not a string). */
export function readString(obj: unknown, key: string | number): Known<string | undefined> {
  const value = read(obj, key);
  if (value === UNKNOWN) return UNKNOWN;
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** The elements of a list property (`UNKNOWN` when the list itself is unknown). */
export function readList(obj: unknown, key: string): Known<unknown[]> {
  const value = read(obj, key);
  if (value === UNKNOWN) return UNKNOWN;
  if (!Array.isArray(value)) return [];
  const items: unknown[] = [];
  for (let i = 0; i < value.length; i++) items.push(read(value, i));
  return items;
}

/** The first known string among the candidates (region sources in order of precedence). */
export function firstKnown(...values: Known<string | undefined>[]): string | undefined {
  for (const value of values) if (value !== UNKNOWN && value) return value;
  return undefined;
}
