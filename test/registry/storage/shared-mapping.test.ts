import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  loadAddon,
  mapSharedFile,
  sharedMappingAddon,
} from '../../../src/registry/storage/shared-mapping';

// native/shm-view.c: a read-only MAP_SHARED view, the way SQLite's other connections see
// the -shm file they write through their own mappings.
describe('shared mapping (native/shm-view.c)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-shared-mapping-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is built on this machine (npm install runs native/build.js)', () => {
    assert.equal(typeof sharedMappingAddon()?.mapFile, 'function');
  });

  it('takes an addon that does not load (built elsewhere) for none, so the pread answers', () => {
    const file = path.join(dir, 'shm_view.node');
    fs.writeFileSync(file, 'not a shared object');
    assert.equal(loadAddon(file), null);
  });

  it("shows another process's writes to the file without reading it again", () => {
    const file = path.join(dir, 'header');
    fs.writeFileSync(file, Buffer.alloc(64));
    const view = mapSharedFile(file, 48);
    assert.ok(view);
    assert.equal(view.byteLength, 48);
    assert.deepEqual([...view.subarray(0, 4)], [0, 0, 0, 0]);
    execFileSync(process.execPath, [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(file)}, 'r+'); fs.writeSync(fd, Buffer.from([1, 2, 3, 4]), 0, 4, 0);`,
    ]);
    assert.deepEqual([...view.subarray(0, 4)], [1, 2, 3, 4]);
  });

  it('answers null for a missing file and for one shorter than the view (no SIGBUS later)', () => {
    assert.equal(mapSharedFile(path.join(dir, 'missing'), 48), null);
    fs.writeFileSync(path.join(dir, 'short'), Buffer.alloc(47));
    assert.equal(mapSharedFile(path.join(dir, 'short'), 48), null);
  });

  it('refuses bad arguments and unmappable files with a coded error naming the file', () => {
    const addon = sharedMappingAddon();
    assert.ok(addon);
    assert.throws(() => addon.mapFile('', 48), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
    assert.throws(() => addon.mapFile(path.join(dir, 'x'), 0), {
      name: 'RangeError',
      code: 'ERR_INVALID_ARG',
    });
    assert.throws(
      () => (addon.mapFile as (...args: unknown[]) => ArrayBuffer)(path.join(dir, 'x')),
      { name: 'TypeError', code: 'ERR_INVALID_ARG' },
    );
    assert.throws(
      () => mapSharedFile(dir, 48),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'EMMAP');
        assert.ok(error.message.includes(dir), error.message);
        return true;
      },
    );
  });
});
