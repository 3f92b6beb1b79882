/**
 * Benchmark of the registry's hot read path, the channel read
 *   GET /packer/2023-01-01/organizations/{org}/projects/{project}/buckets/{bucket}/channels/{channel}
 * (`npm run bench:registry`).
 *
 * 1. Throughput and latency at BENCH_CONNECTIONS keep-alive connections for BENCH_DURATION
 *    seconds, on SQLite and on PostgreSQL, next to a bare `node:http` server answering
 *    with the very same bytes: the floor for Node's HTTP stack on this machine.
 * 2. Scale: p50 of the same read when the bucket holds 10 versions vs 100,000.
 *
 * Every server runs in its own child process (bench/registry-server.ts,
 * bench/bare-server.ts), so the load generator (autocannon, in this process) never shares
 * an event loop with the server it measures. Figures are printed and written to
 * bench/results/registry-channel-read.json; nothing fails on them.
 *
 * Environment:
 *   BENCH_DURATION=10          seconds per measured run
 *   BENCH_CONNECTIONS=64       concurrent keep-alive connections
 *   BENCH_WARMUP=2             seconds of unmeasured load before each run (0: none)
 *   BENCH_ENGINES=sqlite,postgres
 *   BENCH_SCALE_VERSIONS=100000  versions in the big bucket (0 skips the scale part)
 *   BENCH_SCALE_ENGINES=sqlite,postgres
 *   BENCH_POSTGRES_URL         server to create throw-away databases on (default
 *                              INGOT_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_CPU_PROF=1           run registry servers with --cpu-prof (profiles land in
 *                              bench/results/profiles/)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { systemClock } from '../src/registry/clock';
import { Registry } from '../src/registry/registry';
import { openDatabase, type Engine, type SqlParam } from '../src/registry/storage/database';
import { migrate } from '../src/registry/storage/migrations';
import { newId } from '../src/registry/ids';
import type { RegistryServerInfo } from './registry-server';

// Settings

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}="${raw}" is not a number`);
  return value;
}

function envEngines(name: string, fallback: Engine[]): Engine[] {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const engines = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const e of engines) {
    if (e !== 'sqlite' && e !== 'postgres') throw new Error(`${name}: unknown engine "${e}"`);
  }
  return engines as Engine[];
}

const DURATION = envNumber('BENCH_DURATION', 10);
const CONNECTIONS = Math.max(1, Math.round(envNumber('BENCH_CONNECTIONS', 64)));
const WARMUP = envNumber('BENCH_WARMUP', Math.min(2, DURATION));
const ENGINES = envEngines('BENCH_ENGINES', ['sqlite', 'postgres']);
const SCALE_VERSIONS = Math.round(envNumber('BENCH_SCALE_VERSIONS', 100_000));
const SCALE_ENGINES = envEngines('BENCH_SCALE_ENGINES', ['sqlite', 'postgres']);
const SMALL_VERSIONS = 10;
const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.INGOT_TEST_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const TRACE_GC = process.env.BENCH_TRACE_GC === '1';

/** Aims from the issue; reported, never enforced. */
const AIM = { rpsRatio: 0.6, p99Ms: 10, scaleRatio: 1.3 };

const ROOT = path.resolve(__dirname, '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const RESULTS_FILE = path.join(RESULTS_DIR, 'registry-channel-read.json');
const PROFILE_DIR = path.join(RESULTS_DIR, 'profiles');

const ORG = 'bench-org';
const PROJECT = 'bench-project';
const BUCKET = 'runner-ubuntu';
const CHANNEL = 'prod';
const PACKER = `/packer/2023-01-01/organizations/${ORG}/projects/${PROJECT}`;
const CHANNEL_PATH = `${PACKER}/buckets/${BUCKET}/channels/${CHANNEL}`;

const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-central-1',
  'eu-north-1',
  'ap-southeast-1',
  'ap-northeast-1',
];
const GCP_REGIONS = ['us-central1', 'europe-west4'];

// Cleanup: everything started or created is registered here and released even on failure.

