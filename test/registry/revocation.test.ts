import assert from 'node:assert/strict';
import { Registry } from '../../src/registry/registry';
import { describeEachEngine, imageId, type Credentials } from '../helpers/registry-harness';

interface Status {
  href: string;
  status: string;
}

interface BuildJson {
  id: string;
  parent_version_id?: string;
  parent_channel_id?: string;
}

interface VersionJson {
  id: string;
  fingerprint: string;
  name: string;
  status: string;
  has_descendants: boolean;
  parents?: Status;
  builds: BuildJson[];
  revoke_at?: string;
  revocation_message?: string;
  revocation_author?: string;
  revocation_type?: string;
  revocation_inherited_from?: {
    bucket_name: string;
    href: string;
    version_fingerprint: string;
    version_id: string;
    version_name: string;
  };
}

interface ChannelJson {
  id: string;
  name: string;
  author_id: string;
  managed: boolean;
  version?: VersionJson;
}

interface AssignmentJson {
  assigned_at: string;
  author_id: string;
  version?: VersionJson;
}

interface BucketJson {
  name: string;
  latest_version?: VersionJson;
  parents?: Status;
  children?: Status;
}

interface RelationJson {
  parent: {
    bucket_name: string;
    version_fingerprint: string;
    version_id: string;
    version_name: string;
    channel_name?: string;
    channel_version?: { fingerprint: string; id: string; name: string };
  };
  child: { bucket_name: string; version_fingerprint: string; version_id: string };
  status: string;
}

