import { verifyIdentityDocument, type CertificateLookup } from './aws-identity';
import { ScalerError } from './errors';
import type { RunnerRegistry } from './github-app';
import type { ScalerMetrics } from './metrics';
import type { ScalerHost } from './scaler-config';
import type { HostRow, ScalerStore } from './scaler-store';

/** A config being minted this long ago was interrupted (crash): mint again. */
const CLAIM_SECONDS = 120;

export interface HostRunnersDeps {
  hosts: readonly ScalerHost[];
  store: ScalerStore;
  github: RunnerRegistry;
  metrics: ScalerMetrics;
  clock: () => Date;
  /** A runner still offline this long after its config was issued never came online. */
  bootSeconds: number;
  /** AWS's published certificates unless given (tests sign with their own). */
  certificates?: CertificateLookup;
}

/**
 * JIT configurations for macOS instances, which are not in a group: an instance keeps
 * its dedicated host and serves one ephemeral runner after another. It asks for each
 * configuration itself with its signed instance identity document (`POST /jit/aws`);
 * the scaler answers when
 * - the signature verifies against AWS's certificate for the document's region,
 * - the document's account and instance id are a macOS instance of a pool it serves,
 * - and the instance's previous runner is gone from GitHub (an ephemeral runner is
 *   removed once its job finished, and one that never came online within the boot
 *   timeout is removed here): one runner per instance at a time, so a job that copied
 *   the document cannot get a second runner while its own runner lives.
 * The instance role needs no access to the GitHub App key.
 */
export class HostRunners {
  constructor(private readonly deps: HostRunnersDeps) {}

  async configure(document: string, signature: string): Promise<string> {
    const { store, github, clock } = this.deps;
    const identity = verifyIdentityDocument(document, signature, this.deps.certificates);
    const host = this.deps.hosts.find(
      (h) => h.region === identity.region && h.instances.includes(identity.instanceId),
    );
    if (!host || host.account !== identity.accountId)
      throw new ScalerError(
        'UNKNOWN_INSTANCE',
        `instance ${identity.instanceId} (${identity.accountId}, ${identity.region}) is not a macOS runner host this scaler serves.`,
      );
    const id = identity.instanceId;
    const labels = { pool: host.pool, region: host.region };
    const before = await store.db.transaction((tx) => store.host(tx, id));
    if (before?.runner_id != null && before.state === 'issued') {
      let runner = await github.getRunner(before.runner_id);
      const stale =
        Date.parse(before.updated_at) < clock().getTime() - this.deps.bootSeconds * 1000;
      // A configuration the instance never used (its loop restarted, the host rebooted):
      // the runner never came online; remove it and issue another.
      if (runner && runner.status === 'offline' && !runner.busy && stale)
        if (await github.deleteRunner(runner.id)) runner = null;
      if (runner !== null) {
        this.deps.metrics.hostConfigs.inc({ ...labels, outcome: 'refused' });
        throw new ScalerError(
          'CONFIG_ALREADY_ISSUED',
          `runner ${runner.name} of instance ${id} is still registered (${runner.busy ? 'busy' : runner.status}); an instance serves one runner at a time: ask again once it finished its job.`,
        );
      }
    }
    const now = clock();
    const claimed = await store.db.transaction(async (tx) => {
      const row = await store.host(tx, id);
      const fresh = Date.parse(row?.updated_at ?? '') >= now.getTime() - CLAIM_SECONDS * 1000;
      const changed = (row?.runner_id ?? null) !== (before?.runner_id ?? null);
      if ((row?.state === 'configuring' && fresh) || changed) return undefined;
      const next: HostRow = {
        instance_id: id,
        host: host.key,
        state: 'configuring',
        runner_id: row?.runner_id ?? null,
        runner_name: row?.runner_name ?? null,
        issued: (row?.issued ?? 0) + 1,
        updated_at: now.toISOString(),
      };
      await store.putHost(tx, next);
      return next;
    });
    if (!claimed) {
      this.deps.metrics.hostConfigs.inc({ ...labels, outcome: 'refused' });
      throw new ScalerError(
        'CONFIG_ALREADY_ISSUED',
        `instance ${id} is being given a configuration by another request; ask again later.`,
      );
    }
    const name = `${host.namePrefix}-${id}-${claimed.issued}`;
    let jit;
    try {
      jit = await github.generateJitConfig({ name, labels: host.labels });
    } catch (error) {
      // Let the next request claim at once (the old runner, if any, is gone).
      await store.db.transaction((tx) =>
        store.putHost(tx, {
          ...claimed,
          issued: claimed.issued - 1,
          updated_at: new Date(0).toISOString(),
        }),
      );
      throw new ScalerError(
        'GITHUB_UNAVAILABLE',
        `GitHub did not mint a configuration for ${name}: ${(error as Error).message}`,
      );
    }
    await store.db.transaction((tx) =>
      store.putHost(tx, {
        ...claimed,
        state: 'issued',
        runner_id: jit.runner.id,
        runner_name: name,
        updated_at: clock().toISOString(),
      }),
    );
    this.deps.metrics.hostConfigs.inc({ ...labels, outcome: 'issued' });
    return jit.encodedJitConfig;
  }
}
