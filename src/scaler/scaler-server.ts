import { Webhooks } from '@octokit/webhooks';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { errorBody, httpStatus, ScalerError } from './errors';
import type { ScalerMetrics } from './metrics';
import type { Scaler } from './scaler';
import { readWorkflowJob } from './workflow-job';

export interface ScalerServerOptions {
  scaler: Scaler;
  metrics: ScalerMetrics;
  webhookSecret: string;
  /** Runs the database check of `/healthz`. */
  healthy: () => Promise<void>;
  /** @default 'info' */
  logLevel?: string;
  /**
   * Whether a request waits for the passes it started (a Lambda invocation must; a
   * long-running server answers GitHub at once). @default false
   */
  awaitPasses?: boolean;
}

function fail(reply: FastifyReply, error: unknown) {
  const status = httpStatus(error);
  if (status >= 500) reply.log.error({ err: error }, 'request failed');
  else
    reply.log.warn({ code: (error as ScalerError).code, msg: (error as Error).message }, 'refused');
  return reply.code(status).send(errorBody(error));
}

/**
 * The scaler's HTTP face:
 * - `POST /webhook`: GitHub's `workflow_job` deliveries. The raw body is checked against
 *   `X-Hub-Signature-256` with `@octokit/webhooks` before anything is parsed; a missing
 *   or wrong signature is a 401 and changes nothing. `ping` answers 200; other events 202.
 * - `POST /jit`: a GCP runner VM fetches its JIT configuration, presenting its instance
 *   identity token as a bearer token.
 * - `POST /jit/aws`: a macOS instance fetches its next runner's JIT configuration with
 *   its signed identity document: `{"document": "…", "signature": "…"}` (the instance
 *   metadata's `instance-identity/document` and `instance-identity/signature`).
 * - `GET /healthz`, `GET /metrics` (Prometheus text).
 */
export function buildScalerServer(options: ScalerServerOptions): FastifyInstance {
  const { scaler, metrics } = options;
  const webhooks = new Webhooks({ secret: options.webhookSecret });
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', redact: ['req.headers.authorization'] },
    bodyLimit: 5 * 1024 * 1024,
  });
  // Signatures are over the exact bytes GitHub sent: keep the body as text.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/webhook', async (request, reply) => {
    try {
      const body = typeof request.body === 'string' ? request.body : '';
      const signature = request.headers['x-hub-signature-256'];
      const event = request.headers['x-github-event'];
      const delivery = request.headers['x-github-delivery'];
      if (
        typeof signature !== 'string' ||
        !(await webhooks.verify(body, signature).catch(() => false))
      ) {
        metrics.webhooks.inc({ outcome: 'bad_signature' });
        throw new ScalerError(
          'BAD_SIGNATURE',
          'X-Hub-Signature-256 is missing or does not match the body; check the webhook secret.',
        );
      }
      if (typeof event !== 'string' || typeof delivery !== 'string' || delivery === '')
        throw new ScalerError('BAD_REQUEST', 'X-GitHub-Event and X-GitHub-Delivery are required.');
      if (event === 'ping') return reply.code(200).send({ outcome: 'pong' });
      if (event !== 'workflow_job') return reply.code(202).send({ outcome: 'ignored' });
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        throw new ScalerError(
          'BAD_REQUEST',
          'the body is not JSON; set the webhook content type to application/json.',
        );
      }
      const outcome = await scaler.handleWorkflowJob(readWorkflowJob(payload), delivery);
      if (options.awaitPasses) await scaler.settle();
      return reply.code(202).send({ outcome });
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.post('/jit', async (request, reply) => {
    try {
      const header = request.headers.authorization ?? '';
      const token = /^Bearer (\S+)$/.exec(header)?.[1];
      if (!token)
        throw new ScalerError(
          'UNAUTHENTICATED_INSTANCE',
          'send the instance identity token as "Authorization: Bearer <token>".',
        );
      const config = await scaler.configureByCredential('gcp', token);
      return reply.code(200).send({ encoded_jit_config: config });
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.post('/jit/aws', async (request, reply) => {
    try {
      let body: unknown;
      try {
        body = JSON.parse(typeof request.body === 'string' ? request.body : '');
      } catch {
        body = undefined;
      }
      const { document, signature } = (body ?? {}) as Record<string, unknown>;
      if (typeof document !== 'string' || typeof signature !== 'string')
        throw new ScalerError(
          'UNAUTHENTICATED_INSTANCE',
          'send {"document": <instance-identity/document>, "signature": <instance-identity/signature>} as JSON.',
        );
      const config = await scaler.configureHost(document, signature);
      return reply.code(200).send({ encoded_jit_config: config });
    } catch (error) {
      return fail(reply, error);
    }
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await options.healthy();
      return reply.send({ status: 'ok' });
    } catch (error) {
      reply.log.error({ err: error }, 'health check failed');
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  app.get('/metrics', async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return app;
}
