import { LABEL_PATTERN } from '../fleet/labels';
import type { FleetConfig, GcpSettings, GithubSettings, RegistrySettings } from './fleet-config';
import { parseNetwork } from './parse-network';
import { checkMacPools, parseMacHosts } from './parse-mac-hosts';
import { cloudsNamed, parsePools } from './parse-pools';
import { parseScalerSettings, SCALER_SECRETS_KEY, scaledClouds } from './parse-scaler';
import { parseSizes } from './parse-sizes';
import {
  FleetConfigError,
  Problems,
  readObject,
  readOptionalString,
  readString,
  readStringList,
  rejectUnknownKeys,
} from './problems';

/** The stack configuration as the engine hands it to the program. */
export interface RawStackConfig {
  project: string;
  stack: string;
  /** Every value by full key (`ingot-fleet:pools`); structured values as JSON text. */
  values: Record<string, string>;
  /** Keys whose values are stored encrypted (`pulumi config set --secret`). */
  secretKeys: readonly string[];
  /** The environment of `pulumi` (the providers may read credentials there). */
  env: Record<string, string | undefined>;
}

/** The fleet's own keys, in the project's namespace. */
export const FLEET_KEYS = [
  'environment',
  'channel',
  'github',
  'gcp',
  'network',
  'pools',
  'sizes',
  'scaler',
  SCALER_SECRETS_KEY,
  'imageFactory',
  'macHosts',
] as const;
/**
 * The image pipeline's keys: they belong to the image factory project (`images/`,
 * `ingot-images`), not to the fleet; a fleet stack holding one is told where it moved.
 */
export const IMAGE_FACTORY_KEYS = ['images', 'imagesEnvironment', 'imagesTestEnvironment'];
/** The registry keys, shared with the providers (`configure` reads them too). */
export const REGISTRY_NAMESPACE = 'ingot';
export const REGISTRY_KEYS = [
  'registryUrl',
  'organizationId',
  'projectId',
  'registryClientId',
  'registryClientSecret',
  // Read by the providers' `configure` only (timeouts, the stale-images opt-out).
  'registryTimeoutMs',
  'registryDeadlineMs',
  'allowStaleImages',
  // Read by the MacRootVolume provider's `configure`: its bound on one Mac image rollout.
  'macRootVolumeWaitMs',
] as const;

const ENVIRONMENT = /^[a-z][a-z0-9-]{0,15}$/;
const CHANNEL = /^[A-Za-z0-9][A-Za-z0-9-]{0,35}$/;
const SCOPE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const GITHUB_ORG = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const RUNNER_GROUP = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const AWS_SECRET = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const GCP_SECRET = /^[A-Za-z0-9_-]{1,255}$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** A fully qualified stack name `<org>/<project>/<stack>`, as StackReference takes it. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * Validates the whole stack configuration and returns it typed. Every problem is
 * collected and thrown at once as a {@link FleetConfigError}, each naming its key and
 * the fix; secret values are never quoted.
 */
