import { isObject, Problems, show } from '../config/problems';
import { LABEL_PATTERN } from '../fleet/labels';
import { parseSchedule, type WarmSchedule } from './warm-schedule';

/**
 * One region of one pool: the unit the scaler sizes. Its `group` is the Auto Scaling
 * group (AWS) or the regional managed instance group (GCP) the fleet stack created.
 */
export interface ScalerTarget {
  /** `<pool>/<region>`: stable, the key of every record about the target. */
  key: string;
  pool: string;
  cloud: 'aws' | 'gcp';
  region: string;
  /** Auto Scaling group name, or managed instance group name. */
  group: string;
  /** GCP: the project of the group. */
  project?: string;
  /** GCP: the runners' service account; only its identity tokens get a JIT config. */
  serviceAccount?: string;
  /** The labels runners of this target register with (region label included). */
  labels: string[];
  /** Runner names are `<namePrefix>-<instance id>`. */
  namePrefix: string;
  min: number;
  max: number;
  /** Idle runners kept ready (within `max`), while `idleSchedule` says so. @default 0 */
  idle: number;
  /** When the idle runners are kept; absent: always. */
  idleSchedule?: WarmSchedule;
}

/**
 * One region of a macOS pool: fixed instances on dedicated hosts, not a group. The
 * scaler never sizes them; it hands each a JIT configuration when the instance asks
 * (`POST /jit/aws` with its signed identity document), one runner at a time.
 */
export interface ScalerHost {
  /** `<pool>/<region>`. */
  key: string;
  pool: string;
  region: string;
  /** The AWS account the instances run in (the identity document must name it). */
  account: string;
  /** The instance ids of the pool in this region. */
  instances: string[];
  labels: string[];
  /** Runner names are `<namePrefix>-<instance id>-<n>`. */
  namePrefix: string;
}

/** The GitHub side: where runners register, never a secret. */
export interface ScalerGithub {
  organization: string;
  /** @default "Default" */
  runnerGroup: string;
  /** @default "https://api.github.com" */
  apiUrl: string;
}

/** Timeouts of the control loop, in seconds. */
export interface ScalerTimeouts {
  /** An instance whose runner is not online this long after launch is reaped. @default 900 */
  boot: number;
  /** An idle runner beyond what is wanted is removed after this long. @default 300 */
  idle: number;
  /** How often the control loop runs when serving. @default 30 */
  reconcile: number;
}

/** Everything the scaler needs, validated; secrets come separately (`ScalerSecrets`). */
export interface ScalerConfig {
  github: ScalerGithub;
  targets: ScalerTarget[];
  /** AWS macOS instances that fetch JIT configurations. @default [] */
  hosts: ScalerHost[];
  timeouts: ScalerTimeouts;
  /** AWS: the SSM path JIT configs are written under, e.g. `/ingot/prod/jit`. */
  ssmPrefix: string;
  /** AWS: the launch lifecycle hook name on every group. */
  lifecycleHook: string;
  /** GCP: the audience instance identity tokens must carry (the scaler's URL). */
  audience?: string;
}

/** The GitHub App and webhook secrets: from the cloud's secret store or the environment. */
export interface ScalerSecrets {
  appId: string;
  installationId: string;
  privateKey: string;
  webhookSecret: string;
}

