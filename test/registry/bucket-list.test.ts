import assert from 'node:assert/strict';
import type { BucketView } from '../../src/registry/service/bucket-service';
import { queriesOf } from '../helpers/query-log';
import { describeEachEngine, imageId, type TestRegistry } from '../helpers/registry-harness';

/**
 * The bucket list builds a whole page of bucket views at once: each listed bucket must
 * read exactly as GET of that bucket does (but for build metadata, which lists leave
 * out), and the page must cost the same number of SQL queries whatever its size.
 */

interface Status {
  href: string;
  status: string;
}

interface BuildJson {
  platform: string;
  metadata?: unknown;
}

interface VersionJson {
  id: string;
  fingerprint: string;
  name: string;
  status: string;
  builds: BuildJson[];
  revoke_at?: string;
  revocation_inherited_from?: { bucket_name: string; version_fingerprint: string };
}

interface BucketJson {
  name: string;
  labels: Record<string, string>;
  latest_version?: VersionJson;
  platforms: string[];
  version_count: string;
  parents?: Status;
  children?: Status;
}

interface ListJson {
  buckets: BucketJson[];
  pagination: { next_page_token?: string; previous_page_token?: string };
}

const HOUR = 3_600_000;
const ORG = 'org-1';

/** Publishes buckets through the API, as Packer and the CLI do. */
function publisher(registry: () => TestRegistry, project: string) {
  const base = (bucket: string) => `${registry().packer(ORG, project)}/buckets/${bucket}`;
  const ok = <T>(method: string, url: string, body?: unknown) =>
    registry().ok<T>(method, url, body);

  async function bucket(name: string, labels: Record<string, string> = {}): Promise<void> {
    await ok('PUT', `${registry().packer(ORG, project)}/buckets`, { name, labels });
  }

  /** A version with one build per platform; complete unless told otherwise. */
  async function version(
    bucketName: string,
    fingerprint: string,
    options: {
      platforms?: string[];
      parent?: { parent_version_id: string; parent_channel_id?: string };
      complete?: boolean;
    } = {},
  ): Promise<VersionJson> {
    await ok('POST', `${base(bucketName)}/versions`, { fingerprint });
    for (const platform of options.platforms ?? ['aws']) {
      const builds = `${base(bucketName)}/versions/${fingerprint}/builds`;
      const { build } = await ok<{ build: { id: string } }>('POST', builds, {
        platform,
        component_type: platform === 'gcp' ? 'googlecompute.runner' : 'amazon-ebs.runner',
        status: options.complete === false ? 'BUILD_RUNNING' : 'BUILD_DONE',
        labels: { os: 'ubuntu' },
        ...options.parent,
        artifacts: [
          { external_identifier: imageId(platform, fingerprint, 'eu-west-1'), region: 'eu-west-1' },
        ],
      });
      await ok('PATCH', `${builds}/${build.id}`, { metadata: { packer_version: '1.11.2' } });
    }
    if (options.complete === false)
      return (
        await ok<{ version: VersionJson }>('GET', `${base(bucketName)}/versions/${fingerprint}`)
      ).version;
    return (
      await ok<{ version: VersionJson }>('PATCH', `${base(bucketName)}/versions/${fingerprint}`, {
        complete: true,
      })
    ).version;
  }

  /** Points a channel at a version, creating the channel on first use; returns its id. */
  async function point(bucketName: string, channel: string, fingerprint: string): Promise<string> {
    const existing = await registry().api('GET', `${base(bucketName)}/channels/${channel}`);
    const res =
      existing.status === 404
        ? await ok<{ channel: { id: string } }>('POST', `${base(bucketName)}/channels`, {
            name: channel,
            version_fingerprint: fingerprint,
          })
        : await ok<{ channel: { id: string } }>(
            'PATCH',
            `${base(bucketName)}/channels/${channel}`,
            { version_fingerprint: fingerprint },
          );
    return res.channel.id;
  }

  async function revoke(bucketName: string, fingerprint: string, body: object): Promise<void> {
    await ok('PATCH', `${base(bucketName)}/versions/${fingerprint}`, body);
  }

  async function list(query = ''): Promise<ListJson> {
    return ok<ListJson>('GET', `${registry().packer(ORG, project)}/buckets${query}`);
  }

  /** GET of one bucket, without build metadata (which lists leave out). */
  async function get(name: string): Promise<BucketJson> {
    const { bucket } = await ok<{ bucket: BucketJson }>('GET', base(name));
    for (const build of bucket.latest_version?.builds ?? []) delete build.metadata;
    return bucket;
  }

  return { bucket, version, point, revoke, list, get };
}

