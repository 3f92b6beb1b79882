import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { GcpRegionNetwork, PoolConfig } from '../../config/fleet-config';
import { GCP_SCALER_METADATA } from '../bootstrap/jit';
import { fitName } from '../naming';
import { gcpGroupName } from '../scaler/pool-scaler-args';
import { runnerScheduling } from './scheduling';

/** Arguments of {@link GcpManagedRunners}: one region of a GCP pool. */
export interface GcpManagedRunnersArgs {
  pool: PoolConfig;
  project: string;
  /** The region; `provider` must be this region's. */
  region: string;
  provider: pulumi.ProviderResource;
  environment: string;
  /** The labels runners register with (region label included). */
  labels: string[];
  /** The registry's GCP image (global images serve every region). */
  image: pulumi.Input<string>;
  network: pulumi.Input<GcpRegionNetwork>;
  serviceAccountEmail: pulumi.Input<string>;
  /** The boot script: bash, or PowerShell for Windows. */
  startupScript: string;
  /** Base of the VM names (short for Windows). */
  baseInstanceName: string;
  /** GCE labels for every resource. */
  labelsForResources: Record<string, string>;
  /**
   * Present when the scaler drives the group: its URL and token audience go into the VMs'
   * metadata (the boot script fetches the JIT configuration there) and no autoscaler is made.
   */
  scaler?: { url: pulumi.Input<string>; audience: string };
}

/** Seconds a new VM gets to boot and register before the rollout moves on. */
export const GCP_READY_SECONDS = 120;

/**
 * GCP runners in one region: an instance template (the registry's image, shielded VM,
 * no external IP unless the pool asks, the pool's service account, a startup script —
 * `windows-startup-script-ps1` on Windows — that registers one ephemeral runner and
 * powers off, after which the group recreates the VM), a regional managed instance
 * group with a proactive rolling update (surge first, never below size) that `pulumi up`
 * waits for, and an autoscaler bounded by the pool's min and max — or, with the scaler,
 * no autoscaler: the scaler sizes the group from queued jobs and removes only VMs it
 * chose. Spot pools run Spot VMs.
 */
export class GcpManagedRunners extends pulumi.ComponentResource {
  readonly template: gcp.compute.InstanceTemplate;
  readonly group: gcp.compute.RegionInstanceGroupManager;
  readonly autoscaler?: gcp.compute.RegionAutoscaler;

  constructor(name: string, args: GcpManagedRunnersArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:GcpManagedRunners', name, {}, opts);
    const { pool } = args;
    const problems: string[] = [];
    if (!pool.regions.includes(args.region))
      problems.push(
        `args.region "${args.region}" is not one of the pool's regions (${pool.regions.join(', ')}).`,
      );
    if (pool.os === 'macos') problems.push('args.pool.os is macos: macOS runs on AWS only.');
    if (!args.startupScript)
      problems.push('args.startupScript is empty: pass the bootstrap script.');
    if (problems.length > 0)
      throw new Error(
        `GcpManagedRunners "${name}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    const child = { parent: this, provider: args.provider };
    const network = pulumi.output(args.network);
    const scriptKey = pool.os === 'windows' ? 'windows-startup-script-ps1' : 'startup-script';
    const resourceName = gcpGroupName(args.environment, pool.name, args.region);

    this.template = new gcp.compute.InstanceTemplate(
      `${name}-template`,
      {
        project: args.project,
        region: args.region,
        // Templates are immutable: a new image makes a new template (created before the
        // old one is deleted), and the group rolls to it.
        namePrefix: `${fitName(`${args.environment}-${pool.name}-${args.region}`, 36)}-`,
        description: `Ingot ${pool.os} ${pool.arch} ${pool.size} runners, ${args.environment}, ${args.region}`,
        machineType: pool.instanceTypes[0],
        disks: [
          {
            boot: true,
            autoDelete: true,
            sourceImage: args.image,
            diskSizeGb: pool.diskSizeGb,
            diskType: 'pd-balanced',
          },
        ],
        networkInterfaces: [
          {
            network: network.network,
            subnetwork: network.subnetwork,
            accessConfigs: pool.externalIp ? [{ networkTier: 'PREMIUM' }] : [],
          },
        ],
        shieldedInstanceConfig: {
          enableSecureBoot: true,
          enableVtpm: true,
          enableIntegrityMonitoring: true,
        },
        serviceAccount: {
          email: args.serviceAccountEmail,
          scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        },
        metadata: {
          [scriptKey]: args.startupScript,
          'block-project-ssh-keys': 'true',
          'enable-oslogin': 'TRUE',
          'ingot-runner-labels': args.labels.join(','),
          ...(args.scaler
            ? {
                [GCP_SCALER_METADATA.url]: args.scaler.url,
                [GCP_SCALER_METADATA.audience]: args.scaler.audience,
              }
            : {}),
        },
        scheduling: runnerScheduling(pool.instanceTypes[0], pool.spot),
        labels: args.labelsForResources,
        tags: ['ingot-runner'],
      },
      child,
    );

    this.group = new gcp.compute.RegionInstanceGroupManager(
      `${name}-mig`,
      {
        project: args.project,
        region: args.region,
        name: resourceName,
        description: `Ingot runners ${args.environment}/${pool.name} (${args.labels.join(', ')})`,
        baseInstanceName: args.baseInstanceName,
        versions: [{ name: 'primary', instanceTemplate: this.template.selfLinkUnique }],
        // The autoscaler (or the scaler) owns the size after creation.
        targetSize: args.scaler ? pool.min : pool.desired,
        updatePolicy: {
          type: 'PROACTIVE',
          minimalAction: 'REPLACE',
          mostDisruptiveAllowedAction: 'REPLACE',
          replacementMethod: 'SUBSTITUTE',
          instanceRedistributionType: 'PROACTIVE',
          // Regional groups surge one VM per zone and keep every old VM until it has a
          // ready replacement: capacity never drops below its size during a rollout.
          maxSurgeFixed: 3,
          maxUnavailableFixed: 0,
          minReadySec: GCP_READY_SECONDS,
        },
        // `pulumi up` waits until every VM runs the new template: only then may the old
        // template go (deleting a template a rollout still uses fails with
        // resourceInUseByAnotherResource).
        waitForInstances: true,
        waitForInstancesStatus: 'UPDATED',
      },
      { ...child, ignoreChanges: ['targetSize'] },
    );

    if (!args.scaler)
      this.autoscaler = new gcp.compute.RegionAutoscaler(
        `${name}-autoscaler`,
        {
          project: args.project,
          region: args.region,
          name: resourceName,
          target: this.group.selfLink,
          autoscalingPolicy: {
            minReplicas: pool.min,
            maxReplicas: pool.max,
            cooldownPeriod: GCP_READY_SECONDS,
            mode: 'ON',
            cpuUtilization: { target: 0.6 },
          },
        },
        child,
      );
    this.registerOutputs({ groupName: this.group.name, templateId: this.template.selfLinkUnique });
  }
}