export function parseFleetConfig(raw: RawStackConfig): FleetConfig {
  const p = new Problems();
  const ns = raw.project;
  const k = (name: string) => `${ns}:${name}`;
  const structured = (name: string): unknown => {
    const text = raw.values[k(name)];
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      // A plain string where a map or list belongs.
      return text;
    }
  };

  checkUnknownKeys(p, raw);
  const environment = readString(p, k('environment'), raw.values[k('environment')] ?? raw.stack, {
    hint: 'a short lowercase name like prod (it defaults to the stack name); set ingot-fleet:environment',
    pattern: ENVIRONMENT,
  });
  const channel = readString(p, k('channel'), raw.values[k('channel')] ?? environment, {
    hint: 'a registry channel name like prod (it defaults to the environment)',
    pattern: CHANNEL,
  });
  const registry = parseRegistry(p, raw);
  const sizes = parseSizes(p, k('sizes'), structured('sizes'));
  const network = parseNetwork(p, k('network'), structured('network'));
  const pools = parsePools(p, k('pools'), structured('pools'), sizes, network);
  const macHosts = parseMacHosts(p, k('macHosts'), structured('macHosts'));
  checkMacPools(p, k('pools'), k('macHosts'), structured('pools'), pools, macHosts, network);
  const clouds = cloudsNamed(structured('pools'));
  const rawScaler = structured('scaler');
  const scaler =
    rawScaler === undefined
      ? undefined
      : parseScalerSettings(
          p,
          ns,
          rawScaler,
          {
            text: raw.values[k(SCALER_SECRETS_KEY)],
            encrypted: raw.secretKeys.includes(k(SCALER_SECRETS_KEY)),
          },
          pools,
        );
  // With the scaler, runners get JIT configs; macOS hosts ask the AWS scaler for theirs,
  // and register themselves only on a cloud no scaler runs on.
  const scaled = scaledClouds(pools) as string[];
  const registering =
    rawScaler === undefined
      ? clouds
      : new Set(
          pools
            .filter((pool) => pool.os === 'macos' && !scaled.includes(pool.cloud))
            .map((pool) => pool.cloud as string),
        );
  const github = parseGithub(p, k('github'), structured('github'), registering);
  if (rawScaler !== undefined && github)
    for (const cloud of scaledClouds(pools))
      if (github.registrationSecret[cloud] && !registering.has(cloud))
        p.add(
          `${k('github')}.registrationSecret.${cloud}`,
          `is set, but with the scaler no ${cloud} runner registers itself or may read the App key: remove it.`,
        );
  if (rawScaler === undefined && raw.values[k(SCALER_SECRETS_KEY)] !== undefined)
    p.add(k(SCALER_SECRETS_KEY), `is set but ${k('scaler')} is not: set both, or remove it.`);
  let gcp: GcpSettings | undefined;
  const rawGcp = structured('gcp');
  if (clouds.has('gcp') || rawGcp !== undefined) {
    const section = readObject(p, k('gcp'), rawGcp, '{ project: acme-runners-prod }');
    if (section) {
      rejectUnknownKeys(p, k('gcp'), section, ['project']);
      const project = readString(p, `${k('gcp')}.project`, section.project, {
        hint: 'the GCP project id the GCP pools run in, e.g. acme-runners-prod',
        pattern: GCP_PROJECT,
      });
      if (project) gcp = { project };
    }
  }

  const imageFactory = parseImageFactory(p, k('imageFactory'), structured('imageFactory'));

  if (p.count > 0) throw new FleetConfigError(p.list, `${raw.project}/${raw.stack}`);
  return {
    project: raw.project,
    stack: raw.stack,
    environment: environment as string,
    channel: channel as string,
    registry: registry as RegistrySettings,
    github: github as GithubSettings,
    ...(gcp ? { gcp } : {}),
    network: network.settings,
    sizes,
    pools,
    ...(scaler ? { scaler } : {}),
    ...(imageFactory ? { imageFactory } : {}),
  };
}

/** `imageFactory: { stack: acme/ingot-images/dev, channel: dev }`: whose channel the fleet's images start on. */
function parseImageFactory(
  p: Problems,
  key: string,
  raw: unknown,
): FleetConfig['imageFactory'] | undefined {
  if (raw === undefined) return undefined;
  const section = readObject(p, key, raw, '{ stack: acme/ingot-images/dev }');
  if (!section) return undefined;
  rejectUnknownKeys(p, key, section, ['stack', 'channel']);
  const stack = readString(p, `${key}.stack`, section.stack, {
    hint: "the image factory's stack as <org>/<project>/<stack>, e.g. acme/ingot-images/dev",
    pattern: STACK_NAME,
  });
  const channel =
    readOptionalString(p, `${key}.channel`, section.channel, {
      hint: 'the channel the image factory assigns, e.g. dev',
      pattern: CHANNEL,
    }) ?? 'dev';
  return stack ? { stack, channel } : undefined;
}

