import assert from 'node:assert/strict';
import type { GcpRegionNetwork, PoolConfig } from '../../src/config/fleet-config';
import { AwsRunnerPool } from '../../src/fleet/aws/aws-runner-pool';
import { GcpRunnerPool } from '../../src/fleet/gcp/gcp-runner-pool';
import { runnerLabels } from '../../src/fleet/labels';
import type { RunnerPool, RunnerPoolArgs } from '../../src/fleet/pool-contract';
import { resolved, settle, type FleetEngine, type Recorded } from './fleet-engine';
import {
  awsNetwork,
  bootScriptOf,
  componentEngine,
  fakeImageId,
  fakeImages,
  gcpNetwork,
  GITHUB,
  poolConfig,
  providersFor,
} from './pool-fixtures';

/** One implementation of the runner pool contract, and where its images and scripts live. */
interface Implementation {
  title: string;
  pool: PoolConfig;
  build(name: string, args: RunnerPoolArgs<unknown>): RunnerPool;
  network(region: string): unknown;
  /** The resource types carrying the image, boot script and network exposure. */
  imageType: string;
  image(r: Recorded): string;
  publicIp(r: Recorded): boolean;
  instanceTypes(r: Recorded, engine: FleetEngine): string[];
  kind: RunnerPool['groups'][number]['kind'];
}

const aws = (pool: PoolConfig, macos = false): Implementation => ({
  title: `AwsRunnerPool (${pool.os})`,
  pool,
  build: (name, args) => new AwsRunnerPool(name, args as never),
  network: awsNetwork,
  imageType: macos ? 'aws:ec2/instance:Instance' : 'aws:ec2/launchTemplate:LaunchTemplate',
  image: (r) => (macos ? r.inputs.ami : r.inputs.imageId),
  publicIp: (r) =>
    macos
      ? r.inputs.associatePublicIpAddress !== false
      : r.inputs.networkInterfaces[0].associatePublicIpAddress !== 'false',
  instanceTypes: (r, engine) =>
    macos
      ? [r.inputs.instanceType]
      : engine
          .ofType('aws:autoscaling/group:Group')
          .find((g) => g.name === r.name.replace(/-lt$/, '-asg'))
          ?.inputs.mixedInstancesPolicy.launchTemplate.overrides.map(
            (o: { instanceType: string }) => o.instanceType,
          ),
  kind: macos ? 'aws-mac-hosts' : 'aws-autoscaling-group',
});

const gcp = (pool: PoolConfig): Implementation => ({
  title: `GcpRunnerPool (${pool.os})`,
  pool,
  build: (name, args) =>
    new GcpRunnerPool(name, {
      ...(args as RunnerPoolArgs<GcpRegionNetwork>),
      project: 'acme-runners-test',
    }),
  network: gcpNetwork,
  imageType: 'gcp:compute/instanceTemplate:InstanceTemplate',
  image: (r) => r.inputs.disks[0].sourceImage,
  publicIp: (r) => r.inputs.networkInterfaces[0].accessConfigs.length > 0,
  instanceTypes: (r) => [r.inputs.machineType],
  kind: 'gcp-managed-instance-group',
});

const IMPLEMENTATIONS: Implementation[] = [
  aws(poolConfig({ cloud: 'aws', os: 'ubuntu', spot: true })),
  aws(poolConfig({ cloud: 'aws', os: 'ubuntu', arch: 'arm64', size: 'large' })),
  aws(poolConfig({ cloud: 'aws', os: 'windows', size: 'medium' })),
  aws(poolConfig({ cloud: 'aws', os: 'macos', size: 'medium' }), true),
  gcp(poolConfig({ cloud: 'gcp', os: 'ubuntu', size: 'xlarge' })),
  gcp(poolConfig({ cloud: 'gcp', os: 'windows', size: 'large' })),
];

