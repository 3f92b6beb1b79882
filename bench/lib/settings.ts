/** Settings of bench/registry-channel-read.ts, from the environment (see its header). */
import path from 'node:path';
import type { Engine } from '../../src/registry/storage/database';

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}="${raw}" is not a number`);
  return value;
}

export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((v) => Math.round(Number(v.trim())));
  if (values.some((v) => !Number.isFinite(v) || v < 1))
    throw new Error(`${name}="${raw}" is not a list of positive numbers`);
  return values;
}

export function envEngines(name: string, fallback: Engine[]): Engine[] {
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

export const DURATION = envNumber('BENCH_DURATION', 10);
/** Connection counts each channel read is measured at. */
export const CONNECTIONS = envList('BENCH_CONNECTIONS', [1, 8, 64]);
/** Concurrent writers and seconds per write measurement (0 seconds skips writes). */
export const WRITERS = Math.max(1, Math.round(envNumber('BENCH_WRITERS', 8)));
export const WRITE_SECONDS = envNumber('BENCH_WRITE_SECONDS', 5);
/** Buckets in the big project of the bucket-list measurement (0 skips it). */
export const LIST_BUCKETS = Math.round(envNumber('BENCH_LIST_BUCKETS', 1000));
export const WARMUP = envNumber('BENCH_WARMUP', Math.min(2, DURATION));
/** Turns a comparison's DURATION is cut into, alternating between the servers compared. */
export const ROUNDS = Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 5)));
export const ENGINES = envEngines('BENCH_ENGINES', ['sqlite', 'postgres']);
export const SCALE_VERSIONS = Math.round(envNumber('BENCH_SCALE_VERSIONS', 100_000));
export const SCALE_ENGINES = envEngines('BENCH_SCALE_ENGINES', ['sqlite', 'postgres']);
export const SMALL_VERSIONS = 10;
export const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.INGOT_TEST_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
export const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
export const TRACE_GC = process.env.BENCH_TRACE_GC === '1';

/** Aims from the issue; reported, never enforced. */
export const AIM = { rpsRatio: 0.6, postgresRpsRatio: 0.5, p99Ms: 10, scaleRatio: 1.3 };

export const ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
export const RESULTS_FILE = path.join(RESULTS_DIR, 'registry-channel-read.json');
export const PROFILE_DIR = path.join(RESULTS_DIR, 'profiles');
/** Where the servers under test are compiled to (bench/tsconfig.servers.json). */
export const BUILD_DIR = path.join(RESULTS_DIR, 'build');

export const ORG = 'bench-org';
export const PROJECT = 'bench-project';
export const BUCKET = 'runner-ubuntu';
export const CHANNEL = 'prod';
export const PACKER = `/packer/2023-01-01/organizations/${ORG}/projects/${PROJECT}`;
export const CHANNEL_PATH = `${PACKER}/buckets/${BUCKET}/channels/${CHANNEL}`;

export const AWS_REGIONS = [
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
export const GCP_REGIONS = ['us-central1', 'europe-west4'];
