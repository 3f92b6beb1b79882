/**
 * The load generator: wrk (https://github.com/wg/wrk, Debian's package; installed by
 * scripts/ensure-wrk.sh), as the issue measured the registry: one thread, keep-alive
 * connections. Written in C, it takes a fraction of the CPU a Node load generator takes,
 * so on a 2-core machine the server under test, not the generator, is what runs out.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Quantiles wrk reports per run, every 0.1 %: enough to merge runs into one distribution. */
const STEPS = 1000;

/** wrk's `done` hook: the summary, errors and the latency quantiles (µs) as one JSON line. */
const DONE_SCRIPT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"durationUs":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"quantilesUs":[',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout))
  for i = 1, ${STEPS} do
    io.write(string.format('%s%d', i == 1 and '' or ',', latency:percentile(i * 100 / ${STEPS})))
  end
  io.write(string.format('],"maxUs":%d}\\n', latency.max))
end
`;

export interface WrkRun {
  requests: number;
  seconds: number;
  bytes: number;
  /** Socket errors, and answers with a status of 400 or more (`status`). */
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** Latency (µs) at 0.1 %, 0.2 %, … 100 % of the run's requests. */
  quantilesUs: number[];
  maxUs: number;
}

let scriptFile: string | null = null;

function doneScript(): string {
  if (!scriptFile) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bench-wrk-'));
    scriptFile = path.join(dir, 'done.lua');
    fs.writeFileSync(scriptFile, DONE_SCRIPT);
  }
  return scriptFile;
}

/** Runs wrk against `url` for `seconds` with `connections` keep-alive connections. */
export function wrk(
  connections: number,
  url: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<WrkRun> {
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${Math.max(1, Math.round(seconds))}s`,
    '--timeout',
    '10s',
    '-s',
    doneScript(),
    ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        return reject(
          new Error(
            missing
              ? 'wrk is not installed: run scripts/ensure-wrk.sh (npm run bench:registry does).'
              : `wrk failed: ${stderr || error.message}`,
          ),
        );
      }
      const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
      if (!line) return reject(new Error(`wrk printed no summary:\n${stdout}${stderr}`));
      const run = JSON.parse(line) as Omit<WrkRun, 'seconds'> & { durationUs: number };
      resolve({ ...run, seconds: run.durationUs / 1e6 });
    });
  });
}

/**
 * Percentiles (ms) of several runs taken together: each run's quantiles stand for equal
 * shares of its requests, so runs weigh by their request counts.
 */
export function mergedPercentiles(runs: WrkRun[], qs: number[]): number[] {
  const points: { us: number; weight: number }[] = [];
  for (const run of runs)
    for (const us of run.quantilesUs) points.push({ us, weight: run.requests / STEPS });
  points.sort((a, b) => a.us - b.us);
  const total = points.reduce((sum, p) => sum + p.weight, 0);
  return qs.map((q) => {
    if (total === 0) return NaN;
    let seen = 0;
    for (const p of points) {
      seen += p.weight;
      if (seen >= q * total - 1e-9) return p.us / 1000;
    }
    return points[points.length - 1].us / 1000;
  });
}
