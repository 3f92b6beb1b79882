import type { Connection } from './connection';
import { RegistryAuthError, RegistryClientError, RegistryUnavailableError } from './errors';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** What is being asked, for error messages: `get channel "prod" of bucket "x"`. */
  operation: string;
}

export interface TransportOptions {
  fetch?: typeof fetch;
  /** Waits between retries; tests make it instant. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Items per page when listing (`pagination.page_size`); null sends none, leaving the
   * size to the registry. @default 1000
   */
  pageSize?: number | null;
  /**
   * Keeps tokens beyond this client (the CLI's cache file, shared by its invocations).
   * Without one, a client keeps its token in memory only.
   */
  tokenStore?: TokenStore;
}

/** Whose token it is: what a token store keys it by (never storing the secret itself). */
export type TokenOwner = Pick<Connection, 'tokenUrl' | 'clientId' | 'clientSecret'>;

/** An access token and when to stop using it (epoch ms, before it expires). */
export interface StoredToken {
  value: string;
  refreshAt: number;
}

/**
 * Where tokens outlive one client. Implementations handle their own failures: a store
 * that cannot be read or written answers null or does nothing, it never throws.
 */
export interface TokenStore {
  load(owner: TokenOwner): StoredToken | null;
  save(owner: TokenOwner, token: StoredToken): void;
  /** Forgets `value` (the registry refused it), unless another token has replaced it. */
  discard(owner: TokenOwner, value: string): void;
}

const RETRY_BASE_MS = 200;
const RETRY_CAP_MS = 5_000;
/** Refresh a token this long before it expires, so no request carries a dying one. */
const REFRESH_MARGIN_MS = 60_000;
const HCP_AUDIENCE = 'https://api.hashicorp.cloud';
/**
 * Methods safe to repeat after an ambiguous failure (a 5xx or a timeout). A function, not a
 * module-level Set: providers serialize what they capture by value, and a Set arrives as
 * `{has: Set.prototype.has}`, which throws on the first retry.
 */
function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'PUT' || method === 'DELETE';
}

interface ErrorBody {
  code?: number;
  message?: string;
  error?: string;
  error_description?: string;
  details?: { reason?: string; metadata?: Record<string, string> }[];
}

/**
 * HTTP for the registry client: OAuth2 client-credentials tokens (cached, refreshed
 * before expiry, renewed once on a 401), timeouts, and bounded retries with
 * exponential backoff and jitter on 429, 5xx and connection errors.
 */
