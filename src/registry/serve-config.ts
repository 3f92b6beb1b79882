import fs from 'node:fs';
import { engineOf, maskDatabaseUrl } from './storage/database';

/** Everything `ingot registry serve` needs, loaded once and validated as a whole. */
export interface ServeConfig {
  host: string;
  port: number;
  databaseUrl: string;
  credentialsFile: string;
  logLevel: string;
  /** `pretty` (human-readable lines), `json` (one object per line) or `auto`: pretty on a terminal. @default auto */
  logFormat?: LogFormat;
  /** PEM certificate chain and private key files: serve HTTPS (reloaded on SIGHUP). */
  tls?: { certFile: string; keyFile: string };
}

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServeFlags {
  host?: string;
  port?: string;
  database?: string;
  credentialsFile?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: '8080',
  database: '.ingot/registry.db',
  credentialsFile: '.ingot/admin-credentials.json',
  logLevel: 'info',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Flags win over environment variables, which win over defaults. Every problem is
 * reported at once; the database password never appears in a message.
 */
export function loadServeConfig(
  flags: ServeFlags,
  env: NodeJS.ProcessEnv = process.env,
): ServeConfig {
  const problems: string[] = [];
  const host = flags.host ?? env.INGOT_HOST ?? SERVE_DEFAULTS.host;
  const portText = flags.port ?? env.INGOT_PORT ?? SERVE_DEFAULTS.port;
  const databaseUrl = flags.database ?? env.INGOT_DATABASE_URL ?? SERVE_DEFAULTS.database;
  const credentialsFile =
    flags.credentialsFile ?? env.INGOT_CREDENTIALS_FILE ?? SERVE_DEFAULTS.credentialsFile;
  const logLevel = env.INGOT_LOG_LEVEL ?? SERVE_DEFAULTS.logLevel;
  const logFormat = (env.INGOT_LOG_FORMAT ?? 'auto') as LogFormat;

  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) {
    problems.push(
      `host "${host}" (--host / INGOT_HOST) is not a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0.`,
    );
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    problems.push(
      `port "${portText}" (--port / INGOT_PORT) must be a whole number from 0 to 65535 (0 picks a free port).`,
    );
  }
  if (!databaseUrl.trim()) {
    problems.push(
      'database (--database / INGOT_DATABASE_URL) is empty: give a SQLite file path or a postgres:// URL.',
    );
  } else if (engineOf(databaseUrl) === 'postgres') {
    try {
      new URL(databaseUrl);
    } catch {
      problems.push(
        `database URL "${maskDatabaseUrl(databaseUrl)}" is not a valid URL: use postgres://user:password@host:5432/db.`,
      );
    }
  } else if (/^[a-z]+:\/\//i.test(databaseUrl)) {
    problems.push(
      `database "${databaseUrl}" uses an unsupported scheme: use a SQLite file path or a postgres:// URL.`,
    );
  }
  if (!credentialsFile.trim())
    problems.push('credentials file (--credentials-file / INGOT_CREDENTIALS_FILE) is empty.');
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`INGOT_LOG_LEVEL "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}.`);

  if (!LOG_FORMATS.includes(logFormat))
    problems.push(`INGOT_LOG_FORMAT "${logFormat}" is not one of ${LOG_FORMATS.join(', ')}.`);

  const certFile = flags.tlsCert ?? env.INGOT_TLS_CERT;
  const keyFile = flags.tlsKey ?? env.INGOT_TLS_KEY;
  if (!certFile !== !keyFile) {
    problems.push(
      'TLS needs both --tls-cert and --tls-key (env INGOT_TLS_CERT / INGOT_TLS_KEY): PEM files of the certificate chain and its private key.',
    );
  }
  for (const [what, file] of [
    ['--tls-cert', certFile],
    ['--tls-key', keyFile],
  ] as const) {
    if (file && !fs.existsSync(file)) problems.push(`${what} file "${file}" does not exist.`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host,
    port,
    databaseUrl,
    credentialsFile,
    logLevel,
    logFormat,
    ...(certFile && keyFile ? { tls: { certFile, keyFile } } : {}),
  };
}
