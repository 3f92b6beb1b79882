/**
 * `npm run bench:scaler`: 1,000 signed `workflow_job` webhooks (queued, then in_progress
 * and completed for a third of them, 10 % duplicates) sent over 10 seconds to a whole
 * scaler — HTTP server, SQLite state, the GitHub App against a fake GitHub, AWS through
 * the SDK (aws-sdk-client-mock) and GCP through a fake compute client — and the same
 * number of deliveries, at the same pace, to a no-op handler (a node:http server that
 * reads the body and answers 202) in the same run. Prints decision latency p50/p99 of
 * both and their ratio, and the instances the scaler asked for against the jobs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { GCP_MEDIUM, LARGE, ScalerHarness, SMALL } from '../test/scaler/scaler-harness';

const DELIVERIES = 1000;
const SECONDS = 10;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function paced(bodies: (() => Promise<unknown>)[]): Promise<number[]> {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    bodies.map(async (send, i) => {
      const due = start + (i * SECONDS * 1000) / bodies.length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      const t0 = performance.now();
      await send();
      latencies.push(performance.now() - t0);
    }),
  );
  return latencies;
}

async function main(): Promise<void> {
  const h = await new ScalerHarness({ max: { small: 400, large: 400, medium: 400 } }).start();
  const labels = [SMALL, LARGE, GCP_MEDIUM];
  const plan: {
    action: string;
    id: number;
    labels: string[];
    runnerName?: string;
    delivery?: string;
  }[] = [];
  let jobs = 0;
  while (plan.length < DELIVERIES) {
    const id = 10_000 + jobs++;
    const l = labels[id % 3];
    plan.push({ action: 'queued', id, labels: l });
    if (id % 10 === 0) plan.push({ action: 'queued', id, labels: l }); // duplicate
    if (id % 3 === 0) {
      plan.push({ action: 'in_progress', id, labels: l, runnerName: `someone-else-${id}` });
      plan.push({ action: 'completed', id, labels: l, runnerName: `someone-else-${id}` });
    }
  }
  plan.length = DELIVERIES;
  const queuedJobs = new Set(plan.filter((p) => p.action === 'queued').map((p) => p.id));
  const finished = new Set(plan.filter((p) => p.action === 'completed').map((p) => p.id));
  const waiting = [...queuedJobs].filter((id) => !finished.has(id)).length;

  const noop = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202).end('{"outcome":"recorded"}'));
  });
  await new Promise<void>((resolve) => noop.listen(0, '127.0.0.1', resolve));
  const noopUrl = `http://127.0.0.1:${(noop.address() as AddressInfo).port}`;
  const bodies = plan.map((p) => JSON.stringify(h.github.payload(p.action, p)));

  const baseline = await paced(bodies.map((b) => () => h.github.deliver(noopUrl, b)));
  const scaler = await paced(bodies.map((b) => () => h.github.deliver(h.url, b)));
  await h.tick();
  const requested = (await h.metrics.instancesRequested.get()).values.reduce(
    (n, v) => n + v.value,
    0,
  );
  const row = (name: string, l: number[]) =>
    `${name.padEnd(22)} p50 ${percentile(l, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(l, 99).toFixed(2).padStart(7)} ms`;
  console.log(
    `${DELIVERIES} workflow_job deliveries over ${SECONDS} s (${queuedJobs.size} jobs, ${waiting} still queued at the end)`,
  );
  console.log(row('no-op handler', baseline));
  console.log(row('scaler', scaler));
  console.log(
    `ratio scaler/no-op      p50 ${(percentile(scaler, 50) / percentile(baseline, 50)).toFixed(1)}x   p99 ${(percentile(scaler, 99) / percentile(baseline, 99)).toFixed(1)}x`,
  );
  const sizes = [h.asg('asg-small').desired, h.asg('asg-large').desired, h.mig().targetSize];
  const total = sizes.reduce((a, b) => a + b, 0);
  // Jobs that finished before their instance was needed leave it idle until the idle timeout.
  console.log(
    `instances requested ${requested} for ${queuedJobs.size} jobs (ratio ${(requested / queuedJobs.size).toFixed(2)}); groups hold ${total} for ${waiting} still queued`,
  );
  noop.close();
  await h.stop();
  if (requested > queuedJobs.size || total < waiting) process.exitCode = 1;
}

void main();
