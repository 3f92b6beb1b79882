import type { Database, Executor } from '../registry/storage/database';

/** A job's progress; deliveries only ever move it forward. */
export type JobStatus = 'queued' | 'in_progress' | 'completed';
export const JOB_RANK: Record<JobStatus, number> = { queued: 1, in_progress: 2, completed: 3 };

export interface JobRow {
  job_id: string;
  target: string;
  status: JobStatus;
  runner_name: string | null;
  queued_at: string;
  updated_at: string;
}

/**
 * An instance of a group the scaler knows: `launching` (first seen, no configuration yet),
 * `configuring` (a JIT config is being minted),
 * `configured` (delivered; runner not yet seen online), `online` (idle), `busy` (running
 * its one job), `done` (job finished or runner gone: to be removed), `gone`.
 */
export type InstanceState =
  'launching' | 'configuring' | 'configured' | 'online' | 'busy' | 'done' | 'gone';

export interface InstanceRow {
  instance_id: string;
  target: string;
  state: InstanceState;
  runner_id: number | null;
  runner_name: string;
  launched_at: string;
  configured_at: string | null;
  online_at: string | null;
  job_id: string | null;
  updated_at: string;
}

/**
 * A macOS instance's runner: `configuring` (a JIT config is being minted) or `issued`
 * (runner `runner_id` got its config). `issued` counts the configs it received.
 */
export interface HostRow {
  instance_id: string;
  host: string;
  state: 'configuring' | 'issued';
  runner_id: number | null;
  runner_name: string | null;
  issued: number;
  updated_at: string;
}

/**
 * Numbered migrations of the scaler's tables (their own history table, so a scaler may
 * share a PostgreSQL database with the registry). Append, never edit.
 */
