import type { SqlParam } from '../../src/registry/storage/database';
import type { TestRegistry } from './registry-harness';

/**
 * The SQL statements run on a live registry's reader while `work` runs, whitespace
 * collapsed: what a read costs in queries, counted on the real database.
 */
export async function queriesOf(
  registry: TestRegistry,
  work: () => Promise<unknown>,
): Promise<string[]> {
  const reader = registry.running.registry.db.reader;
  const original = reader.query;
  const seen: string[] = [];
  reader.query = <T>(sql: string, params?: readonly SqlParam[]) => {
    seen.push(sql.replace(/\s+/g, ' ').trim());
    return original.call(reader, sql, params) as Promise<T[]>;
  };
  try {
    await work();
  } finally {
    reader.query = original;
  }
  return seen;
}
