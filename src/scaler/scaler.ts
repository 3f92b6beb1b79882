import crypto from 'node:crypto';
import type { CertificateLookup } from './aws-identity';
import type { CloudBackend } from './cloud-backend';
import { ScalerError } from './errors';
import type { RunnerRegistry } from './github-app';
import { HostRunners } from './host-runners';
import { chooseTarget, closestTargets } from './job-matching';
import type { ScalerMetrics } from './metrics';
import type { ScalerConfig, ScalerTarget } from './scaler-config';
import { JOB_RANK, type InstanceRow, type ScalerStore } from './scaler-store';
import { planTarget } from './target-plan';
import { scheduleActive } from './warm-schedule';
import type { WorkflowJobEvent } from './workflow-job';

/** Structured log lines; pino's (fastify's) logger fits. */
export interface ScalerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ScalerDeps {
  config: ScalerConfig;
  /** The installation whose deliveries are accepted. */
  installationId: string;
  store: ScalerStore;
  github: RunnerRegistry;
  backends: Partial<Record<'aws' | 'gcp', CloudBackend>>;
  metrics: ScalerMetrics;
  log: ScalerLog;
  /** @default () => new Date() */
  clock?: () => Date;
  /** The certificates identity documents are checked with. @default AWS's published ones */
  identityCertificates?: CertificateLookup;
}

export type WebhookOutcome = 'recorded' | 'duplicate' | 'unmatched' | 'ignored';

/** A pass of the control loop may hold a target this long before another process may take over. */
const LEASE_SECONDS = 60;
/** A JIT config being minted this long ago was interrupted (crash): mint again. */
const CLAIM_SECONDS = 120;
/** How long a delivery's pass waits for the rest of a burst (see `trigger`). */
const PASS_COALESCE_MS = 50;
/** How often a process prunes day-old records. */
const PRUNE_EVERY_MS = 60_000;
/** The prune's place among the passes in flight; no target key is empty. */
const PRUNE_KEY = '';

/**
 * The control loop. Deliveries only update the job ledger (in one transaction, keyed by
 * job id and moving forward only), then mark the target dirty; a pass over a target
 * (`reconcile`) reads the ledger and the cloud, decides with `planTarget` and acts. A pass
 * is level-triggered — it sets the size the ledger calls for, never adds to it — so
 * duplicate, reordered or replayed deliveries, and a restart, cannot launch an
 * instance twice. Passes over one target take turns across processes (a lease in the
 * store); a delivery arriving during a pass makes it run once more.
 */
export class Scaler {
  readonly config: ScalerConfig;
  private readonly owner = crypto.randomUUID();
  private readonly clock: () => Date;
  private readonly running = new Map<string, Promise<void>>();
  private readonly rerun = new Set<string>();
  private readonly hosts: HostRunners;
  private prunedAt = -Infinity;
  /**
   * The macOS instances of the configuration. It is read once, when the process starts,
   * so an instance leaves it only across a restart; records of the others are forgotten
   * by the periodic prune of the control loop (`store.prune`), where every other record
   * the scaler no longer needs is forgotten, in that pass's transaction.
   */
  private readonly hostInstances: string[];

  constructor(private readonly deps: ScalerDeps) {
    this.config = deps.config;
    this.clock = deps.clock ?? (() => new Date());
    this.hostInstances = deps.config.hosts.flatMap((h) => h.instances);
    this.hosts = new HostRunners({
      hosts: deps.config.hosts,
      store: deps.store,
      github: deps.github,
      metrics: deps.metrics,
      clock: this.clock,
      bootSeconds: deps.config.timeouts.boot,
      certificates: deps.identityCertificates,
    });
    for (const target of deps.config.targets)
      if (!deps.backends[target.cloud])
        throw new Error(`no ${target.cloud} backend for target ${target.key}.`);
  }

  target(key: string): ScalerTarget | undefined {
    return this.config.targets.find((t) => t.key === key);
  }

