import { ValidationError } from '../errors';
import type { SortKey } from '../storage/listing';

/**
 * Parses HCP's `sorting.order_by` (hashicorp.cloud.common.SortingRequest): each value is
 * `field` or `field asc|desc`, values may also be comma-separated ("name,created_at
 * desc"); earlier fields sort first, later ones break ties. Only `fields` may be named.
 */
export function sortOf(
  values: readonly string[] | undefined,
  fields: readonly string[],
): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of (values ?? []).flatMap((v) => v.split(','))) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const [field, direction = 'asc'] = words;
    const dir = direction.toLowerCase();
    if (!fields.includes(field) || words.length > 2 || (dir !== 'asc' && dir !== 'desc')) {
      throw new ValidationError(
        'sorting.order_by',
        `sorting.order_by "${part.trim()}" is not "field [asc|desc]" with field one of ${fields.join(', ')}.`,
      );
    }
    keys.push({ field, desc: dir === 'desc' });
  }
  return keys;
}