function checkUnknownKeys(p: Problems, raw: RawStackConfig): void {
  const known = new Set<string>(FLEET_KEYS.map((key) => `${raw.project}:${key}`));
  for (const key of REGISTRY_KEYS) known.add(`${REGISTRY_NAMESPACE}:${key}`);
  const namespaces = new Set([raw.project, REGISTRY_NAMESPACE]);
  for (const key of Object.keys(raw.values)) {
    const [namespace, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (!namespaces.has(namespace) || known.has(key)) continue;
    if (namespace === raw.project && IMAGE_FACTORY_KEYS.includes(name)) {
      p.add(
        key,
        `the image pipeline is the image factory's (images/, project ingot-images), not the fleet's: move this setting to images/Pulumi.<stack>.yaml as ingot-images:${name}.`,
      );
      continue;
    }
    const candidates: string[] = [
      ...(namespace === raw.project ? FLEET_KEYS : []),
      ...(namespace === REGISTRY_NAMESPACE ? REGISTRY_KEYS : []),
    ];
    const fake = new Problems();
    rejectUnknownKeys(fake, namespace, { [name]: true }, candidates, (a, b) => `${a}:${b}`);
    p.list.push(...fake.list);
  }
}

function parseRegistry(p: Problems, raw: RawStackConfig): RegistrySettings | undefined {
  const r = (name: string) => `${REGISTRY_NAMESPACE}:${name}`;
  const url = readString(p, r('registryUrl'), raw.values[r('registryUrl')], {
    hint: 'the registry URL, e.g. `pulumi config set ingot:registryUrl https://images.acme.example`',
  });
  if (url && !/^https?:\/\/[^\s/]+/.test(url))
    p.add(r('registryUrl'), `"${url}" is not an http(s) URL, e.g. https://images.acme.example.`);
  const organizationId = readString(p, r('organizationId'), raw.values[r('organizationId')], {
    hint: 'the registry organization, e.g. `pulumi config set ingot:organizationId acme`',
    pattern: SCOPE_ID,
  });
  const projectId = readString(p, r('projectId'), raw.values[r('projectId')], {
    hint: 'the registry project, e.g. `pulumi config set ingot:projectId runner-images`',
    pattern: SCOPE_ID,
  });
  // Credentials: only where they are and whether they are encrypted; never their values.
  let credentials: RegistrySettings['credentials'] = 'stack-config';
  const inConfig = (['registryClientId', 'registryClientSecret'] as const).filter(
    (name) => raw.values[r(name)] !== undefined,
  );
  for (const name of inConfig) {
    if (!raw.secretKeys.includes(r(name)))
      p.add(
        r(name),
        `is stored in plain text; store it encrypted with \`pulumi config set --secret ${r(name)} <value>\` (and remove the plain entry from the stack file).`,
      );
  }
  if (inConfig.length === 1) {
    const missing =
      inConfig[0] === 'registryClientId' ? 'registryClientSecret' : 'registryClientId';
    p.add(
      r(missing),
      `is missing while ${r(inConfig[0])} is set; set both with \`pulumi config set --secret\`.`,
    );
  } else if (inConfig.length === 0) {
    const env = raw.env;
    if ((env.HCP_CLIENT_ID && env.HCP_CLIENT_SECRET) || env.INGOT_CREDENTIALS_FILE)
      credentials = 'environment';
    else
      p.add(
        r('registryClientSecret'),
        'no registry credentials: run `pulumi config set --secret ingot:registryClientId <id>` and `pulumi config set --secret ingot:registryClientSecret <secret>`, or export HCP_CLIENT_ID and HCP_CLIENT_SECRET.',
      );
  }
  return url && organizationId && projectId
    ? { url, organizationId, projectId, credentials }
    : undefined;
}

function parseGithub(
  p: Problems,
  key: string,
  value: unknown,
  clouds: Set<string>,
): GithubSettings | undefined {
  const raw = readObject(
    p,
    key,
    value,
    '{ organization: acme, runnerGroup: ingot-prod, registrationSecret: { aws: ingot/github-app } }',
  );
  if (!raw) return undefined;
  const before = p.count;
  rejectUnknownKeys(p, key, raw, [
    'organization',
    'runnerGroup',
    'labels',
    'url',
    'registrationSecret',
  ]);
  const organization = readString(p, `${key}.organization`, raw.organization, {
    hint: 'the GitHub organization runners register with, e.g. acme',
    pattern: GITHUB_ORG,
  });
  const runnerGroup =
    readOptionalString(p, `${key}.runnerGroup`, raw.runnerGroup, {
      hint: 'a runner group name (letters, digits, spaces, . _ -), e.g. ingot-prod',
      pattern: RUNNER_GROUP,
    }) ?? 'Default';
  const labels =
    raw.labels === undefined
      ? []
      : readStringList(p, `${key}.labels`, raw.labels, {
          hint: 'a runner label like gpu (letters, digits, . _ -)',
          pattern: LABEL_PATTERN,
        });
  const url =
    readOptionalString(p, `${key}.url`, raw.url, {
      hint: "GitHub's https URL, e.g. https://github.com or https://github.acme.example",
      pattern: /^https:\/\/[A-Za-z0-9.-]+(:\d+)?$/,
    }) ?? 'https://github.com';
  const apiUrl = url === 'https://github.com' ? 'https://api.github.com' : `${url}/api/v3`;

  const registrationSecret: GithubSettings['registrationSecret'] = {};
  const secrets =
    raw.registrationSecret === undefined
      ? {}
      : readObject(
          p,
          `${key}.registrationSecret`,
          raw.registrationSecret,
          '{ aws: ingot/github-app, gcp: ingot-github-app }',
        );
  if (secrets) {
    rejectUnknownKeys(p, `${key}.registrationSecret`, secrets, ['aws', 'gcp']);
    const rules = {
      aws: {
        hint: 'an AWS Secrets Manager secret name, e.g. ingot/github-app',
        pattern: AWS_SECRET,
      },
      gcp: { hint: 'a GCP Secret Manager secret id, e.g. ingot-github-app', pattern: GCP_SECRET },
    };
    for (const cloud of ['aws', 'gcp'] as const) {
      const at = `${key}.registrationSecret.${cloud}`;
      if (secrets[cloud] === undefined) {
        if (clouds.has(cloud))
          p.add(
            at,
            `is required because a pool runs on ${cloud}: ${rules[cloud].hint}, holding the GitHub App's {"app_id", "installation_id", "private_key"}.`,
          );
        continue;
      }
      const name = readString(p, at, secrets[cloud], rules[cloud]);
      if (name) registrationSecret[cloud] = name;
    }
  }
  if (p.count !== before || !organization || !labels) return undefined;
  return { organization, runnerGroup, labels, url, apiUrl, registrationSecret };
}
