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

/**
 * Builds the web UI (type-check and bundle, as `npm run build:ui` does) unless dist/ui is
 * newer than every file of ui/ and the lock file: tests must never exercise a stale bundle.
 * Call it before starting a registry, which reads the bundle when it starts.
 */
export function ensureUiBuilt(): void {
  const index = path.join(WEB_UI_DIR, 'index.html');
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'ui')),
    newestMtime(path.join(ROOT, 'package-lock.json')),
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs > sources) return;
  const run = (script: string, args: string[]) =>
    execFileSync(process.execPath, [script, ...args], { cwd: ROOT, stdio: 'inherit' });
  run(require.resolve('typescript/bin/tsc'), ['-p', 'ui']);
  run(path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'), [
    'build',
    'ui',
    '--logLevel',
    'warn',
  ]);
}
