import fs from 'node:fs';
import path from 'node:path';

/** The newest modification time of a file or of anything under a directory. */
export function newestMtime(target: string): number {
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
