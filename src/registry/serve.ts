import type { Server as HttpsServer } from 'node:https';
import type { App } from './http/app-types';
import { refreshCredentialsUrl } from './credentials-url';
import { logStream } from './log-stream';
import { buildServer } from './http/server';
import { Registry } from './registry';
import { systemClock, type Clock } from './clock';
import type { ServeConfig } from './serve-config';
import { readTls, reloadTlsOnHangup, type TlsMaterial } from './tls';
import { maskDatabaseUrl, openDatabase } from './storage/database';
import { migrate } from './storage/migrations';

/** How often scheduled-revocation rollbacks are written to channel history. */
const SWEEP_INTERVAL_MS = 15_000;

export interface RunningRegistry {
  app: App;
  registry: Registry;
  url: string;
  /** Path of the admin credentials file if this start created it. */
  credentialsFile: string | null;
  /** Stops accepting connections, drains in-flight requests, closes the database. */
  close(): Promise<void>;
}

/** Opens and migrates the database, bootstraps the admin, and listens. */
export async function startRegistry(
  config: ServeConfig,
  options: { clock?: Clock; logger?: boolean | object } = {},
): Promise<RunningRegistry> {
  const db = await openDatabase(config.databaseUrl);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  let https: TlsMaterial | undefined;
  try {
    https = config.tls ? readTls(config.tls) : undefined;
  } catch (error) {
    await db.close();
    throw error;
  }
  const registry = new Registry(db, options.clock ?? systemClock);
  const stream = logStream(config.logFormat ?? 'auto');
  const logger =
    options.logger ??
    ({
      level: config.logLevel,
      ...(stream ? { stream } : {}),
      redact: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.client_secret',
        '*.access_token',
      ],
    } as object);
  const app = await buildServer({ registry, logger, https });
  const address = await app.listen({ host: config.host, port: config.port });
  const url = address.replace('[::1]', 'localhost');
  const credentialsFile = await registry.auth.bootstrapAdmin(config.credentialsFile, url);
  if (!credentialsFile && (await refreshCredentialsUrl(config.credentialsFile, url, registry.auth)))
    app.log.info({ file: config.credentialsFile, url }, 'credentials file now names this address');
  app.log.info(
    { url, database: maskDatabaseUrl(config.databaseUrl), engine: db.engine },
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
        stopReloading();
        await app.close();
        await db.close();
      })()),
  };
}
