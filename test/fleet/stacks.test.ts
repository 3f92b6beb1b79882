import assert from 'node:assert/strict';
import type { PoolConfig } from '../../src/config/fleet-config';
import { instanceTypes } from '../../src/fleet/sizes';
import { MAC_ROOT_VOLUME_TYPE } from '../../src/fleet/aws/mac-root-volume';
import { CHANNEL_IMAGES_TYPE } from '../../src/provider/channel-images';
import {
  AWS_REGIONS,
  channelFingerprint,
  FleetRegistry,
  GCP_REGIONS,
  type Deployment,
} from './fleet-deploy';
import { expectedImage, regional, T } from './fleet-graph';
import { bootScriptOf } from './pool-fixtures';
import { networkStackOutputs, SCOPE } from './runner-images';
import { STACKS } from './stack-files';

/**
 * The program, evaluated for each real Pulumi.<stack>.yaml against a live registry whose
 * dev, staging and prod channels serve different versions; the resource graph is checked.
 */
describe('runner fleet stacks against a live registry', function () {
  this.timeout(120_000);
  let fleet: FleetRegistry;

  before(async () => {
    fleet = await FleetRegistry.start();
  });
  after(async () => {
    await fleet?.close();
  });

  for (const stack of STACKS) {
    describe(`Pulumi.${stack}.yaml`, () => {
      let d: Deployment;
      const mac = () => d.config.pools.filter((p) => p.os === 'macos');
      const asgPools = () => d.config.pools.filter((p) => p.cloud === 'aws' && p.os !== 'macos');
      const gcpPools = () => d.config.pools.filter((p) => p.cloud === 'gcp');

      before(async () => {
        d = await fleet.deploy(stack);
      });

      it(`resolves each bucket once, on the "${stack}" channel, and the registry records the stack as consumer`, async () => {
        const lookups = d.engine.ofType(CHANNEL_IMAGES_TYPE);
        const buckets = [...new Set(d.config.pools.map((p) => p.bucket))].sort();
        assert.deepEqual(lookups.map((l) => l.inputs.bucket).sort(), buckets);
        for (const l of lookups) {
          assert.equal(l.inputs.channel, stack);
          assert.deepEqual(l.inputs.registry, {
            url: fleet.registry.url,
            organizationId: SCOPE.org,
            projectId: SCOPE.project,
          });
        }
        const consumers = await fleet.registry.ok(
          'GET',
          `${fleet.registry.ingot(SCOPE.org, SCOPE.project)}/buckets/runner-ubuntu/consumers`,
        );
        assert.ok(
          consumers.consumers.some(
            (c: any) =>
              c.stack === stack &&
              c.version_fingerprint === channelFingerprint('runner-ubuntu', stack) &&
              c.channel === stack,
          ),
        );
      });

      it("every launch template, Mac instance, Mac root volume and instance template uses the channel's image for its region (never another channel's)", () => {
        let checked = 0;
        for (const pool of d.config.pools) {
          for (const region of pool.regions) {
            const carriers =
              pool.cloud === 'gcp'
                ? regional(d, pool, region, 'template').filter((r) => r.type === T.template)
                : pool.os === 'macos'
                  ? [...regional(d, pool, region, 'mac'), ...regional(d, pool, region, 'root')]
                  : regional(d, pool, region, 'lt');
            assert.ok(carriers.length > 0, `${pool.name} ${region}`);
            for (const r of carriers) {
              const image =
                r.type === T.template
                  ? r.inputs.disks[0].sourceImage
                  : r.type === T.instance
                    ? r.inputs.ami
                    : r.inputs.imageId;
              // A MacRootVolume runs on no cloud provider: its region is an input.
              assert.equal(
                r.type === MAC_ROOT_VOLUME_TYPE ? r.inputs.region : d.engine.regionOf(r),
                region,
              );
              assert.equal(image, expectedImage(pool, stack, region), `${r.name}`);
              for (const other of STACKS.filter((s) => s !== stack))
                assert.notEqual(image, expectedImage(pool, other, region));
              checked++;
            }
          }
        }
        const carriersInGraph = [T.lt, T.instance, T.template, MAC_ROOT_VOLUME_TYPE].flatMap((t) =>
          d.engine.ofType(t),
        );
        assert.equal(checked, carriersInGraph.length, 'every carrier in the graph was checked');
      });

      it("sizes map to the table (with the stack's overrides)", () => {
        for (const pool of asgPools())
          for (const region of pool.regions) {
            const [asg] = regional(d, pool, region, 'asg');
            assert.deepEqual(
              asg.inputs.mixedInstancesPolicy.launchTemplate.overrides.map(
                (o: any) => o.instanceType,
              ),
              instanceTypes(pool.cloud, pool.os, pool.arch, pool.size, d.config.sizes),
            );
          }
        for (const pool of gcpPools())
          for (const region of pool.regions)
            assert.equal(
              regional(d, pool, region, 'template')[0].inputs.machineType,
              instanceTypes('gcp', pool.os, pool.arch, pool.size)[0],
            );
        for (const pool of mac())
          for (const r of [...d.engine.ofType(T.host), ...d.engine.ofType(T.instance)].filter((x) =>
            x.name.startsWith(`${pool.name}-`),
          ))
            assert.equal(
              r.inputs.instanceType,
              instanceTypes('aws', 'macos', 'arm64', pool.size)[0],
            );
        if (stack === 'prod') {
          const [xl] = regional(
            d,
            d.config.pools.find((p) => p.name === 'ubuntu-xlarge') as PoolConfig,
            'us-east-1',
            'asg',
          );
          assert.ok(
            xl.inputs.mixedInstancesPolicy.launchTemplate.overrides.some(
              (o: any) => o.instanceType === 'm5.4xlarge',
            ),
            'the stack override applies',
          );
        }
      });

      it('macOS instances sit on dedicated hosts of the same AZ, one each, never spot', () => {
        assert.ok(mac().length > 0);
        for (const pool of mac())
          for (const region of pool.regions) {
            const hosts = regional(d, pool, region, 'host');
            const instances = regional(d, pool, region, 'mac');
            assert.equal(hosts.length, pool.desired);
            assert.equal(instances.length, pool.desired);
            for (const [i, instance] of instances.entries()) {
              const host = hosts.find((h) => h.id === instance.inputs.hostId);
              assert.ok(host, `${instance.name} is on one of the pool's hosts`);
              assert.equal(hosts.indexOf(host), i);
              assert.equal(instance.inputs.tenancy, 'host');
              assert.equal(instance.inputs.availabilityZone, host.inputs.availabilityZone);
              assert.equal(instance.inputs.instanceMarketOptions, undefined);
              if (pool.zones)
                assert.equal(
                  host.inputs.availabilityZone,
                  `${region}${pool.zones[i % pool.zones.length]}`,
                );
            }
          }
        assert.equal(
          d.engine.resources.filter((r) => r.type === T.asg && r.name.startsWith('macos')).length,
          0,
        );
      });

      it('Windows user data is PowerShell, Ubuntu and macOS bash', () => {
        for (const r of [
          ...d.engine.ofType(T.lt),
          ...d.engine.ofType(T.instance),
          ...d.engine.ofType(T.template),
        ]) {
          const pool = d.config.pools.find((p) => r.name.startsWith(`${p.name}-`)) as PoolConfig;
          const script = bootScriptOf(r.type, r.inputs);
          if (pool.os === 'windows') {
            assert.match(
              script,
              pool.cloud === 'aws' ? /^<powershell>\n/ : /^\$ErrorActionPreference = 'Stop'/,
              r.name,
            );
            if (pool.cloud === 'gcp') assert.ok(r.inputs.metadata['windows-startup-script-ps1']);
          } else assert.match(script, /^#!\/bin\/bash\n/, r.name);
          assert.match(
            script,
            new RegExp(
              `self-hosted,${pool.os},${pool.arch},${pool.size},${stack},${d.engine.regionOf(r)}`,
            ),
          );
        }
      });

      it('IMDSv2, encrypted volumes, no public IPs, egress-only security groups', () => {
        for (const lt of d.engine.ofType(T.lt)) {
          assert.equal(lt.inputs.metadataOptions.httpTokens, 'required');
          assert.equal(lt.inputs.blockDeviceMappings[0].ebs.encrypted, 'true');
          assert.equal(lt.inputs.networkInterfaces[0].associatePublicIpAddress, 'false');
        }
        for (const i of d.engine.ofType(T.instance)) {
          assert.equal(i.inputs.metadataOptions.httpTokens, 'required');
          assert.equal(i.inputs.rootBlockDevice.encrypted, true);
          assert.equal(i.inputs.associatePublicIpAddress, false);
        }
        for (const t of d.engine.ofType(T.template))
          assert.deepEqual(t.inputs.networkInterfaces[0].accessConfigs, []);
        const sgs = d.engine.ofType(T.sg);
        assert.ok(sgs.length > 0);
        for (const sg of sgs) {
          assert.deepEqual(sg.inputs.ingress, []);
          assert.equal(sg.inputs.egress.length, 1);
        }
        assert.equal(
          d.engine.resources.filter((r) =>
            /securityGroupIngressRule|SecurityGroupRule/.test(r.type),
          ).length,
          0,
        );
      });

      it('instance refresh on every Auto Scaling group, proactive rolling update and bounded autoscaler on every GCP group', () => {
        for (const asg of d.engine.ofType(T.asg)) {
          assert.equal(asg.inputs.instanceRefresh.strategy, 'Rolling');
          assert.ok(asg.inputs.instanceRefresh.preferences.minHealthyPercentage >= 50);
        }
        for (const pool of gcpPools())
          for (const region of pool.regions) {
            const [mig] = regional(d, pool, region, 'mig');
            const [autoscaler] = regional(d, pool, region, 'autoscaler');
            assert.equal(mig.inputs.updatePolicy.type, 'PROACTIVE');
            assert.deepEqual(
              [
                autoscaler.inputs.autoscalingPolicy.minReplicas,
                autoscaler.inputs.autoscalingPolicy.maxReplicas,
              ],
              [pool.min, pool.max],
            );
          }
      });

      it("one provider per region; every cloud resource uses its region's provider", () => {
        for (const cloud of ['aws', 'gcp'] as const) {
          const regions = [
            ...new Set(d.config.pools.filter((p) => p.cloud === cloud).flatMap((p) => p.regions)),
          ].sort();
          const providers = d.engine.ofType(`pulumi:providers:${cloud}`);
          assert.deepEqual(providers.map((p) => p.inputs.region).sort(), regions);
        }
        const cloudResources = d.engine.resources.filter(
          (r) => r.custom && /^(aws|gcp):/.test(r.type),
        );
        for (const r of cloudResources) {
          const pool = d.config.pools.find((p) => r.name.startsWith(`${p.name}-`)) as PoolConfig;
          const region =
            pool.regions.find((reg) => r.name.startsWith(`${pool.name}-${reg}-`)) ??
            pool.regions[0];
          assert.equal(d.engine.regionOf(r), region, `${r.type} ${r.name}`);
          assert.equal(d.engine.providerOf(r)?.type, `pulumi:providers:${pool.cloud}`);
          if ('region' in r.inputs) assert.equal(r.inputs.region, region);
        }
        for (const invoke of d.engine.invokes)
          assert.ok(invoke.provider.includes('pulumi:providers:aws'), invoke.token);
      });

      it(
        stack === 'dev'
          ? 'takes the subnets named in the config'
          : `takes the subnets from the network team's stack acme/network/${stack}`,
        () => {
          const outputs = networkStackOutputs(stack, AWS_REGIONS, GCP_REGIONS) as any;
          assert.deepEqual(
            d.engine.stackReferences,
            stack === 'dev' ? [] : [`acme/network/${stack}`],
          );
          for (const pool of asgPools())
            for (const region of pool.regions) {
              const expected =
                stack === 'dev' ? d.config.network.aws[region] : outputs.runnerSubnets[region];
              const [asg] = regional(d, pool, region, 'asg');
              assert.deepEqual(
                asg.inputs.vpcZoneIdentifiers,
                expected.subnets.map((s: any) => s.id),
              );
              assert.equal(regional(d, pool, region, 'sg')[0].inputs.vpcId, expected.vpcId);
            }
          for (const pool of gcpPools())
            for (const region of pool.regions) {
              const expected =
                stack === 'dev' ? d.config.network.gcp[region] : outputs.runnerSubnetworks[region];
              assert.equal(
                regional(d, pool, region, 'template')[0].inputs.networkInterfaces[0].subnetwork,
                expected.subnetwork,
              );
            }
        },
      );

      it('exports per pool its labels, cloud, regions, group names and the image version it runs', () => {
        assert.deepEqual(
          Object.keys(d.pools),
          d.config.pools.map((p) => p.name),
        );
        for (const pool of d.config.pools) {
          const e = d.pools[pool.name];
          assert.deepEqual(
            [e.cloud, e.os, e.arch, e.size, e.regions],
            [pool.cloud, pool.os, pool.arch, pool.size, pool.regions],
          );
          assert.deepEqual(e.labels, [
            'self-hosted',
            pool.os,
            pool.arch,
            pool.size,
            stack,
            'ingot',
          ]);
          const version = { prod: 'v1', staging: 'v2', dev: 'v3' }[stack];
          assert.deepEqual(e.image, {
            bucket: pool.bucket,
            channel: stack,
            version,
            fingerprint: channelFingerprint(pool.bucket, stack),
          });
          assert.deepEqual(Object.keys(e.groups), pool.regions);
          for (const region of pool.regions) {
            const g = e.groups[region];
            assert.deepEqual(g.labels, [
              'self-hosted',
              pool.os,
              pool.arch,
              pool.size,
              stack,
              region,
              'ingot',
            ]);
            assert.equal(g.image, expectedImage(pool, stack, region));
            assert.equal(g.names.length, pool.os === 'macos' ? pool.desired : 1);
            assert.equal(
              g.kind,
              pool.cloud === 'gcp'
                ? 'gcp-managed-instance-group'
                : pool.os === 'macos'
                  ? 'aws-mac-hosts'
                  : 'aws-autoscaling-group',
            );
          }
        }
        assert.deepEqual(
          Object.keys(d.images).sort(),
          [...new Set(d.config.pools.map((p) => p.bucket))].sort(),
        );
      });
    });
  }
});