/** The contract every runner pool implementation meets, run against each. */
for (const impl of IMPLEMENTATIONS) {
  describe(`runner pool contract: ${impl.title} ${impl.pool.arch} ${impl.pool.size}`, () => {
    let engine: FleetEngine;
    let pool: RunnerPool;
    let images: ReturnType<typeof fakeImages>;
    const { pool: config } = impl;
    const environment = 'prod';

    before(async () => {
      engine = componentEngine();
      images = fakeImages();
      pool = impl.build(config.name, {
        pool: config,
        environment,
        images,
        github: GITHUB,
        providers: providersFor(config.cloud, config.regions),
        networks: Object.fromEntries(config.regions.map((r) => [r, impl.network(r)])),
      });
      await resolved(pool.groups.map((g) => g.names));
      await settle();
    });

    it('exposes the pool: name, cloud, regions, labels without and with the region, the image version', async () => {
      assert.equal(pool.poolName, config.name);
      assert.equal(pool.cloud, config.cloud);
      assert.deepEqual(pool.regions, config.regions);
      assert.deepEqual(pool.labels, runnerLabels({ ...config, environment, extra: GITHUB.labels }));
      assert.deepEqual(
        pool.groups.map((g) => [g.region, g.kind, g.labels]),
        config.regions.map((region) => [
          region,
          impl.kind,
          runnerLabels({ ...config, environment, region, extra: GITHUB.labels }),
        ]),
      );
      assert.equal(await resolved(pool.imageVersion), 'v7');
      assert.equal(await resolved(pool.imageFingerprint), 'fp-7');
      for (const g of pool.groups) assert.ok((await resolved(g.names)).length > 0);
    });

    it('asks the image source once per region, by platform, region and arch label, and uses that image', async () => {
      assert.deepEqual(
        images.queries.map((q) => [q.platform, q.region, q.labels]).sort(),
        config.regions.map((region) => [config.cloud, region, { arch: config.arch }]).sort(),
      );
      const carriers = engine.ofType(impl.imageType);
      assert.ok(carriers.length >= config.regions.length);
      for (const r of carriers) {
        const region = engine.regionOf(r);
        assert.equal(
          impl.image(r),
          fakeImageId({ platform: config.cloud, region, labels: { arch: config.arch } }),
          r.name,
        );
      }
      for (const g of pool.groups)
        assert.equal(
          await resolved(g.image),
          fakeImageId({ platform: config.cloud, region: g.region, labels: { arch: config.arch } }),
        );
    });

    it('creates every cloud resource with an explicit provider of its own region, named after the pool', () => {
      const custom = engine.resources.filter(
        (r) => r.custom && !r.type.startsWith('pulumi:providers:'),
      );
      assert.ok(custom.length > 0);
      for (const r of custom) {
        assert.ok(r.name.startsWith(`${config.name}-`), `${r.name} is not named after the pool`);
        const region = config.regions.find((reg) => r.name.startsWith(`${config.name}-${reg}-`));
        // Global resources (IAM, service account) use the pool's first region's provider;
        // a dynamic resource (the Mac root volume) calls the cloud's SDK itself, in the
        // region it is given.
        const actual = r.type.startsWith('pulumi-nodejs:dynamic/')
          ? r.inputs.region
          : engine.regionOf(r);
        assert.equal(actual, region ?? config.regions[0], `${r.type} ${r.name}`);
      }
    });

    it("registers runners with the region's labels, ephemerally, with no public IP, on the size's instance types", () => {
      for (const r of engine.ofType(impl.imageType)) {
        const region = engine.regionOf(r);
        const script = bootScriptOf(r.type, r.inputs);
        assert.ok(
          script.includes(
            runnerLabels({ ...config, environment, region, extra: GITHUB.labels }).join(','),
          ),
          r.name,
        );
        assert.match(script, /--ephemeral/);
        assert.match(script, config.os === 'windows' ? /Stop-Computer -Force/ : /^#!\/bin\/bash/);
        assert.equal(impl.publicIp(r), false, `${r.name} has a public IP`);
        assert.deepEqual(impl.instanceTypes(r, engine), config.instanceTypes);
      }
    });

    it("refuses arguments of another cloud or without a region's provider, naming the argument", () => {
      const other = { ...config, cloud: config.cloud === 'aws' ? 'gcp' : 'aws' } as PoolConfig;
      const base = { environment, images: fakeImages(), github: GITHUB, networks: {} };
      assert.throws(
        () =>
          impl.build(`${config.name}-x`, {
            ...base,
            pool: other,
            providers: {},
          } as RunnerPoolArgs<unknown>),
        (e: Error) =>
          /args\.pool\.cloud is "(aws|gcp)"/.test(e.message) &&
          /args\.providers has no provider for/.test(e.message) &&
          /args\.networks has no network for/.test(e.message),
      );
    });
  });
}