export class Transport {
  /** HTTP requests sent (token requests included): what benchmarks and tests count. */
  requests: number;
  private token: StoredToken | null;
  private pendingToken: Promise<string> | null;
  private readonly tokenStore: TokenStore | null;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    readonly connection: Connection,
    options: TransportOptions = {},
  ) {
    // Set here, not as field initializers: Pulumi serializes a class into a dynamic
    // provider as its constructor and methods, and drops initializers (requests was NaN).
    this.requests = 0;
    this.token = null;
    this.pendingToken = null;
    this.tokenStore = options.tokenStore ?? null;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** The setting that names the registry, for "check …" advice. */
  private get urlSetting(): string {
    return this.connection.registryUrlSource ?? 'INGOT_REGISTRY_URL';
  }

  async request<T>(spec: RequestSpec): Promise<T> {
    let url = `${this.connection.registryUrl}${spec.path}`;
    const query = Object.entries(spec.query ?? {}).filter(([, v]) => v !== undefined);
    if (query.length > 0)
      url += `?${new URLSearchParams(query.map(([k, v]) => [k, String(v)] as [string, string])).toString()}`;
    const deadline = Date.now() + this.connection.deadlineMs;
    for (let renewed = false; ; renewed = true) {
      const token = await this.accessToken(spec.operation, deadline, renewed);
      const response = await this.send(
        deadline,
        spec.operation,
        spec.method,
        url,
        {
          authorization: `Bearer ${token}`,
          ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        spec.body === undefined ? undefined : JSON.stringify(spec.body),
      );
      // A token can be refused before its time (registry restarted on a new database,
      // principal recreated): fetch a fresh one once.
      if (response.status === 401 && !renewed) {
        this.dropToken(token);
        continue;
      }
      const text = await this.readBody(spec.operation, response);
      if (response.ok)
        return this.parseBody<T>(spec.operation, url, response, text, this.urlSetting);
      throw this.failure(spec.operation, response, text);
    }
  }

  /** Drops the cached token (e.g. after credentials change). */
  forgetToken(): void {
    if (this.token) this.dropToken(this.token.value);
  }

  private dropToken(value: string): void {
    if (this.token?.value === value) this.token = null;
    this.tokenStore?.discard(this.connection, value);
  }

  /**
   * A token to send: this client's, else the store's, else a new one. `fresh` (after a
   * 401) skips the store, which may still hold the refused token if forgetting it failed.
   */
  private async accessToken(operation: string, deadline: number, fresh: boolean): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.value;
    if (!fresh && this.tokenStore) {
      const stored = this.tokenStore.load(this.connection);
      if (stored && Date.now() < stored.refreshAt) {
        this.token = stored;
        return stored.value;
      }
    }
    // Concurrent requests share one token request.
    this.pendingToken ??= this.fetchToken(operation, deadline).finally(
      () => (this.pendingToken = null),
    );
    return this.pendingToken;
  }

  private async fetchToken(operation: string, deadline: number): Promise<string> {
    const { connection } = this;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: connection.clientId,
      client_secret: connection.clientSecret,
    });
    if (connection.tokenUrl !== `${connection.registryUrl}/oauth2/token`)
      form.set('audience', HCP_AUDIENCE);
    const response = await this.send(
      deadline,
      `authenticate for ${operation}`,
      'POST',
      connection.tokenUrl,
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
      form.toString(),
    );
    const text = await this.readBody(`authenticate for ${operation}`, response);
    if (response.status === 429) throw this.tokenRateLimited(operation, response, text);
    const derived = connection.tokenUrl === `${connection.registryUrl}/oauth2/token`;
    // No token endpoint there (a 404, or an answer without RFC 6749's `error`, e.g. the
    // API's own 401 for a path it does not have): the URL is wrong, not the credentials.
    const oauthAnswer = typeof parse(text).error === 'string';
    if (response.status === 404 || response.status === 405 || (!response.ok && !oauthAnswer)) {
      throw new RegistryClientError(
        derived
          ? `could not authenticate for ${operation}: ${connection.tokenUrl} is not a token endpoint (it answered ${response.status}), so ${connection.registryUrl} is not the base URL of a registry. Give the registry's URL without a path, e.g. http://127.0.0.1:8080 (${this.urlSetting}).`
          : `could not authenticate for ${operation}: ${connection.tokenUrl} is not a token endpoint (it answered ${response.status}). Check HCP_AUTH_URL.`,
        response.status,
        'WRONG_URL',
        { operation },
      );
    }
    if (!response.ok) {
      const body = parse(text);
      const detail = body.error_description ?? body.message ?? text.slice(0, 200);
      throw new RegistryAuthError(
        `could not authenticate to ${connection.tokenUrl} as client "${connection.clientId}": ${response.status} ${detail}. Check HCP_CLIENT_ID and HCP_CLIENT_SECRET (or the credentials file).`,
        response.status,
        body.error ?? 'UNAUTHENTICATED',
      );
    }
    const body = this.parseBody<{ access_token?: unknown; expires_in?: number }>(
      `authenticate for ${operation}`,
      connection.tokenUrl,
      response,
      text,
      derived ? this.urlSetting : 'HCP_AUTH_URL',
    );
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new RegistryAuthError(
        `could not authenticate to ${connection.tokenUrl} as client "${connection.clientId}": the answer has no access_token; is it an OAuth2 token endpoint? Check HCP_AUTH_URL.`,
        response.status,
        'BAD_RESPONSE',
      );
    }
    const ttlMs = (body.expires_in ?? 3600) * 1000;
    this.token = {
      value: body.access_token,
      refreshAt: Date.now() + Math.max(ttlMs - REFRESH_MARGIN_MS, ttlMs / 2),
    };
    this.tokenStore?.save(connection, this.token);
    return body.access_token;
  }

  /** The token endpoint's 429: when to retry, and that tokens are there to be reused. */
  private tokenRateLimited(
    operation: string,
    response: Response,
    text: string,
  ): RegistryUnavailableError {
    const { tokenUrl, clientId, registryUrl } = this.connection;
    const body = parse(text);
    const said = body.error_description ?? body.message;
    const retryAfter = retryAfterSeconds(response);
    return new RegistryUnavailableError(
      `could not authenticate to ${tokenUrl} as client "${clientId}" for ${operation}: too many token requests (HTTP 429)${retryAfter === null ? '' : `; retry in ${retryAfter} s (Retry-After)`}.${said ? ` The endpoint said: "${said}"` : ''} A token is meant to be reused until it expires: every process that takes its own token as client "${clientId}" counts against the limit.`,
      429,
      'TOKEN_RATE_LIMITED',
      {
        operation,
        registryMessage: said,
        registryUrl,
        ...(retryAfter === null ? {} : { retryAfterSeconds: retryAfter }),
      },
    );
  }

  /** Reads a body; one cut short (timeout, reset) fails like a request that got no answer. */
  private async readBody(operation: string, response: Response): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      const { timeoutMs, registryUrl } = this.connection;
      const problem =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : `connection failed (${causeOf(error)})`;
      throw new RegistryUnavailableError(
        `${operation} at ${registryUrl} failed: the response (HTTP ${response.status}) was cut off, ${problem}. Check that the registry is running and reachable (${this.urlSetting}).`,
        0,
        'UNAVAILABLE',
      );
    }
  }

  /** A successful answer's JSON; any other body means the URL leads to something else. */
  private parseBody<T>(
    operation: string,
    url: string,
    response: Response,
    text: string,
    setting: string,
  ): T {
    if (!text) return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      // The body is not quoted: it may hold anything, credentials included.
      throw new RegistryClientError(
        `${operation} at ${this.connection.registryUrl} failed: ${url.split('?')[0]} answered ${response.status} with a body that is not JSON (${response.headers.get('content-type') ?? 'no content type'}). Check ${setting}.`,
        response.status,
        'BAD_RESPONSE',
      );
    }
  }

  /**
   * One request with timeout and retries, all within `deadline` (epoch ms); returns the
   * final response.
   */
  private async send(
    deadline: number,
    operation: string,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<Response> {
    const { maxRetries, timeoutMs, deadlineMs, registryUrl } = this.connection;
    const started = Date.now();
    let lastProblem = '';
    let retryAfterMs: number | null = null;
    let attempts = 0;
    let outOfTime = false;
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) {
        const wait = retryAfterMs ?? this.backoff(attempt);
        if (Date.now() + wait >= deadline) {
          outOfTime = true;
          break;
        }
        await this.sleep(wait);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        outOfTime = true;
        break;
      }
      const attemptMs = Math.min(timeoutMs, left);
      this.requests++;
      attempts++;
      let response: Response;
      try {
        response = await this.fetchImpl(url, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(attemptMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        lastProblem = timedOut
          ? `no answer within ${attemptMs} ms`
          : `connection failed (${causeOf(error)})`;
        retryAfterMs = null;
        // A timed-out write may have happened; only idempotent methods are repeated.
        if (timedOut && !isIdempotent(method)) break;
        continue;
      }
      const retryable =
        response.status === 429 ||
        response.status === 503 ||
        (response.status >= 500 && isIdempotent(method));
      if (!retryable || attempt === maxRetries || Date.now() >= deadline) return response;
      const retryAfter = retryAfterSeconds(response);
      // Told to wait longer than a call waits, a 429 is reported now: a sooner retry is
      // refused again, and against a token endpoint it counts towards the limit too.
      if (
        response.status === 429 &&
        retryAfter !== null &&
        (retryAfter * 1000 > RETRY_CAP_MS || Date.now() + retryAfter * 1000 >= deadline)
      )
        return response;
      lastProblem = `HTTP ${response.status}`;
      retryAfterMs = retryAfter === null ? null : Math.min(retryAfter * 1000, RETRY_CAP_MS);
      await response.body?.cancel();
    }
    const gaveUp = outOfTime
      ? ` and gave up after ${Date.now() - started} ms (the ${deadlineMs} ms deadline of one call)`
      : '';
    throw new RegistryUnavailableError(
      `${operation} at ${registryUrl} failed after ${attempts} attempt(s)${gaveUp}: ${lastProblem}. ${this.unreachableAdvice()}`,
      0,
      'UNAVAILABLE',
      { operation, registryUrl },
    );
  }

  /** What to check when nothing answers: the URL's source says where it may be stale. */
  private unreachableAdvice(): string {
    const source = this.urlSetting;
    if (source.startsWith('credentials file'))
      return `Check that the registry is running; the URL comes from the ${source}, which the registry rewrites when it starts on another address (or pass --registry).`;
    return `Check that the registry is running and reachable (${source}).`;
  }

  /** Exponential backoff with jitter: half the ceiling plus a random half. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(RETRY_BASE_MS * 2 ** (attempt - 1), RETRY_CAP_MS);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private failure(operation: string, response: Response, text: string): RegistryClientError {
    const body = parse(text);
    const reason = body.details?.[0]?.reason ?? `HTTP_${response.status}`;
    const message = body.message ?? (text.slice(0, 200) || response.statusText);
    const where = `${operation} at ${this.connection.registryUrl}`;
    const requestId = response.headers.get('x-request-id');
    const detail = {
      code: typeof body.code === 'number' ? body.code : undefined,
      metadata: body.details?.[0]?.metadata,
      operation,
      registryMessage: message,
      registryUrl: this.connection.registryUrl,
      organizationId: this.connection.organizationId,
      projectId: this.connection.projectId,
    };
    // A route the registry does not have, or a 404 that is not an API error at all: the
    // base URL carries a path it should not (or leads to another server).
    if (reason === 'ROUTE_NOT_FOUND' || (response.status === 404 && body.code === undefined)) {
      return new RegistryClientError(
        `${where} failed: the registry has no such route (404), so ${this.connection.registryUrl} is not the base URL of a registry. Give the registry's URL without a path, e.g. http://127.0.0.1:8080 (${this.urlSetting}).`,
        404,
        'WRONG_URL',
        detail,
      );
    }
    switch (response.status) {
      case 401:
        return new RegistryAuthError(
          `${where} was refused (401): ${message} Check HCP_CLIENT_ID and HCP_CLIENT_SECRET.`,
          401,
          reason,
          detail,
        );
      case 403:
        return new RegistryAuthError(
          `${where} is not allowed (403): ${message}`,
          403,
          reason,
          detail,
        );
      default:
        if (response.status >= 500) {
          return new RegistryUnavailableError(
            `${where} failed (${response.status}): ${message.replace(/\.$/, '')}${requestId ? ` (request id ${requestId})` : ''}. ${this.unreachableAdvice()}`,
            response.status,
            reason,
            detail,
          );
        }
        if (response.status === 429) {
          const retryAfter = retryAfterSeconds(response);
          return new RegistryClientError(
            `${where} failed (429): ${message.replace(/\.$/, '')}${retryAfter === null ? '' : `; retry in ${retryAfter} s (Retry-After)`}.`,
            429,
            reason,
            retryAfter === null ? detail : { ...detail, retryAfterSeconds: retryAfter },
          );
        }
        return new RegistryClientError(
          `${where} failed (${response.status}): ${message}`,
          response.status,
          reason,
          detail,
        );
    }
  }
}

function parse(text: string): ErrorBody {
  try {
    return JSON.parse(text) as ErrorBody;
  } catch {
    return {};
  }
}

/** Retry-After in whole seconds (the delay form; a date is not honoured), or null. */
function retryAfterSeconds(response: Response): number | null {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
