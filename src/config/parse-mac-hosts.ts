import { appleSiliconHostTypes, isMacHostType } from '../fleet/aws/mac-host-types';
import type { PoolConfig } from './fleet-config';
import { AWS_REGION, type ParsedNetwork } from './parse-network';
import {
  isObject,
  Problems,
  readBoolean,
  readObject,
  readStringList,
  rejectUnknownKeys,
} from './problems';

/**
 * `<project>:macHosts`: what the stack knows about EC2 Mac dedicated hosts beyond the
 * static type table (src/fleet/aws/mac-host-types.ts).
 *
 * `offerings` records, per region and host type, the zone letters where the AWS account
 * can allocate that host type — what `aws ec2 describe-instance-type-offerings
 * --location-type availability-zone` answers. It belongs in the config, not in a table
 * here: zone names map to different physical zones in each AWS account. A region listed
 * there is checked: a Mac pool's host type must be offered there, and its zones (its
 * `zones`, or the zones of the region's explicit subnets) must offer it.
 */
export interface MacHostSettings {
  /** Accept host types missing from the static table (a type newer than the table). */
  trustInstanceTypes: boolean;
  /** region → host type → zone letters. */
  offerings: Record<string, Record<string, string[]>>;
}

const MAC_TYPE_SHAPE = /^mac[a-z0-9-]*\.metal$/;

export function parseMacHosts(p: Problems, key: string, value: unknown): MacHostSettings {
  const settings: MacHostSettings = { trustInstanceTypes: false, offerings: {} };
  if (value === undefined) return settings;
  const raw = readObject(
    p,
    key,
    value,
    '{ offerings: { us-west-2: { mac2-m2.metal: [a, b] } }, trustInstanceTypes: false }',
  );
  if (!raw) return settings;
  rejectUnknownKeys(p, key, raw, ['offerings', 'trustInstanceTypes']);
  if (raw.trustInstanceTypes !== undefined)
    settings.trustInstanceTypes =
      readBoolean(p, `${key}.trustInstanceTypes`, raw.trustInstanceTypes) ?? false;
  if (raw.offerings === undefined) return settings;
  const offerings = readObject(
    p,
    `${key}.offerings`,
    raw.offerings,
    '{ us-west-2: { mac2-m2.metal: [a, b] } }',
  );
  for (const [region, types] of Object.entries(offerings ?? {})) {
    const at = `${key}.offerings.${region}`;
    if (!AWS_REGION.test(region)) {
      p.add(at, `"${region}" is not an AWS region name like us-west-2.`);
      continue;
    }
    if (!isObject(types)) {
      p.add(at, 'must map host types to zone letters, e.g. { mac2-m2.metal: [a, b] }.');
      continue;
    }
    const byType: Record<string, string[]> = {};
    for (const [type, letters] of Object.entries(types)) {
      if (!MAC_TYPE_SHAPE.test(type) || (!settings.trustInstanceTypes && !isMacHostType(type))) {
        p.add(`${at}.${type}`, `"${type}" is not an EC2 Mac host type; ${hostTypeFix(key)}`);
        continue;
      }
      const zones = readStringList(p, `${at}.${type}`, letters, {
        hint: 'an availability zone letter like a',
        pattern: /^[a-z]$/,
        nonEmpty: true,
      });
      if (zones) byType[type] = zones;
    }
    settings.offerings[region] = byType;
  }
  return settings;
}

function hostTypeFix(macHostsKey: string): string {
  return `use one of ${appleSiliconHostTypes().join(', ')} (or mac1.metal on Intel), or set ${macHostsKey}.trustInstanceTypes: true if AWS offers it and the table in src/fleet/aws/mac-host-types.ts is behind.`;
}

/**
 * Refuses Mac pools EC2 cannot place: a host type that is not a Mac host type, or
 * (where `offerings` lists the region) a region or zone without that host type.
 */
export function checkMacPools(
  p: Problems,
  poolsKey: string,
  macHostsKey: string,
  rawPools: unknown,
  pools: PoolConfig[],
  settings: MacHostSettings,
  network: ParsedNetwork,
): void {
  const index = (name: string) =>
    Array.isArray(rawPools) ? rawPools.findIndex((r) => isObject(r) && r.name === name) : -1;
  for (const pool of pools) {
    if (pool.os !== 'macos' || pool.cloud !== 'aws') continue;
    const at = `${poolsKey}[${index(pool.name)}]`;
    const [type] = pool.instanceTypes;
    if (!settings.trustInstanceTypes && !isMacHostType(type)) {
      p.add(
        `${at}.size`,
        `size ${pool.size} is "${type}" (the sizes table), which EC2 does not offer as a Mac dedicated host type; ${hostTypeFix(macHostsKey)}`,
      );
      continue;
    }
    pool.regions.forEach((region, j) => {
      const offered = settings.offerings[region];
      if (!offered) return;
      const zones = offered[type];
      const listed = Object.keys(offered);
      if (!zones) {
        p.add(
          `${at}.regions[${j}]`,
          `${type} hosts are not offered in ${region} according to ${macHostsKey}.offerings.${region} (${listed.length > 0 ? listed.join(', ') : 'none'}): pick a size whose host type is offered there or another region, or add ${type} there if \`aws ec2 describe-instance-type-offerings --region ${region} --location-type availability-zone --filters Name=instance-type,Values=${type}\` lists it.`,
        );
        return;
      }
      const explicit = network.settings.aws[region];
      const letters = pool.zones ?? [
        ...new Set(explicit?.subnets.map((s) => s.zone.slice(region.length)) ?? []),
      ];
      const missing = letters.filter((letter) => !zones.includes(letter));
      if (missing.length === 0) return;
      const fromSubnets = pool.zones === undefined;
      p.add(
        `${at}.zones`,
        `${type} hosts are not offered in ${missing.map((l) => `${region}${l}`).join(', ')} according to ${macHostsKey}.offerings.${region}.${type} (${zones.join(', ')})${fromSubnets ? `, where the subnets of network.aws["${region}"] would put them` : ''}: set zones to letters among ${zones.join(', ')}.`,
      );
    });
  }
}
