import { serveScaler } from './serve';

/**
 * The scaler as a Cloud Run service (the container of deploy/scaler/Dockerfile runs this
 * file's bundle), configured by environment: `INGOT_SCALER_CONFIG` (JSON),
 * `INGOT_SCALER_SECRET` and `INGOT_SCALER_DATABASE` (Secret Manager secrets mounted as
 * variables), `PORT` (set by Cloud Run). CPU stays allocated between requests, so the
 * control loop's timer keeps running.
 */
async function main(): Promise<void> {
  const running = await serveScaler(
    {
      config: process.env.INGOT_SCALER_CONFIG ?? '',
      secret: process.env.INGOT_SCALER_SECRET ?? '',
      database: process.env.INGOT_SCALER_DATABASE ?? '',
    },
    { host: '0.0.0.0', port: Number(process.env.PORT ?? 8080) },
  );
  // Cloud Run sends SIGTERM before stopping an instance: finish the passes under way.
  process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(`ingot scaler: ${(error as Error).message}`);
  process.exit(1);
});
