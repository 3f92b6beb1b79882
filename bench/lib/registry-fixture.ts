/** Databases and registries under test for bench/registry-channel-read.ts. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { systemClock } from '../../src/registry/clock';
import { newId } from '../../src/registry/ids';
import { Registry } from '../../src/registry/registry';
import { openDatabase, type Engine, type SqlParam } from '../../src/registry/storage/database';
import { migrate } from '../../src/registry/storage/migrations';
import type { RegistryServerInfo } from '../registry-server';
import { spawnServer, track, type Child } from './children';
import {
  AWS_REGIONS,
  BUCKET,
  CHANNEL,
  CHANNEL_PATH,
  CPU_PROF,
  GCP_REGIONS,
  ORG,
  PACKER,
  POSTGRES_URL,
  PROFILE_DIR,
  PROJECT,
  TRACE_GC,
} from './settings';

// Databases

export interface BenchDatabase {
  url: string;
  drop: () => Promise<void>;
}

export async function postgresReachable(): Promise<string | null> {
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

export async function createDatabase(engine: Engine, tmpDir: string): Promise<BenchDatabase> {
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
export async function seedDatabase(url: string, fillers: number): Promise<number> {
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

export interface RegistryUnderTest {
  engine: Engine;
  databaseUrl: string;
  server: Child<RegistryServerInfo>;
  token: string;
  release: () => Promise<void>;
}

export async function call(
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

export function imageId(platform: string, fingerprint: string, region: string): string {
  const hash = crypto.createHash('sha256').update(`${fingerprint}/${region}`).digest('hex');
  return platform === 'gcp'
    ? `projects/ingot-images/global/images/runner-ubuntu-2404-${hash.slice(0, 12)}`
    : `ami-${hash.slice(0, 17)}`;
}

/** Publishes the channel's version through the API, as Packer would, and creates `prod`. */
export async function publishFixture(base: string, token: string): Promise<void> {
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
export async function startRegistryUnderTest(
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
      'registry-server',
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
export async function fetchChannel(reg: RegistryUnderTest): Promise<{
  body: Buffer;
  contentType: string;
  etag: string;
  builds: number;
  artifacts: number;
}> {
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
    etag: res.headers.get('etag') ?? '',
    builds: builds.length,
    artifacts: builds.reduce((n, b) => n + b.artifacts.length, 0),
  };
}

/** SQL statements one channel read runs (after a first, warming read), counted in-process. */
export async function queriesPerRead(databaseUrl: string): Promise<string[]> {
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
