/**
 * `npm run bench:fleet`: evaluates the runner-fleet program under Pulumi mocks for
 * organisations of growing shape — up to 3 OSes × 4 sizes × 10 regions × 2 clouds
 * (where the cloud offers the OS) — against a live registry. Image lookups are real
 * (the serialized ChannelImages provider runs `check` and `create` as `pulumi up`
 * would); only the clouds are mocked. Prints resources created, registry requests and
 * evaluation time per pool, as ratios against the smallest organisation measured in
 * the same run. Registry requests must not grow with regions or sizes: one lookup per
 * bucket, whatever the fleet's shape (exit 1 otherwise).
 *
 * Before vs after, in the same run: the largest organisation's images resolved the way a
 * fleet without batching would (one serialized `RegistryImage` per pool and region:
 * `check` then `create`, as `pulumi up` runs it) against the batched way the program
 * does (one serialized `ChannelImages` per bucket, each pool's image picked from its
 * builds), against the same registry. The 240-pool organisation is evaluated once (the
 * smaller ones three times, median) so the run completes on a shared 2-core machine;
 * the load average is printed with the results.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as pulumi from '@pulumi/pulumi';
import { parseFleetConfig } from '../src/config/parse-fleet-config';
import { runFleet } from '../src/fleet/program';
import { channelImagesProvider, imageFromBuilds } from '../src/provider/channel-images';
import { registryImageProvider } from '../src/provider/registry-image';
import { loadSerializedProvider } from '../test/helpers/pulumi-mocks';
import type { Os, Size } from '../src/fleet/sizes';
import {
  FleetEngine,
  registryRequests,
  resetRegistryClients,
  resolved,
  settle,
} from '../test/fleet/fleet-engine';
import {
  pointChannel,
  publishRunnerImages,
  RUNNER_BUCKETS,
  runnerBuilds,
  SCOPE,
} from '../test/fleet/runner-images';
import { startTestRegistry, type TestRegistry } from '../test/helpers/registry-harness';

const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'eu-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
];
const GCP_REGIONS = [
  'us-central1',
  'us-east1',
  'us-east4',
  'us-west1',
  'us-west2',
  'europe-west1',
  'europe-west3',
  'europe-west4',
  'asia-east1',
  'asia-southeast1',
];
const CHANNEL = 'prod';
const RUNS = 3;

interface Shape {
  name: string;
  oses: Os[];
  sizes: Size[];
  regions: number;
  clouds: ('aws' | 'gcp')[];
  /** Teams with the same pools (named apart): how an organisation reaches hundreds of pools. @default 1 */
  teams?: number;
  /** Evaluations to take the median of. @default RUNS */
  runs?: number;
}

const SHAPES: Shape[] = [
  {
    name: '1 OS × 1 size × 1 region × 1 cloud',
    oses: ['ubuntu'],
    sizes: ['small'],
    regions: 1,
    clouds: ['aws'],
  },
  {
    name: '1 OS × 1 size × 5 regions × 1 cloud',
    oses: ['ubuntu'],
    sizes: ['small'],
    regions: 5,
    clouds: ['aws'],
  },
  {
    name: '1 OS × 1 size × 10 regions × 1 cloud',
    oses: ['ubuntu'],
    sizes: ['small'],
    regions: 10,
    clouds: ['aws'],
  },
  {
    name: '1 OS × 4 sizes × 1 region × 1 cloud',
    oses: ['ubuntu'],
    sizes: ['small', 'medium', 'large', 'xlarge'],
    regions: 1,
    clouds: ['aws'],
  },
  {
    name: '1 OS × 4 sizes × 10 regions × 2 clouds',
    oses: ['ubuntu'],
    sizes: ['small', 'medium', 'large', 'xlarge'],
    regions: 10,
    clouds: ['aws', 'gcp'],
  },
  {
    name: '3 OS × 4 sizes × 10 regions × 2 clouds',
    oses: ['ubuntu', 'windows', 'macos'],
    sizes: ['small', 'medium', 'large', 'xlarge'],
    regions: 10,
    clouds: ['aws', 'gcp'],
  },
  {
    name: '240 pools: 12 teams × 20 pools × 2 regions',
    oses: ['ubuntu', 'windows', 'macos'],
    sizes: ['small', 'medium', 'large', 'xlarge'],
    regions: 2,
    clouds: ['aws', 'gcp'],
    teams: 12,
    runs: 1,
  },
];