describeEachEngine('bucket list', (registry) => {
  // The background sweeper would write down the pending rollback below mid-test.
  before(() => {
    registry().running.registry.applyDueRollbacks = () => Promise.resolve(0);
  });

  describe('a page reads as GET of each bucket', () => {
    const p = publisher(registry, 'list-views');
    const names = [
      'a-empty',
      'b-base',
      'c-child-current',
      'd-child-stale',
      'e-child-unpinned',
      'f-revoked-latest',
      'g-incomplete',
      'h-sched-root',
      'i-sched-child',
      'j-pending-rollback',
      'k-rollback-child',
    ];

    before(async function () {
      this.timeout(120_000);
      await p.bucket('a-empty', { team: 'core', tier: 'gold' });

      await p.bucket('b-base', { team: 'platform' });
      const b1 = await p.version('b-base', 'b-1');
      const b2 = await p.version('b-base', 'b-2');
      await p.version('b-base', 'b-3', { platforms: ['gcp', 'aws'] });
      const prod = await p.point('b-base', 'prod', 'b-1');
      await p.point('b-base', 'dev', 'b-3');

      await p.bucket('c-child-current');
      await p.bucket('d-child-stale');
      await p.bucket('e-child-unpinned');
      await p.version('d-child-stale', 'd-1', {
        parent: { parent_version_id: b1.id, parent_channel_id: prod },
      });
      await p.point('b-base', 'prod', 'b-2');
      await p.version('c-child-current', 'c-1', {
        parent: { parent_version_id: b2.id, parent_channel_id: prod },
      });
      await p.version('e-child-unpinned', 'e-1', { parent: { parent_version_id: b2.id } });

      await p.bucket('f-revoked-latest');
      await p.version('f-revoked-latest', 'f-1');
      await p.version('f-revoked-latest', 'f-2');
      await p.revoke('f-revoked-latest', 'f-2', { revoke_in: '0s' });

      await p.bucket('g-incomplete');
      await p.version('g-incomplete', 'g-1', { complete: false });

      // A scheduled revocation of a parent shows on the child's latest, inherited.
      await p.bucket('h-sched-root');
      await p.bucket('i-sched-child');
      const h1 = await p.version('h-sched-root', 'h-1');
      const hProd = await p.point('h-sched-root', 'prod', 'h-1');
      await p.version('i-sched-child', 'i-1', {
        parent: { parent_version_id: h1.id, parent_channel_id: hProd },
      });
      const later = registry().clock.now().getTime() + 48 * HOUR;
      await p.revoke('h-sched-root', 'h-1', { revoke_at: new Date(later).toISOString() });

      // prod moves j-1 → j-2; j-2's revocation takes effect with no sweep yet, so prod
      // serves j-1 again (computed from its history) and the child is up to date again.
      await p.bucket('j-pending-rollback');
      await p.bucket('k-rollback-child');
      const j1 = await p.version('j-pending-rollback', 'j-1');
      await p.version('j-pending-rollback', 'j-2');
      const jProd = await p.point('j-pending-rollback', 'prod', 'j-1');
      await p.version('k-rollback-child', 'k-1', {
        parent: { parent_version_id: j1.id, parent_channel_id: jProd },
      });
      await p.point('j-pending-rollback', 'prod', 'j-2');
      const soon = registry().clock.now().getTime() + HOUR;
      await p.revoke('j-pending-rollback', 'j-2', { revoke_at: new Date(soon).toISOString() });
      registry().clock.advance(2 * HOUR);
    });

    it('lists every bucket as GET shows it, with latest, counts, labels and ancestry', async () => {
      const page = await p.list();
      assert.deepEqual(
        page.buckets.map((b) => b.name),
        names,
      );
      assert.deepEqual(page.pagination, {});
      for (const listed of page.buckets) assert.deepEqual(listed, await p.get(listed.name));

      const by = new Map(page.buckets.map((b) => [b.name, b]));
      const summary = (name: string) => {
        const b = by.get(name) as BucketJson;
        return {
          latest: b.latest_version?.fingerprint ?? null,
          count: b.version_count,
          parents: b.parents?.status ?? null,
          children: b.children?.status ?? null,
        };
      };
      assert.deepEqual(
        names.map((name) => [name, summary(name)]),
        [
          ['a-empty', { latest: null, count: '0', parents: null, children: null }],
          ['b-base', { latest: 'b-3', count: '3', parents: null, children: 'OUT_OF_DATE' }],
          ['c-child-current', { latest: 'c-1', count: '1', parents: 'UP_TO_DATE', children: null }],
          ['d-child-stale', { latest: 'd-1', count: '1', parents: 'OUT_OF_DATE', children: null }],
          [
            'e-child-unpinned',
            { latest: 'e-1', count: '1', parents: 'UNDETERMINED', children: null },
          ],
          ['f-revoked-latest', { latest: 'f-1', count: '2', parents: null, children: null }],
          ['g-incomplete', { latest: null, count: '1', parents: null, children: null }],
          ['h-sched-root', { latest: 'h-1', count: '1', parents: null, children: 'UP_TO_DATE' }],
          ['i-sched-child', { latest: 'i-1', count: '1', parents: 'UP_TO_DATE', children: null }],
          [
            'j-pending-rollback',
            { latest: 'j-1', count: '2', parents: null, children: 'UP_TO_DATE' },
          ],
          [
            'k-rollback-child',
            { latest: 'k-1', count: '1', parents: 'UP_TO_DATE', children: null },
          ],
        ],
      );
      assert.deepEqual(by.get('a-empty')?.labels, { team: 'core', tier: 'gold' });
      assert.deepEqual(by.get('b-base')?.platforms, ['aws', 'gcp']);
      const b3 = by.get('b-base')?.latest_version as VersionJson;
      assert.deepEqual(
        b3.builds.map((b) => [b.platform, 'metadata' in b]),
        [
          ['gcp', false],
          ['aws', false],
        ],
      );
      const i1 = by.get('i-sched-child')?.latest_version as VersionJson;
      assert.equal(i1.revocation_inherited_from?.bucket_name, 'h-sched-root');
      assert.equal(i1.revocation_inherited_from?.version_fingerprint, 'h-1');
      assert.equal(i1.revoke_at, by.get('h-sched-root')?.latest_version?.revoke_at);
    });

    it('pages and sorts as before: tokens walk the same order, each bucket as GET shows it', async () => {
      for (const [query, order] of [
        ['', names],
        ['&sorting.order_by=name%20desc', [...names].reverse()],
      ] as const) {
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const next = token ? `&pagination.next_page_token=${token}` : '';
          const page = await p.list(`?pagination.page_size=4${query}${next}`);
          assert.equal(page.pagination.previous_page_token !== undefined, pages > 0);
          for (const listed of page.buckets) assert.deepEqual(listed, await p.get(listed.name));
          seen.push(...page.buckets.map((b) => b.name));
          token = page.pagination.next_page_token;
          pages++;
        } while (token);
        assert.deepEqual(seen, order);
        assert.equal(pages, 3);
      }
    });
  });

  describe('query count', () => {
    const p = publisher(registry, 'list-queries');
    const scope = { organizationId: ORG, projectId: 'list-queries' };

    before(async function () {
      this.timeout(120_000);
      // A chain: each bucket built from the previous one's prod channel, each with its own
      // prod, so every bucket on a page has a latest version, parents and children. Each
      // prod then moves to a second version whose revocation takes effect unswept, so it
      // serves the first again from its history. Every fourth bucket also has a newer
      // incomplete version with an unpinned parent link.
      let parent: { parent_version_id: string; parent_channel_id: string } | undefined;
      const revokeAt = new Date(registry().clock.now().getTime() + HOUR).toISOString();
      for (let i = 0; i < 16; i++) {
        const name = `chain-${String(i).padStart(2, '0')}`;
        await p.bucket(name, { position: String(i) });
        const v = await p.version(name, `${name}-1`, { parent });
        const prod = await p.point(name, 'prod', v.fingerprint);
        await p.version(name, `${name}-2`);
        await p.point(name, 'prod', `${name}-2`);
        await p.revoke(name, `${name}-2`, { revoke_at: revokeAt });
        if (i % 4 === 0 && parent)
          await p.version(name, `${name}-3`, {
            complete: false,
            parent: { parent_version_id: parent.parent_version_id },
          });
        parent = { parent_version_id: v.id, parent_channel_id: prod };
      }
      registry().clock.advance(2 * HOUR);
    });

    it('costs the same number of queries for a page of 3 buckets as for a page of 16', async () => {
      const buckets = registry().running.registry.buckets;
      let small: BucketView[] = [];
      let large: BucketView[] = [];
      const smallSql = await queriesOf(registry(), async () => {
        small = await buckets.list(scope, { offset: 0, limit: 3 });
      });
      const largeSql = await queriesOf(registry(), async () => {
        large = await buckets.list(scope, { offset: 0, limit: 16 });
      });
      assert.equal(small.length, 3);
      assert.deepEqual(
        large.map((v) => [v.latest?.version.fingerprint, v.parentsStatus, v.childrenStatus]),
        Array.from({ length: 16 }, (_, i) => [
          `chain-${String(i).padStart(2, '0')}-1`,
          i === 0 ? null : 'UP_TO_DATE',
          i === 15 ? null : i % 4 === 3 ? 'UNDETERMINED' : 'UP_TO_DATE',
        ]),
      );
      assert.equal(largeSql.length, smallSql.length, largeSql.join('\n'));
      // The most a page can need with rollbacks pending on one page of history each.
      assert.ok(smallSql.length <= 23, smallSql.join('\n'));
    });
  });
});
