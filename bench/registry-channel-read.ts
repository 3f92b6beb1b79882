/**
 * Benchmark of the registry's hot path (`npm run bench:registry`), from one run:
 *
 * 1. The channel read
 *      GET /packer/2023-01-01/organizations/{org}/projects/{project}/buckets/{bucket}/channels/{channel}
 *    at 1, 8 and 64 keep-alive connections (BENCH_CONNECTIONS) for BENCH_DURATION seconds,
 *    on SQLite and on PostgreSQL, in BENCH_ROUNDS turns alternating with a bare
 *    `node:http` server answering with the very same bytes (the floor for Node's HTTP
 *    stack on this machine), and the ratio; plus the conditional read (If-None-Match →
 *    304) a poller makes.
 * 2. Writes: Packer-shaped publishes and channel moves per second, BENCH_WRITERS
 *    concurrent clients (bench/lib/write-load.ts).
 * 3. The bucket list with one page of buckets vs BENCH_LIST_BUCKETS buckets.
 * 4. Scale: p50 of the channel read when the bucket holds 10 versions vs 100,000.
 *
 * Every server runs compiled, in its own child process (bench/registry-server.ts, logging
 * as production does into a file; bench/bare-server.ts), loaded by wrk (one thread, as
 * the issue measured; scripts/ensure-wrk.sh installs it). Figures are printed and written
 * to bench/results/registry-channel-read.json; nothing fails on them.
 * bench/README.md has the findings and recorded runs.
 *
 * Environment:
 *   BENCH_DURATION=10          seconds per measured run
 *   BENCH_CONNECTIONS=1,8,64   connection counts of the channel read
 *   BENCH_WARMUP=2             seconds of unmeasured load before each run (0: none)
 *   BENCH_ROUNDS=5             alternating turns a comparison's BENCH_DURATION is cut into
 *   BENCH_ENGINES=sqlite,postgres
 *   BENCH_WRITERS=8            concurrent writers; BENCH_WRITE_SECONDS=5 (0 skips writes)
 *   BENCH_LIST_BUCKETS=1000    buckets of the bucket-list measurement (0 skips it)
 *   BENCH_SCALE_VERSIONS=100000  versions in the big bucket (0 skips the scale part)
 *   BENCH_SCALE_ENGINES=sqlite,postgres
 *   BENCH_POSTGRES_URL         server to create throw-away databases on (default
 *                              INGOT_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_CPU_PROF=1           run registry servers with --cpu-prof (profiles land in
 *                              bench/results/profiles/; summarize with bench/cpu-profile-summary.ts)
 *   BENCH_TRACE_GC=1           run registry servers with --trace-gc and count pauses
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postgresPoolSize } from '../src/registry/storage/postgres';
import type { Engine } from '../src/registry/storage/database';
import { measureBucketList, type BucketListStats } from './lib/bucket-list';
import { releaseAll, spawnServer, track, type Child } from './lib/children';
import { load, loadAlternating, type LoadStats, type Target } from './lib/load';
import {
  fetchChannel,
  postgresReachable,
  queriesPerRead,
  startRegistryUnderTest,
} from './lib/registry-fixture';
import {
  AIM,
  CHANNEL_PATH,
  CONNECTIONS,
  CPU_PROF,
  DURATION,
  ENGINES,
  LIST_BUCKETS,
  POSTGRES_URL,
  PROFILE_DIR,
  RESULTS_DIR,
  RESULTS_FILE,
  ROUNDS,
  SCALE_ENGINES,
  SCALE_VERSIONS,
  SMALL_VERSIONS,
  WARMUP,
  WRITE_SECONDS,
  WRITERS,
} from './lib/settings';
import { measureWrites, type WriteStats } from './lib/write-load';

// Output

interface Row {
  name: string;
  connections: number;
  stats: LoadStats;
  /** The bare server, measured in turns alternating with this row's. */
  baseline?: LoadStats;
}

