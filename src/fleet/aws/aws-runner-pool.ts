import * as pulumi from '@pulumi/pulumi';
import type { AwsRegionNetwork } from '../../config/fleet-config';
import { bootstrapScript } from '../bootstrap';
import { runnerLabels } from '../labels';
import { runnerNamePrefix, runnerTags } from '../naming';
import {
  validatePoolArgs,
  type RunnerGroup,
  type RunnerPool,
  type RunnerPoolArgs,
} from '../pool-contract';
import { AwsAutoscalingRunners } from './autoscaling-runners';
import { AwsMacRunners } from './mac-runners';
import { AwsRunnerIdentity } from './runner-identity';

/** Arguments of {@link AwsRunnerPool}: the runner pool contract with AWS networks. */
export type AwsRunnerPoolArgs = RunnerPoolArgs<AwsRegionNetwork>;

/**
 * A runner pool on AWS, in each of its regions: Ubuntu and Windows as an Auto Scaling
 * group behind a launch template (`AwsAutoscalingRunners`), macOS as instances on
 * dedicated hosts (`AwsMacRunners`). One instance profile serves every region.
 */
export class AwsRunnerPool extends pulumi.ComponentResource implements RunnerPool {
  readonly poolName: string;
  readonly cloud = 'aws' as const;
  readonly regions: string[];
  readonly labels: string[];
  readonly groups: RunnerGroup[] = [];
  readonly imageVersion: pulumi.Output<string>;
  readonly imageFingerprint: pulumi.Output<string>;
  readonly identity: AwsRunnerIdentity;
  readonly regional: Record<string, AwsAutoscalingRunners | AwsMacRunners> = {};

  constructor(name: string, args: AwsRunnerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:AwsRunnerPool', name, {}, opts);
    validatePoolArgs('AwsRunnerPool', name, 'aws', args);
    const { pool, environment, github } = args;
    // macOS hosts are never sized by the scaler; with `scaler.host` they ask it for runners.
    const host = pool.os === 'macos' ? args.scaler?.host : undefined;
    const scaler = pool.os === 'macos' ? undefined : args.scaler;
    const secretName = scaler || host ? undefined : (github.registrationSecret.aws as string);
    const tags = runnerTags(environment, pool.name);
    this.poolName = pool.name;
    this.regions = [...pool.regions];
    this.labels = runnerLabels({ ...pool, environment, extra: github.labels });
    this.imageVersion = args.images.versionName;
    this.imageFingerprint = args.images.versionFingerprint;

    this.identity = new AwsRunnerIdentity(
      `${name}-identity`,
      {
        regions: pool.regions,
        secretName,
        jitParameterPrefix: scaler?.ssmPrefix,
        scalerUrlParameter: host && { region: host.region, name: host.urlParameter },
        provider: args.providers[pool.regions[0]],
        tags,
      },
      { parent: this },
    );

    for (const region of pool.regions) {
      const labels = runnerLabels({ ...pool, environment, region, extra: github.labels });
      const image = args.images.image({ platform: 'aws', region, labels: pool.imageLabels });
      const regionArgs = {
        pool,
        region,
        provider: args.providers[region],
        environment,
        labels,
        image,
        network: args.networks[region],
        instanceProfile: {
          arn: this.identity.instanceProfile.arn,
          name: this.identity.instanceProfile.name,
        },
        userData: bootstrapScript({
          os: pool.os,
          cloud: 'aws',
          labels,
          organization: github.organization,
          runnerGroup: github.runnerGroup,
          githubUrl: github.url,
          apiUrl: github.apiUrl,
          namePrefix: runnerNamePrefix(environment, pool.name),
          ...(host
            ? { hostJit: host }
            : scaler
              ? { jit: { cloud: 'aws' as const, region, parameterPrefix: scaler.ssmPrefix } }
              : { secret: { cloud: 'aws' as const, region, name: secretName as string } }),
        }),
        tags,
        scaler,
      };
      if (pool.os === 'macos') {
        const mac = new AwsMacRunners(`${name}-${region}`, regionArgs, { parent: this });
        this.regional[region] = mac;
        this.groups.push({
          region,
          kind: 'aws-mac-hosts',
          names: pulumi.all(mac.instances.map((i) => i.id)),
          labels,
          image: pulumi.output(image),
          instanceTypes: [...pool.instanceTypes],
        });
      } else {
        const runners = new AwsAutoscalingRunners(`${name}-${region}`, regionArgs, {
          parent: this,
        });
        this.regional[region] = runners;
        this.groups.push({
          region,
          kind: 'aws-autoscaling-group',
          names: runners.group.name.apply((n) => [n]),
          labels,
          image: pulumi.output(image),
          instanceTypes: [...pool.instanceTypes],
        });
      }
    }
    this.registerOutputs({
      labels: this.labels,
      regions: this.regions,
      imageVersion: this.imageVersion,
    });
  }
}