interface Tracked {
  name: string;
  release: () => Promise<void>;
}
const live = new Set<Tracked>();

/** Registers a cleanup; the returned function runs it once (and unregisters it). */
function track(name: string, release: () => Promise<void>): () => Promise<void> {
  const entry: Tracked = { name, release };
  live.add(entry);
  return async () => {
    if (!live.delete(entry)) return;
    await release();
  };
}

async function releaseAll(): Promise<void> {
  for (const entry of [...live].reverse()) {
    live.delete(entry);
    try {
      await entry.release();
    } catch (error) {
      console.error(`cleanup of ${entry.name} failed:`, error);
    }
  }
}

// Child processes

/** What a child reports on a `cpu` line (the bare server has no event-loop monitor). */
interface Usage {
  /** CPU time (user + system, µs) the child has used so far. */
  cpu: number;
  /** Event-loop delay percentiles (ms) since the previous report. */
  eventLoopDelay?: { p50: number; p99: number; max: number };
  /** Garbage collections so far (with BENCH_TRACE_GC=1), and their total and longest pause. */
  gc: { count: number; pauseMs: number; maxPauseMs: number };
}

interface Child<T> {
  info: T;
  process: ChildProcess;
  usage: () => Promise<Usage>;
  stop: () => Promise<void>;
}

/** `--trace-gc` lines: `… ms: Scavenge 10.2 (12.3) -> 9.8 (13.3) MB, 0.52 / 0.00 ms …`. */
const GC_LINE = /: (Scavenge|Mark-Compact|Mark-Sweep|Minor Mark-Sweep)\b.*?MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

/** Starts a bench server script in its own Node process; resolves with its first stdout line. */
async function spawnServer<T>(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Child<T>> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '-r', require.resolve('ts-node/register/transpile-only'), script],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = track(`${name} (pid ${child.pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });
  // Every stdout line answers the oldest waiter: first the ready line, then `cpu` requests.
  const waiters: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let exit: string | null = null;
  const nextLine = (timeoutMs: number, what: string): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      if (exit) return reject(new Error(`${name} ${exit}`));
      const timer = setTimeout(
        () => reject(new Error(`${name}: no ${what} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const gc = { count: 0, pauseMs: 0, maxPauseMs: 0 };
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('{')) return waiters.shift()?.resolve(line);
    const collection = GC_LINE.exec(line);
    if (!collection) return;
    const pause = Number(collection[2]);
    gc.count++;
    gc.pauseMs += pause;
    gc.maxPauseMs = Math.max(gc.maxPauseMs, pause);
  });
  child.once('exit', (code, signal) => {
    exit = `exited (${signal ?? `code ${code}`})`;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${name} ${exit}`));
  });
  const parse = <R>(line: string): R => {
    try {
      return JSON.parse(line) as R;
    } catch {
      throw new Error(`${name} printed something that is not JSON: ${line}`);
    }
  };
  try {
    const info = parse<T>(await nextLine(60_000, 'ready line'));
    const usage = async (): Promise<Usage> => {
      const answer = nextLine(10_000, 'cpu answer');
      child.stdin?.write('cpu\n');
      const { cpu, eventLoopDelay } = parse<{
        cpu: { user: number; system: number };
        eventLoopDelay?: Usage['eventLoopDelay'];
      }>(await answer);
      return { cpu: cpu.user + cpu.system, eventLoopDelay, gc: { ...gc } };
    };
    return { info, process: child, usage, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// Databases

interface BenchDatabase {
  url: string;
  drop: () => Promise<void>;
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(engine: Engine, tmpDir: string): Promise<BenchDatabase> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(tmpDir, 'sqlite-'));
    const drop = track(`SQLite files in ${dir}`, async () =>
      fs.rmSync(dir, { recursive: true, force: true }),
    );
    return { url: path.join(dir, 'registry.db'), drop };
  }
  const name = `ingot_bench_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const drop = track(`PostgreSQL database ${name}`, async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  });
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop };
}