function fmt(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function problems(stats: LoadStats): string {
  const issues: string[] = [];
  if (stats.failed) issues.push(`${stats.failed} failed`);
  if (stats.errors) issues.push(`${stats.errors} errors`);
  if (stats.timeouts) issues.push(`${stats.timeouts} timeouts`);
  return issues.join(', ');
}

// Main

/** Connections the scale and bucket-list comparisons run at (p50 there is per request). */
const COMPARE_CONNECTIONS = 8;

async function main(): Promise<void> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bench-'));
  track(`temp dir ${tmpDir}`, async () => fs.rmSync(tmpDir, { recursive: true, force: true }));
  if (CPU_PROF) fs.mkdirSync(PROFILE_DIR, { recursive: true });

  const cpus = os.cpus();
  const loadAtStart = os.loadavg();
  console.log(
    `Ingot registry benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ` +
      `${CONNECTIONS.join('/')} connections, ${DURATION} s per run (+${WARMUP} s warm-up), ` +
      `PostgreSQL pool ${postgresPoolSize()}, load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  );

  let engines = ENGINES;
  let scaleEngines = SCALE_VERSIONS > 0 ? SCALE_ENGINES : [];
  const skipped: string[] = [];
  if ([...engines, ...scaleEngines].includes('postgres')) {
    const why = await postgresReachable();
    if (why) {
      const note = `PostgreSQL skipped: not reachable at ${POSTGRES_URL} (${why}); start it with scripts/ensure-postgres.sh`;
      console.log(note);
      skipped.push(note);
      engines = engines.filter((e) => e !== 'postgres');
      scaleEngines = scaleEngines.filter((e) => e !== 'postgres');
    }
  }

  // Part 1–3: channel reads vs bare node:http (same bytes, alternating turns), writes, bucket list.
  const rows: Row[] = [];
  const writes: { engine: Engine; stats: WriteStats }[] = [];
  const lists: { engine: Engine; stats: BucketListStats }[] = [];
  const queries: Record<string, string[]> = {};
  let fixture: { bytes: number; contentType: string; builds: number; artifacts: number } | null =
    null;
  let bare: Child<{ url: string }> | null = null;
  const most = Math.max(...CONNECTIONS);
  for (const engine of engines) {
    process.stdout.write(`\n[${engine}] starting registry, publishing fixture… `);
    const reg = await startRegistryUnderTest(engine, 1, tmpDir);
    try {
      const channel = await fetchChannel(reg);
      queries[engine] = await queriesPerRead(reg.databaseUrl);
      console.log(
        `${channel.body.length} bytes, ${channel.builds} builds, ${channel.artifacts} artifacts, ` +
          `${queries[engine].length} SQL queries per uncached read`,
      );
      if (!fixture || !bare) {
        fixture = {
          bytes: channel.body.length,
          contentType: channel.contentType,
          builds: channel.builds,
          artifacts: channel.artifacts,
        };
        const bodyFile = path.join(tmpDir, 'channel-body.json');
        fs.writeFileSync(bodyFile, channel.body);
        bare = await spawnServer<{ url: string }>('bare node:http server', 'bare-server', {
          BENCH_BODY_FILE: bodyFile,
          BENCH_CONTENT_TYPE: channel.contentType,
        });
      }
      const baseline: Target = { server: bare, url: `${bare.info.url}${CHANNEL_PATH}` };
      const url = `${reg.server.info.url}${CHANNEL_PATH}`;
      const auth = { authorization: `Bearer ${reg.token}` };
      const compare = async (name: string, connections: number, target: Target) => {
        process.stdout.write(`[${name}, ${connections} conn, alternating with bare node:http] `);
        const [base, stats] = await loadAlternating(connections, [baseline, target]);
        console.log(`${fmt(stats.rps, 0)} vs ${fmt(base.rps, 0)} req/s, p99 ${fmt(stats.p99)} ms`);
        rows.push({ name: `bare node:http (with ${name})`, connections, stats: base });
        rows.push({ name, connections, stats, baseline: base });
      };
      for (const connections of CONNECTIONS)
        await compare(`registry ${engine}`, connections, {
          server: reg.server,
          url,
          headers: auth,
        });
      await compare(`registry ${engine} (304)`, most, {
        server: reg.server,
        url,
        headers: { ...auth, 'if-none-match': channel.etag },
      });
      if (LIST_BUCKETS > 0) {
        process.stdout.write(`[${engine}] bucket list… `);
        const stats = await measureBucketList(reg, LIST_BUCKETS, COMPARE_CONNECTIONS);
        console.log(`p50 ${fmt(stats.small.p50)} / ${fmt(stats.large.p50)} ms`);
        lists.push({ engine, stats });
      }
      if (WRITE_SECONDS > 0) {
        process.stdout.write(`[${engine}] writes… `);
        const stats = await measureWrites(reg.server.info.url, reg.token, WRITERS, WRITE_SECONDS);
        console.log(
          `${fmt(stats.publishesPerSecond)} publishes/s, ${fmt(stats.movesPerSecond, 0)} moves/s`,
        );
        writes.push({ engine, stats });
      }
    } finally {
      await reg.release();
    }
  }
  await bare?.stop();

  // Part 4: 10 versions vs SCALE_VERSIONS versions in the bucket.
  const scale: {
    engine: Engine;
    small: LoadStats;
    large: LoadStats;
    seedSeconds: number;
    p50Ratio: number;
  }[] = [];
  for (const engine of scaleEngines) {
    const measured: LoadStats[] = [];
    let seedSeconds = 0;
    for (const versions of [SMALL_VERSIONS, SCALE_VERSIONS]) {
      process.stdout.write(`\n[${engine}, ${versions} versions] seeding… `);
      const reg = await startRegistryUnderTest(engine, versions, tmpDir);
      try {
        if (versions === SCALE_VERSIONS) seedSeconds = reg.seedSeconds;
        process.stdout.write(`${fmt(reg.seedSeconds, 1)} s; load… `);
        await fetchChannel(reg);
        const stats = await load(
          COMPARE_CONNECTIONS,
          reg.server,
          `${reg.server.info.url}${CHANNEL_PATH}`,
          {
            authorization: `Bearer ${reg.token}`,
          },
        );
        console.log(`${fmt(stats.rps, 0)} req/s, p50 ${fmt(stats.p50)} ms`);
        measured.push(stats);
      } finally {
        await reg.release();
      }
    }
    const [small, large] = measured;
    scale.push({ engine, small, large, seedSeconds, p50Ratio: large.p50 / small.p50 });
  }

  report({
    rows,
    writes,
    lists,
    scale,
    queries,
    fixture,
    skipped,
    engines,
    scaleEngines,
    loadAtStart,
  });
}

interface Report {
  rows: Row[];
  writes: { engine: Engine; stats: WriteStats }[];
  lists: { engine: Engine; stats: BucketListStats }[];
  scale: {
    engine: Engine;
    small: LoadStats;
    large: LoadStats;
    seedSeconds: number;
    p50Ratio: number;
  }[];
  queries: Record<string, string[]>;
  fixture: { bytes: number; contentType: string; builds: number; artifacts: number } | null;
  skipped: string[];
  engines: Engine[];
  scaleEngines: Engine[];
  loadAtStart: number[];
}

function report(r: Report): void {
  const cpus = os.cpus();
  console.log(
    `\nChannel read: GET ${CHANNEL_PATH}\n` +
      `${r.fixture ? `${r.fixture.bytes} bytes (${r.fixture.contentType}), ${r.fixture.builds} builds / ${r.fixture.artifacts} artifacts; ` : ''}` +
      `${DURATION} s per server and connection count, in ${ROUNDS} turns alternating with bare node:http; ` +
      'latencies in ms; ratios against the bare server of the same turns\n',
  );
  console.log(
    table(
      [
        'server',
        'conns',
        'req/s',
        'p50',
        'p90',
        'p99',
        'max',
        'req/s ÷ bare',
        'server CPU µs/req',
        'loop delay p99',
        'other cores',
        'load avg',
        'notes',
      ],
      r.rows.map(({ name, connections, stats, baseline }) => {
        return [
          name,
          String(connections),
          fmt(stats.rps, 0),
          fmt(stats.p50),
          fmt(stats.p90),
          fmt(stats.p99),
          fmt(stats.max),
          baseline ? fmt(stats.rps / baseline.rps) : '—',
          fmt(stats.serverCpuUsPerRequest, 0),
          stats.eventLoopDelay ? fmt(stats.eventLoopDelay.p99) : '—',
          stats.otherCpuLoad === null ? '—' : fmt(stats.otherCpuLoad),
          fmt(stats.loadAverage),
          problems(stats),
        ];
      }),
    ),
  );
  console.log(
    "\nserver CPU µs/req: CPU time of the server's Node process per response (PostgreSQL's own not included);\n" +
      "loop delay p99: the server's event-loop delay (perf_hooks.monitorEventLoopDelay) during the run;\n" +
      'other cores: CPU used during the run by everything except the server and the load generator\n' +
      '(PostgreSQL, other jobs on the machine); (304): the same read with a matching If-None-Match.',
  );
  const most = Math.max(...CONNECTIONS);
  for (const [engine, aim] of [
    ['sqlite', AIM.rpsRatio],
    ['postgres', AIM.postgresRpsRatio],
  ] as const) {
    const row = r.rows.find((x) => x.name === `registry ${engine}` && x.connections === most);
    if (!row?.baseline) continue;
    const ratio = row.stats.rps / row.baseline.rps;
    console.log(
      `\nAim (${engine}, ${most} connections): req/s ratio ≥ ${aim} → ${fmt(ratio)} ${ratio >= aim ? 'met' : 'MISSED'}` +
        (engine === 'sqlite'
          ? `; p99 ≤ ${AIM.p99Ms} ms → ${fmt(row.stats.p99)} ms ${row.stats.p99 <= AIM.p99Ms ? 'met' : 'MISSED'}`
          : ''),
    );
  }
  for (const [engine, list] of Object.entries(r.queries)) {
    console.log(`SQL per uncached channel read (${engine}): ${list.length}`);
    for (const sql of list) console.log(`  ${sql.length > 150 ? `${sql.slice(0, 147)}...` : sql}`);
  }

  if (r.writes.length > 0) {
    console.log(
      `\nWrites: ${WRITERS} concurrent clients, ${WRITE_SECONDS} s each; a publish is the 19-call Packer sequence (bench/lib/packer-sequence.ts)\n`,
    );
    console.log(
      table(
        ['engine', 'publishes/s', 'publish calls/s', 'channel moves/s', 'failures'],
        r.writes.map(({ engine, stats }) => [
          engine,
          fmt(stats.publishesPerSecond),
          fmt(stats.publishCallsPerSecond, 0),
          fmt(stats.movesPerSecond, 0),
          String(stats.failures),
        ]),
      ),
    );
  }

  if (r.lists.length > 0) {
    console.log(`\nBucket list (one page of 100), ${COMPARE_CONNECTIONS} connections\n`);
    console.log(
      table(
        ['engine', 'buckets', 'req/s', 'p50', 'p99', 'buckets', 'req/s', 'p50', 'p99', 'p50 ratio'],
        r.lists.map(({ engine, stats }) => [
          engine,
          String(stats.smallBuckets),
          fmt(stats.small.rps, 0),
          fmt(stats.small.p50),
          fmt(stats.small.p99),
          String(stats.largeBuckets),
          fmt(stats.large.rps, 0),
          fmt(stats.large.p50),
          fmt(stats.large.p99),
          fmt(stats.large.p50 / stats.small.p50),
        ]),
      ),
    );
  }

  if (r.scale.length > 0) {
    console.log(
      `\nScale: channel read with ${SMALL_VERSIONS} vs ${SCALE_VERSIONS} versions in the bucket, ` +
        `${COMPARE_CONNECTIONS} connections (aim: p50 within ${AIM.scaleRatio}×)\n`,
    );
    console.log(
      table(
        [
          'engine',
          `req/s @${SMALL_VERSIONS}`,
          `p50 @${SMALL_VERSIONS}`,
          `req/s @${SCALE_VERSIONS}`,
          `p50 @${SCALE_VERSIONS}`,
          'p50 ratio',
          'aim',
          'seed s',
        ],
        r.scale.map((x) => [
          x.engine,
          fmt(x.small.rps, 0),
          fmt(x.small.p50),
          fmt(x.large.rps, 0),
          fmt(x.large.p50),
          fmt(x.p50Ratio),
          x.p50Ratio <= AIM.scaleRatio ? 'met' : 'MISSED',
          fmt(x.seedSeconds, 1),
        ]),
      ),
    );
  }

  const loadAtEnd = os.loadavg();
  console.log(
    `\nLoad average at start ${r.loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')} ` +
      `(${cpus.length} cores): above ${cpus.length} other work competed for the CPU and throughput and tails are noisy; CPU µs/req less so.`,
  );

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const output = {
    benchmark: 'registry-channel-read',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    loadAverage: { start: r.loadAtStart, end: loadAtEnd },
    settings: {
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      rounds: ROUNDS,
      loadGenerator: 'wrk -t1',
      engines: r.engines,
      postgresPoolSize: postgresPoolSize(),
      writers: WRITERS,
      writeSeconds: WRITE_SECONDS,
      listBuckets: LIST_BUCKETS,
      scaleVersions: SCALE_VERSIONS,
      scaleEngines: r.scaleEngines,
    },
    skipped: r.skipped,
    path: CHANNEL_PATH,
    fixture: r.fixture,
    aims: AIM,
    runs: r.rows.map(({ name, connections, stats, baseline }) => ({
      server: name,
      connections,
      ...stats,
      rpsRatio: baseline ? stats.rps / baseline.rps : null,
    })),
    queriesPerRead: r.queries,
    writes: r.writes,
    bucketList: r.lists,
    scale: r.scale.map((x) => ({
      engine: x.engine,
      smallVersions: SMALL_VERSIONS,
      largeVersions: SCALE_VERSIONS,
      small: x.small,
      large: x.large,
      p50Ratio: x.p50Ratio,
      seedSeconds: x.seedSeconds,
    })),
  };
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nResults written to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: cleaning up…`);
    releaseAll().finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    console.error('\nbenchmark failed:', error);
    process.exitCode = 1;
  })
  .finally(() => releaseAll());
