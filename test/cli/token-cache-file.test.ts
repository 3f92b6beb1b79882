import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileTokenStore, tokenCache, tokenCacheDir } from '../../src/cli/token-cache';
import type { TokenOwner } from '../../src/client/transport';

/** The CLI's token cache file on a real filesystem: where it lives, what it trusts. */

const OWNER: TokenOwner = {
  tokenUrl: 'http://127.0.0.1:8080/oauth2/token',
  clientId: 'ingot_ci_a',
  clientSecret: 'ingot_cs_a-secret',
};
const LATER = Date.now() + 3_600_000;

describe('the CLI token cache file', () => {
  let root: string;
  let warnings: string[];
  let store: FileTokenStore;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-token-file-'));
    warnings = [];
    store = new FileTokenStore(path.join(root, 'cache'), (m) => warnings.push(m));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('lives in INGOT_TOKEN_CACHE, else $XDG_CACHE_HOME/ingot, else ~/.cache/ingot; off is off', () => {
    assert.equal(tokenCacheDir({ INGOT_TOKEN_CACHE: '/srv/t', HOME: '/h' }), '/srv/t');
    assert.equal(tokenCacheDir({ INGOT_TOKEN_CACHE: 'OFF', HOME: '/h' }), null);
    assert.equal(tokenCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/ingot');
    // A relative XDG_CACHE_HOME is invalid (XDG base directory spec): ignored.
    assert.equal(tokenCacheDir({ XDG_CACHE_HOME: 'x', HOME: '/h' }), '/h/.cache/ingot');
    assert.equal(tokenCacheDir({ INGOT_TOKEN_CACHE: '', HOME: '/h' }), '/h/.cache/ingot');
    assert.equal(tokenCacheDir({}), null);
    assert.equal(
      tokenCache({ INGOT_TOKEN_CACHE: 'off' }, () => undefined),
      undefined,
    );
  });

  it('keeps one token per token URL, client and secret', () => {
    store.save(OWNER, { value: 'ingot_at_1', refreshAt: LATER });

    assert.deepEqual(store.load(OWNER), { value: 'ingot_at_1', refreshAt: LATER });
    assert.equal(store.load({ ...OWNER, clientSecret: 'ingot_cs_rotated' }), null);
    assert.equal(store.load({ ...OWNER, clientId: 'ingot_ci_b' }), null);
    assert.equal(store.load({ ...OWNER, tokenUrl: 'http://127.0.0.1:9090/oauth2/token' }), null);
    // Read by another process's store: what is on disk, not what is in memory.
    assert.equal(new FileTokenStore(store.dir, () => undefined).load(OWNER)?.value, 'ingot_at_1');
  });

  it('forgets a refused token, but not one another process has put in its place', () => {
    store.save(OWNER, { value: 'ingot_at_new', refreshAt: LATER });
    store.discard(OWNER, 'ingot_at_old');
    assert.equal(store.load(OWNER)?.value, 'ingot_at_new');
    store.discard(OWNER, 'ingot_at_new');
    assert.equal(store.load(OWNER), null);
  });

  it('drops tokens past their refresh time when it writes', () => {
    const other = { ...OWNER, clientId: 'ingot_ci_old' };
    store.save(other, { value: 'ingot_at_stale', refreshAt: 1 });
    store.save(OWNER, { value: 'ingot_at_1', refreshAt: LATER });
    assert.equal(store.load(other), null);
    assert.ok(!fs.readFileSync(store.file, 'utf8').includes('ingot_at_stale'));
  });

  it('ignores a file others may read or write, and replaces it with a private one', () => {
    store.save(OWNER, { value: 'ingot_at_1', refreshAt: LATER });
    fs.chmodSync(store.file, 0o644);
    assert.equal(store.load(OWNER), null);

    store.save(OWNER, { value: 'ingot_at_2', refreshAt: LATER });
    assert.equal(fs.statSync(store.file).mode & 0o777, 0o600);
    assert.equal(store.load(OWNER)?.value, 'ingot_at_2');
  });

  it('ignores a file of another shape (corrupt, or another format)', () => {
    fs.mkdirSync(store.dir);
    for (const text of [
      '',
      'null',
      '[]',
      '{"format": 2, "tokens": {}}',
      '{"format":1,"tokens":7}',
    ]) {
      fs.writeFileSync(store.file, text, { mode: 0o600 });
      assert.equal(store.load(OWNER), null, text);
    }
    store.save(OWNER, { value: 'ingot_at_1', refreshAt: LATER });
    assert.equal(store.load(OWNER)?.value, 'ingot_at_1');
  });

  it('warns once when it cannot write, and never throws', () => {
    fs.writeFileSync(path.join(root, 'cache'), 'a file where the directory should be');
    store.save(OWNER, { value: 'ingot_at_1', refreshAt: LATER });
    store.save(OWNER, { value: 'ingot_at_2', refreshAt: LATER });
    store.discard(OWNER, 'ingot_at_2');

    assert.equal(store.load(OWNER), null);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /cannot keep the access token in .*cache\/tokens\.json \(EEXIST\)/);
  });
});
