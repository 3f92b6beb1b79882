import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AwsRegionNetwork } from '../../config/fleet-config';
import { MacRootVolume } from './mac-root-volume';
import { egressOnlySecurityGroup } from './security-group';
import { instanceTags, validateRegionArgs, type AwsRegionRunnersArgs } from './region-runners-args';

/** Arguments of {@link AwsMacRunners}: one region of a macOS pool. */
export type AwsMacRunnersArgs = AwsRegionRunnersArgs;

/**
 * The availability zones hosts go to: the pool's zone letters, else the subnets' zones
 * sorted by name — never the network stack's subnet order, which may change without
 * meaning anything (and a host moved to another zone is a new host, billed 24 h more).
 */
export function macZones(network: AwsRegionNetwork, region: string, letters?: string[]): string[] {
  if (letters && letters.length > 0) return letters.map((letter) => `${region}${letter}`);
  return [...new Set(network.subnets.map((s) => s.zone))].sort();
}

/** The first subnet of the network in `zone`, or an error naming what exists. */
export function subnetInZone(network: AwsRegionNetwork, zone: string): string {
  const subnet = network.subnets.find((s) => s.zone === zone);
  if (!subnet)
    throw new Error(
      `no subnet in ${zone} for the Mac host there; the network has subnets in ${[
        ...new Set(network.subnets.map((s) => s.zone)),
      ].join(', ')}. Add a subnet in ${zone} or pick other zones for the pool.`,
    );
  return subnet.id;
}

/**
 * macOS runners in one region: `desired` EC2 Mac dedicated hosts, spread round-robin
 * over the zones, and one instance on each (host tenancy, that host, the registry's
 * image for the region, IMDSv2, encrypted root volume, no public IP). A new image never
 * replaces an instance or a host: each instance's `MacRootVolume` swaps its root volume
 * for one of the new image in place (EC2 root volume replacement), because a terminated
 * or stopped Mac instance leaves its host scrubbing for hours, refusing launches — a
 * replacement on the same host fails, and Pulumi creates every replacement before
 * deleting anything, so a spare host would not help either (docs/fleet.md). A host is
 * billed for at least 24 hours from its allocation. User data changes never touch a
 * running instance (see below). Host zones do not follow the subnets' order. Never spot.
 */
export class AwsMacRunners extends pulumi.ComponentResource {
  readonly securityGroup: aws.ec2.SecurityGroup;
  readonly hosts: aws.ec2.DedicatedHost[] = [];
  readonly instances: aws.ec2.Instance[] = [];
  readonly rootVolumes: MacRootVolume[] = [];

  constructor(name: string, args: AwsMacRunnersArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:AwsMacRunners', name, {}, opts);
    validateRegionArgs('AwsMacRunners', name, args);
    if (args.pool.os !== 'macos' || args.pool.spot)
      throw new Error(
        `AwsMacRunners "${name}": args.pool must be a macOS pool without spot (got os ${args.pool.os}, spot ${args.pool.spot}).`,
      );
    const child = { parent: this, provider: args.provider };
    const { pool } = args;
    const network = pulumi.output(args.network);
    const [hostType] = pool.instanceTypes;
    const zones = network.apply((n) => macZones(n, args.region, pool.zones));
    this.securityGroup = egressOnlySecurityGroup(`${name}-sg`, network.vpcId, args.tags, child);
    const userDataBase64 = Buffer.from(args.userData, 'utf8').toString('base64');

    for (let i = 0; i < pool.desired; i++) {
      const host = new aws.ec2.DedicatedHost(
        `${name}-host-${i}`,
        {
          availabilityZone: zones.apply((z) => z[i % z.length]),
          instanceType: hostType,
          autoPlacement: 'off',
          // Mac hosts do not support host recovery.
          hostRecovery: 'off',
          tags: { Name: `${name}-host-${i}`, ...args.tags },
        },
        // A host's zone is recorded in the state at allocation: a subnet added in another
        // zone later changes the round-robin, never an allocated host.
        { ...child, ignoreChanges: ['availabilityZone'] },
      );
      const instance = new aws.ec2.Instance(
        `${name}-mac-${i}`,
        {
          ami: args.image,
          instanceType: hostType,
          tenancy: 'host',
          hostId: host.id,
          availabilityZone: host.availabilityZone,
          subnetId: pulumi
            .all([network, host.availabilityZone])
            .apply(([n, zone]) => subnetInZone(n, zone)),
          vpcSecurityGroupIds: [this.securityGroup.id],
          associatePublicIpAddress: false,
          iamInstanceProfile: args.instanceProfile.name,
          metadataOptions: {
            httpEndpoint: 'enabled',
            httpTokens: 'required',
            httpPutResponseHopLimit: 1,
          },
          rootBlockDevice: {
            volumeSize: pool.diskSizeGb,
            volumeType: 'gp3',
            encrypted: true,
            deleteOnTermination: true,
          },
          userDataBase64,
          tags: instanceTags(`${name}-mac-${i}`, args),
          volumeTags: args.tags,
        },
        // The image rolls through the instance's MacRootVolume, never by a replacement: the
        // `ami` stays the launch image. Changing user data stops and starts a Mac instance
        // (a host scrub, hours on Apple silicon): a new instance gets the new user data.
        {
          ...child,
          deleteBeforeReplace: true,
          ignoreChanges: ['ami', 'userData', 'userDataBase64'],
        },
      );
      const rootVolume = new MacRootVolume(
        `${name}-root-${i}`,
        {
          region: args.region,
          instanceId: instance.id,
          launchedImageId: instance.ami,
          imageId: args.image,
        },
        { parent: this },
      );
      this.hosts.push(host);
      this.instances.push(instance);
      this.rootVolumes.push(rootVolume);
    }
    this.registerOutputs({
      hostIds: this.hosts.map((h) => h.id),
      instanceIds: this.instances.map((i) => i.id),
      rootImageIds: this.rootVolumes.map((r) => r.imageId),
    });
  }
}
