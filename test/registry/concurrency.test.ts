import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManualClock } from '../../src/registry/clock';
import { startRegistry } from '../../src/registry/serve';
import {
  ENGINES,
  startTestRegistry,
  TestRegistry,
  type ApiResponse,
} from '../helpers/registry-harness';

/**
 * A clock that moves one millisecond every time it is read, so every timestamp the
 * registry writes is distinct and ordered by when it was taken, without depending on
 * how fast the machine runs.
 */
class TickingClock extends ManualClock {
  override now(): Date {
    const now = super.now();
    this.advance(1);
    return now;
  }
}

interface VersionJson {
  id: string;
  fingerprint: string;
  name: string;
}

interface ChannelJson {
  version?: VersionJson;
}

interface HistoryJson {
  history: { assigned_at: string; author_id: string; version?: VersionJson }[];
  count: number;
}

const CHANNEL_UPDATES = 50;
const COMPLETIONS = 20;

/** Publishes `count` complete versions `${prefix}-1`... one after the other. */
async function publishMany(registry: TestRegistry, bucket: string, prefix: string, count: number) {
  for (let i = 1; i <= count; i++) await registry.publish(bucket, `${prefix}-${i}`);
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

/** Creates `count` versions of `bucket` with one finished build each, not yet complete. */
async function prepareVersions(
  registry: TestRegistry,
  bucket: string,
  prefix: string,
  count: number,
): Promise<string[]> {
  const base = `${registry.packer()}/buckets/${bucket}`;
  const fingerprints = Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
  await Promise.all(
    fingerprints.map(async (fingerprint) => {
      await registry.ok('POST', `${base}/versions`, { fingerprint });
      await registry.ok('POST', `${base}/versions/${fingerprint}/builds`, {
        platform: 'aws',
        component_type: 'amazon-ebs.runner',
        status: 'BUILD_DONE',
        artifacts: [{ external_identifier: `ami-${fingerprint}`, region: 'us-east-1' }],
      });
    }),
  );
  return fingerprints;
}

function assertAllOk(responses: ApiResponse[], what: string): void {
  const failed = responses.filter((r) => r.status !== 200);
  assert.deepEqual(
    failed.map((r) => [r.status, r.body]),
    [],
    `${failed.length} of ${responses.length} ${what} failed`,
  );
}

/**
 * Checks a channel's history after `expected` concurrent assignments: every one is there
 * exactly once, the sequence is gap-free, assigned_at grows with the sequence, and the
 * channel serves the newest entry.
 */
async function assertCompleteHistory(
  registry: TestRegistry,
  bucket: string,
  channel: string,
  expected: string[],
): Promise<void> {
  const base = `${registry.packer()}/buckets/${bucket}/channels/${channel}`;
  const h = await registry.ok<HistoryJson>('GET', `${base}/history?pagination.page_size=100`);
  assert.equal(h.count, expected.length);
  assert.equal(h.history.length, expected.length);
  const seen = h.history.map((e) => e.version?.fingerprint);
  assert.deepEqual([...seen].sort(), [...expected].sort(), 'every assignment is recorded once');
  // Newest first: assigned_at strictly decreases down the list.
  for (let i = 1; i < h.history.length; i++) {
    assert.ok(
      h.history[i - 1].assigned_at > h.history[i].assigned_at,
      `entry ${i - 1} (${h.history[i - 1].assigned_at}) is newer than entry ${i} (${h.history[i].assigned_at})`,
    );
  }

  // The stored sequence numbers: 1..n, no gap, no duplicate, in assigned_at order.
  const { ctx } = registry.running.registry;
  const scope = { organizationId: 'org-1', projectId: 'proj-1' };
  const storedBucket = await ctx.buckets.findBucket(ctx.db.reader, scope, bucket);
  assert.ok(storedBucket);
  const stored = await ctx.channels.findChannel(ctx.db.reader, storedBucket.id, channel);
  assert.ok(stored);
  assert.equal(stored.historySeq, expected.length);
  const rows = await ctx.channels.listHistory(ctx.db.reader, stored.id, { offset: 0, limit: 1000 });
  assert.deepEqual(
    rows.map((r) => r.seq),
    Array.from({ length: expected.length }, (_, i) => expected.length - i),
  );
  const byTime = [...rows].sort((a, b) => a.assignedAt.localeCompare(b.assignedAt));
  assert.deepEqual(
    byTime.map((r) => r.seq),
    Array.from({ length: expected.length }, (_, i) => i + 1),
  );

  const current = await registry.ok<{ channel: ChannelJson }>('GET', base);
  assert.equal(current.channel.version?.fingerprint, h.history[0].version?.fingerprint);
  assert.equal(stored.versionId, rows[0].versionId);
}

for (const engine of ENGINES) {
  describe(`concurrent writes [${engine}]`, function () {
    this.timeout(120_000);
    let registry: TestRegistry;
    before(async () => {
      registry = await startTestRegistry(engine, new TickingClock('2026-03-01T12:00:00.000Z'));
    });
    after(async () => {
      await registry?.close();
    });

    it(`${CHANNEL_UPDATES} parallel moves of one channel are all recorded, in order`, async () => {
      const bucket = 'conc-channel';
      const fingerprints = await publishMany(registry, bucket, 'cc', CHANNEL_UPDATES);
      const base = `${registry.packer()}/buckets/${bucket}/channels`;
      await registry.ok('POST', base, { name: 'dev' });
      const responses = await Promise.all(
        fingerprints.map((fingerprint) =>
          registry.api('PATCH', `${base}/dev`, { version_fingerprint: fingerprint }),
        ),
      );
      assertAllOk(responses, 'channel updates');
      await assertCompleteHistory(registry, bucket, 'dev', fingerprints);
    });

    it(`${COMPLETIONS} parallel completions in one bucket are named v1..v${COMPLETIONS}`, async () => {
      const bucket = 'conc-complete';
      await registry.ok('PUT', `${registry.packer()}/buckets`, { name: bucket });
      const base = `${registry.packer()}/buckets/${bucket}/versions`;
      const fingerprints = await prepareVersions(registry, bucket, 'cv', COMPLETIONS);
      const responses = await Promise.all(
        fingerprints.map((fingerprint) =>
          registry.api<{ version: VersionJson }>('PATCH', `${base}/${fingerprint}`, {
            complete: true,
          }),
        ),
      );
      assertAllOk(responses, 'completions');
      const names = responses.map((r) => r.body.version.name);
      assert.deepEqual(
        [...names].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))),
        Array.from({ length: COMPLETIONS }, (_, i) => `v${i + 1}`),
      );
      // The names stick: reading every version back gives the same one.
      const listed = await registry.ok<{ versions: VersionJson[] }>('GET', base);
      assert.deepEqual(
        Object.fromEntries(listed.versions.map((v) => [v.fingerprint, v.name])),
        Object.fromEntries(responses.map((r) => [r.body.version.fingerprint, r.body.version.name])),
      );
      const latest = await registry.ok<{ channel: ChannelJson }>(
        'GET',
        `${registry.packer()}/buckets/${bucket}/channels/latest`,
      );
      assert.equal(latest.channel.version?.name, `v${COMPLETIONS}`);

      // Completing one version many times at once names it once.
      const [again] = await prepareVersions(registry, bucket, 'cv-again', 1);
      const repeated = await Promise.all(
        Array.from({ length: 8 }, () =>
          registry.api<{ version: VersionJson }>('PATCH', `${base}/${again}`, { complete: true }),
        ),
      );
      assertAllOk(repeated, 'repeated completions');
      assert.deepEqual(
        [...new Set(repeated.map((r) => r.body.version.name))],
        [`v${COMPLETIONS + 1}`],
      );
    });

    it('parallel creates of one fingerprint yield one version', async () => {
      const bucket = 'conc-create';
      await registry.ok('PUT', `${registry.packer()}/buckets`, { name: bucket });
      const base = `${registry.packer()}/buckets/${bucket}/versions`;
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          registry.api<{ version: VersionJson }>('POST', base, { fingerprint: 'same-fp' }),
        ),
      );
      assertAllOk(responses, 'creates');
      assert.equal(new Set(responses.map((r) => r.body.version.id)).size, 1);
      const listed = await registry.ok<{ versions: VersionJson[] }>('GET', base);
      assert.deepEqual(
        listed.versions.map((v) => v.fingerprint),
        ['same-fp'],
      );
      const audit = await registry.ok<{ events: { action: string; target: string }[] }>(
        'GET',
        `${registry.ingot()}/audit-events?pagination.page_size=1000`,
      );
      assert.equal(
        audit.events.filter(
          (e) => e.action === 'version.create' && e.target === `${bucket}/same-fp`,
        ).length,
        1,
        'one creation is audited',
      );
    });

    it('parallel creates of one bucket name: one succeeds, the others get 409, none a 500', async () => {
      const responses = await Promise.all(
        Array.from({ length: 12 }, () =>
          registry.api<{ code: number; details: { reason: string }[] }>(
            'PUT',
            `${registry.packer()}/buckets`,
            { name: 'conc-same-bucket' },
          ),
        ),
      );
      assert.deepEqual(responses.map((r) => r.status).sort(), [
        200,
        ...Array.from({ length: 11 }, () => 409),
      ]);
      for (const r of responses.filter((x) => x.status === 409)) {
        assert.equal(r.body.details[0].reason, 'BUCKET_ALREADY_EXISTS');
      }
      const channels = await registry.ok<{ channels: { name: string }[] }>(
        'GET',
        `${registry.packer()}/buckets/conc-same-bucket/channels`,
      );
      assert.deepEqual(
        channels.channels.map((c) => c.name),
        ['latest'],
      );
    });

    if (engine !== 'postgres') return;

    describe('two registry processes on one database', () => {
      let second: TestRegistry;
      before(async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-second-'));
        const running = await startRegistry(
          {
            host: '127.0.0.1',
            port: 0,
            databaseUrl: registry.databaseUrl,
            credentialsFile: path.join(dir, 'admin-credentials.json'),
            logLevel: 'silent',
          },
          { clock: registry.clock, logger: false },
        );
        second = new TestRegistry(
          'postgres',
          running,
          registry.clock,
          registry.admin,
          registry.databaseUrl,
          async () => fs.rmSync(dir, { recursive: true, force: true }),
        );
        assert.equal(running.credentialsFile, null, 'the admin exists already: no new file');
      });
      after(async () => {
        await second?.close();
      });

      it('interleaved channel moves through both processes keep a complete, ordered history', async () => {
        const bucket = 'conc-two-procs';
        const fingerprints = await publishMany(registry, bucket, 'tp', 40);
        const base = `${registry.packer()}/buckets/${bucket}/channels`;
        await second.ok('POST', base, { name: 'prod' });
        const responses = await Promise.all(
          fingerprints.map((fingerprint, i) =>
            (i % 2 === 0 ? registry : second).api('PATCH', `${base}/prod`, {
              version_fingerprint: fingerprint,
            }),
          ),
        );
        assertAllOk(responses, 'channel updates across two processes');
        await assertCompleteHistory(registry, bucket, 'prod', fingerprints);
        // Both processes serve the same version.
        const [a, b] = await Promise.all(
          [registry, second].map((r) => r.ok<{ channel: ChannelJson }>('GET', `${base}/prod`)),
        );
        assert.equal(a.channel.version?.id, b.channel.version?.id);
      });

      it('completions through both processes are named without gaps or duplicates', async () => {
        const bucket = 'conc-two-complete';
        await second.ok('PUT', `${registry.packer()}/buckets`, { name: bucket });
        const base = `${registry.packer()}/buckets/${bucket}/versions`;
        const fingerprints = await prepareVersions(registry, bucket, 'tc', COMPLETIONS);
        const responses = await Promise.all(
          fingerprints.map((fingerprint, i) =>
            (i % 2 === 0 ? registry : second).api<{ version: VersionJson }>(
              'PATCH',
              `${base}/${fingerprint}`,
              { complete: true },
            ),
          ),
        );
        assertAllOk(responses, 'completions across two processes');
        assert.deepEqual(
          responses.map((r) => Number(r.body.version.name.slice(1))).sort((x, y) => x - y),
          Array.from({ length: COMPLETIONS }, (_, i) => i + 1),
        );
      });

      it('creates of one bucket name through both processes: one 200, the rest 409', async () => {
        const responses = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? registry : second).api('PUT', `${registry.packer()}/buckets`, {
              name: 'conc-two-bucket',
            }),
          ),
        );
        assert.deepEqual(responses.map((r) => r.status).sort(), [
          200,
          ...Array.from({ length: 11 }, () => 409),
        ]);
      });

      it('creates of one fingerprint through both processes yield one version', async () => {
        const bucket = 'conc-two-create';
        await registry.ok('PUT', `${registry.packer()}/buckets`, { name: bucket });
        const base = `${registry.packer()}/buckets/${bucket}/versions`;
        const responses = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? registry : second).api<{ version: VersionJson }>('POST', base, {
              fingerprint: 'shared-fp',
            }),
          ),
        );
        assertAllOk(responses, 'creates across two processes');
        assert.equal(new Set(responses.map((r) => r.body.version.id)).size, 1);
      });
    });
  });
}
