/** How list queries are paged and sorted, shared by the repositories that list. */

export interface Page {
  offset: number;
  limit: number;
}

/** One `sorting.order_by` key, by its API field name. */
export interface SortKey {
  field: string;
  desc: boolean;
}

/** `ORDER BY` for `sort` (or `fallback`), with the id as the last tie-breaker. */
export function orderBy(
  sort: readonly SortKey[],
  columns: Record<string, string>,
  fallback: string,
) {
  const keys = sort.map((k) => {
    const column = columns[k.field];
    if (!column) throw new Error(`no sortable column for "${k.field}"`);
    return `${column} ${k.desc ? 'DESC' : 'ASC'}`;
  });
  return `ORDER BY ${keys.length ? `${keys.join(', ')}, id` : fallback}`;
}
