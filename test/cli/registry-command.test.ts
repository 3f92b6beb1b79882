import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { WEB_UI_DIR } from '../../src/registry/http/web-ui';
import { CLI_ARGS } from '../helpers/cli';

const ROOT = path.resolve(__dirname, '../..');
const NODE_ARGS = CLI_ARGS;
const ENV = { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', INGOT_LOG_LEVEL: 'warn' };

function ingot(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...NODE_ARGS, ...args], {
    cwd: ROOT,
    env: ENV,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `ingot registry serve` and resolves once it printed its URL. */
function serve(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, 'registry', 'serve', '--port', '0', ...args],
    { cwd: ROOT, env: ENV },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match && /Admin credentials|Principals already exist/.test(out))
        resolve({ child, url: match[1], output: () => out });
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`serve exited early with ${code}: ${out}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('ingot registry serve (a real process)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints its URL and the admin credentials file, written 0600, and never the secret', async () => {
    const credentials = path.join(dir, 'admin.json');
    const { child, url, output } = await serve([
      '--database',
      path.join(dir, 'r.db'),
      '--credentials-file',
      credentials,
    ]);
    try {
      const consoleLine = fs.existsSync(path.join(WEB_UI_DIR, 'index.html'))
        ? `${url}/ \\(sign in with a client id`
        : 'not built; run `npm run build`';
      assert.match(output(), new RegExp(`^Console: +${consoleLine}`, 'm'));
      assert.match(
        output(),
        new RegExp(`Admin credentials written to ${credentials.replace(/[.]/g, '\\.')}`),
      );
      assert.equal(fs.statSync(credentials).mode & 0o777, 0o600);
      const creds = JSON.parse(fs.readFileSync(credentials, 'utf8'));
      assert.equal(creds.url, url);
      assert.ok(!output().includes(creds.client_secret), 'the secret is never printed');
      const token = await fetch(`${url}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: creds.client_id,
          client_secret: creds.client_secret,
        }),
      });
      assert.equal(token.status, 200);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('keeps the first admin on restart (its file following the new port) and drains in-flight requests on SIGTERM', async () => {
    const args = [
      '--database',
      path.join(dir, 'r.db'),
      '--credentials-file',
      path.join(dir, 'admin.json'),
    ];
    const first = await serve(args);
    first.child.kill('SIGTERM');
    assert.equal(await exited(first.child), 0);
    const before = fs.readFileSync(path.join(dir, 'admin.json'), 'utf8');

    const second = await serve(args);
    assert.match(second.output(), /Admin credentials: /);
    // Port 0 gave each start its own port: the file now names the second one, same client.
    const after = JSON.parse(fs.readFileSync(path.join(dir, 'admin.json'), 'utf8'));
    assert.notEqual(second.url, first.url);
    assert.deepEqual(after, { ...JSON.parse(before), url: second.url });
    assert.equal(fs.statSync(path.join(dir, 'admin.json')).mode & 0o777, 0o600);
    // A request the server is already reading when SIGTERM arrives must still be answered.
    const creds = JSON.parse(before) as { client_id: string; client_secret: string };
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: creds.client_id,
      client_secret: creds.client_secret,
    }).toString();
    const answer = new Promise<number>((resolve, reject) => {
      const req = http.request(`${second.url}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(form),
        },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(form.slice(0, 10));
      setTimeout(() => {
        second.child.kill('SIGTERM');
        setTimeout(() => req.end(form.slice(10)), 300);
      }, 300);
    });
    assert.equal(await answer, 200);
    assert.equal(await exited(second.child), 0);
  });

  it('refuses bad configuration with every problem named, exit 1', () => {
    const result = ingot([
      'registry',
      'serve',
      '--port',
      'eighty',
      '--host',
      'a b',
      '--database',
      path.join(dir, 'x.db'),
    ]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--host \/ INGOT_HOST/);
    assert.match(result.stderr, /--port \/ INGOT_PORT/);
  });
});

describe('ingot registry migrate and principals create --database', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-cli-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('migrates once, then reports the database up to date', () => {
    const db = path.join(dir, 'm.db');
    assert.match(ingot(['registry', 'migrate', '--database', db]).stdout, /Applied migrations 1/);
    assert.match(ingot(['registry', 'migrate', '--database', db]).stdout, /up to date/);
  });

  it('creates a scoped principal and prints its credentials once', () => {
    const db = path.join(dir, 'p.db');
    const result = ingot([
      'principals',
      'create',
      '--role',
      'viewer',
      '--organization',
      'acme',
      '--project',
      'images',
      '--database',
      db,
      '--json',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const created = JSON.parse(result.stdout);
    assert.match(created.principal.client_id, /^ingot_ci_/);
    assert.match(created.client_secret, /^ingot_cs_/);
    assert.deepEqual(created.principal.roles, [
      { organization_id: 'acme', project_id: 'images', role: 'viewer' },
    ]);
  });

  it('refuses an unknown role and a project without an organization', () => {
    const bad = ingot([
      'principals',
      'create',
      '--role',
      'owner',
      '--database',
      path.join(dir, 'p.db'),
    ]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /use one of metrics, viewer, contributor, admin/);
    const orphan = ingot([
      'principals',
      'create',
      '--role',
      'viewer',
      '--project',
      'x',
      '--database',
      path.join(dir, 'p.db'),
    ]);
    assert.equal(orphan.status, 1);
    assert.match(orphan.stderr, /--project needs --organization/);
  });
});
