/** Load generation (wrk, bench/lib/wrk.ts) and what it measures on the server. */
import fs from 'node:fs';
import os from 'node:os';
import type { Child } from './children';
import { DURATION, ROUNDS, WARMUP } from './settings';
import { mergedPercentiles, wrk, type WrkRun } from './wrk';

// Load

export interface LoadStats {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  /** Answers with a status of 400 or more. */
  failed: number;
  /** Connect, read and write errors. */
  errors: number;
  timeouts: number;
  bytesPerResponse: number;
  /** CPU time of the server's Node process per response (µs); PostgreSQL's own is not in it. */
  serverCpuUsPerRequest: number;
  /** Server process CPU time ÷ wall time during the run (1 = one core busy). */
  serverCpuLoad: number;
  /**
   * CPU (in cores) used during the run by everything but this process, the load generator
   * and the server's Node process: PostgreSQL, and whatever else shares the machine.
   * Linux only.
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

/**
 * CPU seconds of this process and of its children that have exited (each wrk run), from
 * /proc/self/stat (utime, stime, cutime, cstime); this process's own time elsewhere.
 */
export function ownCpuSeconds(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // After "pid (comm) ": state is field 3, so utime … cstime (14–17) sit at 11–14 here.
    return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
}

/** A server to load: its process (for CPU and event-loop figures), URL and headers. */
export interface Target {
  server: Child<unknown>;
  url: string;
  headers?: Record<string, string>;
}

interface Tally {
  runs: WrkRun[];
  cpuUs: number;
  /** Null once a turn could not read the machine's CPU (off Linux). */
  otherSeconds: number | null;
  eventLoopDelay: LoadStats['eventLoopDelay'];
  gcBefore: { count: number; pauseMs: number } | null;
  gcAfter: { count: number; pauseMs: number; maxPauseMs: number } | null;
}

/** One wrk run against `target`, with the server's CPU and the machine's around it. */
async function measure(connections: number, target: Target, seconds: number, tally: Tally) {
  const before = await target.server.usage();
  const ownBefore = ownCpuSeconds();
  const machineBefore = machineBusySeconds();
  const run = await wrk(connections, target.url, target.headers ?? {}, seconds);
  const machineAfter = machineBusySeconds();
  const ownUsed = ownCpuSeconds() - ownBefore;
  const after = await target.server.usage();
  const cpuUsed = after.cpu - before.cpu;
  tally.runs.push(run);
  tally.cpuUs += cpuUsed;
  tally.otherSeconds =
    machineBefore === null || machineAfter === null || tally.otherSeconds === null
      ? null
      : tally.otherSeconds + Math.max(0, machineAfter - machineBefore - ownUsed - cpuUsed / 1e6);
  const delay = after.eventLoopDelay;
  if (delay && (!tally.eventLoopDelay || delay.p99 > tally.eventLoopDelay.p99))
    tally.eventLoopDelay = delay;
  tally.gcBefore ??= before.gc;
  tally.gcAfter = after.gc;
}

/**
 * Loads each target with `connections` connections for DURATION seconds in all, in
 * ROUNDS turns that alternate between the targets (A B A B …), after a warm-up of each:
 * a registry and the bare server it is compared with see the same machine, whatever
 * else the machine does over the run. Figures are over all of a target's turns.
 */
export async function loadAlternating(
  connections: number,
  targets: Target[],
  rounds = ROUNDS,
): Promise<LoadStats[]> {
  const loadAverage = os.loadavg()[0];
  if (WARMUP > 0)
    for (const target of targets) await wrk(connections, target.url, target.headers ?? {}, WARMUP);
  const tallies: Tally[] = targets.map(() => ({
    runs: [],
    cpuUs: 0,
    otherSeconds: 0,
    eventLoopDelay: null,
    gcBefore: null,
    gcAfter: null,
  }));
  const turn = DURATION / rounds;
  for (let round = 0; round < rounds; round++)
    for (const [i, target] of targets.entries())
      await measure(connections, target, turn, tallies[i]);
  return tallies.map((tally) => statsOf(tally, loadAverage));
}

/** Loads one server with `connections` connections for DURATION seconds (after a warm-up). */
export async function load(
  connections: number,
  server: Child<unknown>,
  url: string,
  headers: Record<string, string> = {},
): Promise<LoadStats> {
  const [stats] = await loadAlternating(connections, [{ server, url, headers }], 1);
  return stats;
}

function statsOf(tally: Tally, loadAverage: number): LoadStats {
  const requests = tally.runs.reduce((sum, r) => sum + r.requests, 0);
  const seconds = tally.runs.reduce((sum, r) => sum + r.seconds, 0);
  const bytes = tally.runs.reduce((sum, r) => sum + r.bytes, 0);
  const errors = (key: keyof WrkRun['errors']) =>
    tally.runs.reduce((sum, r) => sum + r.errors[key], 0);
  const [p50, p90, p99] = mergedPercentiles(tally.runs, [0.5, 0.9, 0.99]);
  const gcBefore = tally.gcBefore ?? { count: 0, pauseMs: 0 };
  const gcAfter = tally.gcAfter ?? { count: 0, pauseMs: 0, maxPauseMs: 0 };
  return {
    rps: seconds > 0 ? requests / seconds : 0,
    p50,
    p90,
    p99,
    max: Math.max(...tally.runs.map((r) => r.maxUs)) / 1000,
    requests,
    failed: errors('status'),
    errors: errors('connect') + errors('read') + errors('write'),
    timeouts: errors('timeout'),
    bytesPerResponse: requests > 0 ? Math.round(bytes / requests) : 0,
    serverCpuUsPerRequest: requests > 0 ? tally.cpuUs / requests : NaN,
    serverCpuLoad: seconds > 0 ? tally.cpuUs / 1e6 / seconds : NaN,
    otherCpuLoad:
      tally.otherSeconds === null || seconds === 0 ? null : tally.otherSeconds / seconds,
    loadAverage,
    eventLoopDelay: tally.eventLoopDelay ?? null,
    gc: {
      count: gcAfter.count - gcBefore.count,
      pauseMs: gcAfter.pauseMs - gcBefore.pauseMs,
      maxPauseMs: gcAfter.maxPauseMs,
    },
  };
}
