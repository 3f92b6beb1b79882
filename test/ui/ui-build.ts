import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WEB_UI_DIR } from '../../src/registry/http/web-ui';
import { newestMtime, withLock } from '../helpers/build-lock';

const ROOT = path.resolve(__dirname, '../..');

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