/** The stack config of an organisation of that shape (explicit networks, every valid pool). */
function orgConfig(shape: Shape, registry: TestRegistry): Record<string, string> {
  const teams = Array.from({ length: shape.teams ?? 1 }, (_, i) => (shape.teams ? `-t${i}` : ''));
  const pools = teams.flatMap((team) =>
    shape.clouds.flatMap((cloud) =>
      shape.oses
        .filter((os) => !(os === 'macos' && cloud === 'gcp'))
        .flatMap((os) =>
          shape.sizes.map((size) => ({
            name: `${cloud}-${os}-${size}${team}`,
            os,
            size,
            cloud,
            regions: (cloud === 'aws' ? AWS_REGIONS : GCP_REGIONS).slice(0, shape.regions),
            ...(os === 'macos' ? { desired: 1 } : { max: 4, desired: 1 }),
            ...(os === 'ubuntu' && cloud === 'aws' ? { spot: true } : {}),
          })),
        ),
    ),
  );
  const hex = (s: string) => Buffer.from(s).toString('hex').slice(-17).padStart(17, '0');
  const network = {
    aws: Object.fromEntries(
      AWS_REGIONS.map((r) => [
        r,
        {
          vpcId: `vpc-${hex(r)}`,
          subnets: ['a', 'b', 'c'].map((z) => ({ id: `subnet-${hex(r + z)}`, zone: `${r}${z}` })),
        },
      ]),
    ),
    gcp: Object.fromEntries(
      GCP_REGIONS.map((r) => [
        r,
        {
          network: 'projects/acme-net/global/networks/runners',
          subnetwork: `projects/acme-net/regions/${r}/subnetworks/runners`,
        },
      ]),
    ),
  };
  return {
    'ingot:registryUrl': registry.url,
    'ingot:organizationId': SCOPE.org,
    'ingot:projectId': SCOPE.project,
    'ingot:registryClientId': registry.admin.clientId,
    'ingot:registryClientSecret': registry.admin.clientSecret,
    // The registry runs in this process, so a large evaluation starves it: without room, a
    // consumer POST (not retried after a timeout) fails at the default 10 s.
    'ingot:registryTimeoutMs': '120000',
    'ingot:registryDeadlineMs': '300000',
    'ingot-fleet:github': JSON.stringify({
      organization: 'acme',
      registrationSecret: { aws: 'ingot/github-app', gcp: 'ingot-github-app' },
    }),
    'ingot-fleet:gcp': JSON.stringify({ project: 'acme-runners' }),
    'ingot-fleet:network': JSON.stringify(network),
    'ingot-fleet:pools': JSON.stringify(pools),
  };
}

interface Result {
  shape: Shape;
  pools: number;
  poolRegions: number;
  buckets: number;
  resources: number;
  requests: number;
  ms: number;
}

async function evaluate(shape: Shape, registry: TestRegistry): Promise<Result> {
  const config = orgConfig(shape, registry);
  const pools = JSON.parse(config['ingot-fleet:pools']) as { os: string; regions: string[] }[];
  const times: number[] = [];
  let engine: FleetEngine | undefined;
  let requests = 0;
  for (let run = 0; run < (shape.runs ?? RUNS); run++) {
    engine = new FleetEngine({
      project: 'ingot-fleet',
      stack: CHANNEL,
      config,
      secretKeys: ['ingot:registryClientId', 'ingot:registryClientSecret'],
    });
    engine.install();
    await resetRegistryClients(registry);
    const start = performance.now();
    const outputs = runFleet();
    await Promise.all([resolved(outputs.pools), resolved(outputs.images)]);
    await settle();
    times.push(performance.now() - start);
    requests = registryRequests();
    process.stderr.write(
      `  ${shape.name}: run ${run + 1}, ${times[times.length - 1].toFixed(0)} ms, load ${os.loadavg()[0].toFixed(1)}\n`,
    );
  }
  times.sort((a, b) => a - b);
  return {
    shape,
    pools: pools.length,
    poolRegions: pools.reduce((n, p) => n + p.regions.length, 0),
    buckets: new Set(pools.map((p) => p.os)).size,
    resources: engine?.resources.length ?? 0,
    requests,
    ms: times[Math.floor(times.length / 2)],
  };
}

type Provider = Required<pulumi.dynamic.ResourceProvider>;

/** A provider as the engine runs it: serialized, loaded fresh, configured from the stack. */
async function serialized(
  provider: pulumi.dynamic.ResourceProvider,
  config: Record<string, string>,
): Promise<Provider> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const loaded = loadSerializedProvider(text) as Provider;
  await loaded.configure({
    config: { get: (k: string) => config[k], require: (k: string) => config[k] },
  } as unknown as pulumi.dynamic.ConfigureRequest);
  return loaded;
}