/**
 * Migrates the database and creates the bucket (through the service, so it has its
 * managed `latest` channel) with `fillers` complete versions without builds, inserted
 * straight into the table in one transaction with multi-row INSERTs. The server is not
 * running yet. Returns the seconds the inserts took.
 */
async function seedDatabase(url: string, fillers: number): Promise<number> {
  const db = await openDatabase(url);
  try {
    await migrate(db);
    const registry = new Registry(db, systemClock);
    const bucket = (
      await registry.buckets.create(
        { organizationId: ORG, projectId: PROJECT },
        { principalId: 'bench-setup' },
        { name: BUCKET, description: 'Ubuntu 24.04 CI runner images', labels: { os: 'ubuntu' } },
      )
    ).bucket;
    if (fillers === 0) return 0;
    const started = performance.now();
    const batch = 1000;
    const t0 = Date.now() - fillers * 60_000;
    await db.transaction(async (tx) => {
      for (let from = 0; from < fillers; from += batch) {
        const count = Math.min(batch, fillers - from);
        const params: SqlParam[] = [bucket.id, 'bench-setup'];
        const rows: string[] = [];
        for (let i = 0; i < count; i++) {
          const seq = from + i + 1;
          const at = new Date(t0 + seq * 60_000).toISOString();
          const p = params.length;
          params.push(newId(), `filler-${String(seq).padStart(7, '0')}`, seq, at);
          rows.push(`($${p + 1}, $1, $${p + 2}, $${p + 3}, 'HCL2', $2, 1, $${p + 4}, $${p + 4})`);
        }
        await tx.query(
          `INSERT INTO versions (id, bucket_id, fingerprint, name_seq, template_type, author_id, complete, created_at, updated_at)
           VALUES ${rows.join(', ')}`,
          params,
        );
      }
      await tx.query('UPDATE buckets SET version_seq = $2 WHERE id = $1', [bucket.id, fillers]);
    });
    // A real table this size would have been analyzed by autovacuum long ago.
    if (db.engine === 'postgres') await db.reader.query('ANALYZE');
    return (performance.now() - started) / 1000;
  } finally {
    await db.close();
  }
}

// The registry under test

interface RegistryUnderTest {
  engine: Engine;
  databaseUrl: string;
  server: Child<RegistryServerInfo>;
  token: string;
  release: () => Promise<void>;
}

