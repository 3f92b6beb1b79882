import type { ArtifactInput } from './registry-client';

/** One entry of the Packer `manifest` post-processor's output. */
export interface ManifestBuild {
  name: string;
  builder_type: string;
  build_time?: number;
  artifact_id: string;
  packer_run_uuid?: string;
  custom_data?: Record<string, string>;
  /** Files of the artifact (local builders: `file`'s target, `artifice`'s files). */
  files?: { name: string; size?: number }[] | null;
}

export interface PackerManifest {
  builds: ManifestBuild[];
  last_run_uuid?: string;
}

/** A manifest build as the registry stores it. */
export interface ManifestBuildInput {
  platform: string;
  componentType: string;
  packerRunUuid: string;
  artifacts: ArtifactInput[];
  labels: Record<string, string>;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.message = message; // see RegistryClientError: serialized classes lose it otherwise
    this.name = 'ManifestError';
  }
}

/** The registry platform of a Packer builder type. */
export function platformOf(builderType: string): string {
  if (builderType.startsWith('amazon-')) return 'aws';
  if (builderType === 'googlecompute') return 'gcp';
  if (builderType.startsWith('azure-')) return 'azure';
  return builderType;
}

/**
 * Artifacts of one manifest build. AWS: `artifact_id` is `region:ami-…[,region:ami-…]`.
 * GCP: an image name in a project (`custom_data.gcp_project_id`), stored as a global
 * image path under region `global` (GCP images are global). Other builders keep their
 * id, in `custom_data.region` or `local`; local builders, whose id is a constant, are
 * identified by their first file.
 */
export interface ManifestOptions {
  /** GCP project of googlecompute images whose manifest does not say it. */
  gcpProject?: string;
  /** How the caller sets `gcpProject` (`--gcp-project`), for the error that asks for it. */
  gcpProjectSetting?: string;
}

export function artifactsOf(build: ManifestBuild, options: ManifestOptions = {}): ArtifactInput[] {
  const platform = platformOf(build.builder_type);
  if (build.artifact_id !== undefined && typeof build.artifact_id !== 'string') {
    throw new ManifestError(
      `build "${build.name}" (${build.builder_type}) has an artifact_id that is not a string: ${JSON.stringify(build.artifact_id)}.`,
    );
  }
  let id = build.artifact_id?.trim() ?? '';
  const file = Array.isArray(build.files)
    ? build.files.find((f) => typeof f?.name === 'string' && f.name)?.name
    : undefined;
  // Local builders report a constant id (`file`: "File", `null`: "Null", after
  // `artifice`: ""); their artifact is the file. (No module-level Set: providers using
  // this are serialized, and a captured Set does not survive serialization.)
  if (platform !== 'aws' && platform !== 'gcp' && ['', 'File', 'Null'].includes(id) && file)
    id = file;
  if (!id)
    throw new ManifestError(
      `build "${build.name}" (${build.builder_type}) has an empty artifact_id.`,
    );
  if (platform === 'aws') {
    return id.split(',').map((pair) => {
      const match = /^([a-z]{2}(?:-[a-z]+)+-\d+):(ami-[0-9a-f]+)$/.exec(pair.trim());
      if (!match) {
        throw new ManifestError(
          `build "${build.name}" has AWS artifact "${pair}"; expected "region:ami-…" (e.g. us-east-1:ami-0abc123).`,
        );
      }
      return { region: match[1], external_identifier: match[2] };
    });
  }
  if (platform === 'gcp') {
    if (id.includes('/'))
      return [{ region: build.custom_data?.region ?? 'global', external_identifier: id }];
    const named = build.custom_data?.gcp_project_id;
    if (named && options.gcpProject && named !== options.gcpProject) {
      throw new ManifestError(
        `build "${build.name}" says its GCP project is "${named}" (custom_data.gcp_project_id) but ${options.gcpProjectSetting ?? 'the GCP project option'} is "${options.gcpProject}"; drop one of them.`,
      );
    }
    const project = named ?? options.gcpProject;
    if (!project) {
      const setting = options.gcpProjectSetting ? `pass ${options.gcpProjectSetting}, or ` : '';
      throw new ManifestError(
        `build "${build.name}" is a googlecompute image "${id}" but the manifest does not say its project; ${setting}add custom_data { gcp_project_id = var.project_id } to the manifest post-processor.`,
      );
    }
    return [{ region: 'global', external_identifier: `projects/${project}/global/images/${id}` }];
  }
  return [{ region: build.custom_data?.region ?? 'local', external_identifier: id }];
}

/** Parses and checks a manifest; with `runUuid`, keeps only that run's builds (Packer appends runs). */
export function parseManifest(
  text: string,
  source: string,
  runUuid?: string,
  options: ManifestOptions = {},
): ManifestBuildInput[] {
  let manifest: PackerManifest;
  try {
    manifest = JSON.parse(text) as PackerManifest;
  } catch (error) {
    throw new ManifestError(`${source} is not JSON: ${(error as Error).message}.`);
  }
  if (!manifest || !Array.isArray(manifest.builds)) {
    throw new ManifestError(
      `${source} has no "builds" list; is it the output of Packer's manifest post-processor?`,
    );
  }
  const odd = manifest.builds.findIndex(
    (b) => b === null || typeof b !== 'object' || Array.isArray(b),
  );
  if (odd >= 0)
    throw new ManifestError(`${source} has a build that is not an object (builds[${odd}]).`);
  const run = runUuid ?? manifest.last_run_uuid;
  const builds = run ? manifest.builds.filter((b) => b.packer_run_uuid === run) : manifest.builds;
  if (builds.length === 0)
    throw new ManifestError(`${source} has no builds${run ? ` for run ${run}` : ''}.`);
  return builds.map((build) => {
    if (
      !build.name ||
      !build.builder_type ||
      typeof build.name !== 'string' ||
      typeof build.builder_type !== 'string'
    )
      throw new ManifestError(`${source} has a build without name or builder_type.`);
    const labels = Object.fromEntries(
      Object.entries(build.custom_data ?? {}).filter(
        ([key]) => !['bucket', 'fingerprint', 'gcp_project_id', 'region'].includes(key),
      ),
    );
    return {
      platform: platformOf(build.builder_type),
      componentType: `${build.builder_type}.${build.name}`,
      packerRunUuid: build.packer_run_uuid ?? '',
      artifacts: artifactsOf(build, options),
      labels,
    };
  });
}
