/** Load generation (autocannon, in this process) and what it measures. */
import fs from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import type { Child } from './children';
import { WARMUP, DURATION } from './settings';

// Load

export interface LoadStats {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  /** Answers other than 2xx and 304 (a conditional read's 304 is a success). */
  failed: number;
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
  /** CPU time of the server's Node process per response (µs); PostgreSQL's own is not in it. */
  serverCpuUsPerRequest: number;
  /** Server process CPU time ÷ wall time during the run (1 = one core busy). */
  serverCpuLoad: number;
  /**
   * CPU (in cores) used during the run by everything but the load generator and the
   * server's Node process: PostgreSQL, and whatever else shares the machine. Linux only.
   */
  otherCpuLoad: number | null;
  /** 1-minute load average of the machine before the warm-up. */
  loadAverage: number;
  /** The server's event-loop delay during the run (ms), or null for the bare server. */
  eventLoopDelay: { p50: number; p99: number; max: number } | null;
  /** Garbage collections during the run (counted with BENCH_TRACE_GC=1). */
  gc: { count: number; pauseMs: number; maxPauseMs: number };
}

/** CPU seconds the whole machine has spent busy (from /proc/stat), or null off Linux. */
export function machineBusySeconds(): number | null {
  try {
    const fields = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal …, in USER_HZ (100 per second).
    const [user, nice, system, , , irq, softirq] = fields;
    return (user + nice + system + irq + softirq) / 100;
  } catch {
    return null;
  }
}

export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Latencies (ms, full resolution: autocannon's own histogram keeps whole milliseconds). */
export class Samples {
  private data = new Float64Array(1 << 16);
  private size = 0;
  /** Answers that were not a success, counted beside the latencies. */
  failed = 0;

  add(value: number): void {
    if (this.size === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.size++] = value;
  }

  percentiles(qs: number[]): number[] {
    const sorted = this.data.slice(0, this.size).sort();
    if (sorted.length === 0) return qs.map(() => NaN);
    return qs.map(
      (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))],
    );
  }
}

export function cannon(
  connections: number,
  url: string,
  headers: Record<string, string>,
  duration: number,
  samples?: Samples,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration, headers, pipelining: 1 },
      (error: unknown, result) => (error ? reject(error) : resolve(result)),
    );
    if (samples) {
      instance.on('response', (_client, status, _bytes, time) => {
        if ((status >= 200 && status < 300) || status === 304) samples.add(time);
        else samples.failed++;
      });
    }
  });
}

export async function load(
  connections: number,
  server: Child<unknown>,
  url: string,
  headers: Record<string, string> = {},
): Promise<LoadStats> {
  const loadAverage = os.loadavg()[0];
  if (WARMUP > 0) await cannon(connections, url, headers, WARMUP);
  const samples = new Samples();
  const before = await server.usage();
  const ownBefore = ownCpuSeconds();
  const machineBefore = machineBusySeconds();
  const result = await cannon(connections, url, headers, DURATION, samples);
  const machineAfter = machineBusySeconds();
  const ownUsed = ownCpuSeconds() - ownBefore;
  const after = await server.usage();
  const cpuUsed = after.cpu - before.cpu;
  const otherCpuLoad =
    machineBefore === null || machineAfter === null
      ? null
      : Math.max(0, machineAfter - machineBefore - ownUsed - cpuUsed / 1e6) / result.duration;
  const [p50, p90, p99, max] = samples.percentiles([0.5, 0.9, 0.99, 1]);
  const ok = result['2xx'] + result['3xx'];
  return {
    rps: result.requests.average,
    p50,
    p90,
    p99,
    max,
    requests: result.requests.total,
    failed: samples.failed,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: ok > 0 ? Math.round(result.throughput.total / ok) : 0,
    serverCpuUsPerRequest: result.requests.total > 0 ? cpuUsed / result.requests.total : NaN,
    serverCpuLoad: cpuUsed / 1e6 / result.duration,
    otherCpuLoad,
    loadAverage,
    eventLoopDelay: after.eventLoopDelay ?? null,
    gc: {
      count: after.gc.count - before.gc.count,
      pauseMs: after.gc.pauseMs - before.gc.pauseMs,
      maxPauseMs: after.gc.maxPauseMs,
    },
  };
}
