import type { Writable } from 'node:stream';
import pinoPretty from 'pino-pretty';
import type { LogFormat } from './serve-config';

interface LogLine {
  msg?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/**
 * `GET /healthz` for a request, `200 in 3 ms` for its answer, both for a completed
 * request (`GET /healthz → 200 in 3 ms`), the message otherwise.
 */
function message(log: LogLine, messageKey: string): string {
  const text = String((log as Record<string, unknown>)[messageKey] ?? '');
  const request = log.req?.method ? `${log.req.method} ${log.req.url ?? ''}` : '';
  if (log.res?.statusCode) {
    const ms = log.responseTime === undefined ? '' : ` in ${Math.round(log.responseTime)} ms`;
    return `${text}: ${request ? `${request} → ` : ''}${log.res.statusCode}${ms}`;
  }
  return request ? `${text}: ${request}` : text;
}

/**
 * Where the registry's log goes: human-readable lines (time, level, message, request id)
 * on a terminal or with `pretty`, JSON lines (for log shippers) otherwise. Null means
 * pino's own JSON stream (stdout).
 */
export function logStream(
  format: LogFormat,
  stdout: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): Writable | null {
  const pretty = format === 'pretty' || (format === 'auto' && Boolean(stdout.isTTY));
  if (!pretty) return null;
  return pinoPretty({
    colorize: Boolean(stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,req,res,responseTime',
    singleLine: true,
    sync: true,
    destination: stdout,
    messageFormat: (log, messageKey) => message(log as LogLine, messageKey),
  });
}
