import type { AwsRegionNetwork, GcpRegionNetwork, NetworkSettings } from './fleet-config';
import { isObject, Problems, readObject, readString, rejectUnknownKeys, show } from './problems';

export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
export const GCP_REGION = /^[a-z]+-[a-z]+\d{1,2}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const GCP_NETWORK =
  /^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?(projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/global\/networks\/)?[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const GCP_SUBNETWORK =
  /^(https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/[a-z][-a-z0-9]{4,28}[a-z0-9]\/regions\/([a-z]+-[a-z]+\d{1,2})\/subnetworks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const STACK_NAME = /^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;
const OUTPUT_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Region keys in messages: `network.aws["us-west-2"]`. */
const entry = (parent: string, child: string) => `${parent}["${child}"]`;

/**
 * Checks one AWS region's network (from config or from the network team's stack output)
 * and returns it, or `undefined` with the problems recorded under `key`.
 */
export function checkAwsRegionNetwork(
  p: Problems,
  key: string,
  region: string,
  value: unknown,
): AwsRegionNetwork | undefined {
  const example = '{ vpcId: vpc-0a1b2c3d, subnets: [{ id: subnet-0a1b2c3d, zone: us-west-2a }] }';
  const raw = readObject(p, key, value, example);
  if (!raw) return undefined;
  const before = p.count;
  rejectUnknownKeys(p, key, raw, ['vpcId', 'subnets']);
  const vpcId = readString(p, `${key}.vpcId`, raw.vpcId, {
    hint: 'a VPC id like vpc-0a1b2c3d4e5f60718',
    pattern: VPC_ID,
  });
  const subnets: { id: string; zone: string }[] = [];
  if (!Array.isArray(raw.subnets) || raw.subnets.length === 0) {
    p.add(`${key}.subnets`, `must list the private subnets runners use, e.g. ${example}.`);
  } else {
    raw.subnets.forEach((subnet: unknown, i: number) => {
      const at = `${key}.subnets[${i}]`;
      if (!isObject(subnet)) {
        p.add(at, `must be { id, zone }, got ${show(subnet)}.`);
        return;
      }
      const id = readString(p, `${at}.id`, subnet.id, {
        hint: 'a subnet id like subnet-0a1b2c3d4e5f60718',
        pattern: SUBNET_ID,
      });
      const zone = readString(p, `${at}.zone`, subnet.zone, {
        hint: `an availability zone of ${region}, e.g. ${region}a`,
        pattern: new RegExp(`^${region.replace(/-/g, '\\-')}[a-z]$`),
      });
      if (id && zone) subnets.push({ id, zone });
    });
  }
  return p.count === before && vpcId ? { vpcId, subnets } : undefined;
}

/** Checks one GCP region's network and subnetwork (the subnetwork must be in that region). */
export function checkGcpRegionNetwork(
  p: Problems,
  key: string,
  region: string,
  value: unknown,
): GcpRegionNetwork | undefined {
  const raw = readObject(
    p,
    key,
    value,
    `{ network: projects/net/global/networks/runners, subnetwork: projects/net/regions/${region}/subnetworks/runners }`,
  );
  if (!raw) return undefined;
  const before = p.count;
  rejectUnknownKeys(p, key, raw, ['network', 'subnetwork']);
  const network = readString(p, `${key}.network`, raw.network, {
    hint: 'a network name or self link, e.g. projects/acme-net/global/networks/runners',
    pattern: GCP_NETWORK,
  });
  const subnetwork = readString(p, `${key}.subnetwork`, raw.subnetwork, {
    hint: `a subnetwork self link, e.g. projects/acme-net/regions/${region}/subnetworks/runners`,
    pattern: GCP_SUBNETWORK,
  });
  const inRegion = subnetwork ? GCP_SUBNETWORK.exec(subnetwork)?.[2] : undefined;
  if (subnetwork && inRegion !== region)
    p.add(
      `${key}.subnetwork`,
      `is in region ${inRegion}, not ${region}; use a subnetwork of ${region}.`,
    );
  return p.count === before && network && subnetwork ? { network, subnetwork } : undefined;
}

/** The parsed network section, and which regions it names (valid or not). */
export interface ParsedNetwork {
  settings: NetworkSettings;
  declared: { aws: Set<string>; gcp: Set<string> };
}

/** Parses `ingot-fleet:network`: a stack reference, explicit regions, or both. */
export function parseNetwork(p: Problems, key: string, value: unknown): ParsedNetwork {
  const settings: NetworkSettings = { aws: {}, gcp: {} };
  const declared = { aws: new Set<string>(), gcp: new Set<string>() };
  const result = { settings, declared };
  if (value === undefined) return result;
  const raw = readObject(
    p,
    key,
    value,
    '{ stackReference: { name: acme/network/prod, outputs: { aws: runnerSubnets } } }',
  );
  if (!raw) return result;
  rejectUnknownKeys(p, key, raw, ['stackReference', 'aws', 'gcp']);
  if (raw.stackReference !== undefined) {
    const at = `${key}.stackReference`;
    const ref = readObject(
      p,
      at,
      raw.stackReference,
      '{ name: acme/network/prod, outputs: { aws: runnerSubnets, gcp: runnerSubnetworks } }',
    );
    if (ref) {
      rejectUnknownKeys(p, at, ref, ['name', 'outputs']);
      const name = readString(p, `${at}.name`, ref.name, {
        hint: 'the network stack as <organization>/<project>/<stack>, e.g. acme/network/prod',
        pattern: STACK_NAME,
      });
      const outputs = readObject(p, `${at}.outputs`, ref.outputs, '{ aws: runnerSubnets }');
      if (outputs) rejectUnknownKeys(p, `${at}.outputs`, outputs, ['aws', 'gcp']);
      const rule = {
        hint: 'an output name of the network stack, e.g. runnerSubnets',
        pattern: OUTPUT_KEY,
      };
      const aws =
        outputs?.aws === undefined
          ? undefined
          : readString(p, `${at}.outputs.aws`, outputs.aws, rule);
      const gcp =
        outputs?.gcp === undefined
          ? undefined
          : readString(p, `${at}.outputs.gcp`, outputs.gcp, rule);
      if (outputs && outputs.aws === undefined && outputs.gcp === undefined)
        p.add(`${at}.outputs`, 'must name the output to read for aws, gcp or both.');
      if (name && (aws || gcp)) settings.stackReference = { name, outputs: { aws, gcp } };
    }
  }
  for (const cloud of ['aws', 'gcp'] as const) {
    if (raw[cloud] === undefined) continue;
    const at = `${key}.${cloud}`;
    const regions = readObject(
      p,
      at,
      raw[cloud],
      `{ ${cloud === 'aws' ? 'us-west-2' : 'us-west2'}: {…} }`,
    );
    for (const [region, network] of Object.entries(regions ?? {})) {
      declared[cloud].add(region);
      const pattern = cloud === 'aws' ? AWS_REGION : GCP_REGION;
      if (!pattern.test(region)) {
        p.add(entry(at, region), `is not ${cloud === 'aws' ? 'an AWS' : 'a GCP'} region name.`);
        continue;
      }
      if (cloud === 'aws') {
        const checked = checkAwsRegionNetwork(p, entry(at, region), region, network);
        if (checked) settings.aws[region] = checked;
      } else {
        const checked = checkGcpRegionNetwork(p, entry(at, region), region, network);
        if (checked) settings.gcp[region] = checked;
      }
    }
  }
  return result;
}

/**
 * Whether a region's network is named: in the config (even if that entry has problems of
 * its own, already reported), or through the network stack.
 */
export function networkAvailable(
  parsed: ParsedNetwork,
  cloud: 'aws' | 'gcp',
  region: string,
): boolean {
  return (
    parsed.declared[cloud].has(region) ||
    parsed.settings.stackReference?.outputs[cloud] !== undefined
  );
}
