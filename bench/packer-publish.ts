/**
 * One Packer-shaped publish, measured (`npm run bench:packer-publish`): the full call
 * sequence an unmodified `packer build` makes for a 3-build template (bench/lib/
 * packer-sequence.ts), on SQLite and PostgreSQL. Then the channel read consumers make right after the
 * publish (the first after the channel moved) against the same read repeated in the same
 * run (steady state). Prints calls, milliseconds and ratios; nothing fails on them.
 *
 * The registry runs in this process (startRegistry), so figures include the client's
 * share of the event loop; they are for comparing engines and reads, not absolute.
 *
 * Environment: BENCH_PUBLISHES=5 (fingerprints published per engine), BENCH_READS=200,
 * BENCH_ENGINES=sqlite,postgres, BENCH_POSTGRES_URL (default INGOT_TEST_POSTGRES_URL or
 * postgres://postgres@127.0.0.1:5432/test).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startRegistry } from '../src/registry/serve';
import type { Engine } from '../src/registry/storage/database';
import { packerPublish, preparePackerBucket } from './lib/packer-sequence';

const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 5);
const READS = Number(process.env.BENCH_READS ?? 200);
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',') as Engine[];
const PG_URL =
  process.env.BENCH_POSTGRES_URL ??
  process.env.INGOT_TEST_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/test';
const BASE = '/packer/2023-01-01/organizations/bench/projects/packer';
interface Result {
  engine: Engine;
  calls: number;
  publishMs: number;
  firstReadMs: number;
  steadyReadMs: number;
}

async function database(engine: Engine, dir: string) {
  if (engine === 'sqlite') return { url: path.join(dir, 'bench.db'), drop: async () => {} };
  const name = `ingot_bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function run(engine: Engine): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bench-'));
  const db = await database(engine, dir);
  const credentialsFile = path.join(dir, 'admin.json');
  const running = await startRegistry(
    { host: '127.0.0.1', port: 0, databaseUrl: db.url, credentialsFile, logLevel: 'silent' },
    { logger: false },
  );
  try {
    const creds = JSON.parse(fs.readFileSync(credentialsFile, 'utf8'));
    const tokenRes = await fetch(`${running.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: creds.client_id,
        client_secret: creds.client_secret,
      }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    let calls = 0;
    const send = async (method: string, url: string, body?: string) => {
      calls++;
      const res = await fetch(`${running.url}${BASE}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body,
      });
      return {
        status: res.status,
        body: (await res.json()) as { code?: number; build?: { id: string } },
      };
    };
    await preparePackerBucket(send, 'ubuntu', 'dev');
    const publish = (fp: string) => packerPublish(send, 'ubuntu', 'dev', fp);

    const read = async () => {
      const t = performance.now();
      const res = await fetch(`${running.url}${BASE}/buckets/ubuntu/channels/dev`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      return performance.now() - t;
    };

    let publishMs = 0;
    let firstReadMs = 0;
    let steadyReadMs = 0;
    let publishCalls = 0;
    for (let i = 0; i < PUBLISHES; i++) {
      const before = calls;
      const t = performance.now();
      await publish(`bench-${engine}-${i}`);
      publishMs += performance.now() - t;
      publishCalls = calls - before;
      firstReadMs += await read();
      let steady = 0;
      for (let j = 0; j < READS; j++) steady += await read();
      steadyReadMs += steady / READS;
    }
    return {
      engine,
      calls: publishCalls,
      publishMs: publishMs / PUBLISHES,
      firstReadMs: firstReadMs / PUBLISHES,
      steadyReadMs: steadyReadMs / PUBLISHES,
    };
  } finally {
    await running.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const engine of ENGINES) results.push(await run(engine));
  const f = (n: number) => n.toFixed(2);
  console.log(
    'engine    calls  publish ms  first read ms  steady read ms  publish/read  first/steady',
  );
  for (const r of results) {
    console.log(
      `${r.engine.padEnd(9)} ${String(r.calls).padStart(5)}  ${f(r.publishMs).padStart(10)}  ${f(r.firstReadMs).padStart(13)}  ${f(r.steadyReadMs).padStart(14)}  ${f(r.publishMs / r.steadyReadMs).padStart(12)}  ${f(r.firstReadMs / r.steadyReadMs).padStart(12)}`,
    );
  }
  const [a, b] = results;
  if (a && b) {
    console.log(
      `${b.engine}/${a.engine}: publish ×${f(b.publishMs / a.publishMs)}, steady read ×${f(b.steadyReadMs / a.steadyReadMs)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
