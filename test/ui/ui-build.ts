import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WEB_UI_DIR } from '../../src/registry/http/web-ui';

const ROOT = path.resolve(__dirname, '../..');

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...fs.readdirSync(target).map((entry) => newestMtime(path.join(target, entry))),
  );
}

/** Runs `body` while holding a lock directory, so parallel test workers build once. */
export function withLock(lock: string, body: () => void): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline)
        throw new Error(`${lock} is held for more than 10 minutes; remove it if no build runs`);
      Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Builds the web UI (type-check and bundle, as `npm run build:ui` does) unless dist/ui is
 * newer than every file of ui/ and the lock file: tests must never exercise a stale bundle.
 * Call it before starting a registry, which reads the bundle when it starts. Test files
 * running in parallel workers take turns (one builds, the others find it fresh).
 */
export function ensureUiBuilt(): void {
  const index = path.join(WEB_UI_DIR, 'index.html');
  const fresh = () =>
    fs.existsSync(index) &&
    fs.statSync(index).mtimeMs >
      Math.max(
        newestMtime(path.join(ROOT, 'ui')),
        newestMtime(path.join(ROOT, 'package-lock.json')),
      );
  if (fresh()) return;
  fs.mkdirSync(path.dirname(WEB_UI_DIR), { recursive: true });
  withLock(`${WEB_UI_DIR}.lock`, () => {
    if (fresh()) return;
    const run = (script: string, args: string[]) =>
      execFileSync(process.execPath, [script, ...args], { cwd: ROOT, stdio: 'inherit' });
    run(require.resolve('typescript/bin/tsc'), ['-p', 'ui']);
    run(path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'), [
      'build',
      'ui',
      '--logLevel',
      'warn',
    ]);
  });
}