async function call(
  base: string,
  token: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

function imageId(platform: string, fingerprint: string, region: string): string {
  const hash = crypto.createHash('sha256').update(`${fingerprint}/${region}`).digest('hex');
  return platform === 'gcp'
    ? `projects/ingot-images/global/images/runner-ubuntu-2404-${hash.slice(0, 12)}`
    : `ami-${hash.slice(0, 17)}`;
}

/** Publishes the channel's version through the API, as Packer would, and creates `prod`. */
async function publishFixture(base: string, token: string): Promise<void> {
  const fingerprint = crypto.randomBytes(20).toString('hex');
  const versions = `${PACKER}/buckets/${BUCKET}/versions`;
  await call(base, token, 'POST', versions, { fingerprint, template_type: 'HCL2' });
  const labels = { os: 'ubuntu', os_version: '24.04', arch: 'x86_64', team: 'platform' };
  const builds = [
    {
      platform: 'aws',
      component_type: 'amazon-ebs.runner',
      source_external_identifier: 'ami-0e2c8caa4b6378d8c',
      regions: AWS_REGIONS,
    },
    {
      platform: 'gcp',
      component_type: 'googlecompute.runner',
      source_external_identifier: 'projects/ubuntu-os-cloud/global/images/ubuntu-2404-noble-v2025',
      regions: GCP_REGIONS,
    },
  ];
  for (const b of builds) {
    await call(base, token, 'POST', `${versions}/${fingerprint}/builds`, {
      platform: b.platform,
      component_type: b.component_type,
      packer_run_uuid: crypto.randomUUID(),
      source_external_identifier: b.source_external_identifier,
      status: 'BUILD_DONE',
      labels,
      artifacts: b.regions.map((region) => ({
        external_identifier: imageId(b.platform, fingerprint, region),
        region,
      })),
    });
  }
  await call(base, token, 'PATCH', `${versions}/${fingerprint}`, { complete: true });
  await call(base, token, 'POST', `${PACKER}/buckets/${BUCKET}/channels`, {
    name: CHANNEL,
    version_fingerprint: fingerprint,
  });
}

/** Creates and seeds a database, starts a registry process on it, publishes the fixture. */
async function startRegistryUnderTest(
  engine: Engine,
  versions: number,
  tmpDir: string,
): Promise<RegistryUnderTest & { seedSeconds: number }> {
  const db = await createDatabase(engine, tmpDir);
  try {
    // The channel's version is published through the API; the rest are fillers.
    const seedSeconds = await seedDatabase(db.url, versions - 1);
    const credentialsFile = path.join(
      fs.mkdtempSync(path.join(tmpDir, 'creds-')),
      'admin-credentials.json',
    );
    const nodeArgs = [
      ...(CPU_PROF
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${PROFILE_DIR}`,
            `--cpu-prof-name=registry-${engine}-${versions}-${Date.now()}.cpuprofile`,
          ]
        : []),
      ...(TRACE_GC ? ['--trace-gc'] : []),
    ];
    const server = await spawnServer<RegistryServerInfo>(
      `registry server (${engine})`,
      path.join(__dirname, 'registry-server.ts'),
      {
        BENCH_DATABASE_URL: db.url,
        BENCH_CREDENTIALS_FILE: credentialsFile,
        BENCH_LOG_FILE: path.join(path.dirname(credentialsFile), 'registry.log'),
      },
      nodeArgs,
    );
    try {
      const res = await fetch(`${server.info.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: server.info.clientId,
          client_secret: server.info.clientSecret,
        }),
      });
      if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
      const token = ((await res.json()) as { access_token: string }).access_token;
      await publishFixture(server.info.url, token);
      return {
        engine,
        databaseUrl: db.url,
        server,
        token,
        seedSeconds,
        release: async () => {
          await server.stop();
          await db.drop();
        },
      };
    } catch (error) {
      await server.stop();
      throw error;
    }
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** The channel read's response, fetched once: the bytes the bare server will serve. */
async function fetchChannel(
  reg: RegistryUnderTest,
): Promise<{ body: Buffer; contentType: string; builds: number; artifacts: number }> {
  const res = await fetch(`${reg.server.info.url}${CHANNEL_PATH}`, {
    headers: { authorization: `Bearer ${reg.token}` },
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`channel read → ${res.status}: ${body.toString()}`);
  const parsed = JSON.parse(body.toString()) as {
    channel: { version?: { builds: { artifacts: unknown[] }[] } };
  };
  const builds = parsed.channel.version?.builds ?? [];
  if (builds.length !== 2) throw new Error(`expected 2 builds on ${CHANNEL}, got ${builds.length}`);
  return {
    body,
    contentType: res.headers.get('content-type') ?? 'application/json',
    builds: builds.length,
    artifacts: builds.reduce((n, b) => n + b.artifacts.length, 0),
  };
}

/** SQL statements one channel read runs (after a first, warming read), counted in-process. */
async function queriesPerRead(databaseUrl: string): Promise<string[]> {
  const db = await openDatabase(databaseUrl);
  try {
    const reader = db.reader;
    const original = reader.query.bind(reader);
    const seen: string[] = [];
    reader.query = <T>(sql: string, params?: readonly SqlParam[]) => {
      seen.push(sql.replace(/\s+/g, ' ').trim());
      return original<T>(sql, params);
    };
    const registry = new Registry(db, systemClock);
    const scope = { organizationId: ORG, projectId: PROJECT };
    await registry.channels.get(scope, BUCKET, CHANNEL);
    seen.length = 0;
    await registry.channels.get(scope, BUCKET, CHANNEL);
    return seen;
  } finally {
    await db.close();
  }
}

// Load

interface LoadStats {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
  /** CPU time of the server's Node process per response (µs); PostgreSQL's own is not in it. */
  serverCpuUsPerRequest: number;
  /** Server process CPU time ÷ wall time during the run (1 = one core busy). */
  serverCpuLoad: number;
  /**
   * CPU (in cores) used during the run by everything but the load generator and the
   * server's Node process: PostgreSQL, and whatever else shares the machine. Linux only.
   */
  otherCpuLoad: number | null;
  /** 1-minute load average of the machine before the warm-up. */
  loadAverage: number;
  /** The server's event-loop delay during the run (ms), or null for the bare server. */
  eventLoopDelay: { p50: number; p99: number; max: number } | null;
  /** Garbage collections during the run (counted with BENCH_TRACE_GC=1). */
  gc: { count: number; pauseMs: number; maxPauseMs: number };
}

/** CPU seconds the whole machine has spent busy (from /proc/stat), or null off Linux. */
function machineBusySeconds(): number | null {
  try {
    const fields = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal …, in USER_HZ (100 per second).
    const [user, nice, system, , , irq, softirq] = fields;
    return (user + nice + system + irq + softirq) / 100;
  } catch {
    return null;
  }
}

function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Latencies (ms, full resolution: autocannon's own histogram keeps whole milliseconds). */
class Samples {
  private data = new Float64Array(1 << 16);
  private size = 0;

  add(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = value;
  }

  percentiles(qs: number[]): number[] {
    const sorted = this.data.slice(0, this.size).sort();
    if (sorted.length === 0) return qs.map(() => NaN);
    return qs.map(
      (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))],
    );
  }
}

function cannon(
  url: string,
  headers: Record<string, string>,
  duration: number,
  samples?: Samples,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration, headers, pipelining: 1 },
      (error: unknown, result) => (error ? reject(error) : resolve(result)),
    );
    if (samples) {
      instance.on('response', (_client, status, _bytes, time) => {
        if (status >= 200 && status < 300) samples.add(time);
      });
    }
  });
}

