/**
 * `npm run bench:pipeline`: the image pipeline's registry cost (the local pipeline end
 * to end, cold and cached, is `npm run bench:images-local`).
 *
 * Publish and promote as builds grow from 1 to 50 regions (AWS x64 and arm64 copied to
 *    N regions, plus GCP): registry requests and time per version, as ratios against
 *    the 1-region baseline. Promotion is one assignment of the version, whatever the
 *    number of clouds and regions: its request count must not move.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  channelAssignmentProvider,
  type ChannelAssignmentInputs,
} from '../src/provider/channel-assignment';
import { publishedVersionProvider } from '../src/provider/published-version';
import { registryClient } from '../src/provider/registry-connection';
import { ManualClock } from '../src/registry/clock';
import { startRegistry } from '../src/registry/serve';

const REGIONS = [1, 5, 10, 25, 50];
const ROUNDS = 5;
const HOUR = 3_600_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const requests = () => registryClient(undefined).transport.requests;
const pad = (s: string | number, n: number) => String(s).padStart(n);

function manifest(regions: number, run: string): string {
  const names = Array.from({ length: regions }, (_, i) => `xx-region-${i + 1}`);
  const ami = (arch: string, i: number) =>
    `ami-${arch === 'x64' ? 'a' : 'b'}${String(i).padStart(16, '0')}`;
  return JSON.stringify({
    builds: [
      ...['x64', 'arm64'].map((arch) => ({
        name: `runner-${arch}`,
        builder_type: 'amazon-ebs',
        artifact_id: names.map((r, i) => `${r}:${ami(arch, i)}`).join(','),
        packer_run_uuid: run,
        custom_data: { bucket: 'bench', fingerprint: run, arch },
      })),
      {
        name: 'runner',
        builder_type: 'googlecompute',
        artifact_id: `runner-${run}`,
        packer_run_uuid: run,
        custom_data: { gcp_project_id: 'bench-images' },
      },
    ],
    last_run_uuid: run,
  });
}

async function scaling(clock: ManualClock) {
  const rows = [];
  for (const regions of REGIONS) {
    const publish: number[] = [];
    const publishRequests: number[] = [];
    const assign: number[] = [];
    const assignRequests: number[] = [];
    const promote: number[] = [];
    const promoteRequests: number[] = [];
    const bucket = `bench-${regions}`;
    for (let round = 0; round < ROUNDS; round++) {
      const fingerprint = `r${regions}-${round}`;
      let before = requests();
      let start = performance.now();
      await publishedVersionProvider.create!({
        bucket,
        fingerprint,
        manifest: manifest(regions, fingerprint),
        expectBuilds: ['amazon-ebs.runner-x64', 'amazon-ebs.runner-arm64', 'googlecompute.runner'],
      });
      publish.push(performance.now() - start);
      publishRequests.push(requests() - before);

      const dev: ChannelAssignmentInputs = {
        bucket,
        channel: 'dev',
        versionFingerprint: fingerprint,
      };
      before = requests();
      start = performance.now();
      await channelAssignmentProvider.create!(dev);
      assign.push(performance.now() - start);
      assignRequests.push(requests() - before);

      await channelAssignmentProvider.create!({
        bucket,
        channel: 'staging',
        promoteFrom: { channel: 'dev', minimumSoak: '0s' },
      });
      clock.advance(25 * HOUR);
      // The jump expires the registry's tokens: renew outside the measurement.
      await registryClient(undefined).getChannel(bucket, 'staging');
      const prod: ChannelAssignmentInputs = {
        bucket,
        channel: 'prod',
        promoteFrom: { channel: 'staging', minimumSoak: '24h' },
      };
      before = requests();
      start = performance.now();
      const { outs } = await channelAssignmentProvider.create!(prod);
      promote.push(performance.now() - start);
      promoteRequests.push(requests() - before);
      if (outs.assignedFingerprint !== fingerprint)
        throw new Error(`prod holds ${outs.assignedFingerprint}, not ${fingerprint}`);
    }
    rows.push({
      regions,
      artifacts: 2 * regions + 1,
      publishMs: median(publish),
      publishRequests: median(publishRequests),
      assignMs: median(assign),
      assignRequests: median(assignRequests),
      promoteMs: median(promote),
      promoteRequests: median(promoteRequests),
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bench-pipeline-'));
  const credentialsFile = path.join(dir, 'admin.json');
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const running = await startRegistry(
    {
      host: '127.0.0.1',
      port: 0,
      databaseUrl: path.join(dir, 'r.db'),
      credentialsFile,
      logLevel: 'silent',
    },
    { clock, logger: false },
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
      HCP_PROJECT_ID: 'images',
    });

    const rows = await scaling(clock);
    const base = rows[0];
    console.log(
      `\nPublish and promote per version as builds grow (AWS x64+arm64 in N regions, plus GCP); median of ${ROUNDS}\n`,
    );
    console.log(
      [
        'regions',
        'artifacts',
        'publish req',
        'publish ms',
        'vs 1',
        'assign req',
        'assign ms',
        'vs 1',
        'promote req',
        'promote ms',
        'vs 1',
      ]
        .map((h, i) => pad(h, i === 0 ? 7 : 12))
        .join(''),
    );
    for (const r of rows)
      console.log(
        [
          pad(r.regions, 7),
          pad(r.artifacts, 12),
          pad(r.publishRequests, 12),
          pad(r.publishMs.toFixed(1), 12),
          pad(`${(r.publishMs / base.publishMs).toFixed(2)}×`, 12),
          pad(r.assignRequests, 12),
          pad(r.assignMs.toFixed(1), 12),
          pad(`${(r.assignMs / base.assignMs).toFixed(2)}×`, 12),
          pad(r.promoteRequests, 12),
          pad(r.promoteMs.toFixed(1), 12),
          pad(`${(r.promoteMs / base.promoteMs).toFixed(2)}×`, 12),
        ].join(''),
      );
    const moved = rows.filter(
      (r) => r.assignRequests !== base.assignRequests || r.promoteRequests !== base.promoteRequests,
    );
    console.log(
      `\nAssigning a version: ${base.assignRequests} registry call; promoting with a soak: ${base.promoteRequests} (one soaked-version lookup, then that one assignment) — ${moved.length === 0 ? 'the same' : 'NOT the same'} for 1 to ${REGIONS[REGIONS.length - 1]} regions and ${base.artifacts} to ${rows[rows.length - 1].artifacts} artifacts.\nPublishing: bucket, version, one request per Packer build (3 here) and completion, whatever the regions.`,
    );
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(
      path.join(__dirname, 'results', 'pipeline.json'),
      `${JSON.stringify({ rows }, null, 2)}\n`,
    );
    if (moved.length > 0) process.exitCode = 1;
  } finally {
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
