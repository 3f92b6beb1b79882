/**
 * `npm run bench:resolve`: a fleet-shaped workload — 4 buckets × 2 platforms ×
 * 10 regions × 4 sizes — resolved for one channel, once image by image (RegistryImage,
 * the baseline) and once batched (ChannelImages: one lookup per bucket and channel).
 * Prints registry HTTP requests (token requests included) and time, per resolved image.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { registryClient } from '../src/provider/registry-connection';
import {
  channelImagesProvider,
  imageFromBuilds,
  type ChannelImagesOutputs,
} from '../src/provider/channel-images';
import {
  registryImageProvider,
  type RegistryImageInputs,
  type RegistryImageOutputs,
} from '../src/provider/registry-image';
import { startRegistry } from '../src/registry/serve';

const BUCKETS = ['runner-ubuntu', 'runner-windows', 'runner-ubuntu-arm', 'ubuntu-base'];
const PLATFORMS = ['aws', 'gcp'];
const REGIONS = Array.from({ length: 10 }, (_, i) => `region-${i + 1}`);
const SIZES = ['small', 'medium', 'large', 'xlarge'];
const CHANNEL = 'prod';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bench-resolve-'));
  const credentialsFile = path.join(dir, 'admin.json');
  const running = await startRegistry(
    {
      host: '127.0.0.1',
      port: 0,
      databaseUrl: path.join(dir, 'r.db'),
      credentialsFile,
      logLevel: 'silent',
    },
    { logger: false },
  );
  try {
    const creds = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as {
      client_id: string;
      client_secret: string;
    };
    Object.assign(process.env, {
      INGOT_REGISTRY_URL: running.url,
      HCP_CLIENT_ID: creds.client_id,
      HCP_CLIENT_SECRET: creds.client_secret,
      HCP_ORGANIZATION_ID: 'bench',
      HCP_PROJECT_ID: 'fleet',
    });
    const client = registryClient(undefined);
    for (const bucket of BUCKETS) {
      await client.createBucket(bucket);
      await client.createVersion(bucket, `${bucket}-1`);
      for (const platform of PLATFORMS) {
        await client.createBuild(bucket, `${bucket}-1`, {
          platform,
          component_type: `${platform}.runner`,
          status: 'BUILD_DONE',
          artifacts: REGIONS.map((region) => ({
            region,
            external_identifier: `${platform}-${bucket}-${region}`,
          })),
        });
      }
      await client.completeVersion(bucket, `${bucket}-1`);
      await client.createChannel(bucket, CHANNEL, { versionFingerprint: `${bucket}-1` });
    }
    const pools = BUCKETS.flatMap((bucket) =>
      PLATFORMS.flatMap((platform) =>
        REGIONS.flatMap((region) => SIZES.map((size) => ({ bucket, platform, region, size }))),
      ),
    );

    // Fresh clients for each run, so each pays for its own token.
    const fresh = () =>
      (
        globalThis as { __ingotRegistryClients?: Map<string, unknown> }
      ).__ingotRegistryClients?.clear();
    const requests = () => registryClient(undefined).transport.requests;

    fresh();
    let start = performance.now();
    for (const pool of pools) {
      const inputs: RegistryImageInputs = {
        bucket: pool.bucket,
        channel: CHANNEL,
        platform: pool.platform,
        region: pool.region,
      };
      const { inputs: out } = await registryImageProvider.check!({} as RegistryImageInputs, inputs);
      if (!(out as RegistryImageOutputs).externalIdentifier)
        throw new Error(`unresolved ${JSON.stringify(pool)}`);
    }
    const perImage = { requests: requests(), ms: performance.now() - start };

    fresh();
    start = performance.now();
    const byBucket = new Map<string, ChannelImagesOutputs>();
    for (const bucket of BUCKETS) {
      const { inputs: out } = await channelImagesProvider.check!({}, { bucket, channel: CHANNEL });
      byBucket.set(bucket, out as ChannelImagesOutputs);
    }
    for (const pool of pools)
      imageFromBuilds(byBucket.get(pool.bucket) as ChannelImagesOutputs, {
        platform: pool.platform,
        region: pool.region,
      });
    const batched = { requests: requests(), ms: performance.now() - start };

    const rows = [
      ['per image (RegistryImage)', perImage],
      ['batched (ChannelImages)', batched],
    ] as const;
    console.log(
      `Fleet: ${BUCKETS.length} buckets × ${PLATFORMS.length} platforms × ${REGIONS.length} regions × ${SIZES.length} sizes = ${pools.length} images, channel "${CHANNEL}"\n`,
    );
    console.log(
      [
        'workload'.padEnd(28),
        'requests'.padStart(9),
        'req/image'.padStart(10),
        'req/bucket'.padStart(11),
        'time ms'.padStart(9),
        'vs per-image'.padStart(13),
      ].join(''),
    );
    for (const [name, r] of rows) {
      console.log(
        [
          name.padEnd(28),
          String(r.requests).padStart(9),
          (r.requests / pools.length).toFixed(3).padStart(10),
          (r.requests / BUCKETS.length).toFixed(2).padStart(11),
          r.ms.toFixed(1).padStart(9),
          `${(r.ms / perImage.ms).toFixed(3)}×`.padStart(13),
        ].join(''),
      );
    }
    console.log(
      `\nBatched: ${batched.requests - 1} lookups for ${BUCKETS.length} bucket/channel pairs plus 1 token request (aim: ≤ 1 per bucket and channel, plus token).`,
    );
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(
      path.join(__dirname, 'results', 'fleet-resolve.json'),
      `${JSON.stringify({ images: pools.length, buckets: BUCKETS.length, perImage, batched }, null, 2)}\n`,
    );
  } finally {
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
