import { parseScalerSecrets, ScalerConfigError } from '../scaler/scaler-config';
import { parseSchedule } from '../scaler/warm-schedule';
import type { FleetScalerSettings, PoolConfig, ScalerVpcSettings } from './fleet-config';
import {
  isObject,
  Problems,
  readInteger,
  readObject,
  readString,
  rejectUnknownKeys,
} from './problems';

/** The stack key holding the scalers' GitHub App and database secrets (encrypted). */
export const SCALER_SECRETS_KEY = 'scalerSecrets';

const REGION = { aws: /^[a-z]{2}(-[a-z]+)+-\d$/, gcp: /^[a-z]+-[a-z]+\d$/ };
const IMAGE = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$/;
const SECRET_EXAMPLE =
  '{"aws": {"app_id": "123", "installation_id": "456", "private_key": "-----BEGIN RSA PRIVATE KEY-----…", "webhook_secret": "…", "database_url": "postgres://…"}}';

/** The clouds whose pools the scaler drives: every cloud with an Auto Scaling or GCP pool. */
export function scaledClouds(pools: readonly PoolConfig[]): ('aws' | 'gcp')[] {
  return (['aws', 'gcp'] as const).filter((cloud) =>
    pools.some((pool) => pool.cloud === cloud && pool.os !== 'macos'),
  );
}

/**
 * Parses `<project>:scaler` (where each cloud's scaler runs, the control loop's timeouts
 * and warm runners per pool) and checks `<project>:scalerSecrets` — present, encrypted,
 * one complete App secret per scaled cloud — without ever quoting a secret value.
 */
export function parseScalerSettings(
  p: Problems,
  project: string,
  value: unknown,
  secrets: { text?: string; encrypted: boolean },
  pools: readonly PoolConfig[],
): FleetScalerSettings | undefined {
  const key = `${project}:scaler`;
  const raw = readObject(p, key, value, '{ aws: { region: us-west-2 } }');
  if (!raw) return undefined;
  const before = p.count;
  rejectUnknownKeys(p, key, raw, ['aws', 'gcp', 'timeouts', 'warm']);
  const clouds = scaledClouds(pools);
  const settings: FleetScalerSettings = { clouds, warm: {} };
  for (const cloud of ['aws', 'gcp'] as const) {
    const at = `${key}.${cloud}`;
    const section = raw[cloud] === undefined ? {} : readObject(p, at, raw[cloud], '{ region: … }');
    if (!section) continue;
    if (!clouds.includes(cloud)) {
      if (raw[cloud] !== undefined)
        p.add(at, `is set but no Auto Scaling or GCP pool runs on ${cloud}: remove it.`);
      continue;
    }
    rejectUnknownKeys(p, at, section, cloud === 'aws' ? ['region', 'vpc'] : ['region', 'image']);
    const firstRegion = pools.find((pool) => pool.cloud === cloud)?.regions[0];
    const region = readString(p, `${at}.region`, section.region ?? firstRegion, {
      hint: `the ${cloud} region the scaler runs in, e.g. ${cloud === 'aws' ? 'us-west-2' : 'us-west2'}`,
      pattern: REGION[cloud],
    });
    const poolRegions = [
      ...new Set(pools.filter((pool) => pool.cloud === cloud).flatMap((pool) => pool.regions)),
    ];
    if (region && !poolRegions.includes(region))
      p.add(
        `${at}.region`,
        `"${region}" has no ${cloud} pool; run the scaler in one of the pools' regions: ${poolRegions.join(', ')}.`,
      );
    const vpc =
      cloud === 'aws' && section.vpc !== undefined
        ? parseVpc(p, `${at}.vpc`, section.vpc)
        : undefined;
    if (cloud === 'aws' && region) settings.aws = { region, ...(vpc ? { vpc } : {}) };
    if (cloud === 'gcp') {
      const image = readString(p, `${at}.image`, section.image, {
        hint: 'the scaler container image built from this package (deploy/scaler/Dockerfile), e.g. us-west2-docker.pkg.dev/acme/ingot/scaler:0.1.0',
        pattern: IMAGE,
      });
      if (region && image) settings.gcp = { region, image };
    }
  }
  if (raw.timeouts !== undefined) {
    const t = readObject(p, `${key}.timeouts`, raw.timeouts, '{ boot: 900, idle: 300 }');
    if (t) {
      rejectUnknownKeys(p, `${key}.timeouts`, t, ['boot', 'idle', 'reconcile']);
      const limits = { boot: [60, 7200], idle: [0, 86400], reconcile: [10, 600] } as const;
      settings.timeouts = {};
      for (const name of ['boot', 'idle', 'reconcile'] as const)
        if (t[name] !== undefined)
          settings.timeouts[name] = readInteger(p, `${key}.timeouts.${name}`, t[name], {
            min: limits[name][0],
            max: limits[name][1],
          });
    }
  }
  if (raw.warm !== undefined) parseWarm(p, `${key}.warm`, raw.warm, pools, settings);
  checkSecrets(p, `${project}:${SCALER_SECRETS_KEY}`, secrets, clouds);
  return p.count === before ? settings : undefined;
}

