import * as pulumi from '@pulumi/pulumi';
import type { GcpRegionNetwork } from '../../config/fleet-config';
import { bootstrapScript } from '../bootstrap';
import { runnerLabels } from '../labels';
import { gcpBaseInstanceName, runnerNamePrefix, runnerTags } from '../naming';
import {
  validatePoolArgs,
  type RunnerGroup,
  type RunnerPool,
  type RunnerPoolArgs,
} from '../pool-contract';
import { GcpManagedRunners } from './managed-runners';
import { GcpRunnerIdentity } from './runner-identity';

/** Arguments of {@link GcpRunnerPool}: the runner pool contract, GCP networks and the project. */
export interface GcpRunnerPoolArgs extends RunnerPoolArgs<GcpRegionNetwork> {
  /** The GCP project the pool runs in. */
  project: string;
}

/**
 * A runner pool on GCP: one service account for the pool, and per region an instance
 * template, a regional managed instance group and its autoscaler (`GcpManagedRunners`).
 */
export class GcpRunnerPool extends pulumi.ComponentResource implements RunnerPool {
  readonly poolName: string;
  readonly cloud = 'gcp' as const;
  readonly regions: string[];
  readonly labels: string[];
  readonly groups: RunnerGroup[] = [];
  readonly imageVersion: pulumi.Output<string>;
  readonly imageFingerprint: pulumi.Output<string>;
  readonly identity: GcpRunnerIdentity;
  readonly regional: Record<string, GcpManagedRunners> = {};

  constructor(name: string, args: GcpRunnerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:GcpRunnerPool', name, {}, opts);
    validatePoolArgs(
      'GcpRunnerPool',
      name,
      'gcp',
      args,
      args.project ? [] : ['args.project is empty: name the GCP project the pool runs in.'],
    );
    const { pool, environment, github } = args;
    const { scaler } = args;
    const secretName = scaler ? undefined : (github.registrationSecret.gcp as string);
    this.poolName = pool.name;
    this.regions = [...pool.regions];
    this.labels = runnerLabels({ ...pool, environment, extra: github.labels });
    this.imageVersion = args.images.versionName;
    this.imageFingerprint = args.images.versionFingerprint;

    this.identity = new GcpRunnerIdentity(
      `${name}-identity`,
      {
        project: args.project,
        environment,
        pool: pool.name,
        secretName,
        provider: args.providers[pool.regions[0]],
      },
      { parent: this },
    );

    for (const region of pool.regions) {
      const labels = runnerLabels({ ...pool, environment, region, extra: github.labels });
      const image = args.images.image({ platform: 'gcp', region, labels: pool.imageLabels });
      const runners = new GcpManagedRunners(
        `${name}-${region}`,
        {
          pool,
          project: args.project,
          region,
          provider: args.providers[region],
          environment,
          labels,
          image,
          network: args.networks[region],
          serviceAccountEmail: this.identity.account.email,
          startupScript: bootstrapScript({
            os: pool.os,
            cloud: 'gcp',
            labels,
            organization: github.organization,
            runnerGroup: github.runnerGroup,
            githubUrl: github.url,
            apiUrl: github.apiUrl,
            namePrefix: runnerNamePrefix(environment, pool.name),
            ...(scaler
              ? { jit: { cloud: 'gcp' as const } }
              : {
                  secret: {
                    cloud: 'gcp' as const,
                    project: args.project,
                    name: secretName as string,
                  },
                }),
          }),
          scaler: scaler?.gcp,
          baseInstanceName: gcpBaseInstanceName(environment, pool.name, pool.os),
          labelsForResources: runnerTags(environment, pool.name),
        },
        { parent: this },
      );
      this.regional[region] = runners;
      this.groups.push({
        region,
        kind: 'gcp-managed-instance-group',
        names: runners.group.name.apply((n) => [n]),
        labels,
        image: pulumi.output(image),
        instanceTypes: [...pool.instanceTypes],
      });
    }
    this.registerOutputs({
      labels: this.labels,
      regions: this.regions,
      imageVersion: this.imageVersion,
    });
  }
}
