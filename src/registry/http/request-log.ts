import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Methods that only read: their successful answers are logged at debug. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function fieldsOf(request: FastifyRequest, reply: FastifyReply) {
  return { req: request, res: reply, responseTime: reply.elapsedTime };
}

/**
 * One log line per request, when it completes, carrying the request (method, masked URL),
 * the status and the time taken, instead of Fastify's two lines (incoming, completed).
 * Writes, refusals and failures are always logged at `info` (or `error`); a read
 * answered with a 2xx or 3xx is logged at `debug`, so the hot read path — channel reads
 * polled by every preview and console — writes no line at the default level. Metrics
 * still count every request.
 */
export class RequestLog extends LogController {
  incomingRequest(): void {
    // Logged once, at completion.
  }

  requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error)
      return reply.log.error({ ...fieldsOf(request, reply), err: error }, 'request errored');
    if (!READS.has(request.method) || reply.statusCode >= 400)
      return reply.log.info(fieldsOf(request, reply), 'request completed');
    // Not even the fields are made unless debug is on.
    if (reply.log.level === 'debug' || reply.log.level === 'trace')
      reply.log.debug(fieldsOf(request, reply), 'request completed');
  }
}
