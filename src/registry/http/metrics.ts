import client from 'prom-client';

/** Prometheus metrics of one registry process; a registry of its own so tests can make many. */
export class Metrics {
  readonly registry = new client.Registry();
  readonly requests = new client.Counter({
    name: 'ingot_http_requests_total',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly duration = new client.Histogram({
    name: 'ingot_http_request_duration_seconds',
    help: 'HTTP request duration by method and route.',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'ingot_' });
  }

  /** Labelled children, looked up once per label set: labelling is costly per request. */
  private readonly children = new Map<
    string,
    {
      count: ReturnType<Metrics['requests']['labels']>;
      time: ReturnType<Metrics['duration']['labels']>;
    }
  >();

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.children.get(key);
    if (!child) {
      child = {
        count: this.requests.labels({ method, route, status: String(status) }),
        time: this.duration.labels({ method, route }),
      };
      this.children.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }
}
