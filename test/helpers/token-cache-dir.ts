import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let dir: string | undefined;

/**
 * The token cache (`INGOT_TOKEN_CACHE`) of the `ingot` commands a test run starts: its
 * own directory, removed at exit, never the user's ~/.cache/ingot.
 */
export function testTokenCache(): string {
  if (!dir) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-tokens-'));
    process.on('exit', () => fs.rmSync(created, { recursive: true, force: true }));
    dir = created;
  }
  return dir;
}
