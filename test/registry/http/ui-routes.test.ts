import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import type { App } from '../../../src/registry/http/app-types';
import { webUiRoutes } from '../../../src/registry/http/web-ui';
import { startTestRegistry, type TestRegistry } from '../../helpers/registry-harness';
import { ensureUiBuilt } from '../../ui/ui-build';

/** A bundle shaped like Vite's output, in a temporary directory. */
function fakeBundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-ui-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Ingot</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-AbC123.js'), 'console.log(1);');
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

async function appServing(dir: string): Promise<App> {
  const app = Fastify() as unknown as App;
  webUiRoutes(app, dir);
  await app.ready();
  return app;
}

describe('web UI assets', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / with a CSP that allows only this origin, revalidated every time', async () => {
    const dir = fakeBundle();
    dirs.push(dir);
    const app = await appServing(dir);
    const res = await app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.body, '<!doctype html><title>Ingot</title>');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.match(String(res.headers['content-security-policy']), /connect-src 'self'/);
    assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');

    const again = await app.inject({
      method: 'GET',
      url: '/',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  it('serves the hashed bundle files as immutable, with their content types', async () => {
    const dir = fakeBundle();
    dirs.push(dir);
    const app = await appServing(dir);
    const script = await app.inject({ method: 'GET', url: '/assets/index-AbC123.js' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  it('serves nothing but the bundle’s own files', async () => {
    const dir = fakeBundle();
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, '..', `${path.basename(dir)}-secret.txt`), 'secret');
    const app = await appServing(dir);
    for (const url of [
      '/assets/other.js',
      `/../${path.basename(dir)}-secret.txt`,
      '/assets/..%2f..%2fetc%2fpasswd',
      '/index.html/',
    ])
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
    fs.rmSync(path.join(dir, '..', `${path.basename(dir)}-secret.txt`));
  });

  it('says how to build the UI when the bundle is missing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-ui-none-'));
    dirs.push(dir);
    const res = await (await appServing(dir)).inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /not built.*npm run build:ui/);
  });
});

describe('web UI on a live registry', () => {
  let r: TestRegistry;
  before(async function () {
    this.timeout(120_000);
    ensureUiBuilt();
    r = await startTestRegistry('sqlite');
  });
  after(async () => {
    await r?.close();
  });

  it('serves the page and its assets without a token, and the API still needs one', async () => {
    const page = await fetch(`${r.url}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('.js')) && assets.some((a) => a.endsWith('.css')));
    for (const asset of assets) assert.equal((await fetch(`${r.url}${asset}`)).status, 200, asset);
    assert.equal((await r.api('GET', `${r.packer()}/buckets`, undefined, null)).status, 401);
    const unknown = await r.api('GET', '/no-such-page');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 5, 'unknown routes still answer in the API’s error shape');
  });

  it('tells each principal its role on the project (caller-identity), none where it has none', async () => {
    const url = `${r.ingot('acme', 'images')}/caller-identity`;
    const admin = await r.ok('GET', url);
    assert.equal(admin.role, 'admin');
    assert.equal(admin.principal.client_id, r.admin.clientId);
    for (const role of ['viewer', 'contributor', 'admin'] as const) {
      const creds = await r.principal(role, 'acme', 'images');
      const body = await r.ok('GET', url, undefined, creds);
      assert.deepEqual(body, {
        principal: { client_id: creds.clientId, name: `test-${role}` },
        role,
      });
    }
    const elsewhere = await r.principal('admin', 'acme', 'other');
    const none = await r.ok('GET', url, undefined, elsewhere);
    assert.equal(none.role, undefined);
    assert.equal((await r.api('GET', url, undefined, null)).status, 401);
  });
});
