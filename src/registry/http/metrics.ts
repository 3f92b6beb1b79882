import client from 'prom-client';

/** Upper bounds (seconds) of the request duration histogram's buckets. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const REQUESTS = 'ingot_http_requests_total';
const DURATION = 'ingot_http_request_duration_seconds';

/** Counts and durations of one method and route; counts by status. */
interface RouteStats {
  labels: string;
  statuses: Map<number, { labels: string; count: number }>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * Prometheus metrics of one registry process: the process's default metrics from
 * prom-client, and request counts and durations by route kept here. Every request is
 * counted, so the per-request part is two map lookups and a few additions; prom-client's
 * labelled metrics hashed their label objects on every call, a visible share of a
 * channel read. The text is made when /metrics is scraped.
 */
export class Metrics {
  /** Default process metrics (CPU, memory, event loop, GC), prefixed `ingot_`. */
  readonly registry = new client.Registry();
  /** By route pattern, then method: keys the request already holds, no string made. */
  private readonly routes = new Map<string, Map<string, RouteStats>>();

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'ingot_' });
  }

  /** Counts a completed request and its duration in seconds. */
  observe(method: string, route: string, status: number, seconds: number): void {
    let methods = this.routes.get(route);
    if (!methods) this.routes.set(route, (methods = new Map()));
    let stats = methods.get(method);
    if (!stats) {
      stats = {
        labels: `method="${labelValue(method)}",route="${labelValue(route)}"`,
        statuses: new Map(),
        buckets: new Float64Array(DURATION_BUCKETS.length),
        sum: 0,
        count: 0,
      };
      methods.set(method, stats);
    }
    let counted = stats.statuses.get(status);
    if (!counted) {
      counted = { labels: `${stats.labels},status="${status}"`, count: 0 };
      stats.statuses.set(status, counted);
    }
    counted.count++;
    stats.count++;
    stats.sum += seconds;
    // Cumulative only when written out: one bucket is touched per request.
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= DURATION_BUCKETS[i]) {
        stats.buckets[i]++;
        break;
      }
    }
  }

  /** The content type of {@link text}: Prometheus text exposition 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text format. */
  async text(): Promise<string> {
    const lines = [
      `# HELP ${REQUESTS} HTTP requests by method, route and status.`,
      `# TYPE ${REQUESTS} counter`,
    ];
    const all = [...this.routes.values()].flatMap((methods) => [...methods.values()]);
    for (const stats of all)
      for (const { labels, count } of stats.statuses.values())
        lines.push(`${REQUESTS}{${labels}} ${count}`);
    lines.push(
      `# HELP ${DURATION} HTTP request duration by method and route.`,
      `# TYPE ${DURATION} histogram`,
    );
    for (const times of all) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += times.buckets[i];
        lines.push(`${DURATION}_bucket{le="${le}",${times.labels}} ${cumulative}`);
      });
      lines.push(
        `${DURATION}_bucket{le="+Inf",${times.labels}} ${times.count}`,
        `${DURATION}_sum{${times.labels}} ${times.sum}`,
        `${DURATION}_count{${times.labels}} ${times.count}`,
      );
    }
    return `${await this.registry.metrics()}\n${lines.join('\n')}\n`;
  }
}
