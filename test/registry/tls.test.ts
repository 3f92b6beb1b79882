import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, type RunningRegistry } from '../../src/registry/serve';
import { packerReplaySuite, type Reply, type Send } from '../helpers/packer-replay';
import { createPostgresDatabase, ENGINES } from '../helpers/registry-harness';

/** A self-signed certificate for 127.0.0.1, as an operator would make one with openssl. */
function selfSigned(dir: string, name: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

/** One HTTPS request trusting only `ca`; a fresh connection each time (no keep-alive). */
function request(
  url: string,
  ca: Buffer,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string; peer: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca, agent: false }, (res) => {
      const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject.CN;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, peer: String(peer) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The Go SDK's calls over HTTPS: a client-credentials token, then bearer calls. */
function httpsSend(base: string, ca: () => Buffer, id: string, secret: string): Send {
  let token: string | undefined;
  return async (method, urlPath, body): Promise<Reply> => {
    if (!token) {
      const res = await request(
        `${base}/oauth2/token`,
        ca(),
        'POST',
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: id,
          client_secret: secret,
        }).toString(),
      );
      assert.equal(res.status, 200, res.text);
      token = (JSON.parse(res.text) as { access_token: string }).access_token;
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${base}${urlPath}`, ca(), method, headers, body);
    return { status: res.status, body: res.text ? JSON.parse(res.text) : undefined };
  };
}

for (const engine of ENGINES) {
  describe(`registry serve --tls-cert/--tls-key [${engine}]`, function () {
    this.timeout(60_000);
    let dir: string;
    let running: RunningRegistry;
    let drop = async () => undefined as void;
    let tls: { certFile: string; keyFile: string };
    let ca: Buffer;
    let admin: { client_id: string; client_secret: string; url: string };

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-tls-'));
      tls = selfSigned(dir, 'ingot-first');
      ca = fs.readFileSync(tls.certFile);
      let databaseUrl = path.join(dir, 'registry.db');
      if (engine === 'postgres') ({ url: databaseUrl, drop } = await createPostgresDatabase());
      const credentialsFile = path.join(dir, 'admin-credentials.json');
      running = await startRegistry(
        { host: '127.0.0.1', port: 0, databaseUrl, credentialsFile, logLevel: 'silent', tls },
        { logger: false },
      );
      admin = JSON.parse(fs.readFileSync(credentialsFile, 'utf8'));
    });
    after(async () => {
      await running?.close();
      await drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('listens on HTTPS and names the https:// address in the credentials file', async () => {
      assert.match(running.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(admin.url, running.url);
      const res = await request(`${running.url}/healthz`, ca, 'GET', {});
      assert.equal(res.peer, 'ingot-first');
    });

    describe('the Packer and Terraform replay over HTTPS', () => {
      packerReplaySuite(() =>
        httpsSend(running.url, () => ca, admin.client_id, admin.client_secret),
      );
    });

    // After the replay: mocha runs a suite's own tests before its nested suites.
    describe('certificate renewal', () => {
      it('reloads a renewed certificate on SIGHUP and keeps the pair in use when the new one is bad', async () => {
        const first = ca;
        selfSigned(dir, 'ingot-renewed');
        const renewed = fs.readFileSync(tls.certFile);
        process.emit('SIGHUP');
        const res = await request(`${running.url}/healthz`, renewed, 'GET', {});
        assert.equal(res.status, 200);
        assert.equal(res.peer, 'ingot-renewed', 'new connections get the renewed certificate');
        await assert.rejects(
          request(`${running.url}/healthz`, first, 'GET', {}),
          /self[- ]signed|unable to verify|certificate/i,
          'the replaced certificate is no longer served',
        );
        fs.writeFileSync(tls.keyFile, 'not a key');
        process.emit('SIGHUP');
        const kept = await request(`${running.url}/healthz`, renewed, 'GET', {});
        assert.equal(kept.peer, 'ingot-renewed', 'a bad pair is refused and the current one kept');
      });
    });
  });
}