const VPC_IDS = {
  subnetIds: { pattern: /^subnet-[0-9a-f]{8,17}$/, example: 'subnet-0abc1234', max: 16 },
  // Lambda takes at most five security groups.
  securityGroupIds: { pattern: /^sg-[0-9a-f]{8,17}$/, example: 'sg-0abc1234', max: 5 },
};

/** `<project>:scaler.aws.vpc`: `{}` (the network's subnets, a group made for it) or ids. */
function parseVpc(p: Problems, key: string, value: unknown): ScalerVpcSettings | undefined {
  const raw = readObject(
    p,
    key,
    value,
    "{ subnetIds: [subnet-0abc1234], securityGroupIds: [sg-0abc1234] }, or {} for the network's subnets",
  );
  if (!raw) return undefined;
  const before = p.count;
  rejectUnknownKeys(p, key, raw, ['subnetIds', 'securityGroupIds']);
  const vpc: ScalerVpcSettings = {};
  for (const name of ['subnetIds', 'securityGroupIds'] as const) {
    const list = raw[name];
    if (list === undefined) continue;
    const { pattern, example, max } = VPC_IDS[name];
    if (!Array.isArray(list) || list.length === 0 || list.length > max) {
      p.add(
        `${key}.${name}`,
        `must list 1–${max} ids like "${example}", or be left out for the default.`,
      );
      continue;
    }
    list.forEach((id, i) => {
      if (typeof id !== 'string' || !pattern.test(id))
        p.add(`${key}.${name}[${i}]`, `${JSON.stringify(id)} is not an id like "${example}".`);
    });
    if (new Set(list).size !== list.length)
      p.add(`${key}.${name}`, 'lists an id twice: list each once.');
    vpc[name] = list as string[];
  }
  return p.count === before ? vpc : undefined;
}

function parseWarm(
  p: Problems,
  key: string,
  value: unknown,
  pools: readonly PoolConfig[],
  settings: FleetScalerSettings,
): void {
  const warm = readObject(p, key, value, '{ ubuntu-small: { idle: 1 } }');
  if (!warm) return;
  for (const [name, entry] of Object.entries(warm)) {
    const at = `${key}.${name}`;
    const pool = pools.find((candidate) => candidate.name === name);
    if (!pool || pool.os === 'macos') {
      p.add(
        at,
        `names no Auto Scaling or GCP pool; pools: ${pools
          .filter((c) => c.os !== 'macos')
          .map((c) => c.name)
          .join(', ')}.`,
      );
      continue;
    }
    const section = readObject(
      p,
      at,
      entry,
      '{ idle: 1, schedule: { from: "08:00", to: "18:00" } }',
    );
    if (!section) continue;
    rejectUnknownKeys(p, at, section, ['idle', 'schedule']);
    const idle = readInteger(p, `${at}.idle`, section.idle, { min: 0, max: pool.max });
    if (section.schedule !== undefined) {
      try {
        parseSchedule(section.schedule);
      } catch (error) {
        p.add(`${at}.schedule`, (error as Error).message);
      }
    }
    if (idle !== undefined) settings.warm[name] = { idle, schedule: section.schedule };
  }
}

function checkSecrets(
  p: Problems,
  key: string,
  secrets: { text?: string; encrypted: boolean },
  clouds: readonly string[],
): void {
  const setIt = `pulumi config set --secret ${key} '${SECRET_EXAMPLE}'`;
  if (secrets.text === undefined) {
    p.add(key, `is required with the scaler: set it encrypted with \`${setIt}\`.`);
    return;
  }
  if (!secrets.encrypted) {
    p.add(
      key,
      `is stored in plain text; store it encrypted with \`${setIt}\` and remove the plain entry from the stack file.`,
    );
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(secrets.text);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) {
    p.add(key, `must be a JSON map of clouds to App secrets, e.g. ${SECRET_EXAMPLE}.`);
    return;
  }
  for (const name of Object.keys(parsed))
    if (!clouds.includes(name))
      p.add(`${key}.${name}`, `no scaler runs on "${name}"; scaled clouds: ${clouds.join(', ')}.`);
  for (const cloud of clouds) {
    const where = `${key}.${cloud}`;
    const entry = parsed[cloud];
    try {
      parseScalerSecrets(entry, where);
    } catch (error) {
      for (const problem of (error as ScalerConfigError).problems) p.list.push(problem);
    }
    const url = isObject(entry) ? entry.database_url : undefined;
    if (typeof url !== 'string' || !/^postgres(ql)?:\/\/\S+$/.test(url))
      p.add(
        where,
        '"database_url" is missing or not a postgres:// URL: the scaler keeps its state in PostgreSQL (a Lambda or Cloud Run instance has no lasting disk).',
      );
  }
}
