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

/**
 * Refuses a version being imported that holds more than a version made here may: the
 * limits bind every way in, and one message names each excess, so one fix at the source
 * serves. Called before anything of the version is written.
 */
export function checkImportedVersion(
  bucket: string,
  fingerprint: string,
  builds: { platform: string; componentType: string; metadata: unknown; artifacts: unknown[] }[],
): void {
  const problems: { field: string; text: string }[] = [];
  if (builds.length > LIMITS.buildsPerVersion)
    problems.push({
      field: 'builds',
      text: `it has ${builds.length} builds and the limit is ${LIMITS.buildsPerVersion} a version (delete builds of it at the source)`,
    });
  for (const [i, b] of builds.entries()) {
    const which = `build ${i + 1} (${b.platform} ${b.componentType})`;
    if (b.artifacts.length > LIMITS.artifactsPerBuild)
      problems.push({
        field: `builds.${i}.artifacts`,
        text: `${which} has ${b.artifacts.length} artifacts and the limit is ${LIMITS.artifactsPerBuild} a build (split its images over several builds at the source)`,
      });
    const bytes = Buffer.byteLength(JSON.stringify(b.metadata));
    if (bytes > LIMITS.metadataBytes)
      problems.push({
        field: `builds.${i}.metadata`,
        text: `${which} has ${bytes} bytes of metadata as JSON and the limit is ${LIMITS.metadataBytes} (move large data out of it at the source and keep a link instead)`,
      });
  }
  if (problems.length)
    throw new ValidationError(
      problems.map((p) => p.field).join(','),
      `version "${fingerprint}" of bucket "${bucket}" is over this registry's limits: ${problems.map((p) => p.text).join('; ')}. Nothing of it was imported; fix it at the source and run the import again.`,
    );
}
