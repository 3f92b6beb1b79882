import { ValidationError } from '../errors';
import type { Page } from '../storage/listing';
import type { PageQuery } from './schemas/common';

export const DEFAULT_PAGE_SIZE = 100;

function token(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function offsetOf(field: string, value: string): number {
  let offset: number;
  try {
    offset = (JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { o: number }).o;
  } catch {
    offset = NaN;
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ValidationError(
      field,
      `${field} is not a token this registry issued; pass the value of a previous response.`,
    );
  }
  return offset;
}

/**
 * Reads HCP's `pagination.page_size` and `pagination.next_page_token` or
 * `pagination.previous_page_token` (never both, as HCP's pagination request says). A
 * token is an opaque base64url offset; one extra row is fetched so the last page has no
 * next token. A page size of 0 means the default, as in HCP.
 */
export function pageOf(query: PageQuery): Page {
  const limit = query['pagination.page_size'] || DEFAULT_PAGE_SIZE;
  const next = query['pagination.next_page_token'];
  const previous = query['pagination.previous_page_token'];
  if (next && previous) {
    throw new ValidationError(
      'pagination.previous_page_token',
      'set pagination.next_page_token or pagination.previous_page_token, not both.',
    );
  }
  if (next) return { offset: offsetOf('pagination.next_page_token', next), limit: limit + 1 };
  if (previous) {
    return { offset: offsetOf('pagination.previous_page_token', previous), limit: limit + 1 };
  }
  return { offset: 0, limit: limit + 1 };
}

/**
 * Cuts the extra row and builds the response's `pagination`: a next token when more
 * follows, a previous token on every page but the first.
 */
export function paginate<T>(
  items: T[],
  page: Page,
): { items: T[]; pagination: { next_page_token?: string; previous_page_token?: string } } {
  const size = page.limit - 1;
  const pagination: { next_page_token?: string; previous_page_token?: string } = {};
  if (page.offset > 0) pagination.previous_page_token = token(Math.max(0, page.offset - size));
  if (items.length <= size) return { items, pagination };
  pagination.next_page_token = token(page.offset + size);
  return { items: items.slice(0, size), pagination };
}