async function load(
  server: Child<unknown>,
  url: string,
  headers: Record<string, string> = {},
): Promise<LoadStats> {
  const loadAverage = os.loadavg()[0];
  if (WARMUP > 0) await cannon(url, headers, WARMUP);
  const samples = new Samples();
  const before = await server.usage();
  const ownBefore = ownCpuSeconds();
  const machineBefore = machineBusySeconds();
  const result = await cannon(url, headers, DURATION, samples);
  const machineAfter = machineBusySeconds();
  const ownUsed = ownCpuSeconds() - ownBefore;
  const after = await server.usage();
  const cpuUsed = after.cpu - before.cpu;
  const otherCpuLoad =
    machineBefore === null || machineAfter === null
      ? null
      : Math.max(0, machineAfter - machineBefore - ownUsed - cpuUsed / 1e6) / result.duration;
  const [p50, p90, p99, max] = samples.percentiles([0.5, 0.9, 0.99, 1]);
  const ok = result['2xx'];
  return {
    rps: result.requests.average,
    p50,
    p90,
    p99,
    max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: ok > 0 ? Math.round(result.throughput.total / ok) : 0,
    serverCpuUsPerRequest: result.requests.total > 0 ? cpuUsed / result.requests.total : NaN,
    serverCpuLoad: cpuUsed / 1e6 / result.duration,
    otherCpuLoad,
    loadAverage,
    eventLoopDelay: after.eventLoopDelay ?? null,
    gc: {
      count: after.gc.count - before.gc.count,
      pauseMs: after.gc.pauseMs - before.gc.pauseMs,
      maxPauseMs: after.gc.maxPauseMs,
    },
  };
}

// Output

interface Row {
  name: string;
  stats: LoadStats;
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
  if (stats.non2xx) issues.push(`${stats.non2xx} non-2xx`);
  if (stats.errors) issues.push(`${stats.errors} errors`);
  if (stats.timeouts) issues.push(`${stats.timeouts} timeouts`);
  return issues.join(', ');
}

// Main