  /** Records one verified `workflow_job` delivery and starts a pass over its target. */
  async handleWorkflowJob(event: WorkflowJobEvent, deliveryId: string): Promise<WebhookOutcome> {
    const { store, metrics, log } = this.deps;
    if (event.installationId !== undefined && event.installationId !== this.deps.installationId)
      throw new ScalerError(
        'UNKNOWN_INSTALLATION',
        `installation ${event.installationId} is not the one this scaler serves.`,
      );
    if (
      event.owner &&
      event.owner.toLowerCase() !== this.config.github.organization.toLowerCase()
    ) {
      metrics.webhooks.inc({ outcome: 'ignored' });
      return 'ignored';
    }
    const status = (['queued', 'in_progress', 'completed'] as const).find(
      (s) => s === event.action,
    );
    if (!status) {
      metrics.webhooks.inc({ outcome: 'ignored' });
      return 'ignored';
    }
    const now = this.clock();
    const result = await store.db.transaction(async (tx) => {
      if (!(await store.firstDelivery(tx, deliveryId, now)))
        return { outcome: 'duplicate' as const };
      const job = await store.job(tx, event.jobId);
      if (job && JOB_RANK[job.status] >= JOB_RANK[status]) return { outcome: 'duplicate' as const };
      const dirty = new Set<string>();
      let targetKey = job?.target;
      if (!targetKey) {
        // Room decides only between regions of the most specific pool: count those alone.
        const candidates = closestTargets(event.labels, this.config.targets);
        if (candidates.length === 0) return { outcome: 'unmatched' as const };
        const queued = new Map<string, number>();
        if (candidates.length > 1)
          for (const t of candidates) queued.set(t.key, await store.queuedCount(tx, t.key));
        const target = chooseTarget(
          event.labels,
          candidates,
          (t) => t.max - (queued.get(t.key) ?? 0),
        ) as ScalerTarget;
        targetKey = target.key;
      }
      await store.putJob(
        tx,
        {
          job_id: event.jobId,
          target: targetKey,
          status,
          runner_name: event.runnerName,
          queued_at: job?.queued_at ?? now.toISOString(),
          updated_at: now.toISOString(),
        },
        job !== undefined,
      );
      dirty.add(targetKey);
      const instance = event.runnerName
        ? await store.instanceByRunner(tx, event.runnerName)
        : undefined;
      let waited: number | undefined;
      if (instance && instance.state !== 'gone') {
        const state = status === 'completed' ? 'done' : 'busy';
        await store.updateInstance(tx, instance.instance_id, {
          state,
          job_id: event.jobId,
          online_at: instance.online_at ?? now.toISOString(),
          updated_at: now.toISOString(),
        });
        if (!instance.online_at) this.observeOnline(instance, now);
        if (status === 'in_progress' && job)
          waited = (now.getTime() - Date.parse(job.queued_at)) / 1000;
        dirty.add(instance.target);
      }
      for (const key of dirty) await store.markDirty(tx, key, now);
      return { outcome: 'recorded' as const, dirty, waited, target: targetKey };
    });
    metrics.webhooks.inc({ outcome: result.outcome });
    if (result.outcome === 'unmatched')
      log.info(
        { job: event.jobId, labels: event.labels, repository: event.repository },
        'no pool has these labels; job ignored',
      );
    if (result.outcome !== 'recorded') return result.outcome;
    if (result.waited !== undefined)
      this.deps.metrics.jobWait.observe({ pool: result.target.split('/')[0] }, result.waited);
    for (const key of result.dirty) this.trigger(key, PASS_COALESCE_MS);
    return 'recorded';
  }

