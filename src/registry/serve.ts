import type { FailedAuthLimits } from './auth/auth-audit';
import type { Server as HttpsServer } from 'node:https';
import type { App } from './http/app-types';
import { refreshCredentialsUrl } from './credentials-url';
import { logStream } from './log-stream';
import type { HttpTimeouts } from './http/hardening';
import type { TokenRateLimit } from './http/routes/oauth';
import { buildServer } from './http/server';
import { Registry } from './registry';
import type { Clock } from './clock';
import { DatabaseClock } from './database-clock';
import type { ServeConfig } from './serve-config';
import { readTls, reloadTlsOnHangup, type TlsMaterial } from './tls';
import { maskDatabaseUrl, openDatabase } from './storage/database';
import { migrate } from './storage/migrations';

/** How often scheduled-revocation rollbacks are written to channel history. */
const SWEEP_INTERVAL_MS = 15_000;
/** How long a shutdown waits for in-flight requests before cutting their connections. */
const DRAIN_TIMEOUT_MS = 10_000;

export interface RunningRegistry {
  app: App;
  registry: Registry;
  url: string;
  /** Path of the admin credentials file if this start created it. */
  credentialsFile: string | null;
  /**
   * Stops accepting connections, drains in-flight requests (cutting those still open
   * after the drain timeout), closes the database.
   */
  close(): Promise<void>;
}

/**
 * The production logger: `config.logLevel`, human-readable or JSON lines (on `stream`,
 * stdout by default), credentials redacted.
 */
export function loggerOptions(
  config: Pick<ServeConfig, 'logLevel' | 'logFormat'>,
  stream: NodeJS.WritableStream | null = logStream(config.logFormat ?? 'auto'),
): object {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    redact: [
      'req.headers.authorization',
      'req.headers.cookie',
      '*.client_secret',
      '*.access_token',
    ],
  };
}

/** Opens and migrates the database, bootstraps the admin, and listens. */
export async function startRegistry(
  config: ServeConfig,
  options: {
    /** Replaces the database's clock (tests that move time themselves). */
    clock?: Clock;
    /** This process's own clock, corrected by the database's. @default systemClock */
    localClock?: Clock;
    logger?: boolean | object;
    timeouts?: Partial<HttpTimeouts>;
    tokenRateLimit?: TokenRateLimit;
    /** How many authentication failures reach the audit log. @default DEFAULT_FAILED_AUTH_LIMITS */
    failedAuthLimits?: FailedAuthLimits;
    /** @default DRAIN_TIMEOUT_MS */
    drainTimeoutMs?: number;
  } = {},
): Promise<RunningRegistry> {
  const db = await openDatabase(config.databaseUrl);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  let databaseClock: DatabaseClock | null = null;
  let clock: Clock;
  let https: TlsMaterial | undefined;
  try {
    https = config.tls ? readTls(config.tls) : undefined;
    clock = options.clock ?? (databaseClock = await DatabaseClock.start(db, options.localClock));
  } catch (error) {
    await db.close();
    throw error;
  }
  const registry = new Registry(db, clock, options.failedAuthLimits);
  const logger = options.logger ?? loggerOptions(config);
  const app = await buildServer({
    registry,
    logger,
    timeouts: options.timeouts,
    tokenRateLimit: options.tokenRateLimit,
    https,
  });
  const address = await app.listen({ host: config.host, port: config.port });
  const url = address.replace('[::1]', 'localhost');
  const credentialsFile = await registry.auth.bootstrapAdmin(config.credentialsFile, url);
  if (!credentialsFile && (await refreshCredentialsUrl(config.credentialsFile, url, registry.auth)))
    app.log.info({ file: config.credentialsFile, url }, 'credentials file now names this address');
  app.log.info(
    {
      url,
      database: maskDatabaseUrl(config.databaseUrl),
      engine: db.engine,
      changeCheck: db.changeCheck,
    },
    'registry listening',
  );

  const sweeper = setInterval(() => {
    registry
      .applyDueRollbacks()
      .catch((error: unknown) => app.log.error({ err: error }, 'rollback sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();
  const stopReloading = config.tls
    ? reloadTlsOnHangup(app.server as unknown as HttpsServer, config.tls, app.log)
    : () => undefined;

  let closing: Promise<void> | null = null;
  return {
    app,
    registry,
    url,
    credentialsFile,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweeper);
        databaseClock?.stop();
        stopReloading();
        const cut = setTimeout(
          () => app.server.closeAllConnections(),
          options.drainTimeoutMs ?? DRAIN_TIMEOUT_MS,
        );
        await app.close();
        clearTimeout(cut);
        await registry.auth.close();
        await db.close();
      })()),
  };
}
