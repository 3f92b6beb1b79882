import fs from 'node:fs';
import path from 'node:path';

/** native/shm-view.c, as `npm install` builds it (native/build.js). */
interface ShmView {
  mapFile(file: string, bytes: number): ArrayBuffer;
}

const ADDON = path.join('native', 'build', 'Release', 'shm_view.node');

let addon: ShmView | null | undefined;

/**
 * The addon in `file`, or null when it does not load: built for another platform (a
 * copied node_modules), the pread still answers, and the start-up line's changeCheck
 * says which is in use.
 */
export function loadAddon(file: string): ShmView | null {
  const loaded = { exports: {} as ShmView };
  try {
    process.dlopen(loaded, file);
  } catch {
    return null;
  }
  return typeof loaded.exports.mapFile === 'function' ? loaded.exports : null;
}

/**
 * The built addon from this package's root (the first directory above this file with a
 * package.json: src/ under ts-node, dist/src/ compiled, the benchmarks' build directory),
 * or null when it was not built (no compiler at install, Windows): callers then read with
 * a system call.
 */
export function sharedMappingAddon(): ShmView | null {
  if (addon !== undefined) return addon;
  addon = null;
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (!fs.existsSync(path.join(dir, 'package.json'))) continue;
    const file = path.join(dir, ADDON);
    if (fs.existsSync(file)) addon = loadAddon(file);
    break;
  }
  return addon;
}

/**
 * A read-only view of the first `bytes` bytes of `file`, shared with every process that
 * maps or writes it: reading the view is reading the file's current bytes, with no system
 * call. Null when the addon is not built, the file is missing or shorter than `bytes`.
 * The view stays valid while the file is not truncated below `bytes`; the mapping is
 * released when the view is collected.
 */
export function mapSharedFile(file: string, bytes: number): Uint8Array | null {
  const native = sharedMappingAddon();
  if (!native) return null;
  try {
    return new Uint8Array(native.mapFile(file, bytes));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ESHORT') return null;
    throw error;
  }
}
