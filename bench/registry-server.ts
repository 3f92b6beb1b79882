/**
 * Child process of bench/registry-channel-read.ts: starts a registry on the database
 * named by BENCH_DATABASE_URL (free port on 127.0.0.1) and prints one JSON line on
 * stdout: { url, clientId, clientSecret }. It logs as production does (the default
 * level, JSON lines) into BENCH_LOG_FILE, or not at all without one. Each `cpu` line on
 * stdin is answered with { cpu: process.cpuUsage(), eventLoopDelay } on stdout (the
 * event loop's delay percentiles in ms since the previous `cpu` line). It stops (closing the registry, so a
 * `--cpu-prof` profile gets written) on SIGTERM/SIGINT or when its stdin closes, which
 * happens when the parent dies.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';
import { SERVE_DEFAULTS } from '../src/registry/serve-config';
import { loggerOptions, startRegistry } from '../src/registry/serve';

export interface RegistryServerInfo {
  url: string;
  clientId: string;
  clientSecret: string;
}

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  const credentialsFile = process.env.BENCH_CREDENTIALS_FILE;
  if (!databaseUrl || !credentialsFile) {
    throw new Error('BENCH_DATABASE_URL and BENCH_CREDENTIALS_FILE must be set');
  }
  const logFile = process.env.BENCH_LOG_FILE;
  const logLevel = SERVE_DEFAULTS.logLevel;
  const running = await startRegistry(
    { host: '127.0.0.1', port: 0, databaseUrl, credentialsFile, logLevel },
    {
      logger: logFile
        ? loggerOptions({ logLevel, logFormat: 'json' }, fs.createWriteStream(logFile))
        : false,
    },
  );
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('registry-server: close failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('error', stop);
  readline
    .createInterface({ input: process.stdin })
    .on('line', (line) => {
      if (line.trim() !== 'cpu') return;
      const eventLoopDelay = {
        p50: delay.percentile(50) / 1e6,
        p99: delay.percentile(99) / 1e6,
        max: delay.max / 1e6,
      };
      delay.reset();
      process.stdout.write(`${JSON.stringify({ cpu: process.cpuUsage(), eventLoopDelay })}\n`);
    })
    .on('close', stop);

  if (!running.credentialsFile) {
    throw new Error(`the database already had principals; no admin was bootstrapped`);
  }
  const creds = JSON.parse(fs.readFileSync(running.credentialsFile, 'utf8')) as {
    client_id: string;
    client_secret: string;
  };
  const info: RegistryServerInfo = {
    url: running.url,
    clientId: creds.client_id,
    clientSecret: creds.client_secret,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((error: unknown) => {
  console.error('registry-server:', error);
  process.exit(1);
});
