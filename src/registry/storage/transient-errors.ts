import { UnavailableError } from '../errors';

/**
 * PostgreSQL SQLSTATEs that mean "the server or the connection is (briefly) gone", not
 * "the request is wrong": connection exceptions (08), operator intervention (57P01
 * admin_shutdown from pg_terminate_backend, 57P02 crash_shutdown, 57P03
 * cannot_connect_now), too_many_connections, and query_canceled (statement_timeout).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const POSTGRES_TRANSIENT = /^(08...|57P0[1-3]|53300|57014)$/;

/** Node socket errors and node-postgres's own messages for a lost or slow connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
const PG_CLIENT_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed/i;

/** SQLite result codes for "another connection holds the lock". */
const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)/;

/** Whether a database error is worth retrying the whole request for. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (POSTGRES_TRANSIENT.test(code) || NETWORK_CODES.has(code) || SQLITE_BUSY.test(code))
      return true;
  }
  return PG_CLIENT_MESSAGES.test(error.message);
}

/**
 * The error a request fails with: transient database errors become a retryable 503
 * (`DATABASE_UNAVAILABLE`, `Retry-After`), anything else passes through unchanged.
 */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof UnavailableError || !isTransient(error)) return error;
  const busy = SQLITE_BUSY.test(String((error as { code?: unknown }).code));
  const result = new UnavailableError(
    'DATABASE_UNAVAILABLE',
    busy
      ? 'the database is locked by another writer; retry after the Retry-After delay.'
      : 'the database is unavailable (connection lost or timed out); it may not have taken effect; retry after the Retry-After delay.',
  );
  result.cause = error;
  return result;
}
