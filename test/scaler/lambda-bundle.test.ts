import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { POSTGRES_ADMIN_URL } from '../helpers/registry-harness';

const ROOT = path.resolve(__dirname, '..', '..');

/**
 * The scaler as the fleet deploys it: `npm run build:scaler`'s Lambda bundle, loaded on
 * its own (no node_modules beside it) and driven with Function URL events (payload
 * format 2.0) against PostgreSQL, as AWS would drive it.
 */
describe('the scaler Lambda bundle (npm run build:scaler)', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bundle-'));
  const database = `ingot_bundle_${crypto.randomBytes(4).toString('hex')}`;
  const webhookSecret = crypto.randomBytes(16).toString('hex');
  const saved = { ...process.env };
  let handler: (event: unknown) => Promise<{ statusCode: number; body: string }>;

  const request = (
    method: string,
    rawPath: string,
    body = '',
    headers: Record<string, string> = {},
  ) =>
    handler({
      version: '2.0',
      rawPath,
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method, path: rawPath } },
    });

  before(async () => {
    execFileSync('node', [path.join(ROOT, 'scripts', 'build-scaler.mjs'), dir], { cwd: ROOT });
    // Alone in its directory, as in /var/task: everything it needs is inside.
    const lambda = path.join(dir, 'lambda', 'index.js');
    assert.deepEqual(fs.readdirSync(path.dirname(lambda)), ['index.js']);
    const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    process.env.INGOT_SCALER_CONFIG = JSON.stringify({
      github: { organization: 'acme' },
      targets: [
        {
          pool: 'ubuntu-small',
          cloud: 'aws',
          region: 'us-west-2',
          group: 'prod-ubuntu-small-asg',
          labels: ['self-hosted', 'ubuntu', 'x64', 'small', 'prod', 'us-west-2'],
          max: 2,
        },
      ],
    });
    process.env.INGOT_SCALER_SECRET = JSON.stringify({
      app_id: '1',
      installation_id: '42',
      private_key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      webhook_secret: webhookSecret,
    });
    process.env.INGOT_SCALER_DATABASE = new URL(`/${database}`, POSTGRES_ADMIN_URL).toString();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(lambda).handler;
  });

  after(async () => {
    process.env = saved;
    fs.rmSync(dir, { recursive: true, force: true });
    const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('answers /healthz from PostgreSQL and exposes /metrics', async () => {
    const health = await request('GET', '/healthz');
    assert.deepEqual([health.statusCode, JSON.parse(health.body)], [200, { status: 'ok' }]);
    const metrics = await request('GET', '/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /ingot_scaler_webhooks_total/);
  });

  it('refuses an unsigned or wrongly signed delivery with 401; a signed ping gets 200', async () => {
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const sign = (secret: string) =>
      `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
    const headers = (signature?: string): Record<string, string> => ({
      'x-github-event': 'ping',
      'x-github-delivery': crypto.randomUUID(),
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    });
    assert.equal((await request('POST', '/webhook', body, headers())).statusCode, 401);
    assert.equal((await request('POST', '/webhook', body, headers(sign('wrong')))).statusCode, 401);
    assert.equal(
      (await request('POST', '/webhook', body, headers(sign(webhookSecret)))).statusCode,
      200,
    );
  });
});
