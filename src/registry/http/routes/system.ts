import { Type } from '@sinclair/typebox';
import type { Registry } from '../../registry';
import type { App } from '../app-types';
import type { Metrics } from '../metrics';

/** `/healthz` answers within this bound, 503 when the database has not answered by then. */
export const HEALTH_TIMEOUT_MS = 1_500;

/** Resolves with the query, or rejects when the database takes longer than `ms`. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Health, metrics and the OpenAPI document. */
export function systemRoutes(app: App, registry: Registry, metrics: Metrics): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability (no auth)',
        response: {
          200: Type.Object({
            status: Type.String(),
            engine: Type.String(),
            time: Type.String({
              format: 'date-time',
              description: 'The clock revocations and soak times are judged by.',
            }),
          }),
          503: Type.Object({ status: Type.String(), engine: Type.String() }),
        },
      },
      config: { access: 'public' },
    },
    async (request, reply) => {
      try {
        await within(HEALTH_TIMEOUT_MS, registry.db.ping());
        return {
          status: 'ok',
          engine: registry.db.engine,
          time: registry.clock.now().toISOString(),
        };
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply
          .header('retry-after', '1')
          .status(503)
          .send({ status: 'database unreachable', engine: registry.db.engine });
      }
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics (registry-wide admins and metrics principals)',
      },
      // Request counts by route reveal every tenant's activity: not for project principals.
      // A scraper gets a registry-wide `metrics` principal, which can read nothing else.
      config: { access: 'metrics' },
    },
    async (_request, reply) => {
      reply.header('content-type', metrics.contentType);
      return metrics.text();
    },
  );

  app.get(
    '/openapi.json',
    { schema: { hide: true }, config: { access: 'authenticated' } },
    async () => app.swagger(),
  );
}
