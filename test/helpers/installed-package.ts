import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureUiBuilt } from '../ui/ui-build';
import { newestMtime, withLock } from './build-lock';

export const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist');

export const run = promisify(execFile);

/**
 * Compiles src/ into dist/ with declarations (`tsc -p tsconfig.build.json`, what `npm ci`'s
 * `prepare` does) unless dist/ is newer than every source and build setting: a test of the
 * package must never pack a stale dist/. Parallel workers take turns under a lock. The web
 * UI is made fresh first, so no other worker rebuilds dist/ui while the package is packed.
 */
export function ensurePackageBuilt(): void {
  ensureUiBuilt();
  const stamp = path.join(DIST, 'provider', 'index.d.ts');
  const fresh = () =>
    fs.existsSync(stamp) &&
    fs.statSync(stamp).mtimeMs >
      Math.max(
        ...['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((entry) =>
          newestMtime(path.join(ROOT, entry)),
        ),
      );
  if (fresh()) return;
  fs.mkdirSync(DIST, { recursive: true });
  withLock(path.join(DIST, '.package-build.lock'), () => {
    if (fresh()) return;
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT, stdio: 'inherit' },
    );
  });
}

/** One entry of `npm pack --json`. */
export interface PackResult {
  name: string;
  version: string;
  filename: string;
  files: { path: string; size: number }[];
}

/** An installation of the packed package, as `npm install ./ingot-x.y.z.tgz` leaves it. */
export interface InstalledPackage {
  pack: PackResult;
  /** The consuming project: `node_modules/ingot` in it is the unpacked tarball. */
  app: string;
  /** Where the unpacked package is. */
  packageDir: string;
  remove(): void;
}

/**
 * Packs the repository with `npm pack` (dist/ as built, the `prepare` build skipped) and
 * unpacks the tarball into `<tmp>/app/node_modules/ingot`: a real directory inside a
 * node_modules, where Pulumi's closure serializer sees it as a package (a symlink to the
 * checkout would be serialized by value, as local code). The dependencies come from the
 * repository's node_modules through `<tmp>/node_modules`, a symlink one level up, which
 * Node and TypeScript reach by walking up from the app: nothing is downloaded.
 */
export async function installPackage(): Promise<InstalledPackage> {
  ensurePackageBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulumi-consumer-'));
  try {
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    const [pack] = JSON.parse(stdout) as PackResult[];
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const app = path.join(dir, 'app');
    const packageDir = path.join(app, 'node_modules', pack.name);
    fs.mkdirSync(packageDir, { recursive: true });
    // npm tarballs hold the package under `package/`.
    await run('tar', [
      '-xzf',
      path.join(dir, pack.filename),
      '-C',
      packageDir,
      '--strip-components=1',
    ]);
    return {
      pack,
      app,
      packageDir,
      remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
