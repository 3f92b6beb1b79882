/** Child processes and cleanup of bench/registry-channel-read.ts. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { BUILD_DIR, ROOT } from './settings';

// Cleanup: everything started or created is registered here and released even on failure.

export interface Tracked {
  name: string;
  release: () => Promise<void>;
}
export const live = new Set<Tracked>();

/** Registers a cleanup; the returned function runs it once (and unregisters it). */
export function track(name: string, release: () => Promise<void>): () => Promise<void> {
  const entry: Tracked = { name, release };
  live.add(entry);
  return async () => {
    if (!live.delete(entry)) return;
    await release();
  };
}

export async function releaseAll(): Promise<void> {
  for (const entry of [...live].reverse()) {
    live.delete(entry);
    try {
      await entry.release();
    } catch (error) {
      console.error(`cleanup of ${entry.name} failed:`, error);
    }
  }
}

// Child processes

/** What a child reports on a `cpu` line (the bare server has no event-loop monitor). */
export interface Usage {
  /** CPU time (user + system, µs) the child has used so far. */
  cpu: number;
  /** Event-loop delay percentiles (ms) since the previous report. */
  eventLoopDelay?: { p50: number; p99: number; max: number };
  /** Garbage collections so far (with BENCH_TRACE_GC=1), and their total and longest pause. */
  gc: { count: number; pauseMs: number; maxPauseMs: number };
}

export interface Child<T> {
  info: T;
  process: ChildProcess;
  usage: () => Promise<Usage>;
  stop: () => Promise<void>;
}

/** `--trace-gc` lines: `… ms: Scavenge 10.2 (12.3) -> 9.8 (13.3) MB, 0.52 / 0.00 ms …`. */
export const GC_LINE =
  /: (Scavenge|Mark-Compact|Mark-Sweep|Minor Mark-Sweep)\b.*?MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

export type ServerScript = 'registry-server' | 'bare-server';

let compiled = false;

/**
 * The servers under test run as compiled JavaScript, as production runs the registry:
 * under ts-node they would also load `node:repl`, and with it `node:domain`, which
 * taxes every EventEmitter of the server. Compiled once per run from the working tree.
 */
function compiledScript(script: ServerScript): string {
  if (!compiled) {
    process.stdout.write('compiling the servers under test (bench/tsconfig.servers.json)… ');
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        path.join(ROOT, 'bench', 'tsconfig.servers.json'),
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    console.log('done');
    compiled = true;
  }
  return path.join(BUILD_DIR, 'bench', `${script}.js`);
}

/** Starts a bench server in its own Node process; resolves with its first stdout line. */
export async function spawnServer<T>(
  name: string,
  script: ServerScript,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Child<T>> {
  const child = spawn(process.execPath, [...nodeArgs, compiledScript(script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = track(`${name} (pid ${child.pid})`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  });
  // Every stdout line answers the oldest waiter: first the ready line, then `cpu` requests.
  const waiters: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  let exit: string | null = null;
  const nextLine = (timeoutMs: number, what: string): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      if (exit) return reject(new Error(`${name} ${exit}`));
      const timer = setTimeout(
        () => reject(new Error(`${name}: no ${what} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  const gc = { count: 0, pauseMs: 0, maxPauseMs: 0 };
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('{')) return waiters.shift()?.resolve(line);
    const collection = GC_LINE.exec(line);
    if (!collection) return;
    const pause = Number(collection[2]);
    gc.count++;
    gc.pauseMs += pause;
    gc.maxPauseMs = Math.max(gc.maxPauseMs, pause);
  });
  child.once('exit', (code, signal) => {
    exit = `exited (${signal ?? `code ${code}`})`;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${name} ${exit}`));
  });
  const parse = <R>(line: string): R => {
    try {
      return JSON.parse(line) as R;
    } catch {
      throw new Error(`${name} printed something that is not JSON: ${line}`);
    }
  };
  try {
    const info = parse<T>(await nextLine(60_000, 'ready line'));
    const usage = async (): Promise<Usage> => {
      const answer = nextLine(10_000, 'cpu answer');
      child.stdin?.write('cpu\n');
      const { cpu, eventLoopDelay } = parse<{
        cpu: { user: number; system: number };
        eventLoopDelay?: Usage['eventLoopDelay'];
      }>(await answer);
      return { cpu: cpu.user + cpu.system, eventLoopDelay, gc: { ...gc } };
    };
    return { info, process: child, usage, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
