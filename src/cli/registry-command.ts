import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { WEB_UI_DIR } from '../registry/http/web-ui';
import { loadServeConfig, SERVE_DEFAULTS, type ServeFlags } from '../registry/serve-config';
import { maskDatabaseUrl, openDatabase } from '../registry/storage/database';
import { migrate } from '../registry/storage/migrations';

/** `ingot registry serve|migrate`. */
export function registryCommand(): Command {
  const registry = new Command('registry').description('Run and maintain the image registry.');

  registry
    .command('serve')
    .description('Serve the HCP Packer-compatible registry API.')
    .option(
      '--host <host>',
      `address to listen on (env INGOT_HOST, default ${SERVE_DEFAULTS.host})`,
    )
    .option('--port <port>', `port to listen on (env INGOT_PORT, default ${SERVE_DEFAULTS.port})`)
    .option(
      '--database <url>',
      `SQLite file or postgres:// URL (env INGOT_DATABASE_URL, default ${SERVE_DEFAULTS.database})`,
    )
    .option(
      '--credentials-file <file>',
      `where first start writes the admin credentials (default ${SERVE_DEFAULTS.credentialsFile})`,
    )
    .option(
      '--tls-cert <file>',
      'PEM certificate chain: serve HTTPS, reloaded on SIGHUP (env INGOT_TLS_CERT; needs --tls-key)',
    )
    .option('--tls-key <file>', 'PEM private key of --tls-cert (env INGOT_TLS_KEY)')
    .action(async (flags: ServeFlags) => {
      const config = loadServeConfig(flags);
      // Loaded here so that the client commands do not pay for the server's start-up.
      const { startRegistry } = await import('../registry/serve');
      const running = await startRegistry(config);
      // Before anything is printed: whoever waits for the URL may signal right away.
      const stop = (signal: string) => {
        running.app.log.info({ signal }, 'shutting down: draining in-flight requests');
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            running.app.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      const credentials = path.resolve(config.credentialsFile);
      const lines = [
        `Ingot registry listening on ${running.url}`,
        fs.existsSync(path.join(WEB_UI_DIR, 'index.html'))
          ? `Console:  ${running.url}/ (sign in with a client id and secret, e.g. the admin's below)`
          : 'Console:  not built; run `npm run build` to serve it at /',
        `API:      ${running.url}/packer/2023-01-01/… (OpenAPI at ${running.url}/openapi.json)`,
        `Database: ${maskDatabaseUrl(config.databaseUrl)}`,
      ];
      if (running.credentialsFile) {
        lines.push(
          `Admin credentials written to ${running.credentialsFile} (mode 0600; keep it secret).`,
        );
      } else if (fs.existsSync(credentials)) {
        lines.push(`Admin credentials: ${credentials}`);
      } else {
        lines.push('Principals already exist; create more with `ingot principals create`.');
      }
      console.log(lines.join('\n'));
    });

  registry
    .command('migrate')
    .description('Apply pending database migrations and exit.')
    .option('--database <url>', 'SQLite file or postgres:// URL (env INGOT_DATABASE_URL)')
    .action(async (flags: { database?: string }) => {
      const config = loadServeConfig({ database: flags.database });
      const db = await openDatabase(config.databaseUrl);
      try {
        const applied = await migrate(db);
        console.log(
          applied.length
            ? `Applied migrations ${applied.join(', ')} to ${maskDatabaseUrl(config.databaseUrl)}.`
            : 'Database is up to date.',
        );
      } finally {
        await db.close();
      }
    });

  registry
    .command('backup')
    .description('Copy a SQLite registry database while it serves (PostgreSQL: use pg_dump).')
    .option('--database <url>', 'SQLite file to back up (env INGOT_DATABASE_URL)')
    .requiredOption('--to <file>', 'where to write the copy (mode 0600)')
    .action(async (flags: { database?: string; to: string }) => {
      const config = loadServeConfig({ database: flags.database });
      const { backupSqlite } = await import('../registry/storage/backup');
      const pages = await backupSqlite(config.databaseUrl, flags.to);
      console.log(`Backed up ${config.databaseUrl} to ${flags.to} (${pages} pages).`);
    });

  return registry;
}