export class ScalerConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `the scaler configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((p) => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'ScalerConfigError';
  }
}

export const SCALER_DEFAULTS = {
  runnerGroup: 'Default',
  apiUrl: 'https://api.github.com',
  timeouts: { boot: 900, idle: 300, reconcile: 30 },
  ssmPrefix: '/ingot/jit',
  lifecycleHook: 'ingot-runner-launch',
};

const POOL_PATTERN = /^[a-z0-9][a-z0-9-]{1,23}$/;
const SSM_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;

function count(p: Problems, key: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  p.add(key, `must be a whole number ≥ 0; got ${show(value)}.`);
  return 0;
}

function text(p: Problems, key: string, value: unknown, hint: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'string' && value.trim() !== '') return value;
  p.add(key, `must be ${hint}; got ${show(value)}.`);
  return '';
}

function parseTarget(p: Problems, key: string, raw: unknown): ScalerTarget | undefined {
  if (!isObject(raw)) {
    p.add(key, `must be a map like {"pool": "ubuntu-small", "cloud": "aws", …}; got ${show(raw)}.`);
    return undefined;
  }
  const pool = text(p, `${key}.pool`, raw.pool, 'a pool name (2–24 of a-z0-9-)');
  if (pool && !POOL_PATTERN.test(pool)) p.add(`${key}.pool`, `"${pool}" is not a pool name.`);
  const cloud = raw.cloud;
  if (cloud !== 'aws' && cloud !== 'gcp')
    p.add(`${key}.cloud`, `must be "aws" or "gcp"; got ${show(cloud)}.`);
  const region = text(p, `${key}.region`, raw.region, 'a region, e.g. "us-west-2"');
  const group = text(p, `${key}.group`, raw.group, 'the Auto Scaling / managed instance group');
  const labels = parseLabels(p, `${key}.labels`, raw.labels, region);
  const min = count(p, `${key}.min`, raw.min, 0);
  const max = count(p, `${key}.max`, raw.max);
  const idle = count(p, `${key}.idle`, raw.idle, 0);
  if (min > max) p.add(`${key}.min`, `is ${min}, above max ${max}: make min ≤ max.`);
  if (idle > max) p.add(`${key}.idle`, `is ${idle}, above max ${max}: make idle ≤ max.`);
  let idleSchedule: WarmSchedule | undefined;
  if (raw.idleSchedule !== undefined) {
    try {
      idleSchedule = parseSchedule(raw.idleSchedule);
    } catch (error) {
      p.add(`${key}.idleSchedule`, (error as Error).message);
    }
  }
  const target: ScalerTarget = {
    key: `${pool}/${region}`,
    pool,
    cloud: cloud as 'aws' | 'gcp',
    region,
    group,
    labels,
    namePrefix: text(p, `${key}.namePrefix`, raw.namePrefix, 'a runner name prefix', pool),
    min,
    max,
    idle,
    idleSchedule,
  };
  if (cloud === 'gcp') {
    target.project = text(p, `${key}.project`, raw.project, 'the GCP project of the group');
    target.serviceAccount = text(
      p,
      `${key}.serviceAccount`,
      raw.serviceAccount,
      "the runners' service account e-mail",
    );
  }
  return target;
}

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

function parseLabels(p: Problems, key: string, raw: unknown, region: string): string[] {
  const labels = Array.isArray(raw) ? raw : [];
  if (!Array.isArray(raw) || labels.length === 0)
    p.add(key, 'must list the runner labels, e.g. ["self-hosted", "ubuntu", …].');
  for (const label of labels)
    if (typeof label !== 'string' || !LABEL_PATTERN.test(label))
      p.add(key, `${show(label)} is not a runner label (no commas, spaces or quotes).`);
  if (region && Array.isArray(raw) && !labels.includes(region))
    p.add(key, `must include the region label "${region}".`);
  return labels as string[];
}

function parseHost(p: Problems, key: string, raw: unknown): ScalerHost | undefined {
  if (!isObject(raw)) {
    p.add(
      key,
      `must be a map like {"pool": "macos-m2", "region": "us-west-2", …}; got ${show(raw)}.`,
    );
    return undefined;
  }
  const pool = text(p, `${key}.pool`, raw.pool, 'a pool name (2–24 of a-z0-9-)');
  if (pool && !POOL_PATTERN.test(pool)) p.add(`${key}.pool`, `"${pool}" is not a pool name.`);
  const region = text(p, `${key}.region`, raw.region, 'a region, e.g. "us-west-2"');
  const account = text(p, `${key}.account`, raw.account, 'the 12-digit AWS account id');
  if (account && !/^\d{12}$/.test(account))
    p.add(`${key}.account`, `"${account}" is not a 12-digit AWS account id.`);
  const instances = Array.isArray(raw.instances) ? raw.instances : [];
  if (!Array.isArray(raw.instances))
    p.add(`${key}.instances`, 'must list the instance ids, e.g. ["i-0123456789abcdef0"].');
  for (const id of instances)
    if (typeof id !== 'string' || !INSTANCE_ID.test(id))
      p.add(`${key}.instances`, `${show(id)} is not an EC2 instance id (i-…).`);
  return {
    key: `${pool}/${region}`,
    pool,
    region,
    account,
    instances: instances as string[],
    labels: parseLabels(p, `${key}.labels`, raw.labels, region),
    namePrefix: text(p, `${key}.namePrefix`, raw.namePrefix, 'a runner name prefix', pool),
  };
}

/**
 * Validates a scaler configuration (the JSON `ingot scaler serve --config` reads, or
 * what the fleet stack hands its deployed scalers) and reports every problem at once.
 */
export function parseScalerConfig(raw: unknown): ScalerConfig {
  const p = new Problems();
  if (!isObject(raw)) throw new ScalerConfigError([`the configuration must be a JSON object.`]);
  const gh = isObject(raw.github) ? raw.github : {};
  if (!isObject(raw.github)) p.add('github', 'must be a map with at least "organization".');
  const github: ScalerGithub = {
    organization: text(p, 'github.organization', gh.organization, 'the GitHub organization'),
    runnerGroup: text(p, 'github.runnerGroup', gh.runnerGroup, 'a runner group name', 'Default'),
    apiUrl: text(p, 'github.apiUrl', gh.apiUrl, 'a URL', SCALER_DEFAULTS.apiUrl).replace(
      /\/+$/,
      '',
    ),
  };
  const targets: ScalerTarget[] = [];
  const hosts: ScalerHost[] = [];
  if (raw.hosts !== undefined && !Array.isArray(raw.hosts))
    p.add('hosts', 'must be a list of macOS pool regions, e.g. [{"pool": "macos-m2", …}].');
  if (Array.isArray(raw.hosts))
    raw.hosts.forEach((h, i) => {
      const host = parseHost(p, `hosts[${i}]`, h);
      if (!host) return;
      if (hosts.some((other) => other.key === host.key))
        p.add(`hosts[${i}]`, `${host.key} appears twice: list each pool region once.`);
      hosts.push(host);
    });
  if (!Array.isArray(raw.targets) || (raw.targets.length === 0 && hosts.length === 0))
    p.add('targets', 'must list at least one pool region to scale.');
  else
    raw.targets.forEach((t, i) => {
      const target = parseTarget(p, `targets[${i}]`, t);
      if (!target) return;
      if (targets.some((other) => other.key === target.key))
        p.add(`targets[${i}]`, `${target.key} appears twice: list each pool region once.`);
      targets.push(target);
    });
  const t = isObject(raw.timeouts) ? raw.timeouts : {};
  const timeouts: ScalerTimeouts = {
    boot: count(p, 'timeouts.boot', t.boot, SCALER_DEFAULTS.timeouts.boot),
    idle: count(p, 'timeouts.idle', t.idle, SCALER_DEFAULTS.timeouts.idle),
    reconcile: count(p, 'timeouts.reconcile', t.reconcile, SCALER_DEFAULTS.timeouts.reconcile),
  };
  if (timeouts.reconcile < 1) p.add('timeouts.reconcile', 'must be at least 1 second.');
  const ssmPrefix = text(p, 'ssmPrefix', raw.ssmPrefix, 'an SSM path', SCALER_DEFAULTS.ssmPrefix);
  if (ssmPrefix && !SSM_PATH.test(ssmPrefix))
    p.add('ssmPrefix', `"${ssmPrefix}" is not an SSM parameter path like /ingot/prod/jit.`);
  const lifecycleHook = text(
    p,
    'lifecycleHook',
    raw.lifecycleHook,
    'a lifecycle hook name',
    SCALER_DEFAULTS.lifecycleHook,
  );
  let audience: string | undefined;
  if (targets.some((target) => target.cloud === 'gcp'))
    audience = text(p, 'audience', raw.audience, "the scaler's URL (identity token audience)");
  if (p.count > 0) throw new ScalerConfigError(p.list);
  return { github, targets, hosts, timeouts, ssmPrefix, lifecycleHook, audience };
}

/**
 * The App secret as stored in the cloud's secret store:
 * `{"app_id", "installation_id", "private_key", "webhook_secret"}`. Values are never
 * echoed in messages.
 */
export function parseScalerSecrets(raw: unknown, where: string): ScalerSecrets {
  const problems: string[] = [];
  const obj = isObject(raw) ? raw : {};
  if (!isObject(raw)) problems.push(`${where} must hold a JSON object.`);
  const field = (name: string, check?: (v: string) => boolean, hint = ''): string => {
    const value = obj[name];
    const asText = typeof value === 'number' ? String(value) : value;
    if (typeof asText !== 'string' || asText.trim() === '' || (check && !check(asText))) {
      problems.push(`${where}: "${name}" is missing or invalid${hint ? ` (${hint})` : ''}.`);
      return '';
    }
    return asText;
  };
  const secrets: ScalerSecrets = {
    appId: field('app_id', (v) => /^\d+$/.test(v), 'the numeric App ID'),
    installationId: field('installation_id', (v) => /^\d+$/.test(v), 'the numeric installation ID'),
    privateKey: field('private_key', (v) => v.includes('PRIVATE KEY'), "the App's PEM private key"),
    webhookSecret: field('webhook_secret', undefined, "the App's webhook secret"),
  };
  if (problems.length > 0) throw new ScalerConfigError(problems);
  return secrets;
}
