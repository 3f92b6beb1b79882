import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ManualClock, type Clock } from '../../src/registry/clock';
import type { Role } from '../../src/registry/auth/roles';
import { startRegistry, type RunningRegistry } from '../../src/registry/serve';
import type { Engine } from '../../src/registry/storage/database';

/**
 * Starts real registries for tests: a SQLite file in a temp dir, or a fresh database
 * on the PostgreSQL server (`INGOT_TEST_POSTGRES_URL`, started by scripts/test.js).
 */
export const ENGINES: Engine[] = ['sqlite', 'postgres'];

export const POSTGRES_ADMIN_URL =
  process.env.INGOT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export class TestRegistry<C extends Clock = ManualClock> {
  private tokens = new Map<string, string>();

  constructor(
    readonly engine: Engine,
    readonly running: RunningRegistry,
    readonly clock: C,
    readonly admin: Credentials,
    readonly databaseUrl: string,
    private readonly cleanup: () => Promise<void>,
  ) {}

  get url(): string {
    return this.running.url;
  }

  /** Base path of the HCP API for an org/project. */
  packer(org = 'org-1', project = 'proj-1'): string {
    return `/packer/2023-01-01/organizations/${org}/projects/${project}`;
  }

  ingot(org = 'org-1', project = 'proj-1'): string {
    return `/ingot/v1/organizations/${org}/projects/${project}`;
  }

  async token(creds: Credentials = this.admin): Promise<string> {
    let token = this.tokens.get(creds.clientId);
    if (!token) {
      const res = await fetch(`${this.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: creds.clientId,
          client_secret: creds.clientSecret,
        }),
      });
      if (res.status !== 200)
        throw new Error(`token request failed: ${res.status} ${await res.text()}`);
      token = ((await res.json()) as { access_token: string }).access_token;
      this.tokens.set(creds.clientId, token);
    }
    return token;
  }

  /** Creates a principal directly (as `ingot principals create` does). */
  async principal(role: Role, organizationId = '*', projectId = '*'): Promise<Credentials> {
    const { principal, clientSecret } = await this.running.registry.auth.createPrincipal(
      `test-${role}`,
      [{ organizationId, projectId, role }],
    );
    return { clientId: principal.clientId, clientSecret };
  }

  /**
   * Closes the keep-alive connections no request is using, and waits until this
   * process's `fetch` has seen them closed: its next request opens a connection of its own.
   */
  async closeIdleConnections(): Promise<void> {
    this.running.app.server.closeIdleConnections();
    // The clients read the end of their connections in the poll phase between two turns.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  }

  /** Calls the API; `as` picks the caller (admin by default, null for anonymous). */
  async api<T = any>(
    method: string,
    url: string,
    body?: unknown,
    as: Credentials | null = this.admin,
  ): Promise<ApiResponse<T>> {
    const send = async () => {
      const headers: Record<string, string> = {};
      if (as) headers.authorization = `Bearer ${await this.token(as)}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${this.url}${url}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    };
    let res = await send();
    // Tests move the registry's clock past token expiry: get a fresh token once.
    if (res.status === 401 && as && this.tokens.has(as.clientId)) {
      this.tokens.delete(as.clientId);
      res = await send();
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Non-JSON bodies (metrics) stay text.
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** Like `api`, but fails the test unless the status is 200. */
  async ok<T = any>(
    method: string,
    url: string,
    body?: unknown,
    as: Credentials | null = this.admin,
  ): Promise<T> {
    const res = await this.api<T>(method, url, body, as);
    if (res.status !== 200)
      throw new Error(`${method} ${url} → ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /**
   * Publishes a complete version: bucket (if missing), version, one build per entry
   * with its artifacts, completion. Returns the version.
   */
  async publish(
    bucket: string,
    fingerprint: string,
    builds: {
      platform: string;
      component_type?: string;
      regions: string[];
      parent_version_id?: string;
      parent_channel_id?: string;
    }[] = [{ platform: 'aws', regions: ['us-east-1'] }],
    org = 'org-1',
    project = 'proj-1',
  ): Promise<any> {
    const base = this.packer(org, project);
    const existing = await this.api('GET', `${base}/buckets/${bucket}`);
    if (existing.status === 404)
      await this.ok('PUT', `${base}/buckets`, { name: bucket, description: `${bucket} images` });
    await this.ok('POST', `${base}/buckets/${bucket}/versions`, { fingerprint });
    for (const b of builds) {
      await this.ok('POST', `${base}/buckets/${bucket}/versions/${fingerprint}/builds`, {
        platform: b.platform,
        component_type:
          b.component_type ?? (b.platform === 'gcp' ? 'googlecompute.runner' : 'amazon-ebs.runner'),
        status: 'BUILD_DONE',
        parent_version_id: b.parent_version_id,
        parent_channel_id: b.parent_channel_id,
        artifacts: b.regions.map((region) => ({
          external_identifier: imageId(b.platform, fingerprint, region),
          region,
        })),
      });
    }
    return (
      await this.ok('PATCH', `${base}/buckets/${bucket}/versions/${fingerprint}`, {
        complete: true,
      })
    ).version;
  }

  async close(): Promise<void> {
    await this.running.close();
    await this.cleanup();
  }
}

/** A deterministic image id per platform/fingerprint/region, like a cloud would hand out. */
export function imageId(platform: string, fingerprint: string, region: string): string {
  const hash = crypto.createHash('sha256').update(`${fingerprint}/${region}`).digest('hex');
  return platform === 'gcp'
    ? `projects/ingot-images/global/images/runner-${hash.slice(0, 12)}`
    : `ami-${hash.slice(0, 17)}`;
}

/** Creates an empty PostgreSQL database and returns its URL and a dropper. */
export async function createPostgresDatabase(): Promise<{
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `ingot_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${POSTGRES_ADMIN_URL} (${(error as Error).message}); run the suite with "npm test", which starts it.`,
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function startTestRegistry(
  engine: Engine,
  clock = new ManualClock('2026-03-01T12:00:00.000Z'),
  options: StartOptions = {},
): Promise<TestRegistry> {
  return startOn(engine, clock, options);
}

/** startRegistry's options a test may set (deadlines, limits, a logger). */
export type StartOptions = Omit<NonNullable<Parameters<typeof startRegistry>[1]>, 'clock'>;

/** Starts a registry judging time by its database's clock, as production does. */
export async function startDatabaseClockRegistry(engine: Engine): Promise<TestRegistry<Clock>> {
  return startOn(engine, null);
}

/** A registry on a fresh database, on `clock` or (null) on the database's clock. */
async function startOn<C extends Clock>(
  engine: Engine,
  clock: C | null,
  options: StartOptions = {},
): Promise<TestRegistry<C>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-test-'));
  let databaseUrl = path.join(dir, 'registry.db');
  let drop = async () => undefined as void;
  if (engine === 'postgres') ({ url: databaseUrl, drop } = await createPostgresDatabase());
  const credentialsFile = path.join(dir, 'admin-credentials.json');
  const running = await startRegistry(
    { host: '127.0.0.1', port: 0, databaseUrl, credentialsFile, logLevel: 'silent' },
    { logger: false, ...options, clock: clock ?? undefined },
  );
  const creds = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as {
    client_id: string;
    client_secret: string;
  };
  return new TestRegistry<C>(
    engine,
    running,
    clock ?? (running.registry.clock as C),
    { clientId: creds.client_id, clientSecret: creds.client_secret },
    databaseUrl,
    async () => {
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );
}

/**
 * Another registry process on `first`'s database (same admin), judging time by the
 * database's clock corrected from `localClock` (a process whose own clock is off).
 */
export async function startAnotherProcess(
  first: TestRegistry<Clock>,
  localClock: Clock,
): Promise<TestRegistry<Clock>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-process-'));
  const running = await startRegistry(
    {
      host: '127.0.0.1',
      port: 0,
      databaseUrl: first.databaseUrl,
      credentialsFile: path.join(dir, 'admin-credentials.json'),
      logLevel: 'silent',
    },
    { localClock, logger: false },
  );
  return new TestRegistry<Clock>(
    first.engine,
    running,
    running.registry.clock,
    first.admin,
    first.databaseUrl,
    async () => fs.rmSync(dir, { recursive: true, force: true }),
  );
}

/** Runs `suite` once per engine with a fresh registry for the whole describe block. */
export function describeEachEngine(title: string, suite: (get: () => TestRegistry) => void): void {
  for (const engine of ENGINES) {
    describe(`${title} [${engine}]`, function () {
      let registry: TestRegistry;
      before(async function () {
        this.timeout(60_000);
        registry = await startTestRegistry(engine);
      });
      after(async () => {
        await registry?.close();
      });
      suite(() => registry);
    });
  }
}
