import {
  ARCHES,
  CLOUDS,
  defaultArch,
  DISK_SIZE_GB,
  instanceTypes,
  offered,
  OSES,
  SIZES,
  type SizeTable,
} from '../fleet/sizes';
import type { PoolConfig } from './fleet-config';
import { AWS_REGION, GCP_REGION, networkAvailable, type ParsedNetwork } from './parse-network';
import {
  isObject,
  Problems,
  readBoolean,
  readEnum,
  readInteger,
  readObject,
  readString,
  readStringList,
  rejectUnknownKeys,
  show,
} from './problems';

export const POOL_KEYS = [
  'name',
  'os',
  'size',
  'cloud',
  'regions',
  'arch',
  'min',
  'max',
  'desired',
  'spot',
  'bucket',
  'imageLabels',
  'diskSizeGb',
  'zones',
  'externalIp',
  'minHealthyPercent',
] as const;

/** Pool names become parts of cloud resource names: short, lowercase, dash-separated. */
export const POOL_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
/** A registry bucket name (3–36 of `[A-Za-z0-9-]`). */
export const BUCKET_NAME = /^[A-Za-z0-9-]{3,36}$/;
const LABEL_VALUE = /^[A-Za-z0-9._:/-]{1,64}$/;
const MAX_INSTANCES = 1000;

/** The clouds the pools name (valid or not), to know which cloud settings are needed. */
export function cloudsNamed(value: unknown): Set<string> {
  const clouds = new Set<string>();
  if (Array.isArray(value))
    for (const raw of value)
      if (isObject(raw) && typeof raw.cloud === 'string') clouds.add(raw.cloud);
  return clouds;
}

/** Parses `ingot-fleet:pools`; each pool's problems are named `pools[i].<field>`. */
export function parsePools(
  p: Problems,
  key: string,
  value: unknown,
  sizes: SizeTable,
  network: ParsedNetwork,
): PoolConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    p.add(
      key,
      `must list at least one pool, e.g. [{ name: ubuntu-small, os: ubuntu, size: small, cloud: aws, regions: [us-west-2], max: 4 }]; got ${show(value)}.`,
    );
    return [];
  }
  const pools: PoolConfig[] = [];
  const names = new Map<string, number>();
  value.forEach((raw: unknown, i: number) => {
    const at = `${key}[${i}]`;
    const pool = parsePool(p, at, raw, sizes, network);
    // Duplicate names are reported even when either pool has other problems.
    const name = isObject(raw) && typeof raw.name === 'string' ? raw.name : undefined;
    const first = name === undefined ? undefined : names.get(name);
    if (first !== undefined)
      p.add(
        `${at}.name`,
        `"${name}" is already the name of pools[${first}]; names must be unique.`,
      );
    else if (name !== undefined) names.set(name, i);
    if (pool) pools.push(pool);
  });
  return pools;
}

