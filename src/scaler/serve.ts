import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../registry/storage/database';
import { AwsBackend } from './aws-backend';
import type { CloudBackend } from './cloud-backend';
import { GcpBackend } from './gcp-backend';
import { RestComputeClient } from './gcp-compute';
import { GithubApp } from './github-app';
import { ScalerMetrics } from './metrics';
import { Scaler } from './scaler';
import {
  parseScalerConfig,
  parseScalerSecrets,
  ScalerConfigError,
  type ScalerConfig,
  type ScalerSecrets,
} from './scaler-config';
import { buildScalerServer } from './scaler-server';
import { ScalerStore } from './scaler-store';

/** Where a scaler reads its configuration, secrets and state. */
export interface ScalerSources {
  /**
   * The configuration: a JSON file path, the JSON text itself (`INGOT_SCALER_CONFIG`), or
   * `aws-ssm:<parameter name>[:<version>]` (the deployed Lambda: the fleet stack writes it).
   */
  config: string;
  /**
   * The App secret (`{"app_id", "installation_id", "private_key", "webhook_secret"}`): a
   * file path, JSON text (a Cloud Run secret environment variable), or
   * `aws-secretsmanager:<secret id>` (read once at start).
   */
  secret: string;
  /**
   * SQLite file or `postgres://` URL, or `aws-secretsmanager:<secret id>` holding the URL
   * (the deployed Lambda: the URL's password stays out of the function's settings).
   */
  database: string;
  logLevel?: string;
  /** A request waits for the control loop passes it started (Lambda). */
  awaitPasses?: boolean;
}

export interface RunningScaler {
  scaler: Scaler;
  server: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

function readJson(source: string, what: string): unknown {
  const text = source.trim().startsWith('{') ? source : fs.readFileSync(source, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ScalerConfigError([`${what} is not valid JSON: ${(error as Error).message}`]);
  }
}

const SECRETS_MANAGER = /^aws-secretsmanager:(.+)$/;

async function secretsManagerValue(id: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } =
    await import('@aws-sdk/client-secrets-manager');
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: id }));
  return out.SecretString ?? '';
}

async function readSecrets(source: string): Promise<ScalerSecrets> {
  const match = SECRETS_MANAGER.exec(source);
  if (!match) return parseScalerSecrets(readJson(source, 'the App secret'), 'the App secret');
  const text = await secretsManagerValue(match[1]);
  return parseScalerSecrets(readJson(text, `secret ${match[1]}`), `secret ${match[1]}`);
}

async function readConfig(source: string): Promise<unknown> {
  const match = /^aws-ssm:(.+)$/.exec(source);
  if (!match) return readJson(source, 'the scaler configuration');
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const out = await new SSMClient({}).send(new GetParameterCommand({ Name: match[1] }));
  return readJson(out.Parameter?.Value ?? '', `parameter ${match[1]}`);
}

async function readDatabase(source: string): Promise<string> {
  const match = SECRETS_MANAGER.exec(source);
  if (!match) return source;
  const url = (await secretsManagerValue(match[1])).trim();
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new ScalerConfigError([`secret ${match[1]} must hold a postgres:// URL.`]);
  return url;
}

function backendsFor(config: ScalerConfig): Partial<Record<'aws' | 'gcp', CloudBackend>> {
  const backends: Partial<Record<'aws' | 'gcp', CloudBackend>> = {};
  if (config.targets.some((t) => t.cloud === 'aws'))
    backends.aws = new AwsBackend({
      ssmPrefix: config.ssmPrefix,
      lifecycleHook: config.lifecycleHook,
    });
  if (config.targets.some((t) => t.cloud === 'gcp'))
    backends.gcp = new GcpBackend(new RestComputeClient(), { audience: config.audience as string });
  return backends;
}

/**
 * Builds a scaler from its sources: validates the configuration and secret (every
 * problem at once), opens and migrates its database, and wires the GitHub App, the
 * clouds and the HTTP server. The caller listens (`server.listen`) or injects requests.
 */
export async function createScaler(sources: ScalerSources): Promise<RunningScaler> {
  const config = parseScalerConfig(await readConfig(sources.config));
  const secrets = await readSecrets(sources.secret);
  const db = await openDatabase(await readDatabase(sources.database));
  const store = new ScalerStore(db);
  await store.migrate();
  const metrics = new ScalerMetrics();
  const logger: { server?: FastifyInstance } = {};
  const scaler = new Scaler({
    config,
    installationId: secrets.installationId,
    store,
    github: new GithubApp(config.github, secrets, metrics),
    backends: backendsFor(config),
    metrics,
    log: {
      info: (fields, message) => logger.server?.log.info(fields, message),
      warn: (fields, message) => logger.server?.log.warn(fields, message),
      error: (fields, message) => logger.server?.log.error(fields, message),
    },
  });
  const server = buildScalerServer({
    scaler,
    metrics,
    webhookSecret: secrets.webhookSecret,
    healthy: async () => void (await db.reader.query('SELECT 1')),
    logLevel: sources.logLevel,
    awaitPasses: sources.awaitPasses,
  });
  logger.server = server;
  return {
    scaler,
    server,
    db,
    close: async () => {
      await server.close();
      await scaler.settle();
      await db.close();
    },
  };
}

/** `ingot scaler serve`: listens, runs the control loop every `timeouts.reconcile` seconds. */
export async function serveScaler(
  sources: ScalerSources,
  listen: { host: string; port: number },
): Promise<RunningScaler & { url: string }> {
  const running = await createScaler(sources);
  const url = await running.server.listen(listen);
  running.scaler.triggerAll();
  const timer = setInterval(
    () => running.scaler.triggerAll(),
    running.scaler.config.timeouts.reconcile * 1000,
  );
  timer.unref();
  return {
    ...running,
    url,
    close: async () => {
      clearInterval(timer);
      await running.close();
    },
  };
}
