import { createScaler, type RunningScaler } from './serve';

/** A Lambda Function URL request (payload format 2.0), or an EventBridge event. */
interface LambdaEvent {
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
  'detail-type'?: string;
  detail?: { AutoScalingGroupName?: string };
}

let running: Promise<RunningScaler> | undefined;

/**
 * The scaler as an AWS Lambda function (`ingot/scaler/lambda.handler`), configured by
 * environment: `INGOT_SCALER_CONFIG` (JSON), `INGOT_SCALER_SECRET`
 * (`aws-secretsmanager:<arn>`), `INGOT_SCALER_DATABASE` (a `postgres://` URL: the state
 * must outlive the function's sandboxes). It serves:
 * - Function URL requests (`POST /webhook`, `GET /healthz`, `GET /metrics`), each waiting
 *   for the control loop passes it started, since a frozen sandbox runs nothing;
 * - EventBridge `EC2 Instance-launch Lifecycle Action` events (a new instance waits for
 *   its configuration) and the scheduled tick: a pass over the targets.
 */
export async function handler(event: LambdaEvent) {
  running ??= createScaler({
    config: process.env.INGOT_SCALER_CONFIG ?? '',
    secret: process.env.INGOT_SCALER_SECRET ?? '',
    database: process.env.INGOT_SCALER_DATABASE ?? '',
    awaitPasses: true,
  });
  const { scaler, server } = await running;
  if (event['detail-type']) {
    const group = event.detail?.AutoScalingGroupName;
    const targets = scaler.config.targets.filter((t) => !group || t.group === group);
    // The scheduled tick (no group) is triggerAll's: it also prunes a scaler without targets.
    if (group) for (const target of targets) scaler.trigger(target.key);
    else scaler.triggerAll();
    await scaler.settle();
    return { targets: targets.map((t) => t.key) };
  }
  const body = event.body ?? '';
  const response = await server.inject({
    method: (event.requestContext?.http?.method ?? 'GET') as 'GET',
    url: `${event.rawPath ?? '/'}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`,
    headers: event.headers,
    payload: event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body,
  });
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': String(response.headers['content-type'] ?? 'application/json') },
    body: response.body,
  };
}