function parsePool(
  p: Problems,
  at: string,
  value: unknown,
  sizes: SizeTable,
  network: ParsedNetwork,
): PoolConfig | undefined {
  const raw = readObject(
    p,
    at,
    value,
    '{ name: ubuntu-small, os: ubuntu, size: small, cloud: aws, regions: [us-west-2], max: 4 }',
  );
  if (!raw) return undefined;
  const before = p.count;
  rejectUnknownKeys(p, at, raw, POOL_KEYS);
  const name = readString(p, `${at}.name`, raw.name, {
    hint: '2–24 lowercase letters, digits and dashes, starting with a letter, e.g. ubuntu-small',
    pattern: POOL_NAME,
  });
  const os = readEnum(p, `${at}.os`, raw.os, OSES);
  const size = readEnum(p, `${at}.size`, raw.size, SIZES);
  const cloud = readEnum(p, `${at}.cloud`, raw.cloud, CLOUDS);
  const isMac = os === 'macos';

  let regions: string[] | undefined;
  if (cloud) {
    regions = readStringList(p, `${at}.regions`, raw.regions, {
      hint: cloud === 'aws' ? 'an AWS region like us-west-2' : 'a GCP region like us-west2',
      pattern: cloud === 'aws' ? AWS_REGION : GCP_REGION,
      nonEmpty: true,
    });
    regions?.forEach((region, j) => {
      if (!networkAvailable(network, cloud, region))
        p.add(
          `${at}.regions[${j}]`,
          `no network for ${cloud} region ${region}: add network.${cloud}["${region}"] or read it from the network stack with network.stackReference.outputs.${cloud}.`,
        );
    });
  }

  if (cloud === 'gcp' && isMac)
    p.add(`${at}.cloud`, 'macOS runs on AWS only (EC2 Mac dedicated hosts); set cloud: aws.');

  let arch = raw.arch === undefined ? undefined : readEnum(p, `${at}.arch`, raw.arch, ARCHES);
  if (cloud && os && !(cloud === 'gcp' && isMac)) {
    if (raw.arch === undefined) arch = defaultArch(cloud, os);
    else if (arch && !offered(cloud, os, arch, sizes)) {
      p.add(
        `${at}.arch`,
        `${cloud} offers no ${os} runners on ${arch}: ${offeredArches(cloud, os, sizes)}.`,
      );
      arch = undefined;
    }
  }

  const counts = parseCounts(p, at, raw, isMac);

  const spot = raw.spot === undefined ? false : readBoolean(p, `${at}.spot`, raw.spot);
  if (spot && isMac)
    p.add(`${at}.spot`, 'macOS runs on dedicated hosts, never on spot capacity; remove spot.');

  const bucket =
    raw.bucket === undefined
      ? os && `runner-${os}`
      : readString(p, `${at}.bucket`, raw.bucket, {
          hint: 'a registry bucket name, 3–36 of letters, digits and dashes',
          pattern: BUCKET_NAME,
        });

  let imageLabels: Record<string, string> | undefined = arch ? { arch } : undefined;
  if (raw.imageLabels !== undefined) {
    const labels = readObject(p, `${at}.imageLabels`, raw.imageLabels, '{ arch: arm64 }');
    if (labels) {
      imageLabels = {};
      for (const [label, v] of Object.entries(labels)) {
        const checked = readString(p, `${at}.imageLabels.${label}`, v, {
          hint: 'a build label value (letters, digits, . _ : / -)',
          pattern: LABEL_VALUE,
        });
        if (checked) imageLabels[label] = checked;
      }
    }
  }

  const diskSizeGb =
    raw.diskSizeGb === undefined
      ? os && size && DISK_SIZE_GB[os][size]
      : readInteger(p, `${at}.diskSizeGb`, raw.diskSizeGb, { min: 30, max: 16384 });

  let zones: string[] | undefined;
  if (raw.zones !== undefined) {
    if (!isMac)
      p.add(`${at}.zones`, 'applies to macOS pools only (where dedicated hosts go); remove it.');
    else
      zones = readStringList(p, `${at}.zones`, raw.zones, {
        hint: 'an availability zone letter like a',
        pattern: /^[a-z]$/,
        nonEmpty: true,
      });
  }
  if (zones && regions && cloud === 'aws') checkZonesHaveSubnets(p, at, zones, regions, network);

  const externalIp =
    raw.externalIp === undefined ? false : readBoolean(p, `${at}.externalIp`, raw.externalIp);
  if (externalIp && cloud === 'aws')
    p.add(
      `${at}.externalIp`,
      "AWS runners never get a public IP; they reach GitHub through the subnets' NAT gateway. Remove externalIp.",
    );

  let minHealthyPercent: number | undefined = 90;
  if (raw.minHealthyPercent !== undefined) {
    if (isMac)
      p.add(
        `${at}.minHealthyPercent`,
        'does not apply to macOS pools: a new image rolls onto each instance in place (root volume replacement), not through an instance refresh. Remove it.',
      );
    else
      minHealthyPercent = readInteger(p, `${at}.minHealthyPercent`, raw.minHealthyPercent, {
        min: 0,
        max: 100,
      });
  }

  let types: string[] | undefined;
  if (cloud && os && arch && size && offered(cloud, os, arch, sizes))
    types = instanceTypes(cloud, os, arch, size, sizes);

  if (p.count !== before) return undefined;
  return {
    name: name as string,
    os: os as PoolConfig['os'],
    size: size as PoolConfig['size'],
    cloud: cloud as PoolConfig['cloud'],
    regions: regions as string[],
    arch: arch as PoolConfig['arch'],
    ...(counts as { min: number; max: number; desired: number }),
    spot: spot as boolean,
    bucket: bucket as string,
    imageLabels: imageLabels ?? {},
    diskSizeGb: diskSizeGb as number,
    instanceTypes: types as string[],
    ...(zones ? { zones } : {}),
    externalIp: externalIp as boolean,
    minHealthyPercent: minHealthyPercent as number,
  };
}

function offeredArches(cloud: 'aws' | 'gcp', os: string, sizes: SizeTable): string {
  const arches = ARCHES.filter((a) => sizes[cloud][os as 'ubuntu']?.[a]);
  return `use arch ${arches.join(' or ')}`;
}

/** min ≤ desired ≤ max; macOS pools have a fixed count (one dedicated host per instance). */
function parseCounts(
  p: Problems,
  at: string,
  raw: Record<string, unknown>,
  isMac: boolean,
): { min: number; max: number; desired: number } | undefined {
  const range = { min: 0, max: MAX_INSTANCES };
  if (isMac) {
    const desired = readInteger(p, `${at}.desired`, raw.desired, { min: 1, max: 100 });
    for (const bound of ['min', 'max'] as const) {
      if (raw[bound] !== undefined && desired !== undefined && raw[bound] !== desired)
        p.add(
          `${at}.${bound}`,
          `macOS pools are not autoscaled (each instance holds a dedicated host for at least 24 hours): set ${bound} to desired (${desired}) or remove it.`,
        );
    }
    return desired === undefined ? undefined : { min: desired, max: desired, desired };
  }
  const max = readInteger(p, `${at}.max`, raw.max, { min: 1, max: MAX_INSTANCES });
  const min = raw.min === undefined ? 0 : readInteger(p, `${at}.min`, raw.min, range);
  const desired =
    raw.desired === undefined ? min : readInteger(p, `${at}.desired`, raw.desired, range);
  if (min === undefined || max === undefined || desired === undefined) return undefined;
  if (min > max) {
    p.add(`${at}.min`, `${min} is above max (${max}); make min ≤ desired ≤ max.`);
    return undefined;
  }
  if (desired < min || desired > max) {
    p.add(
      `${at}.desired`,
      `${desired} is outside min..max (${min}..${max}); make min ≤ desired ≤ max.`,
    );
    return undefined;
  }
  return { min, max, desired };
}

/** With explicit networks, each chosen zone needs a subnet of the pool's network there. */
function checkZonesHaveSubnets(
  p: Problems,
  at: string,
  zones: string[],
  regions: string[],
  network: ParsedNetwork,
): void {
  for (const region of regions) {
    const explicit = network.settings.aws[region];
    if (!explicit) continue;
    for (const letter of zones) {
      const zone = `${region}${letter}`;
      if (!explicit.subnets.some((s) => s.zone === zone))
        p.add(
          `${at}.zones`,
          `zone ${zone} has no subnet in network.aws["${region}"].subnets; add one or pick zones ${[
            ...new Set(explicit.subnets.map((s) => s.zone.slice(-1))),
          ].join(', ')}.`,
        );
    }
  }
}
