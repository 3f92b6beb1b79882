import * as pulumi from '@pulumi/pulumi';
import type { AwsRegionNetwork, FleetConfig, GcpRegionNetwork } from '../config/fleet-config';
import { checkAwsRegionNetwork, checkGcpRegionNetwork } from '../config/parse-network';
import { Problems } from '../config/problems';
import { regionsByCloud } from './providers';

/** Each region's network, per cloud. */
export interface FleetNetworks {
  aws: Record<string, pulumi.Output<AwsRegionNetwork>>;
  gcp: Record<string, pulumi.Output<GcpRegionNetwork>>;
  /** The network team's stack, when the config names one. */
  stackReference?: pulumi.StackReference;
}

/**
 * The networks of the regions the pools use: explicit config entries as they are; the
 * others from the network team's stack, whose output (`network.stackReference.outputs.
 * <cloud>`) maps region → network. A missing or malformed region there stops the
 * deployment with a message naming the stack, the output and the region.
 */
export function fleetNetworks(config: FleetConfig, parent: pulumi.Resource): FleetNetworks {
  const regions = regionsByCloud(config);
  const { stackReference: ref } = config.network;
  const result: FleetNetworks = { aws: {}, gcp: {} };
  const needsReference = (['aws', 'gcp'] as const).some((cloud) =>
    regions[cloud].some((region) => !(region in config.network[cloud])),
  );
  if (ref && needsReference)
    result.stackReference = new pulumi.StackReference('network', { name: ref.name }, { parent });

  for (const cloud of ['aws', 'gcp'] as const) {
    for (const region of regions[cloud]) {
      const explicit = config.network[cloud][region];
      if (explicit) {
        result[cloud][region] = pulumi.output(explicit) as pulumi.Output<never>;
        continue;
      }
      const key = ref?.outputs[cloud];
      if (!result.stackReference || !ref || !key)
        throw new Error(
          `no network for ${cloud} region ${region}; the configuration check should have caught this.`,
        );
      const where = `output "${key}" of stack ${ref.name}`;
      result[cloud][region] = result.stackReference.requireOutput(key).apply((all: unknown) => {
        const p = new Problems();
        const value = (all as Record<string, unknown> | undefined)?.[region];
        if (value === undefined)
          throw new Error(
            `${where} has no network for ${cloud} region ${region} (it has ${Object.keys((all as object) ?? {}).join(', ') || 'none'}); add it there or set ${config.project}:network.${cloud}["${region}"].`,
          );
        const checked =
          cloud === 'aws'
            ? checkAwsRegionNetwork(p, `${where}["${region}"]`, region, value)
            : checkGcpRegionNetwork(p, `${where}["${region}"]`, region, value);
        if (!checked)
          throw new Error(`the network team's stack is not usable:\n  - ${p.list.join('\n  - ')}`);
        return checked;
      }) as pulumi.Output<never>;
    }
  }
  return result;
}
