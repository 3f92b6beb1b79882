import assert from 'node:assert/strict';
import type { PoolConfig } from '../../src/config/fleet-config';
import { FleetConfigError } from '../../src/config/problems';
import { runFleet } from '../../src/fleet/program';
import { CHANNEL_IMAGES_TYPE } from '../../src/provider/channel-images';
import type { CloudModel, Recorded } from './fleet-engine';
import { AWS_REGIONS, channelFingerprint, FleetRegistry, GCP_REGIONS } from './fleet-deploy';
import { T } from './fleet-graph';
import {
  pointChannel,
  publishRunnerImages,
  runnerBuilds,
  runnerImageId,
  SCOPE,
} from './runner-images';
import { stackFileConfig } from './stack-files';

/** What changes in the registry or the config do to a deployment. */
describe('runner fleet stacks: channel moves, revocations, scale, bad config', function () {
  this.timeout(120_000);
  let fleet: FleetRegistry;

  before(async () => {
    fleet = await FleetRegistry.start();
  });
  after(async () => {
    await fleet?.close();
  });

  describe('when the channel moves', () => {
    it("changing the prod channel's runner-ubuntu version changes the image of every Ubuntu launch template and instance template, and nothing else", async () => {
      const before = await fleet.deploy('prod');
      const { registry } = fleet;
      await publishRunnerImages(
        registry,
        'runner-ubuntu',
        'runner-ubuntu-4',
        runnerBuilds('runner-ubuntu', AWS_REGIONS),
      );
      await pointChannel(registry, 'runner-ubuntu', 'prod', 'runner-ubuntu-4');
      try {
        const after = await fleet.deploy('prod');
        const key = (r: Recorded) => `${r.type}::${r.name}`;
        const strip = (r: Recorded) => JSON.stringify({ ...r.inputs, __provider: undefined });
        const old = new Map(before.engine.resources.map((r) => [key(r), r]));
        assert.deepEqual(
          [...old.keys()].sort(),
          after.engine.resources.map(key).sort(),
          'same resources',
        );
        const changed = after.engine.resources.filter(
          (r) => strip(r) !== strip(old.get(key(r)) as Recorded),
        );
        const ubuntu = after.config.pools.filter((p) => p.bucket === 'runner-ubuntu');
        const expected = ubuntu.flatMap((p) =>
          p.regions.map((region) => `${p.name}-${region}-${p.cloud === 'aws' ? 'lt' : 'template'}`),
        );
        assert.deepEqual(changed.map((r) => r.name).sort(), expected.sort());
        for (const r of changed) {
          const was = old.get(key(r)) as Recorded;
          const pool = ubuntu.find((p) => r.name.startsWith(`${p.name}-`)) as PoolConfig;
          const region = after.engine.regionOf(r);
          const field = r.type === T.lt ? ['imageId'] : ['disks'];
          const { [field[0]]: newImage, ...restNew } = r.inputs;
          const { [field[0]]: oldImage, ...restOld } = was.inputs;
          assert.deepEqual(restNew, restOld, `${r.name} changed beyond its image`);
          assert.notDeepEqual(newImage, oldImage);
          const image = r.type === T.lt ? newImage : (newImage as any[])[0].sourceImage;
          assert.equal(
            image,
            runnerImageId(
              pool.cloud,
              'runner-ubuntu-4',
              pool.arch,
              pool.cloud === 'gcp' ? 'global' : region,
            ),
          );
        }
        assert.equal(after.pools['ubuntu-small'].image.version, 'v4');
        assert.equal(after.pools['windows-medium'].image.version, 'v1');
      } finally {
        await pointChannel(
          registry,
          'runner-ubuntu',
          'prod',
          channelFingerprint('runner-ubuntu', 'prod'),
        );
      }
    });
  });

  describe('when the channel serves a revoked version', () => {
    it("stops the deployment with the registry's message", async () => {
      const { registry } = fleet;
      const base = registry.packer(SCOPE.org, SCOPE.project);
      await registry.ok(
        'PATCH',
        `${base}/buckets/runner-windows/versions/${channelFingerprint('runner-windows', 'staging')}`,
        {
          revoke_in: '0s',
          revocation_message: 'WinRM left enabled (CVE-2026-1234)',
          disable_rollback_channels: true,
        },
      );
      // The SDK reports the failed registration as unhandled rejections as well: collect them.
      const listeners = process.listeners('unhandledRejection');
      process.removeAllListeners('unhandledRejection');
      const unhandled: unknown[] = [];
      process.on('unhandledRejection', (e) => unhandled.push(e));
      try {
        await assert.rejects(
          fleet.deploy('staging'),
          /refusing a revoked image: version v2 \(fingerprint runner-windows-2\) of bucket "runner-windows" \(channel "staging"\) was revoked at .*: WinRM left enabled \(CVE-2026-1234\)/,
        );
        assert.ok(unhandled.every((e) => /runner-windows/.test(String((e as Error).message))));
      } finally {
        process.removeAllListeners('unhandledRejection');
        for (const l of listeners) process.on('unhandledRejection', l);
        await registry.ok(
          'PATCH',
          `${base}/buckets/runner-windows/versions/${channelFingerprint('runner-windows', 'staging')}`,
          { restore: true },
        );
      }
    });
  });

  describe('registry requests', () => {
    it('do not grow with regions or sizes: one lookup per bucket', async () => {
      const values = (pools: object[]) => ({
        ...stackFileConfig('prod'),
        'ingot-fleet:pools': JSON.stringify(pools),
      });
      const pool = (size: string, regions: string[], cloud = 'aws') => ({
        name: `ubuntu-${size}-${cloud}`,
        os: 'ubuntu',
        size,
        cloud,
        regions,
        max: 2,
      });
      const small = await fleet.deploy('prod', values([pool('small', ['us-west-2'])]));
      const large = await fleet.deploy(
        'prod',
        values([
          ...['small', 'medium', 'large', 'xlarge'].map((s) => pool(s, AWS_REGIONS)),
          ...['small', 'medium', 'large', 'xlarge'].map((s) => pool(s, GCP_REGIONS, 'gcp')),
        ]),
      );
      assert.equal(small.engine.ofType(CHANNEL_IMAGES_TYPE).length, 1);
      assert.equal(large.engine.ofType(CHANNEL_IMAGES_TYPE).length, 1);
      assert.ok(large.engine.resources.length > 5 * small.engine.resources.length);
      // One token request, then for the one bucket its lookup (check) and consumer record (create).
      assert.equal(small.requests, 3);
      assert.equal(large.requests, 3);
    });

    it('count no retry when a run holds the event loop past the keep-alive timeout of the last run', async () => {
      // An evaluation under mocks holds the loop while it runs (minutes for a large fleet):
      // no keep-alive timer fires, and a connection the last run left idle past the
      // registry's timeout (72 s, shortened here) would carry this run's first request
      // into a reset and a retry.
      const server = fleet.registry.running.app.server;
      const keepAlive = server.keepAliveTimeout;
      server.keepAliveTimeout = 3_000;
      try {
        await fleet.deploy('prod');
        let held = false;
        const holdLoop: CloudModel = {
          register: async () => {
            if (!held) {
              held = true;
              const until = Date.now() + 5_000;
              while (Date.now() < until);
            }
            return undefined;
          },
        };
        const run = await fleet.deploy('prod', undefined, [], holdLoop);
        const buckets = run.engine.ofType(CHANNEL_IMAGES_TYPE).length;
        assert.equal(buckets, 3);
        assert.equal(run.requests, 1 + 2 * buckets);
      } finally {
        server.keepAliveTimeout = keepAlive;
      }
    });
  });

  describe('invalid stack configuration', () => {
    it('stops before any resource with every problem at once, naming key and fix, secrets masked', () => {
      const values = {
        ...fleet.stackConfig('staging'),
        'ingot-fleet:pools': JSON.stringify([
          {
            name: 'mac',
            os: 'macos',
            size: 'small',
            cloud: 'aws',
            regions: ['us-west-2'],
            desired: 1,
            spot: true,
          },
          {
            name: 'gcp-mac',
            os: 'macos',
            size: 'small',
            cloud: 'gcp',
            regions: ['us-west2'],
            desired: 1,
          },
          { name: 'win', os: 'windows', size: 'xxl', cloud: 'aws', regions: ['us-west-2'], max: 1 },
        ]),
      };
      const engine = fleet.engine('staging', values, []);
      assert.throws(
        () => runFleet(),
        (error: unknown) => {
          assert.ok(error instanceof FleetConfigError);
          assert.match(
            error.message,
            /^the stack configuration of ingot-fleet\/staging has 5 problems:/,
          );
          assert.deepEqual(
            error.problems.map((p) => p.slice(0, p.indexOf(': '))),
            [
              'ingot:registryClientId',
              'ingot:registryClientSecret',
              'ingot-fleet:pools[0].spot',
              'ingot-fleet:pools[1].cloud',
              'ingot-fleet:pools[2].size',
            ],
          );
          assert.ok(!error.message.includes(fleet.registry.admin.clientSecret));
          return true;
        },
      );
      assert.equal(engine.resources.length, 0);
    });
  });
});
