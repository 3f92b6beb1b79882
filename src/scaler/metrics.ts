import client from 'prom-client';

/** The scaler's Prometheus metrics, in a registry of its own (tests make many scalers). */
export class ScalerMetrics {
  readonly registry = new client.Registry();
  readonly queueDepth = new client.Gauge({
    name: 'ingot_scaler_queued_jobs',
    help: 'Jobs queued for a pool region and not yet picked up by a runner.',
    labelNames: ['pool', 'region'],
    registers: [this.registry],
  });
  readonly desired = new client.Gauge({
    name: 'ingot_scaler_desired_instances',
    help: 'The size the scaler last set for a pool region.',
    labelNames: ['pool', 'region'],
    registers: [this.registry],
  });
  readonly scaleActions = new client.Counter({
    name: 'ingot_scaler_scale_actions_total',
    help: 'Scale actions by pool region and kind (out, in, reap).',
    labelNames: ['pool', 'region', 'action'],
    registers: [this.registry],
  });
  readonly instancesRequested = new client.Counter({
    name: 'ingot_scaler_instances_requested_total',
    help: 'Instances the scaler asked the cloud for.',
    labelNames: ['pool', 'region'],
    registers: [this.registry],
  });
  readonly hostConfigs = new client.Counter({
    name: 'ingot_scaler_host_configs_total',
    help: 'JIT configurations asked for by macOS instances, by outcome (issued, refused).',
    labelNames: ['pool', 'region', 'outcome'],
    registers: [this.registry],
  });
  readonly webhooks = new client.Counter({
    name: 'ingot_scaler_webhooks_total',
    help: 'workflow_job deliveries by outcome.',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly jobWait = new client.Histogram({
    name: 'ingot_scaler_job_wait_seconds',
    help: 'From a job queued to a runner of ours picking it up.',
    labelNames: ['pool'],
    buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 3600],
    registers: [this.registry],
  });
  readonly runnerBoot = new client.Histogram({
    name: 'ingot_scaler_runner_online_seconds',
    help: 'From an instance launched to its runner online.',
    labelNames: ['pool'],
    buckets: [15, 30, 60, 90, 120, 180, 300, 600, 900],
    registers: [this.registry],
  });
  readonly githubRetries = new client.Counter({
    name: 'ingot_scaler_github_retries_total',
    help: 'GitHub API calls retried (rate limit, 5xx, connection) by status.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly githubErrors = new client.Counter({
    name: 'ingot_scaler_github_errors_total',
    help: 'GitHub API calls that failed for good, by status.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly cloudErrors = new client.Counter({
    name: 'ingot_scaler_cloud_errors_total',
    help: 'Cloud API calls that failed, by pool region and operation.',
    labelNames: ['pool', 'region', 'operation'],
    registers: [this.registry],
  });
}
