import type { EnforcementLevel, PolicyConfigSchema } from '@pulumi/policy';

/**
 * The settings a policy reads from the policy pack config (`--policy-pack-config`, or
 * the config of a policy group in Pulumi Cloud). Pulumi gives each policy its own
 * block, so each policy declares the settings it reads; connection settings left out
 * fall back to the environment the registry client reads (`INGOT_REGISTRY_URL` or
 * `HCP_API_ADDRESS`, `HCP_ORGANIZATION_ID`, `HCP_PROJECT_ID`) — set them there once
 * for every policy. `enforcementLevel` is Pulumi's own key in every block.
 *
 * Credentials are not settings: a config file is plain text, often committed or
 * stored in Pulumi Cloud. They come from the environment of `pulumi` only
 * (`HCP_CLIENT_ID`/`HCP_CLIENT_SECRET` or `INGOT_CREDENTIALS_FILE`).
 */
export interface PolicySettings {
  registryUrl?: string;
  organization?: string;
  project?: string;
  /** A policy that cannot check an image reports it as a violation (true) or passes it (false). */
  failClosed: boolean;
  /** Images built longer ago than this are outdated; unset = no age limit. */
  maxAgeDays?: number;
}

/** Settings a factory bakes in (the pack passes none; tests pass a registry). */
export type PolicyDefaults = Partial<PolicySettings> & { enforcementLevel?: EnforcementLevel };

export type SettingName = keyof PolicySettings;

export const CONNECTION_SETTINGS: SettingName[] = ['registryUrl', 'organization', 'project'];

const SCOPE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const CREDENTIAL_KEYS =
  /^(client[_-]?id|client[_-]?secret|secret|token|password|credentials(file)?|hcp_client_(id|secret))$/i;

const SCHEMAS: Record<SettingName, PolicyConfigSchema['properties'][string]> = {
  registryUrl: {
    type: 'string',
    description:
      'Base URL of the image registry (Ingot or HCP Packer). Default: INGOT_REGISTRY_URL, else HCP_API_ADDRESS.',
  },
  organization: {
    type: 'string',
    pattern: SCOPE_ID.source,
    description: 'Registry organization id. Default: HCP_ORGANIZATION_ID.',
  },
  project: {
    type: 'string',
    pattern: SCOPE_ID.source,
    description: 'Registry project id. Default: HCP_PROJECT_ID.',
  },
  failClosed: {
    type: 'boolean',
    default: true,
    description:
      'When the registry cannot be asked (down, refused credentials, not configured), report every unchecked image as a violation (true) or let it pass (false).',
  },
  maxAgeDays: {
    type: 'integer',
    minimum: 1,
    description: 'Report images built more than this many days ago. Default: no age limit.',
  },
};

/** The config schema of a policy that reads `settings` (Pulumi validates config files against it). */
export function configSchema(settings: SettingName[]): PolicyConfigSchema {
  return { properties: Object.fromEntries(settings.map((name) => [name, SCHEMAS[name]])) };
}

/** The policy's config is unusable; `problems` lists every one. */
export class PolicyConfigError extends Error {
  constructor(
    readonly policy: string,
    readonly problems: string[],
  ) {
    super(
      `the config of policy "${policy}" is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'PolicyConfigError';
  }
}

/**
 * The settings of `policy` from its config block over the factory's defaults. Checks
 * everything and reports every problem at once.
 */
export function parsePolicyConfig(
  policy: string,
  raw: unknown,
  settings: SettingName[],
  defaults: PolicyDefaults = {},
): PolicySettings {
  const problems: string[] = [];
  let given: Record<string, unknown> = {};
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw))
      problems.push(`the config must be an object of settings, got ${JSON.stringify(raw)}.`);
    else given = { ...(raw as Record<string, unknown>) };
  }
  delete given.enforcementLevel;

  for (const key of Object.keys(given)) {
    if (CREDENTIAL_KEYS.test(key)) {
      problems.push(
        `"${key}" looks like a credential; the policy pack never reads credentials from its config (a config file is plain text). Remove it and set HCP_CLIENT_ID and HCP_CLIENT_SECRET (or INGOT_CREDENTIALS_FILE) in the environment of \`pulumi\`.`,
      );
    } else if (!settings.includes(key as SettingName)) {
      problems.push(
        `"${key}" is not a setting of this policy; its settings are: ${settings.join(', ')}.`,
      );
    }
  }

  const value = <K extends SettingName>(key: K): unknown =>
    given[key] !== undefined ? given[key] : defaults[key];
  const result: PolicySettings = { failClosed: true };

  const url = value('registryUrl');
  if (url !== undefined) {
    if (typeof url !== 'string' || !isUrl(url))
      problems.push(
        `registryUrl must be a URL such as https://registry.example.com, got ${JSON.stringify(url)}.`,
      );
    else result.registryUrl = url;
  }
  for (const key of ['organization', 'project'] as const) {
    const id = value(key);
    if (id === undefined) continue;
    if (typeof id !== 'string' || !SCOPE_ID.test(id))
      problems.push(
        `${key} must be 1–64 letters, digits, ".", "_" or "-", got ${JSON.stringify(id)}.`,
      );
    else result[key] = id;
  }
  const failClosed = value('failClosed');
  if (failClosed !== undefined) {
    if (typeof failClosed !== 'boolean')
      problems.push(`failClosed must be true or false, got ${JSON.stringify(failClosed)}.`);
    else result.failClosed = failClosed;
  }
  const maxAge = value('maxAgeDays');
  if (maxAge !== undefined) {
    if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 1)
      problems.push(
        `maxAgeDays must be a whole number of days ≥ 1, got ${JSON.stringify(maxAge)}.`,
      );
    else result.maxAgeDays = maxAge;
  }

  if (problems.length > 0) throw new PolicyConfigError(policy, problems);
  return result;
}

/** What the registry client accepts: a URL, or a host it completes with https://. */
function isUrl(value: string): boolean {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `https://${value}`;
  try {
    const url = new URL(withScheme);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
