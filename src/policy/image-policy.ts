import type {
  EnforcementLevel,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
} from '@pulumi/policy';
import { asRegistryError, ClientConfigError } from '../client/errors';
import type { ImageRef } from './image-ref';
import type { ImageLookup, ImageLookups, LookupResult } from './image-lookup';
import { imageLabel, resourceLabel, type ResourceName } from './messages';
import {
  configSchema,
  parsePolicyConfig,
  type PolicyDefaults,
  type PolicySettings,
  type SettingName,
} from './policy-config';
import { imagesOf } from './resource-images';

/** One image of one resource, with what the registry says about it. */
export interface Finding {
  resource: ResourceName;
  image: ImageRef;
  /** Empty matches for a family reference: it is never looked up. */
  result: LookupResult;
  lookup: ImageLookup;
  settings: PolicySettings;
  now: Date;
}

export interface ImagePolicySpec {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  settings: SettingName[];
  /**
   * A guard's verdict is a safety gate (revoked, untracked): when it cannot ask the
   * registry it reports that per `failClosed`. The other policies are hints and stay
   * quiet (the guards already say the registry is unreachable).
   */
  guard: boolean;
  /** Whether GCP image families reach `judge` (they cannot be looked up). */
  judgesFamilies?: boolean;
  /** The violation messages for one image (none when it passes). */
  judge(finding: Finding): string[] | Promise<string[]>;
}

/**
 * Whether an error means "the registry could not be asked", as opposed to a bug; `kind`
 * groups the warnings a run prints (one per kind, not one per image).
 */
function registryProblem(error: unknown): { kind: string; message: string } | null {
  if (error instanceof ClientConfigError) {
    const message = `the policy pack has no usable registry connection: ${error.problems.join(' ')} Set the registry with registryUrl, organization and project in the policy pack config or INGOT_REGISTRY_URL, HCP_ORGANIZATION_ID and HCP_PROJECT_ID in the environment, and credentials with HCP_CLIENT_ID and HCP_CLIENT_SECRET (or INGOT_CREDENTIALS_FILE).`;
    return { kind: 'configuration', message };
  }
  const registryError = asRegistryError(error);
  if (!registryError) return null;
  return {
    kind: `${registryError.status} ${registryError.reason}`,
    message: registryError.message,
  };
}

/**
 * A resource policy over every image a resource carries: finds the images (skipping
 * values unknown during preview — `pulumi up` checks them with real values), reads
 * the policy's config, looks each image up once per run and lets `judge` decide.
 */
export function imagePolicy(
  spec: ImagePolicySpec,
  lookups: ImageLookups,
  defaults: PolicyDefaults = {},
): ResourceValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: defaults.enforcementLevel ?? spec.enforcementLevel,
    configSchema: configSchema(spec.settings),
    validateResource: async (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      const found = imagesOf(args);
      if ('notApplicable' in found) return args.notApplicable(found.notApplicable);
      const images = found.images.filter((image) => spec.judgesFamilies || !image.family);
      if (images.length === 0) return;

      // Invalid config throws: Pulumi reports it as an error of the run, whatever the level.
      const settings = parsePolicyConfig(spec.name, args.getConfig(), spec.settings, defaults);
      const resource = { type: args.type, name: args.name };
      const cannotCheck = (image: ImageRef, problem: { kind: string; message: string }) => {
        if (spec.guard && settings.failClosed) {
          reportViolation(
            `Could not check ${imageLabel(image)} of ${resourceLabel(resource)}: ${problem.message} Policy "${spec.name}" fails closed, so an image it cannot check does not pass; fix the registry connection, or set "failClosed": false for this policy in the policy pack config to let resources through while the registry is unreachable.`,
          );
        } else {
          lookups.warnOnce(
            `${spec.name}: ${problem.kind}`,
            `ingot-images: policy "${spec.name}" could not check images and lets them pass${spec.guard ? ' (failClosed is false)' : ''}: ${problem.message}`,
          );
        }
      };

      let lookup: ImageLookup;
      try {
        lookup = lookups.forSettings(settings);
      } catch (error) {
        const problem = registryProblem(error);
        if (problem === null) throw error;
        for (const image of images) cannotCheck(image, problem);
        return;
      }
      const now = lookups.now();
      for (const image of images) {
        try {
          const result: LookupResult = image.family
            ? { matches: [], outsideRegion: false }
            : await lookup.find(image);
          const messages = await spec.judge({ resource, image, result, lookup, settings, now });
          for (const message of messages) reportViolation(message);
        } catch (error) {
          const problem = registryProblem(error);
          if (problem === null) throw error;
          cannotCheck(image, problem);
        }
      }
    },
  };
}
