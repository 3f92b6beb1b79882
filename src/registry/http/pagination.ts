import { ValidationError } from '../errors';
import type { Page } from '../storage/repository';
import type { PageQuery } from './schemas/common';

export const DEFAULT_PAGE_SIZE = 100;

/**
 * Reads HCP's `pagination.page_size` / `pagination.next_page_token`. The token is an
 * opaque base64url offset; one extra row is fetched so the last page has no token.
 */
export function pageOf(query: PageQuery): Page {
  const limit = query['pagination.page_size'] ?? DEFAULT_PAGE_SIZE;
  const token = query['pagination.next_page_token'];
  if (!token) return { offset: 0, limit: limit + 1 };
  let offset: number;
  try {
    offset = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o: number }).o;
  } catch {
    offset = NaN;
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new ValidationError(
      'pagination.next_page_token',
      'pagination.next_page_token is not a token this registry issued; pass the value of a previous response.',
    );
  }
  return { offset, limit: limit + 1 };
}

/** Cuts the extra row and builds the response's `pagination` object. */
export function paginate<T>(
  items: T[],
  page: Page,
): { items: T[]; pagination: { next_page_token?: string } } {
  const size = page.limit - 1;
  if (items.length <= size) return { items, pagination: {} };
  const next = Buffer.from(JSON.stringify({ o: page.offset + size })).toString('base64url');
  return { items: items.slice(0, size), pagination: { next_page_token: next } };
}