  /**
   * Starts a pass over a target in the background (one at a time per target in this
   * process). `delayMs` lets the deliveries of a burst that arrive meanwhile share the
   * pass (it is level-triggered: it reads the ledger when it runs), instead of each
   * starting one that competes with the next deliveries for the event loop.
   */
  trigger(key: string, delayMs = 0): void {
    if (this.running.has(key)) {
      this.rerun.add(key);
      return;
    }
    const run = (async () => {
      try {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        do {
          this.rerun.delete(key);
          await this.reconcile(key);
        } while (this.rerun.has(key));
      } catch (error) {
        this.deps.log.error({ err: error, target: key }, 'control loop pass failed');
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, run);
  }

  /**
   * Starts a pass over every target (the periodic tick, and start-up after a restart).
   * A scaler with no targets (one serving only macOS hosts) has no pass to prune in, so
   * the tick prunes by itself there.
   */
  triggerAll(): void {
    for (const target of this.config.targets) this.trigger(target.key);
    if (this.config.targets.length === 0) this.pruneAlone();
  }

  /** The periodic prune outside any pass, in the background like a pass (see settle). */
  private pruneAlone(): void {
    const now = this.clock();
    if (this.running.has(PRUNE_KEY) || !this.pruneDue(now)) return;
    const { store } = this.deps;
    const run = store.db
      .transaction((tx) => store.prune(tx, now, this.hostInstances))
      .catch((error: unknown) => this.deps.log.error({ err: error }, 'prune failed'))
      .finally(() => this.running.delete(PRUNE_KEY));
    this.running.set(PRUNE_KEY, run);
  }

  /** Resolves once no pass is running or pending in this process. */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()]);
  }

  /** Passes over a target until no delivery marked it dirty meanwhile. */
  async reconcile(key: string): Promise<void> {
    const target = this.target(key);
    if (!target) return;
    const { store } = this.deps;
    for (;;) {
      const taken = await store.db.transaction((tx) =>
        store.takeLease(tx, key, this.owner, this.clock(), LEASE_SECONDS),
      );
      if (!taken) return;
      let failure: unknown;
      try {
        await this.pass(target);
      } catch (error) {
        failure = error;
      }
      const again = await store.db.transaction((tx) => store.releaseLease(tx, key, this.owner));
      if (failure) throw failure;
      if (!again) return;
    }
  }

  /**
   * Gives an instance its single-use JIT configuration. AWS: pushed to the instance's
   * parameter (`deliverConfig`); GCP: returned to the instance that proved who it is. A
   * second request for the same instance is refused (CONFIG_ALREADY_ISSUED).
   */
  async configureInstance(target: ScalerTarget, instanceId: string): Promise<string> {
    const { store, github } = this.deps;
    const backend = this.deps.backends[target.cloud] as CloudBackend;
    const now = this.clock();
    const name = `${target.namePrefix}-${instanceId}`;
    await store.db.transaction(async (tx) => {
      const row = await store.instance(tx, instanceId);
      const stale = Date.parse(row?.updated_at ?? '') < now.getTime() - CLAIM_SECONDS * 1000;
      const claimable = row?.state === 'launching' || (row?.state === 'configuring' && stale);
      if (row && !claimable)
        throw new ScalerError(
          'CONFIG_ALREADY_ISSUED',
          `instance ${instanceId} already received its runner configuration; a configuration is single-use.`,
        );
      if (row)
        await store.updateInstance(tx, instanceId, {
          state: 'configuring',
          updated_at: now.toISOString(),
        });
      else
        await store.insertInstance(tx, {
          instance_id: instanceId,
          target: target.key,
          state: 'configuring',
          runner_id: null,
          runner_name: name,
          launched_at: now.toISOString(),
          configured_at: null,
          online_at: null,
          job_id: null,
          updated_at: now.toISOString(),
        });
    });
    let jit;
    try {
      jit = await github.generateJitConfig({ name, labels: target.labels });
      if (backend.deliverConfig)
        await backend.deliverConfig(target, instanceId, jit.encodedJitConfig);
    } catch (error) {
      await store.db.transaction((tx) =>
        store.updateInstance(tx, instanceId, { updated_at: new Date(0).toISOString() }),
      );
      throw error;
    }
    const at = this.clock().toISOString();
    await store.db.transaction((tx) =>
      store.updateInstance(tx, instanceId, {
        state: 'configured',
        runner_id: jit.runner.id,
        configured_at: at,
        updated_at: at,
      }),
    );
    return jit.encodedJitConfig;
  }

  /** GCP: an instance asks for its configuration with its identity token. */
  async configureByCredential(cloud: 'aws' | 'gcp', credential: string): Promise<string> {
    const backend = this.deps.backends[cloud];
    if (!backend?.authenticateInstance)
      throw new ScalerError(
        'BAD_REQUEST',
        `instances on ${cloud} do not fetch their configuration.`,
      );
    const targets = this.config.targets.filter((t) => t.cloud === cloud);
    const { target, instanceId } = await backend.authenticateInstance(credential, targets);
    return this.configureInstance(target, instanceId);
  }

  /** A macOS instance asks for its next runner's configuration (see `HostRunners`). */
  configureHost(document: string, signature: string): Promise<string> {
    return this.hosts.configure(document, signature);
  }

  /**
   * Whether this process should forget day-old records now: once a minute is enough for
   * a day-long horizon, and keeps full-table deletes off the path of a burst of passes.
   */
  private pruneDue(now: Date): boolean {
    if (now.getTime() - this.prunedAt < PRUNE_EVERY_MS && now.getTime() >= this.prunedAt)
      return false;
    this.prunedAt = now.getTime();
    return true;
  }

  private observeOnline(instance: InstanceRow, now: Date): void {
    const seconds = (now.getTime() - Date.parse(instance.launched_at)) / 1000;
    this.deps.metrics.runnerBoot.observe({ pool: instance.target.split('/')[0] }, seconds);
  }

  private async pass(target: ScalerTarget): Promise<void> {
    const { store, github, metrics, log } = this.deps;
    const backend = this.deps.backends[target.cloud] as CloudBackend;
    const labels = { pool: target.pool, region: target.region };
    const now = this.clock();
    const { boot, idle } = this.config.timeouts;
    const older = (iso: string | null, seconds: number) =>
      iso !== null && Date.parse(iso) < now.getTime() - seconds * 1000;

    let group;
    try {
      group = await backend.describe(target);
    } catch (error) {
      metrics.cloudErrors.inc({ ...labels, operation: 'describe' });
      log.error({ err: error, target: target.key }, 'could not read the group');
      return;
    }
    const rows = await store.db.transaction((tx) => store.instances(tx, target.key));
    const known = new Map(rows.map((r) => [r.instance_id, r]));
    const live = new Map(group.instances.map((i) => [i.id, i]));
    const stuck: string[] = [];

    // Instances the cloud no longer has: forget them (and their runner, if idle).
    for (const row of rows) {
      const cloud = live.get(row.instance_id);
      if (cloud && cloud.state !== 'terminating') continue;
      if (row.runner_id !== null && row.state !== 'busy')
        await github.deleteRunner(row.runner_id).catch(() => undefined);
      await store.db.transaction((tx) =>
        store.updateInstance(tx, row.instance_id, { state: 'gone', updated_at: now.toISOString() }),
      );
      known.delete(row.instance_id);
    }
    // New instances: remember when they were first seen (the boot timeout counts from
    // then), and configure those waiting for it on push clouds.
    for (const instance of group.instances) {
      if (known.has(instance.id) || instance.state === 'terminating') continue;
      const row: InstanceRow = {
        instance_id: instance.id,
        target: target.key,
        state: 'launching',
        runner_id: null,
        runner_name: `${target.namePrefix}-${instance.id}`,
        launched_at: (instance.launchedAt ?? now).toISOString(),
        configured_at: null,
        online_at: null,
        job_id: null,
        updated_at: now.toISOString(),
      };
      const inserted = await store.db.transaction(async (tx) => {
        if (await store.instance(tx, instance.id)) return false;
        await store.insertInstance(tx, row);
        return true;
      });
      if (inserted) known.set(instance.id, row);
    }
    for (const row of [...known.values()]) {
      if (row.state !== 'launching') continue;
      if (backend.deliverConfig && live.get(row.instance_id)?.state === 'pending') {
        await this.configureInstance(target, row.instance_id).then(
          () => (row.state = 'configured'),
          (error) =>
            log.error(
              { err: error, instance: row.instance_id },
              'could not configure the instance',
            ),
        );
      } else if (older(row.launched_at, boot)) stuck.push(row.instance_id);
    }
    // Configured instances past the boot timeout: online (keep), finished, or never came online.
    const done: string[] = [];
    const idleExpired: { id: string; since: string }[] = [];
    for (const row of known.values()) {
      if (row.state === 'done') done.push(row.instance_id);
      if (row.state === 'configuring' && older(row.updated_at, CLAIM_SECONDS + boot))
        stuck.push(row.instance_id);
      if (row.state === 'configured' && older(row.configured_at, boot) && row.runner_id !== null) {
        const runner = await github.getRunner(row.runner_id).catch(() => undefined);
        if (runner === undefined) continue;
        if (runner === null) done.push(row.instance_id);
        else if (runner.busy || runner.status === 'online') {
          await store.db.transaction((tx) =>
            store.updateInstance(tx, row.instance_id, {
              state: runner.busy ? 'busy' : 'online',
              online_at: now.toISOString(),
              updated_at: now.toISOString(),
            }),
          );
          this.observeOnline(row, now);
          row.state = runner.busy ? 'busy' : 'online';
          row.online_at = now.toISOString();
        } else stuck.push(row.instance_id);
      }
      const since = row.online_at ?? row.configured_at;
      if ((row.state === 'online' || row.state === 'configured') && older(since, idle))
        idleExpired.push({ id: row.instance_id, since: since as string });
    }
    const queued = await store.db.transaction(async (tx) => {
      if (this.pruneDue(now)) await store.prune(tx, now, this.hostInstances);
      return store.queuedCount(tx, target.key);
    });
    metrics.queueDepth.set(labels, queued);
    const plan = planTarget({
      min: target.min,
      max: target.max,
      idle: scheduleActive(target.idleSchedule, now) ? target.idle : 0,
      queued,
      desired: group.desired,
      busy: [...known.values()].filter((r) => r.state === 'busy').length,
      done,
      stuck: stuck.filter((id) => !done.includes(id)),
      idleExpired: idleExpired
        .filter((i) => !stuck.includes(i.id))
        .sort((a, b) => a.since.localeCompare(b.since))
        .map((i) => i.id),
    });

    let size = group.desired;
    for (const { id, reason } of plan.remove) {
      const row = known.get(id);
      if (row?.runner_id != null) {
        // Never remove a runner GitHub reports busy: it is running a job.
        const runner = reason === 'surplus' ? await github.getRunner(row.runner_id) : null;
        const removed = runner?.busy ? false : await github.deleteRunner(row.runner_id);
        if (!removed) {
          await store.db.transaction((tx) =>
            store.updateInstance(tx, id, { state: 'busy', updated_at: now.toISOString() }),
          );
          continue;
        }
      }
      try {
        await backend.terminate(target, id);
      } catch (error) {
        metrics.cloudErrors.inc({ ...labels, operation: 'terminate' });
        log.error({ err: error, instance: id }, 'could not remove the instance');
        continue;
      }
      size--;
      metrics.scaleActions.inc({ ...labels, action: reason === 'surplus' ? 'in' : reason });
      log.info({ target: target.key, instance: id, reason }, 'instance removed');
      if (known.has(id))
        await store.db.transaction((tx) =>
          store.updateInstance(tx, id, { state: 'gone', updated_at: now.toISOString() }),
        );
    }
    if (size < plan.want) {
      try {
        await backend.setDesired(target, plan.want);
      } catch (error) {
        metrics.cloudErrors.inc({ ...labels, operation: 'setDesired' });
        log.error({ err: error, target: target.key }, 'could not resize the group');
        return;
      }
      metrics.scaleActions.inc({ ...labels, action: 'out' });
      metrics.instancesRequested.inc(labels, plan.want - size);
      log.info({ target: target.key, from: size, to: plan.want, queued }, 'group grown');
      size = plan.want;
    }
    metrics.desired.set(labels, size);
    await store.db.transaction((tx) => store.setTargetDesired(tx, target.key, size, now));
  }
}
