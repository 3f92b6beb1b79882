import { Command } from 'commander';
import { maskDatabaseUrl } from '../registry/storage/database';

interface ServeFlags {
  config?: string;
  secret?: string;
  database?: string;
  host?: string;
  port?: string;
}

/** `ingot scaler serve`: the job-driven autoscaler, for tests and small setups. */
export function scalerCommand(): Command {
  const scaler = new Command('scaler').description(
    'Scale runner pools on GitHub workflow_job webhooks, with just-in-time runner configs.',
  );
  scaler
    .command('serve')
    .description('Serve POST /webhook, POST /jit, /healthz and /metrics, and run the control loop.')
    .option('--config <file>', 'scaler configuration JSON (env INGOT_SCALER_CONFIG)')
    .option(
      '--secret <file>',
      'GitHub App secret JSON {app_id, installation_id, private_key, webhook_secret}, or aws-secretsmanager:<id> (env INGOT_SCALER_SECRET)',
    )
    .option(
      '--database <url>',
      'state: SQLite file or postgres:// URL (env INGOT_SCALER_DATABASE, default .ingot/scaler.db)',
    )
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default 8090; 0 picks a free one)')
    .action(async (flags: ServeFlags) => {
      const env = process.env;
      const config = flags.config ?? env.INGOT_SCALER_CONFIG;
      const secret = flags.secret ?? env.INGOT_SCALER_SECRET;
      const port = Number(flags.port ?? env.INGOT_SCALER_PORT ?? 8090);
      const problems: string[] = [];
      if (!config) problems.push('--config is required: the scaler configuration JSON file.');
      if (!secret) problems.push('--secret is required: the GitHub App secret JSON file.');
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        problems.push(`--port must be 0–65535; got ${flags.port}.`);
      if (problems.length > 0) throw new Error(problems.join('\n  '));
      const database = flags.database ?? env.INGOT_SCALER_DATABASE ?? '.ingot/scaler.db';
      const { serveScaler } = await import('../scaler/serve');
      const running = await serveScaler(
        { config: config as string, secret: secret as string, database },
        { host: flags.host ?? env.INGOT_SCALER_HOST ?? '127.0.0.1', port },
      );
      const stop = () =>
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      console.log(`Ingot scaler listening on ${running.url} (webhook: ${running.url}/webhook)`);
      console.log(`State: ${maskDatabaseUrl(database)}`);
    });
  return scaler;
}