interface ErrorJson {
  code: number;
  message: string;
  details: { reason: string; metadata?: Record<string, string> }[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROLLBACK_AUTHOR = 'ingot:revocation-rollback';

describeEachEngine('revocation and ancestry', (registry) => {
  /**
   * The registry's own sweeper runs on a real-time interval; a tick landing between two
   * assertions of a test would write history the test is checking is not written yet.
   * Background sweeps are turned into no-ops here, and `sweep()` runs the real one.
   */
  before(() => {
    registry().running.registry.applyDueRollbacks = () => Promise.resolve(0);
  });
  const sweep = (): Promise<number> =>
    Registry.prototype.applyDueRollbacks.call(registry().running.registry);

  // Tokens live an hour of registry-clock time; tests move the clock by days, so calls go
  // through an admin whose token was issued recently on that clock.
  let caller: { creds: Credentials; since: number } | null = null;
  async function as(): Promise<Credentials> {
    const now = registry().clock.now().getTime();
    if (!caller || now - caller.since >= HOUR / 2) {
      caller = { creds: await registry().principal('admin'), since: now };
    }
    return caller.creds;
  }
  const ok = async <T>(method: string, url: string, body?: unknown): Promise<T> =>
    registry().ok<T>(method, url, body, await as());
  const api = async <T>(method: string, url: string, body?: unknown) =>
    registry().api<T>(method, url, body, await as());

  const clock = () => registry().clock;
  const nowMs = () => clock().now().getTime();
  const iso = (ms: number) => new Date(ms).toISOString();
  const base = (bucket: string) => `${registry().packer()}/buckets/${bucket}`;

  async function publish(
    bucket: string,
    fingerprint: string,
    parent: { parent_version_id?: string; parent_channel_id?: string } = {},
  ): Promise<VersionJson> {
    if ((await api('GET', base(bucket))).status === 404) {
      await ok('PUT', `${registry().packer()}/buckets`, { name: bucket });
    }
    await ok('POST', `${base(bucket)}/versions`, { fingerprint });
    await ok('POST', `${base(bucket)}/versions/${fingerprint}/builds`, {
      platform: 'aws',
      component_type: 'amazon-ebs.runner',
      status: 'BUILD_DONE',
      ...parent,
      artifacts: [
        { external_identifier: imageId('aws', fingerprint, 'us-east-1'), region: 'us-east-1' },
      ],
    });
    const done = await ok<{ version: VersionJson }>(
      'PATCH',
      `${base(bucket)}/versions/${fingerprint}`,
      { complete: true },
    );
    return done.version;
  }

  /** Points a channel at a version, creating the channel on first use. */
  async function point(bucket: string, channel: string, fingerprint: string): Promise<ChannelJson> {
    const existing = await api('GET', `${base(bucket)}/channels/${channel}`);
    const res =
      existing.status === 404
        ? await ok<{ channel: ChannelJson }>('POST', `${base(bucket)}/channels`, {
            name: channel,
            version_fingerprint: fingerprint,
          })
        : await ok<{ channel: ChannelJson }>('PATCH', `${base(bucket)}/channels/${channel}`, {
            version_fingerprint: fingerprint,
          });
    return res.channel;
  }

  async function channel(bucket: string, name: string): Promise<ChannelJson> {
    return (await ok<{ channel: ChannelJson }>('GET', `${base(bucket)}/channels/${name}`)).channel;
  }

  /** The fingerprint a channel serves now, or null. */
  async function serves(bucket: string, name: string): Promise<string | null> {
    return (await channel(bucket, name)).version?.fingerprint ?? null;
  }

  async function history(
    bucket: string,
    name: string,
  ): Promise<{ history: AssignmentJson[]; count: number }> {
    return ok('GET', `${base(bucket)}/channels/${name}/history`);
  }

  async function version(bucket: string, fingerprint: string): Promise<VersionJson> {
    return (await ok<{ version: VersionJson }>('GET', `${base(bucket)}/versions/${fingerprint}`))
      .version;
  }

  async function revoke(
    bucket: string,
    fingerprint: string,
    body: Record<string, unknown>,
  ): Promise<VersionJson> {
    return (
      await ok<{ version: VersionJson }>('PATCH', `${base(bucket)}/versions/${fingerprint}`, body)
    ).version;
  }

  async function bucket(name: string): Promise<BucketJson> {
    return (await ok<{ bucket: BucketJson }>('GET', base(name))).bucket;
  }

  const fingerprints = (h: { history: AssignmentJson[] }) =>
    h.history.map((e) => e.version?.fingerprint ?? null);

  // Every test leaves nothing due behind, so each sweep count below is the test's own.
  afterEach(async () => {
    await sweep();
  });

  describe('scheduled revocation', () => {
    it('takes effect exactly at revoke_at: status, channels and latest follow the clock', async () => {
      const b = 'sched-app';
      await publish(b, 'sched-1');
      await publish(b, 'sched-2');
      await point(b, 'dev', 'sched-1');
      await point(b, 'dev', 'sched-2');
      await point(b, 'prod', 'sched-1');
      await point(b, 'prod', 'sched-2');
      const revokeAt = iso(nowMs() + 2 * HOUR);

      const scheduled = await revoke(b, 'sched-2', {
        revoke_at: revokeAt,
        revocation_message: 'kernel regression from 2026-03-02',
      });
      assert.equal(scheduled.status, 'VERSION_REVOCATION_SCHEDULED');
      assert.equal(scheduled.revoke_at, revokeAt);
      assert.equal(scheduled.revocation_type, 'MANUAL');
      assert.equal(scheduled.revocation_author, (await as()).clientId);

      // One millisecond before: nothing has happened yet.
      clock().set(iso(Date.parse(revokeAt) - 1));
      assert.equal((await version(b, 'sched-2')).status, 'VERSION_REVOCATION_SCHEDULED');
      assert.equal(await serves(b, 'dev'), 'sched-2');
      assert.equal(await serves(b, 'prod'), 'sched-2');
      assert.equal(await serves(b, 'latest'), 'sched-2');
      assert.equal((await bucket(b)).latest_version?.fingerprint, 'sched-2');
      assert.equal(await sweep(), 0, 'nothing is due before revoke_at');
      assert.equal((await history(b, 'dev')).count, 2);

      // At revoke_at: revoked, and every read already serves the rollback target.
      clock().set(revokeAt);
      const revoked = await version(b, 'sched-2');
      assert.equal(revoked.status, 'VERSION_REVOKED');
      assert.equal(revoked.revocation_message, 'kernel regression from 2026-03-02');
      assert.equal(await serves(b, 'dev'), 'sched-1');
      assert.equal(await serves(b, 'prod'), 'sched-1');
      assert.equal(await serves(b, 'latest'), 'sched-1');
      assert.equal((await bucket(b)).latest_version?.fingerprint, 'sched-1');
      const listed = await ok<{ channels: ChannelJson[] }>('GET', `${base(b)}/channels`);
      assert.deepEqual(
        listed.channels.map((c) => [c.name, c.version?.fingerprint]),
        [
          ['dev', 'sched-1'],
          ['latest', 'sched-1'],
          ['prod', 'sched-1'],
        ],
      );
      assert.equal((await history(b, 'dev')).count, 2, 'history is written by the sweeper');

      // The sweeper writes the rollbacks down, once.
      assert.equal(await sweep(), 2);
      for (const name of ['dev', 'prod']) {
        const h = await history(b, name);
        assert.deepEqual(fingerprints(h), ['sched-1', 'sched-2', 'sched-1'], name);
        assert.equal(h.count, 3);
        assert.equal(h.history[0].author_id, ROLLBACK_AUTHOR);
        assert.ok(h.history[0].assigned_at >= revokeAt, h.history[0].assigned_at);
        assert.ok(h.history[1].assigned_at <= h.history[0].assigned_at);
        const stored = await channel(b, name);
        assert.equal(stored.version?.fingerprint, 'sched-1');
        assert.equal(stored.author_id, ROLLBACK_AUTHOR);
      }
      assert.equal(await sweep(), 0, 'a second sweep writes nothing');
      clock().advance(DAY);
      assert.equal(await sweep(), 0, 'nor does a later one');
      assert.equal((await history(b, 'dev')).count, 3);
      assert.equal((await history(b, 'prod')).count, 3);
    });

    it('revoke_in computes revoke_at from the registry clock', async () => {
      const b = 'revoke-in-app';
      await publish(b, 'rin-1');
      const start = nowMs();
      const v = await revoke(b, 'rin-1', { revoke_in: '12h', revocation_message: 'EOL' });
      assert.equal(v.revoke_at, iso(start + 12 * HOUR));
      assert.equal(v.status, 'VERSION_REVOCATION_SCHEDULED');
      clock().set(iso(start + 12 * HOUR - 1));
      assert.equal((await version(b, 'rin-1')).status, 'VERSION_REVOCATION_SCHEDULED');
      clock().advance(1);
      assert.equal((await version(b, 'rin-1')).status, 'VERSION_REVOKED');

      await publish(b, 'rin-2');
      const start2 = nowMs();
      assert.equal(
        (await revoke(b, 'rin-2', { revoke_in: '30d' })).revoke_at,
        iso(start2 + 30 * DAY),
      );
      const now = await revoke(b, 'rin-2', { revoke_in: '0s' });
      assert.equal(now.revoke_at, iso(start2), 'a scheduled revocation can be brought forward');
      assert.equal(now.status, 'VERSION_REVOKED');
    });

    it('a revoke_in beyond what a date can hold is a 400 naming the field, not a 500', async () => {
      const b = 'revoke-far-app';
      await publish(b, 'far-1');
      for (const revokeIn of ['100000000d', '2000000w']) {
        const res = await api<ErrorJson>('PATCH', `${base(b)}/versions/far-1`, {
          revoke_in: revokeIn,
        });
        assert.equal(res.status, 400, `${revokeIn}: ${JSON.stringify(res.body)}`);
        assert.match(res.body.message, /revoke_(in|at)/);
      }
      assert.equal((await version(b, 'far-1')).status, 'VERSION_ACTIVE');
      assert.equal(await serves(b, 'latest'), 'far-1');
    });

    it('a revoke_at in the past means now', async () => {
      const b = 'past-app';
      await publish(b, 'past-1');
      await publish(b, 'past-2');
      await point(b, 'dev', 'past-1');
      await point(b, 'dev', 'past-2');
      const requestedAt = nowMs();
      const v = await revoke(b, 'past-2', { revoke_at: iso(requestedAt - 3 * DAY) });
      assert.equal(v.revoke_at, iso(requestedAt));
      assert.equal(v.status, 'VERSION_REVOKED');
      // Taking effect now, the rollback is written with the revocation itself.
      const h = await history(b, 'dev');
      assert.deepEqual(fingerprints(h), ['past-1', 'past-2', 'past-1']);
      assert.equal(h.history[0].author_id, ROLLBACK_AUTHOR);
      assert.equal(await sweep(), 0);
    });

    it('a scheduled revocation can be restored before it takes effect', async () => {
      const b = 'sched-restore-app';
      await publish(b, 'sr-1');
      await publish(b, 'sr-2');
      await point(b, 'dev', 'sr-2');
      const revokeAt = iso(nowMs() + HOUR);
      await revoke(b, 'sr-2', { revoke_at: revokeAt });
      const restored = await revoke(b, 'sr-2', { restore: true });
      assert.equal(restored.status, 'VERSION_ACTIVE');
      assert.equal(restored.revoke_at, undefined);
      clock().set(iso(Date.parse(revokeAt) + 1));
      assert.equal((await version(b, 'sr-2')).status, 'VERSION_ACTIVE');
      assert.equal(await serves(b, 'dev'), 'sr-2');
      assert.equal(await sweep(), 0);
    });
  });

  describe('channel rollback', () => {
    it('disable_rollback_channels keeps channels on the revoked version', async () => {
      const b = 'norollback-app';
      await publish(b, 'nr-1');
      await publish(b, 'nr-2');
      await publish(b, 'nr-3');
      await point(b, 'dev', 'nr-1');
      await point(b, 'dev', 'nr-2');
      await point(b, 'prod', 'nr-2');
      await point(b, 'prod', 'nr-3');

      await revoke(b, 'nr-2', { revoke_in: '0s', disable_rollback_channels: true });
      const dev = await channel(b, 'dev');
      assert.equal(dev.version?.fingerprint, 'nr-2');
      assert.equal(dev.version?.status, 'VERSION_REVOKED');
      assert.equal((await history(b, 'dev')).count, 2);

      // Scheduled, too: when it takes effect the channel stays, and the sweeper leaves it.
      const revokeAt = iso(nowMs() + HOUR);
      await revoke(b, 'nr-3', { revoke_at: revokeAt, disable_rollback_channels: true });
      clock().set(revokeAt);
      assert.equal((await version(b, 'nr-3')).status, 'VERSION_REVOKED');
      assert.equal(await serves(b, 'prod'), 'nr-3');
      assert.equal(await sweep(), 0);
      assert.equal(await serves(b, 'prod'), 'nr-3');
      assert.equal(await serves(b, 'dev'), 'nr-2');
      assert.deepEqual(fingerprints(await history(b, 'prod')), ['nr-3', 'nr-2']);
      // `latest` is managed: it never serves a revoked version.
      assert.equal(await serves(b, 'latest'), 'nr-1');
    });

    it('leaves the channel unassigned when no earlier assignment is still valid', async () => {
      const b = 'noprev-app';
      await publish(b, 'np-1');
      await point(b, 'dev', 'np-1');
      await revoke(b, 'np-1', { revoke_in: '0s' });
      const dev = await channel(b, 'dev');
      assert.equal(dev.version, undefined);
      const h = await history(b, 'dev');
      assert.deepEqual(fingerprints(h), [null, 'np-1']);
      assert.equal(h.history[0].author_id, ROLLBACK_AUTHOR);
      assert.equal(await serves(b, 'latest'), null);
      assert.equal((await bucket(b)).latest_version, undefined);

      // Scheduled: reads serve nothing from revoke_at on; the sweeper records the unassignment.
      await publish(b, 'np-2');
      await point(b, 'prod', 'np-2');
      const revokeAt = iso(nowMs() + HOUR);
      await revoke(b, 'np-2', { revoke_at: revokeAt });
      clock().set(revokeAt);
      assert.equal(await serves(b, 'prod'), null);
      assert.equal(await sweep(), 1);
      assert.deepEqual(fingerprints(await history(b, 'prod')), [null, 'np-2']);
      assert.equal(await serves(b, 'prod'), null);
    });

    it('skips earlier assignments that are themselves revoked', async () => {
      const b = 'skiprev-app';
      for (const fp of ['sk-1', 'sk-2', 'sk-3', 'sk-4']) await publish(b, fp);
      for (const fp of ['sk-1', 'sk-2', 'sk-3']) await point(b, 'dev', fp);
      await revoke(b, 'sk-2', { revoke_in: '0s' });
      assert.equal(await serves(b, 'dev'), 'sk-3', 'dev was not on sk-2');
      await revoke(b, 'sk-3', { revoke_in: '0s' });
      assert.equal(await serves(b, 'dev'), 'sk-1');
      assert.deepEqual(fingerprints(await history(b, 'dev')), ['sk-1', 'sk-3', 'sk-2', 'sk-1']);

      // The same when a scheduled revocation of an earlier assignment fell due meanwhile.
      await point(b, 'prod', 'sk-1');
      await point(b, 'prod', 'sk-4');
      const first = iso(nowMs() + HOUR);
      const second = iso(nowMs() + 2 * HOUR);
      await revoke(b, 'sk-1', { revoke_at: first, disable_rollback_channels: true });
      await revoke(b, 'sk-4', { revoke_at: second });
      clock().set(second);
      assert.equal(await serves(b, 'prod'), null, 'sk-1 is revoked by then, so nothing is left');
      assert.equal(await serves(b, 'latest'), null);
    });

    it('a later revocation of the rollback target moves the channel again', async () => {
      const b = 'chain-app';
      for (const fp of ['ch-1', 'ch-2', 'ch-3']) {
        await publish(b, fp);
        await point(b, 'dev', fp);
      }
      const first = iso(nowMs() + HOUR);
      const second = iso(nowMs() + 2 * HOUR);
      await revoke(b, 'ch-3', { revoke_at: first });
      await revoke(b, 'ch-2', { revoke_at: second });
      clock().set(first);
      assert.equal(await serves(b, 'dev'), 'ch-2');
      assert.equal(await sweep(), 1);
      clock().set(second);
      assert.equal(await serves(b, 'dev'), 'ch-1');
      assert.equal(await sweep(), 1);
      const h = await history(b, 'dev');
      assert.deepEqual(fingerprints(h), ['ch-1', 'ch-2', 'ch-3', 'ch-2', 'ch-1']);
      assert.deepEqual(
        h.history.slice(0, 2).map((e) => e.author_id),
        [ROLLBACK_AUTHOR, ROLLBACK_AUTHOR],
      );
    });
  });

  describe('inherited revocation', () => {
    /** ubuntu-base v1 with a prod channel → runner-ubuntu → runner-tools, with channels. */
    async function family(tag: string) {
      const names = {
        base: `ubuntu-base-${tag}`,
        child: `runner-ubuntu-${tag}`,
        grandchild: `runner-tools-${tag}`,
      };
      const base1 = await publish(names.base, `${tag}-base-1`);
      const prod = await point(names.base, 'prod', base1.fingerprint);
      const child = await publish(names.child, `${tag}-runner-1`, {
        parent_version_id: base1.id,
        parent_channel_id: prod.id,
      });
      const childProd = await point(names.child, 'prod', child.fingerprint);
      const grandchild = await publish(names.grandchild, `${tag}-tools-1`, {
        parent_version_id: child.id,
        parent_channel_id: childProd.id,
      });
      await point(names.grandchild, 'prod', grandchild.fingerprint);
      return { names, base1, prod, child, grandchild };
    }

    it('descendants inherit the revocation, transitively and across buckets', async () => {
      const f = await family('inh');
      const by = (await as()).clientId;
      await revoke(f.names.base, f.base1.fingerprint, {
        revoke_in: '0s',
        revocation_message: 'CVE-2026-1234 in glibc',
      });
      for (const [bucketName, fp] of [
        [f.names.child, f.child.fingerprint],
        [f.names.grandchild, f.grandchild.fingerprint],
      ]) {
        const v = await version(bucketName, fp);
        assert.equal(v.status, 'VERSION_REVOKED', bucketName);
        assert.equal(v.revocation_type, 'INHERITED');
        assert.equal(v.revocation_message, 'CVE-2026-1234 in glibc');
        assert.equal(v.revocation_author, by);
        assert.deepEqual(v.revocation_inherited_from, {
          bucket_name: f.names.base,
          href: `${base(f.names.base)}/versions/${f.base1.fingerprint}`,
          version_fingerprint: f.base1.fingerprint,
          version_id: f.base1.id,
          version_name: 'v1',
        });
        // Their channels rolled back too (nothing earlier: unassigned).
        assert.equal(await serves(bucketName, 'prod'), null);
        assert.equal((await history(bucketName, 'prod')).history[0].author_id, ROLLBACK_AUTHOR);
      }
      const root = await version(f.names.base, f.base1.fingerprint);
      assert.equal(root.revocation_type, 'MANUAL');
      assert.equal(root.revocation_inherited_from, undefined);
    });

    it('descendants inherit a scheduled revocation and roll back when it takes effect', async () => {
      const f = await family('inhs');
      const child2 = await publish(f.names.child, 'inhs-runner-0', {
        parent_version_id: f.base1.id,
      });
      assert.equal(child2.name, 'v2');
      // Every version of the child bucket descends from the base: once the base's
      // revocation is due, neither prod nor latest has anything valid left to serve.
      const revokeAt = iso(nowMs() + 6 * HOUR);
      await revoke(f.names.base, f.base1.fingerprint, { revoke_at: revokeAt });
      const child = await version(f.names.child, f.child.fingerprint);
      assert.equal(child.status, 'VERSION_REVOCATION_SCHEDULED');
      assert.equal(child.revoke_at, revokeAt);
      assert.equal(child.revocation_type, 'INHERITED');
      assert.equal(await serves(f.names.child, 'prod'), f.child.fingerprint);
      clock().set(revokeAt);
      assert.equal((await version(f.names.child, f.child.fingerprint)).status, 'VERSION_REVOKED');
      assert.equal(
        (await version(f.names.grandchild, f.grandchild.fingerprint)).status,
        'VERSION_REVOKED',
      );
      assert.equal(await serves(f.names.child, 'prod'), null);
      assert.equal(await serves(f.names.child, 'latest'), null);
      assert.equal(await serves(f.names.grandchild, 'prod'), null);
      assert.equal(await sweep(), 3, 'base, child and grandchild prod channels');
    });

    it('a descendant still being built when the base is scheduled for revocation can complete, inheriting the schedule', async () => {
      const baseBucket = 'ubuntu-base-wip';
      const childBucket = 'runner-ubuntu-wip';
      const base1 = await publish(baseBucket, 'wip-base-1');
      await ok('PUT', `${registry().packer()}/buckets`, { name: childBucket });
      await ok('POST', `${base(childBucket)}/versions`, { fingerprint: 'wip-runner-1' });
      await ok('POST', `${base(childBucket)}/versions/wip-runner-1/builds`, {
        platform: 'aws',
        component_type: 'amazon-ebs.runner',
        status: 'BUILD_DONE',
        parent_version_id: base1.id,
        artifacts: [{ external_identifier: 'ami-0wip', region: 'us-east-1' }],
      });
      const revokeAt = iso(nowMs() + 7 * DAY);
      await revoke(baseBucket, base1.fingerprint, { revoke_at: revokeAt });

      const completed = await api<{ version: VersionJson }>(
        'PATCH',
        `${base(childBucket)}/versions/wip-runner-1`,
        { complete: true },
      );
      assert.equal(completed.status, 200, JSON.stringify(completed.body));
      const child = completed.body.version;
      assert.equal(child.name, 'v1');
      assert.equal(child.status, 'VERSION_REVOCATION_SCHEDULED');
      assert.equal(child.revoke_at, revokeAt);
      assert.equal(child.revocation_type, 'INHERITED');
      assert.equal(await serves(childBucket, 'latest'), 'wip-runner-1');
      clock().set(revokeAt);
      assert.equal((await version(childBucket, 'wip-runner-1')).status, 'VERSION_REVOKED');
      assert.equal(await serves(childBucket, 'latest'), null);
    });

    it('a version built after the base was scheduled for revocation inherits it, unless descendants were skipped', async () => {
      const base1 = await publish('ubuntu-base-late', 'late-base-1');
      const base2 = await publish('ubuntu-base-late', 'late-base-2');
      const revokeAt = iso(nowMs() + 3 * DAY);
      await revoke('ubuntu-base-late', base1.fingerprint, {
        revoke_at: revokeAt,
        revocation_message: 'EOL kernel',
      });
      await revoke('ubuntu-base-late', base2.fingerprint, {
        revoke_at: revokeAt,
        skip_descendants_revocation: true,
      });
      const inherits = await publish('runner-late', 'late-runner-1', {
        parent_version_id: base1.id,
      });
      assert.equal(inherits.status, 'VERSION_REVOCATION_SCHEDULED');
      assert.equal(inherits.revoke_at, revokeAt);
      assert.equal(inherits.revocation_type, 'INHERITED');
      assert.equal(inherits.revocation_message, 'EOL kernel');
      assert.equal(inherits.revocation_inherited_from?.version_id, base1.id);
      const skipped = await publish('runner-late', 'late-runner-2', {
        parent_version_id: base2.id,
      });
      assert.equal(skipped.status, 'VERSION_ACTIVE');
      clock().set(revokeAt);
      assert.equal((await version('runner-late', 'late-runner-1')).status, 'VERSION_REVOKED');
      assert.equal((await version('runner-late', 'late-runner-2')).status, 'VERSION_ACTIVE');
    });

    it('a descendant whose ancestor is revoked (in effect) cannot be completed', async () => {
      const baseBucket = 'ubuntu-base-dead';
      const childBucket = 'runner-ubuntu-dead';
      const base1 = await publish(baseBucket, 'dead-base-1');
      await ok('PUT', `${registry().packer()}/buckets`, { name: childBucket });
      await ok('POST', `${base(childBucket)}/versions`, { fingerprint: 'dead-runner-1' });
      await ok('POST', `${base(childBucket)}/versions/dead-runner-1/builds`, {
        platform: 'aws',
        component_type: 'amazon-ebs.runner',
        status: 'BUILD_DONE',
        parent_version_id: base1.id,
      });
      await revoke(baseBucket, base1.fingerprint, { revoke_in: '0s' });
      const refused = await api<ErrorJson>('PATCH', `${base(childBucket)}/versions/dead-runner-1`, {
        complete: true,
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.details[0].reason, 'VERSION_REVOKED');
    });

    it('skip_descendants_revocation leaves the children active', async () => {
      const f = await family('skip');
      const root = await revoke(f.names.base, f.base1.fingerprint, {
        revoke_in: '0s',
        skip_descendants_revocation: true,
      });
      assert.equal(root.status, 'VERSION_REVOKED');
      for (const [bucketName, fp] of [
        [f.names.child, f.child.fingerprint],
        [f.names.grandchild, f.grandchild.fingerprint],
      ]) {
        const v = await version(bucketName, fp);
        assert.equal(v.status, 'VERSION_ACTIVE', bucketName);
        assert.equal(v.revocation_type, undefined);
        assert.equal(await serves(bucketName, 'prod'), fp);
      }
    });

    it('a descendant cannot be restored while its ancestor is revoked; restoring the ancestor restores it', async () => {
      const f = await family('rst');
      await revoke(f.names.base, f.base1.fingerprint, { revoke_in: '0s' });
      for (const [bucketName, fp] of [
        [f.names.child, f.child.fingerprint],
        [f.names.grandchild, f.grandchild.fingerprint],
      ]) {
        const refused = await api<ErrorJson>('PATCH', `${base(bucketName)}/versions/${fp}`, {
          restore: true,
        });
        assert.equal(refused.status, 400, bucketName);
        assert.equal(refused.body.details[0].reason, 'ANCESTOR_REVOKED');
        assert.match(refused.body.message, new RegExp(`${f.names.base}/${f.base1.fingerprint}`));
        assert.equal((await version(bucketName, fp)).status, 'VERSION_REVOKED');
      }

      const restored = await revoke(f.names.base, f.base1.fingerprint, { restore: true });
      assert.equal(restored.status, 'VERSION_ACTIVE');
      for (const [bucketName, fp] of [
        [f.names.child, f.child.fingerprint],
        [f.names.grandchild, f.grandchild.fingerprint],
      ]) {
        const v = await version(bucketName, fp);
        assert.equal(v.status, 'VERSION_ACTIVE', bucketName);
        assert.equal(v.revocation_type, undefined);
        assert.equal(v.revocation_inherited_from, undefined);
        assert.equal(v.revoke_at, undefined);
        // `latest` is computed, so it serves the restored version again at once.
        assert.equal(await serves(bucketName, 'latest'), fp);
      }
      const nothing = await api<ErrorJson>(
        'PATCH',
        `${base(f.names.base)}/versions/${f.base1.fingerprint}`,
        { restore: true },
      );
      assert.equal(nothing.status, 400);
      assert.equal(nothing.body.details[0].reason, 'VERSION_NOT_REVOKED');
    });

    it('restoring the base keeps a descendant revoked on its own account', async () => {
      const f = await family('own');
      await revoke(f.names.child, f.child.fingerprint, {
        revoke_in: '0s',
        revocation_message: 'broken runner agent',
        skip_descendants_revocation: true,
      });
      await revoke(f.names.base, f.base1.fingerprint, { revoke_in: '0s' });
      const child = await version(f.names.child, f.child.fingerprint);
      assert.equal(child.revocation_type, 'MANUAL', 'an earlier own revocation is kept');
      assert.equal(child.revocation_message, 'broken runner agent');
      await revoke(f.names.base, f.base1.fingerprint, { restore: true });
      assert.equal((await version(f.names.child, f.child.fingerprint)).status, 'VERSION_REVOKED');
      assert.equal(
        (await version(f.names.grandchild, f.grandchild.fingerprint)).status,
        'VERSION_ACTIVE',
      );
    });
  });

  describe('ancestry', () => {
    it('relations turn from UP_TO_DATE to OUT_OF_DATE when the parent channel moves on', async () => {
      const parentBucket = 'ubuntu-base-anc';
      const childBucket = 'runner-ubuntu-anc';
      const b1 = await publish(parentBucket, 'anc-base-1');
      const prod = await point(parentBucket, 'prod', b1.fingerprint);
      const r1 = await publish(childBucket, 'anc-runner-1', {
        parent_version_id: b1.id,
        parent_channel_id: prod.id,
      });
      assert.equal(r1.builds[0].parent_version_id, b1.id);
      assert.equal(r1.builds[0].parent_channel_id, prod.id);
      assert.deepEqual(r1.parents, {
        href: `${base(childBucket)}/ancestry?type=ANCESTRY_TYPE_PARENTS`,
        status: 'UP_TO_DATE',
      });
      assert.equal((await version(parentBucket, b1.fingerprint)).has_descendants, true);
      assert.equal(r1.has_descendants, false);

      const children = async () =>
        ok<{ relations: RelationJson[]; total_count: number }>(
          'GET',
          `${base(parentBucket)}/ancestry?type=ANCESTRY_TYPE_CHILDREN`,
        );
      const parents = async () =>
        ok<{ relations: RelationJson[]; total_count: number }>(
          'GET',
          `${base(childBucket)}/ancestry?type=ANCESTRY_TYPE_PARENTS`,
        );

      let rel = await children();
      assert.equal(rel.total_count, 1);
      assert.deepEqual(rel.relations[0], {
        parent: {
          bucket_name: parentBucket,
          version_fingerprint: b1.fingerprint,
          version_id: b1.id,
          version_name: 'v1',
          channel_name: 'prod',
          channel_version: { fingerprint: b1.fingerprint, id: b1.id, name: 'v1' },
        },
        child: {
          bucket_name: childBucket,
          version_fingerprint: r1.fingerprint,
          version_id: r1.id,
          version_name: 'v1',
        },
        status: 'UP_TO_DATE',
      });
      assert.deepEqual((await parents()).relations, rel.relations);
      // The child bucket has no children; the parent bucket no parents.
      assert.equal(
        (
          await ok<{ relations: RelationJson[] }>(
            'GET',
            `${base(childBucket)}/ancestry?type=ANCESTRY_TYPE_CHILDREN`,
          )
        ).relations.length,
        0,
      );
      assert.equal((await bucket(parentBucket)).children?.status, 'UP_TO_DATE');
      assert.equal((await bucket(parentBucket)).parents, undefined);
      assert.equal((await bucket(childBucket)).parents?.status, 'UP_TO_DATE');
      assert.equal((await bucket(childBucket)).children, undefined);

      // The base's prod channel moves to a newer base version: the child is out of date.
      const b2 = await publish(parentBucket, 'anc-base-2');
      await point(parentBucket, 'prod', b2.fingerprint);
      rel = await children();
      assert.equal(rel.relations[0].status, 'OUT_OF_DATE');
      assert.deepEqual(rel.relations[0].parent.channel_version, {
        fingerprint: b2.fingerprint,
        id: b2.id,
        name: 'v2',
      });
      assert.equal((await parents()).relations[0].status, 'OUT_OF_DATE');
      assert.equal((await version(childBucket, r1.fingerprint)).parents?.status, 'OUT_OF_DATE');
      assert.equal((await bucket(parentBucket)).children?.status, 'OUT_OF_DATE');
      assert.equal((await bucket(childBucket)).parents?.status, 'OUT_OF_DATE');

      // A rebuild from the channel alone takes the channel's current version and is current.
      const r2 = await publish(childBucket, 'anc-runner-2', { parent_channel_id: prod.id });
      assert.equal(r2.builds[0].parent_version_id, b2.id);
      assert.equal(r2.builds[0].parent_channel_id, prod.id);
      assert.equal(r2.parents?.status, 'UP_TO_DATE');
      assert.equal((await bucket(childBucket)).parents?.status, 'UP_TO_DATE');
      assert.equal(
        (await bucket(parentBucket)).children?.status,
        'UP_TO_DATE',
        "only the child bucket's newest version built from the parent counts",
      );
      rel = await children();
      assert.deepEqual(rel.relations.map((r) => [r.child.version_fingerprint, r.status]).sort(), [
        ['anc-runner-1', 'OUT_OF_DATE'],
        ['anc-runner-2', 'UP_TO_DATE'],
      ]);

      // Moving the channel back makes the old child current again.
      await point(parentBucket, 'prod', b1.fingerprint);
      assert.equal((await version(childBucket, r1.fingerprint)).parents?.status, 'UP_TO_DATE');
      assert.equal((await version(childBucket, r2.fingerprint)).parents?.status, 'OUT_OF_DATE');
    });

    it('a scheduled revocation of the parent makes the child out of date when it takes effect', async () => {
      const parentBucket = 'ubuntu-base-ancs';
      const childBucket = 'runner-ubuntu-ancs';
      const b1 = await publish(parentBucket, 'ancs-base-1');
      const b2 = await publish(parentBucket, 'ancs-base-2');
      await point(parentBucket, 'prod', b1.fingerprint);
      const prod = await point(parentBucket, 'prod', b2.fingerprint);
      const r1 = await publish(childBucket, 'ancs-runner-1', { parent_channel_id: prod.id });
      assert.equal(r1.parents?.status, 'UP_TO_DATE');
      const revokeAt = iso(nowMs() + HOUR);
      await revoke(parentBucket, b2.fingerprint, {
        revoke_at: revokeAt,
        skip_descendants_revocation: true,
      });
      assert.equal((await version(childBucket, r1.fingerprint)).parents?.status, 'UP_TO_DATE');
      clock().set(revokeAt);
      // prod now serves base-1: the child was built from something prod no longer serves.
      assert.equal((await version(childBucket, r1.fingerprint)).parents?.status, 'OUT_OF_DATE');
    });

    it('a build naming a revoked parent is refused with 400 (FailedPrecondition)', async () => {
      const parentBucket = 'ubuntu-base-rev';
      const childBucket = 'runner-ubuntu-rev';
      const b1 = await publish(parentBucket, 'rev-base-1');
      const frozen = await point(parentBucket, 'frozen', b1.fingerprint);
      await revoke(parentBucket, b1.fingerprint, {
        revoke_in: '0s',
        disable_rollback_channels: true,
      });
      await ok('PUT', `${registry().packer()}/buckets`, { name: childBucket });
      await ok('POST', `${base(childBucket)}/versions`, { fingerprint: 'rev-runner-1' });
      const builds = `${base(childBucket)}/versions/rev-runner-1/builds`;
      for (const parent of [
        { parent_version_id: b1.id },
        { parent_version_id: b1.id, parent_channel_id: frozen.id },
        // The channel still points at the revoked version (rollback disabled).
        { parent_channel_id: frozen.id },
      ]) {
        const res = await api<ErrorJson>('POST', builds, {
          platform: 'aws',
          component_type: 'amazon-ebs.runner',
          status: 'BUILD_DONE',
          ...parent,
        });
        assert.equal(res.status, 400, JSON.stringify(parent));
        assert.equal(res.body.details[0].reason, 'PARENT_REVOKED');
        assert.match(res.body.message, /rev-base-1/);
      }
      const listed = await ok<{ builds: BuildJson[] }>('GET', builds);
      assert.equal(listed.builds.length, 0);
    });
  });
});
