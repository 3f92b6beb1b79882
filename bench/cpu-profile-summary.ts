/**
 * Summarizes a `--cpu-prof` profile (as written with BENCH_CPU_PROF=1): self time by
 * function and by package (node internals, fastify, pino, better-sqlite3, our code…),
 * and inclusive time of our own functions, so bench/README.md can say where the
 * microseconds of a request go.
 *
 *   npx ts-node --transpile-only bench/cpu-profile-summary.ts <file.cpuprofile> [top] [seconds]
 *
 * `seconds` keeps only the last seconds before the profile ends (the load, not the start-up
 * that compiles TypeScript and schemas).
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package (or area) a script URL belongs to. */
function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const own = /\/(src|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

function main(): void {
  const [file, topText, windowText] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [top]');
  const top = Number(topText ?? 25);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const from = windowText ? profile.endTime - Number(windowText) * 1e6 : -Infinity;
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;

  const fnSelf = new Map<string, number>();
  const areaSelf = new Map<string, number>();
  const ownInclusive = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id) as ProfileNode;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const label = `${functionName || '(anonymous)'} ${areaOf(url, functionName)}:${lineNumber + 1}`;
    fnSelf.set(label, (fnSelf.get(label) ?? 0) + time);
    const area = areaOf(url, functionName);
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + time);
    // Inclusive time of our own frames: every distinct src/ frame on the stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame;
      if (!/\/src\//.test(frame.url)) continue;
      const own = `${frame.functionName || '(anonymous)'} ${areaOf(frame.url, '')}`;
      if (seen.has(own)) continue;
      seen.add(own);
      ownInclusive.set(own, (ownInclusive.get(own) ?? 0) + time);
    }
  }
  const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)} %`;
  const print = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [k, t] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${pct(t)}  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  };
  console.log(
    `${file}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms sampled`,
  );
  print('Self time by area', areaSelf);
  print('Self time by function', fnSelf);
  print('Inclusive time of src/ functions', ownInclusive);
}

main();
