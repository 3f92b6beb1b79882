import { ValidationError } from '../errors';

/**
 * Size limits that keep one contributor from bloating a project (documented in
 * docs/registry.md, "Limits"). A Packer build reports one build per source and one
 * artifact per region or image, far below these.
 */
export const LIMITS = {
  buildsPerVersion: 100,
  artifactsPerBuild: 500,
  /** Of a build's `metadata`, as compact JSON. */
  metadataBytes: 64 * 1024,
} as const;

/** Refuses a build body over the metadata or artifact limit, naming the limit and the fix. */
export function checkBuildSize(input: { metadata?: unknown; artifacts?: unknown[] }): void {
  if (input.metadata !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(input.metadata));
    if (bytes > LIMITS.metadataBytes)
      throw new ValidationError(
        'metadata',
        `metadata is ${bytes} bytes as JSON; the limit is ${LIMITS.metadataBytes}. Keep large data (logs, manifests) elsewhere and store a link to it.`,
      );
  }
  if (input.artifacts && input.artifacts.length > LIMITS.artifactsPerBuild)
    throw new ValidationError(
      'artifacts',
      `a build may have at most ${LIMITS.artifactsPerBuild} artifacts (got ${input.artifacts.length}); split the images over several builds.`,
    );
}

/** Refuses another build on a version that has reached the limit. */
export function checkBuildCount(existing: number): void {
  if (existing >= LIMITS.buildsPerVersion)
    throw new ValidationError(
      'builds',
      `a version may have at most ${LIMITS.buildsPerVersion} builds; this one has ${existing}. Update an existing build, or create a new version.`,
    );
}