interface Resolution {
  lookups: number;
  images: number;
  requests: number;
  ms: number;
}

/**
 * The organisation's images resolved per pool and region with RegistryImage (before) and
 * per bucket with ChannelImages (after); both must give the same image ids.
 */
async function compareResolution(
  shape: Shape,
  registry: TestRegistry,
): Promise<{ before: Resolution; after: Resolution }> {
  const values = orgConfig(shape, registry);
  const config = parseFleetConfig({
    project: 'ingot-fleet',
    stack: CHANNEL,
    values,
    secretKeys: ['ingot:registryClientId', 'ingot:registryClientSecret'],
    env: {},
  });
  const connection = { url: registry.url, organizationId: SCOPE.org, projectId: SCOPE.project };
  const queries = config.pools.flatMap((pool) =>
    pool.regions.map((region) => ({
      pool: pool.name,
      bucket: pool.bucket,
      platform: pool.cloud,
      region,
      labels: pool.imageLabels,
    })),
  );
  const consumer = (name: string) => ({
    project: 'ingot-fleet',
    stack: CHANNEL,
    urn: `urn:pulumi:${CHANNEL}::ingot-fleet::pulumi-nodejs:dynamic/ingot:RegistryImage::${name}`,
  });
  const image = await serialized(registryImageProvider, values);
  const channel = await serialized(channelImagesProvider, values);
  const results: { before: Resolution[]; after: Resolution[] } = { before: [], after: [] };
  let beforeIds: string[] = [];
  let afterIds: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    await resetRegistryClients(registry);
    let start = performance.now();
    beforeIds = [];
    for (const q of queries) {
      const name = `${q.pool}-${q.region}-image`;
      const inputs = {
        bucket: q.bucket,
        channel: CHANNEL,
        platform: q.platform,
        region: q.region,
        labels: q.labels,
        onRevoked: 'fail',
        registry: connection,
        consumer: consumer(name),
      };
      const checked = await image.check({}, inputs);
      const { outs } = await image.create(checked.inputs);
      beforeIds.push(outs.externalIdentifier);
    }
    results.before.push({
      lookups: queries.length,
      images: queries.length,
      requests: registryRequests(),
      ms: performance.now() - start,
    });

    await resetRegistryClients(registry);
    start = performance.now();
    const buckets = [...new Set(queries.map((q) => q.bucket))];
    const resolved = new Map<string, Record<string, unknown>>();
    for (const bucket of buckets) {
      const inputs = {
        bucket,
        channel: CHANNEL,
        registry: connection,
        consumer: consumer(`${bucket}-${CHANNEL}`),
      };
      const checked = await channel.check({}, inputs);
      resolved.set(bucket, (await channel.create(checked.inputs)).outs);
    }
    afterIds = queries.map((q) =>
      imageFromBuilds(resolved.get(q.bucket) as unknown as Parameters<typeof imageFromBuilds>[0], {
        platform: q.platform,
        region: q.region,
        labels: q.labels,
      }),
    );
    results.after.push({
      lookups: buckets.length,
      images: queries.length,
      requests: registryRequests(),
      ms: performance.now() - start,
    });
    process.stderr.write(
      `  resolution run ${run + 1}: before ${results.before[run].ms.toFixed(0)} ms, after ${results.after[run].ms.toFixed(0)} ms\n`,
    );
  }
  if (JSON.stringify(beforeIds) !== JSON.stringify(afterIds))
    throw new Error('batched resolution picked other images than RegistryImage');
  const median = (list: Resolution[]) =>
    [...list].sort((a, b) => a.ms - b.ms)[Math.floor(list.length / 2)];
  return { before: median(results.before), after: median(results.after) };
}