const MIGRATIONS: { version: number; statements: string[] }[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE scaler_jobs (
        job_id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        status TEXT NOT NULL,
        runner_name TEXT,
        queued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)`,
      'CREATE INDEX scaler_jobs_target_status ON scaler_jobs (target, status)',
      `CREATE TABLE scaler_instances (
        instance_id TEXT PRIMARY KEY,
        target TEXT NOT NULL,
        state TEXT NOT NULL,
        runner_id BIGINT,
        runner_name TEXT NOT NULL,
        launched_at TEXT NOT NULL,
        configured_at TEXT,
        online_at TEXT,
        job_id TEXT,
        updated_at TEXT NOT NULL)`,
      'CREATE INDEX scaler_instances_target_state ON scaler_instances (target, state)',
      'CREATE UNIQUE INDEX scaler_instances_runner_name ON scaler_instances (runner_name)',
      `CREATE TABLE scaler_targets (
        key TEXT PRIMARY KEY,
        desired INTEGER NOT NULL,
        dirty INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until TEXT,
        updated_at TEXT NOT NULL)`,
      `CREATE TABLE scaler_deliveries (delivery_id TEXT PRIMARY KEY, received_at TEXT NOT NULL)`,
    ],
  },
  {
    version: 2,
    statements: [
      `CREATE TABLE scaler_hosts (
        instance_id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        state TEXT NOT NULL,
        runner_id BIGINT,
        runner_name TEXT,
        issued INTEGER NOT NULL,
        updated_at TEXT NOT NULL)`,
    ],
  },
];

/**
 * The scaler's state: the jobs it has seen, the instances it configured, the size it
 * last set per target, and delivery ids (for duplicate deliveries). It lives in the
 * database the scaler is given: a SQLite file (`ingot scaler serve`, default
 * `.ingot/scaler.db`) or PostgreSQL (deployed scalers, several processes). Every method
 * takes the executor it runs on, so callers decide what shares a transaction.
 */
export class ScalerStore {
  constructor(readonly db: Database) {}

  async migrate(): Promise<void> {
    const lock = async (tx: Executor) => {
      if (this.db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(7304152)');
    };
    await this.db.transaction(async (tx) => {
      await lock(tx);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS scaler_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
      );
    });
    for (const migration of MIGRATIONS)
      await this.db.transaction(async (tx) => {
        await lock(tx);
        const seen = await tx.query('SELECT version FROM scaler_migrations WHERE version = $1', [
          migration.version,
        ]);
        if (seen.length > 0) return;
        for (const statement of migration.statements) await tx.query(statement);
        await tx.query('INSERT INTO scaler_migrations (version, applied_at) VALUES ($1, $2)', [
          migration.version,
          new Date().toISOString(),
        ]);
      });
  }

  /** Records a delivery id; `false` if it was seen before. */
  async firstDelivery(tx: Executor, id: string, now: Date): Promise<boolean> {
    // One statement: the primary key decides (both engines support RETURNING).
    const inserted = await tx.query(
      `INSERT INTO scaler_deliveries (delivery_id, received_at) VALUES ($1, $2)
       ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id`,
      [id, now.toISOString()],
    );
    return inserted.length > 0;
  }

  async job(tx: Executor, id: string): Promise<JobRow | undefined> {
    const rows = await tx.query<JobRow>('SELECT * FROM scaler_jobs WHERE job_id = $1 FOR UPDATE', [
      id,
    ]);
    return rows[0];
  }

  async putJob(tx: Executor, row: JobRow, exists: boolean): Promise<void> {
    if (exists)
      await tx.query(
        'UPDATE scaler_jobs SET status = $2, runner_name = $3, updated_at = $4 WHERE job_id = $1',
        [row.job_id, row.status, row.runner_name, row.updated_at],
      );
    else
      await tx.query(
        'INSERT INTO scaler_jobs (job_id, target, status, runner_name, queued_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [row.job_id, row.target, row.status, row.runner_name, row.queued_at, row.updated_at],
      );
  }

  /** Queued jobs of one target (the `(target, status)` index answers it). */
  async queuedCount(tx: Executor, target: string): Promise<number> {
    const [row] = await tx.query<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM scaler_jobs WHERE target = $1 AND status = 'queued'",
      [target],
    );
    return Number(row?.n ?? 0);
  }

  async instances(tx: Executor, target: string): Promise<InstanceRow[]> {
    const rows = await tx.query<InstanceRow>(
      "SELECT * FROM scaler_instances WHERE target = $1 AND state <> 'gone' ORDER BY launched_at, instance_id",
      [target],
    );
    return rows.map((r) => ({
      ...r,
      runner_id: r.runner_id === null ? null : Number(r.runner_id),
    }));
  }

  async instance(tx: Executor, id: string): Promise<InstanceRow | undefined> {
    const rows = await tx.query<InstanceRow>(
      'SELECT * FROM scaler_instances WHERE instance_id = $1 FOR UPDATE',
      [id],
    );
    return (
      rows[0] && {
        ...rows[0],
        runner_id: rows[0].runner_id === null ? null : Number(rows[0].runner_id),
      }
    );
  }

  async instanceByRunner(tx: Executor, runnerName: string): Promise<InstanceRow | undefined> {
    const rows = await tx.query<InstanceRow>(
      'SELECT * FROM scaler_instances WHERE runner_name = $1 FOR UPDATE',
      [runnerName],
    );
    return rows[0];
  }

  async insertInstance(tx: Executor, row: InstanceRow): Promise<void> {
    await tx.query(
      `INSERT INTO scaler_instances (instance_id, target, state, runner_id, runner_name, launched_at,
        configured_at, online_at, job_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.instance_id,
        row.target,
        row.state,
        row.runner_id,
        row.runner_name,
        row.launched_at,
        row.configured_at,
        row.online_at,
        row.job_id,
        row.updated_at,
      ],
    );
  }

  async updateInstance(
    tx: Executor,
    id: string,
    changes: Partial<Omit<InstanceRow, 'instance_id' | 'target'>>,
  ): Promise<void> {
    const keys = Object.keys(changes) as (keyof typeof changes)[];
    if (keys.length === 0) return;
    const sets = keys.map((key, i) => `${key} = $${i + 2}`).join(', ');
    await tx.query(`UPDATE scaler_instances SET ${sets} WHERE instance_id = $1`, [
      id,
      ...keys.map((key) => changes[key] ?? null),
    ]);
  }

  async host(tx: Executor, id: string): Promise<HostRow | undefined> {
    const [row] = await tx.query<HostRow>(
      'SELECT * FROM scaler_hosts WHERE instance_id = $1 FOR UPDATE',
      [id],
    );
    return (
      row && {
        ...row,
        runner_id: row.runner_id === null ? null : Number(row.runner_id),
        issued: Number(row.issued),
      }
    );
  }

  async putHost(tx: Executor, row: HostRow): Promise<void> {
    await tx.query(
      `INSERT INTO scaler_hosts (instance_id, host, state, runner_id, runner_name, issued, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (instance_id) DO UPDATE SET host = $2, state = $3, runner_id = $4,
         runner_name = $5, issued = $6, updated_at = $7`,
      [
        row.instance_id,
        row.host,
        row.state,
        row.runner_id,
        row.runner_name,
        row.issued,
        row.updated_at,
      ],
    );
  }

  /** Marks a target as needing a pass of the control loop (in the caller's transaction). */
  async markDirty(tx: Executor, key: string, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO scaler_targets (key, desired, dirty, updated_at) VALUES ($1, -1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET dirty = 1`,
      [key, now.toISOString()],
    );
  }

  /**
   * Takes the target's lease for `owner` unless another live process holds it; clears
   * the dirty mark when taken. Processes sharing a database take turns per target; a
   * crashed holder's lease runs out.
   */
  async takeLease(
    tx: Executor,
    key: string,
    owner: string,
    now: Date,
    seconds: number,
  ): Promise<boolean> {
    await tx.query(
      `INSERT INTO scaler_targets (key, desired, dirty, updated_at) VALUES ($1, -1, 1, $2)
       ON CONFLICT (key) DO NOTHING`,
      [key, now.toISOString()],
    );
    const [row] = await tx.query<{ lease_owner: string | null; lease_until: string | null }>(
      'SELECT lease_owner, lease_until FROM scaler_targets WHERE key = $1 FOR UPDATE',
      [key],
    );
    const held =
      row.lease_owner && row.lease_owner !== owner && (row.lease_until ?? '') > now.toISOString();
    if (held) return false;
    await tx.query(
      'UPDATE scaler_targets SET lease_owner = $2, lease_until = $3, dirty = 0 WHERE key = $1',
      [key, owner, new Date(now.getTime() + seconds * 1000).toISOString()],
    );
    return true;
  }

  /** Gives the lease back; `true` if the target was marked dirty meanwhile (run again). */
  async releaseLease(tx: Executor, key: string, owner: string): Promise<boolean> {
    const [row] = await tx.query<{ dirty: number | string; lease_owner: string | null }>(
      'SELECT dirty, lease_owner FROM scaler_targets WHERE key = $1 FOR UPDATE',
      [key],
    );
    if (!row || row.lease_owner !== owner) return false;
    if (Number(row.dirty) === 1) return true;
    await tx.query(
      'UPDATE scaler_targets SET lease_owner = NULL, lease_until = NULL WHERE key = $1',
      [key],
    );
    return false;
  }

  async setTargetDesired(tx: Executor, key: string, desired: number, now: Date): Promise<void> {
    await tx.query('UPDATE scaler_targets SET desired = $2, updated_at = $3 WHERE key = $1', [
      key,
      desired,
      now.toISOString(),
    ]);
  }

  /**
   * Forgets what is a day old: jobs (GitHub fails a job that waited 24 hours for a
   * runner, so a lost delivery cannot keep demand alive), gone instances, delivery ids,
   * and the runner records of macOS instances no longer among `hostInstances` (the
   * configured ones; a configured instance's record is its one-runner guard, never
   * forgotten).
   */
  async prune(tx: Executor, now: Date, hostInstances: readonly string[]): Promise<void> {
    const at = new Date(now.getTime() - 86_400_000).toISOString();
    await tx.query('DELETE FROM scaler_jobs WHERE updated_at < $1', [at]);
    await tx.query("DELETE FROM scaler_instances WHERE state = 'gone' AND updated_at < $1", [at]);
    await tx.query('DELETE FROM scaler_deliveries WHERE received_at < $1', [at]);
    // A day old too, not at once: processes sharing a database may run different
    // configurations for a while (a rollout), and one on the old configuration must not
    // forget the guard of an instance the new one serves. `configuring` is a mint in
    // flight (minutes at most); `issued` does not tell whether the runner is mid-job, but
    // an instance outside the configuration gets no runner anyway, so its guard only
    // matters if it comes back soon.
    const configured = hostInstances.map((_, i) => `$${i + 2}`).join(', ');
    await tx.query(
      `DELETE FROM scaler_hosts WHERE updated_at < $1${configured ? ` AND instance_id NOT IN (${configured})` : ''}`,
      [at, ...hostInstances],
    );
  }
}