async function main(): Promise<void> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bench-'));
  track(`temp dir ${tmpDir}`, async () => fs.rmSync(tmpDir, { recursive: true, force: true }));
  if (CPU_PROF) fs.mkdirSync(PROFILE_DIR, { recursive: true });

  const cpus = os.cpus();
  console.log(
    `Ingot channel-read benchmark: node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ` +
      `${CONNECTIONS} connections, ${DURATION} s per run (+${WARMUP} s warm-up), ` +
      `load average ${os.loadavg()[0].toFixed(2)}`,
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

  // Part 1: registry vs bare node:http, same bytes.
  const rows: Row[] = [];
  const queries: Record<string, string[]> = {};
  let fixture: { bytes: number; contentType: string; builds: number; artifacts: number } | null =
    null;
  for (const engine of engines) {
    process.stdout.write(`\n[${engine}] starting registry, publishing fixture… `);
    const reg = await startRegistryUnderTest(engine, 1, tmpDir);
    try {
      const channel = await fetchChannel(reg);
      queries[engine] = await queriesPerRead(reg.databaseUrl);
      console.log(
        `${channel.body.length} bytes, ${channel.builds} builds, ${channel.artifacts} artifacts, ` +
          `${queries[engine].length} SQL queries per read`,
      );
      if (!fixture) {
        fixture = {
          bytes: channel.body.length,
          contentType: channel.contentType,
          builds: channel.builds,
          artifacts: channel.artifacts,
        };
        const bodyFile = path.join(tmpDir, 'channel-body.json');
        fs.writeFileSync(bodyFile, channel.body);
        const bare = await spawnServer<{ url: string }>(
          'bare node:http server',
          path.join(__dirname, 'bare-server.ts'),
          { BENCH_BODY_FILE: bodyFile, BENCH_CONTENT_TYPE: channel.contentType },
        );
        try {
          process.stdout.write(`[bare node:http] load… `);
          const stats = await load(bare, `${bare.info.url}${CHANNEL_PATH}`);
          console.log(`${fmt(stats.rps, 0)} req/s`);
          rows.push({ name: 'bare node:http', stats });
        } finally {
          await bare.stop();
        }
      }
      process.stdout.write(`[${engine}] load… `);
      const stats = await load(reg.server, `${reg.server.info.url}${CHANNEL_PATH}`, {
        authorization: `Bearer ${reg.token}`,
      });
      console.log(`${fmt(stats.rps, 0)} req/s`, JSON.stringify(stats));
      rows.push({ name: `registry ${engine}`, stats });
    } finally {
      await reg.release();
    }
  }

  // Part 2: 10 versions vs SCALE_VERSIONS versions in the bucket.
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
        const stats = await load(reg.server, `${reg.server.info.url}${CHANNEL_PATH}`, {
          authorization: `Bearer ${reg.token}`,
        });
        console.log(`${fmt(stats.rps, 0)} req/s, p50 ${fmt(stats.p50)} ms`);
        measured.push(stats);
      } finally {
        await reg.release();
      }
    }
    const [small, large] = measured;
    scale.push({ engine, small, large, seedSeconds, p50Ratio: large.p50 / small.p50 });
  }

  // Report
  const bare = rows.find((r) => r.name === 'bare node:http')?.stats;
  console.log(
    `\nChannel read: GET ${CHANNEL_PATH}\n` +
      `${fixture ? `${fixture.bytes} bytes (${fixture.contentType}), ${fixture.builds} builds / ${fixture.artifacts} artifacts; ` : ''}` +
      `${CONNECTIONS} connections × ${DURATION} s; latencies in ms\n`,
  );
  console.log(
    table(
      [
        'server',
        'req/s',
        'p50',
        'p90',
        'p99',
        'max',
        'req/s ÷ bare',
        'p50 ÷ bare',
        'server CPU µs/req',
        'server cores',
        'other cores',
        'notes',
      ],
      rows.map(({ name, stats }) => [
        name,
        fmt(stats.rps, 0),
        fmt(stats.p50),
        fmt(stats.p90),
        fmt(stats.p99),
        fmt(stats.max),
        bare ? fmt(stats.rps / bare.rps) : '—',
        bare ? fmt(stats.p50 / bare.p50) : '—',
        fmt(stats.serverCpuUsPerRequest, 0),
        fmt(stats.serverCpuLoad),
        stats.otherCpuLoad === null ? '—' : fmt(stats.otherCpuLoad),
        problems(stats),
      ]),
    ),
  );
  console.log(
    "\nserver CPU µs/req: CPU time of the server's Node process per response (PostgreSQL's own not included);\n" +
      'server cores / other cores: CPU used during the run by the server process / by everything except\n' +
      'it and the load generator (PostgreSQL, other jobs on the machine).',
  );
  const sqliteRow = rows.find((r) => r.name === 'registry sqlite')?.stats;
  if (sqliteRow && bare) {
    const ratio = sqliteRow.rps / bare.rps;
    console.log(
      `\nAim (SQLite): req/s ratio ≥ ${AIM.rpsRatio} → ${fmt(ratio)} ${ratio >= AIM.rpsRatio ? 'met' : 'MISSED'}; ` +
        `p99 ≤ ${AIM.p99Ms} ms → ${fmt(sqliteRow.p99)} ms ${sqliteRow.p99 <= AIM.p99Ms ? 'met' : 'MISSED'}`,
    );
  }
  for (const [engine, list] of Object.entries(queries)) {
    console.log(`SQL per channel read (${engine}): ${list.length}`);
    for (const sql of list) console.log(`  ${sql.length > 150 ? `${sql.slice(0, 147)}...` : sql}`);
  }

  if (scale.length > 0) {
    console.log(
      `\nScale: channel read with ${SMALL_VERSIONS} vs ${SCALE_VERSIONS} versions in the bucket ` +
        `(aim: p50 within ${AIM.scaleRatio}×)\n`,
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
          `CPU µs/req @${SMALL_VERSIONS}`,
          `CPU µs/req @${SCALE_VERSIONS}`,
          'other cores',
          'seed s',
        ],
        scale.map((s) => [
          s.engine,
          fmt(s.small.rps, 0),
          fmt(s.small.p50),
          fmt(s.large.rps, 0),
          fmt(s.large.p50),
          fmt(s.p50Ratio),
          s.p50Ratio <= AIM.scaleRatio ? 'met' : 'MISSED',
          fmt(s.small.serverCpuUsPerRequest, 0),
          fmt(s.large.serverCpuUsPerRequest, 0),
          `${s.small.otherCpuLoad === null ? '—' : fmt(s.small.otherCpuLoad)} / ${s.large.otherCpuLoad === null ? '—' : fmt(s.large.otherCpuLoad)}`,
          fmt(s.seedSeconds, 1),
        ]),
      ),
    );
  }

  const busy = [...rows.map((r) => r.stats), ...scale.flatMap((x) => [x.small, x.large])]
    .filter((x) => x.otherCpuLoad !== null && x.otherCpuLoad > 0.3)
    .map((x) => x.otherCpuLoad as number);
  if (busy.length > 0 && cpus.length <= 4) {
    console.log(
      `\nNote: other processes took up to ${fmt(Math.max(...busy))} of ${cpus.length} cores during some runs ` +
        '(PostgreSQL counts here too); throughput and latency are noisy, CPU µs/req less so.',
    );
  }

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const output = {
    benchmark: 'registry-channel-read',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    settings: {
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      engines,
      scaleVersions: SCALE_VERSIONS,
      scaleEngines,
    },
    skipped,
    path: CHANNEL_PATH,
    fixture,
    aims: AIM,
    runs: rows.map(({ name, stats }) => ({
      server: name,
      ...stats,
      rpsRatio: bare ? stats.rps / bare.rps : null,
      p50Ratio: bare ? stats.p50 / bare.p50 : null,
    })),
    queriesPerRead: queries,
    scale: scale.map((s) => ({
      engine: s.engine,
      smallVersions: SMALL_VERSIONS,
      largeVersions: SCALE_VERSIONS,
      small: s.small,
      large: s.large,
      p50Ratio: s.p50Ratio,
      seedSeconds: s.seedSeconds,
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
