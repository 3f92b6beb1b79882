/**
 * The bucket list must stay bounded as a project grows: it answers one page (100 by
 * default), whatever the number of buckets. Measures GET .../buckets on a project with
 * one page of buckets and again with `large` buckets, on the registry under test.
 */
import { systemClock } from '../../src/registry/clock';
import { Registry } from '../../src/registry/registry';
import { openDatabase } from '../../src/registry/storage/database';
import { load, type LoadStats } from './load';
import type { RegistryUnderTest } from './registry-fixture';

const SCOPE = { organizationId: 'bench-org', projectId: 'bench-list' };
const PAGE = 100;

export interface BucketListStats {
  smallBuckets: number;
  largeBuckets: number;
  small: LoadStats;
  large: LoadStats;
}

export async function measureBucketList(
  reg: RegistryUnderTest,
  large: number,
  connections: number,
): Promise<BucketListStats> {
  const url = `${reg.server.info.url}/packer/2023-01-01/organizations/${SCOPE.organizationId}/projects/${SCOPE.projectId}/buckets`;
  const headers = { authorization: `Bearer ${reg.token}` };
  // Another connection to the database, as another registry process or an import would be.
  const db = await openDatabase(reg.databaseUrl);
  try {
    const registry = new Registry(db, systemClock);
    let made = 0;
    const fill = async (count: number) => {
      for (; made < count; made++)
        await registry.buckets.create(
          SCOPE,
          { principalId: 'bench-setup' },
          {
            name: `list-${String(made).padStart(5, '0')}`,
            description: 'bucket-list benchmark',
            labels: { team: 'platform' },
          },
        );
    };
    await fill(PAGE);
    const probe = await fetch(url, { headers });
    if (probe.status !== 200)
      throw new Error(`bucket list → ${probe.status}: ${await probe.text()}`);
    const small = await load(connections, reg.server, url, headers);
    await fill(Math.max(large, PAGE));
    const big = await load(connections, reg.server, url, headers);
    return { smallBuckets: PAGE, largeBuckets: made, small, large: big };
  } finally {
    await db.close();
  }
}