async function main(): Promise<void> {
  for (const key of [
    'INGOT_REGISTRY_URL',
    'HCP_API_ADDRESS',
    'HCP_CLIENT_ID',
    'HCP_CLIENT_SECRET',
    'INGOT_CREDENTIALS_FILE',
  ])
    delete process.env[key];
  const registry = await startTestRegistry('sqlite');
  try {
    for (const bucket of RUNNER_BUCKETS) {
      await publishRunnerImages(registry, bucket, `${bucket}-1`, runnerBuilds(bucket, AWS_REGIONS));
      await pointChannel(registry, bucket, CHANNEL, `${bucket}-1`);
    }
    // Warm-up: module loading and the first serialization are not the program's cost.
    await evaluate(SHAPES[0], registry);
    const loadBefore = os.loadavg();
    const results: Result[] = [];
    for (const shape of SHAPES) results.push(await evaluate(shape, registry));
    const largestShape = SHAPES[SHAPES.length - 1];
    const resolution = await compareResolution(largestShape, registry);
    const loadAfter = os.loadavg();

    const base = results[0];
    const perPool = (r: Result) => r.ms / r.pools;
    const perPoolRegion = (r: Result) => r.ms / r.poolRegions;
    // The providers share one client per registry, hence one token request per run.
    const perBucket = (r: Result) => (r.requests - 1) / r.buckets;
    console.log(
      `Runner fleet program under mocks, live registry, channel "${CHANNEL}" (median of ${RUNS} runs)\n`,
    );
    const header = [
      'organisation'.padEnd(40),
      'pools'.padStart(6),
      'pool×region'.padStart(12),
      'resources'.padStart(10),
      'buckets'.padStart(8),
      'registry req'.padStart(13),
      'req/bucket'.padStart(11),
      'eval ms'.padStart(9),
      'ms/pool'.padStart(8),
      'vs base'.padStart(8),
      'ms/pool×region'.padStart(15),
      'vs base'.padStart(8),
    ];
    console.log(header.join(''));
    for (const r of results) {
      console.log(
        [
          r.shape.name.padEnd(40),
          String(r.pools).padStart(6),
          String(r.poolRegions).padStart(12),
          String(r.resources).padStart(10),
          String(r.buckets).padStart(8),
          String(r.requests).padStart(13),
          perBucket(r).toFixed(2).padStart(11),
          r.ms.toFixed(0).padStart(9),
          perPool(r).toFixed(1).padStart(8),
          `${(perPool(r) / perPool(base)).toFixed(2)}×`.padStart(8),
          perPoolRegion(r).toFixed(1).padStart(15),
          `${(perPoolRegion(r) / perPoolRegion(base)).toFixed(2)}×`.padStart(8),
        ].join(''),
      );
    }
    const constant = results.every((r) => perBucket(r) === perBucket(base));
    const largest = results[results.length - 1];
    console.log(
      `\nRegistry requests per bucket (after the one token request): ${constant ? 'constant' : 'GROWING'} — ${perBucket(base).toFixed(0)} for 1 pool in 1 region, ${perBucket(largest).toFixed(0)} for ${largest.pools} pools in ${largest.poolRegions} pool-regions (check: lookup; create: consumer record). Each run starts as a new pulumi up process does: no client, no token, no connection.`,
    );
    console.log(
      `Resources per pool-region: ${(base.resources / base.poolRegions).toFixed(1)} → ${(largest.resources / largest.poolRegions).toFixed(1)}; evaluation per pool-region: ${perPoolRegion(base).toFixed(1)} ms → ${perPoolRegion(largest).toFixed(1)} ms (${(perPoolRegion(largest) / perPoolRegion(base)).toFixed(2)}×).`,
    );
    const { before, after } = resolution;
    console.log(
      `\nImage resolution of the ${largest.pools}-pool organisation (${before.images} pool-region images, median of ${RUNS}):`,
    );
    for (const [label, r] of [
      ['before: RegistryImage per pool and region', before],
      ['after:  ChannelImages per bucket', after],
    ] as const)
      console.log(
        `  ${label.padEnd(44)}${String(r.lookups).padStart(5)} lookups${String(r.requests).padStart(7)} registry requests${r.ms.toFixed(0).padStart(8)} ms`,
      );
    console.log(
      `  after/before: ${(after.requests / before.requests).toFixed(3)}× requests, ${(after.ms / before.ms).toFixed(3)}× time; same ${before.images} image ids.`,
    );
    console.log(
      `Load average (1/5/15 min) at start: ${loadBefore.map((l) => l.toFixed(1)).join('/')}, at end: ${loadAfter.map((l) => l.toFixed(1)).join('/')} on ${os.cpus().length} CPUs.`,
    );
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(
      path.join(__dirname, 'results', 'fleet-stacks.json'),
      `${JSON.stringify(
        {
          evaluations: results.map((r) => ({ ...r, shape: r.shape.name })),
          resolution,
          load: { start: loadBefore, end: loadAfter, cpus: os.cpus().length },
        },
        null,
        2,
      )}\n`,
    );
    if (!constant) process.exitCode = 1;
  } finally {
    await registry.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
