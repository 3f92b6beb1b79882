import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * What the local pipeline's images talk to, on 127.0.0.1 (GitHub and AWS are not
 * reachable here), each answering as the real service does for the calls made:
 *
 * - the runner package at `<url>/runner/v<version>/actions-runner-linux-<arch>-<version>.tar.gz`
 *   (as github.com/actions/runner/releases/download serves it), built from
 *   test/fixtures/actions-runner;
 * - AWS Secrets Manager's `GetSecretValue` (JSON 1.1 protocol, `X-Amz-Target:
 *   secretsmanager.GetSecretValue`), for the boot script's `aws secretsmanager
 *   get-secret-value`;
 * - the GitHub REST API calls of the fleet's boot script (src/fleet/bootstrap/shell.ts):
 *   an App installation token for an RS256 JWT whose signature is checked against the
 *   App's public key, then an organization registration token; and of
 *   scripts/image-integration-test.sh: list/delete runners, dispatch a workflow, list
 *   and read its runs (docs.github.com/rest/actions/self-hosted-runners, /workflows,
 *   /workflow-runs);
 * - the runner's registration (`POST /api/v3/actions/runner-registration`,
 *   `Authorization: RemoteAuth <registration token>`, as GHES serves it for actions/runner's
 *   ConfigurationManager) and a minimal Actions service for the fixture runner: register,
 *   open a session (online), take a job, report it.
 */
export interface FakeGitHub {
  url: string;
  /** `<url>/runner`: the template's runner_download_url. */
  runnerDownloadUrl: string;
  /** SHA-256 of the served runner package. */
  runnerSha256: string;
  organization: string;
  secretName: string;
  runners: FakeRunner[];
  runs: FakeRun[];
  /** Every request, as `METHOD path`. */
  requests: string[];
  /** The smoke job a dispatched workflow runs (bash, as the runner user). */
  smokeJob: string;
  close(): Promise<void>;
}

export interface FakeRunner {
  id: number;
  name: string;
  labels: string[];
  version: string;
  ephemeral: boolean;
  disableUpdate: boolean;
  status: 'online' | 'offline';
  busy: boolean;
}

export interface FakeRun {
  id: number;
  label: string;
  created_at: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | null;
  runnerId?: number;
  log?: string;
}

const FIXTURE = path.resolve(__dirname, '../../fixtures/actions-runner');

/**
 * The fixture runner as a release package: a gzipped tarball made reproducibly (sorted,
 * fixed times, owners and modes, gzip without a name or time), so its SHA-256 is a
 * constant a test can pin.
 */
export function runnerPackage(version: string, dir: string): string {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-runner-package-'));
  try {
    fs.cpSync(FIXTURE, stage, { recursive: true });
    fs.writeFileSync(path.join(stage, 'bin/runner-version'), `${version}\n`);
    for (const f of ['config.sh', 'run.sh', 'bin/installdependencies.sh', 'bin/Runner.Listener'])
      fs.chmodSync(path.join(stage, f), 0o755);
    fs.chmodSync(path.join(stage, 'bin/runner-version'), 0o644);
    const target = path.join(dir, `actions-runner-linux-x64-${version}.tar.gz`);
    execFileSync('bash', [
      '-c',
      'tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf - . | gzip -n -9 >"$2"',
      'pack',
      stage,
      target,
    ]);
    return target;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

export async function startFakeGitHub(options: {
  runnerVersion: string;
  appId: string;
  installationId: string;
  publicKey: crypto.KeyObject;
  privateKeyPem: string;
  organization?: string;
  secretName?: string;
  smokeJob?: string;
}): Promise<FakeGitHub> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-fake-github-'));
  const packagePath = runnerPackage(options.runnerVersion, dir);
  const packageBytes = fs.readFileSync(packagePath);
  const tokens = {
    access: new Set<string>(),
    registration: new Set<string>(),
    service: new Set<string>(),
  };
  const state: FakeGitHub = {
    url: '',
    runnerDownloadUrl: '',
    runnerSha256: crypto.createHash('sha256').update(packageBytes).digest('hex'),
    organization: options.organization ?? 'acme',
    secretName: options.secretName ?? 'ingot/test/github-runner-app',
    runners: [],
    runs: [],
    requests: [],
    smokeJob:
      options.smokeJob ??
      'git --version && git lfs version && docker --version && aws --version && jq -e .runner_version /etc/ingot/build-info.json',
    close: async () => undefined,
  };
  const secret = JSON.stringify({
    app_id: options.appId,
    installation_id: options.installationId,
    private_key: options.privateKeyPem,
  });
  const token = (set: Set<string>, prefix: string) => {
    const value = `${prefix}_${crypto.randomBytes(12).toString('hex')}`;
    set.add(value);
    return value;
  };
  const bearer = (req: http.IncomingMessage, set: Set<string>) =>
    set.has((req.headers.authorization ?? '').replace(/^(Bearer|token) /, ''));
  const jwtValid = (jwt: string): boolean => {
    const [header, payload, signature] = jwt.split('.');
    if (!signature) return false;
    const ok = crypto.verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      options.publicKey,
      base64url(signature),
    );
    const claims = JSON.parse(base64url(payload).toString('utf8')) as { iss: string; exp: number };
    return ok && claims.iss === options.appId && claims.exp * 1000 > Date.now();
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const p = url.pathname;
      state.requests.push(`${req.method} ${p}`);
      const send = (status: number, value?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(value === undefined ? '' : JSON.stringify(value));
      };
      const json = () => (body ? (JSON.parse(body) as Record<string, any>) : {});
      let m: RegExpMatchArray | null;

      if (
        req.method === 'GET' &&
        p === `/runner/v${options.runnerVersion}/${path.basename(packagePath)}`
      ) {
        res.writeHead(200, { 'content-type': 'application/gzip' });
        return res.end(packageBytes);
      }
      if (
        req.method === 'POST' &&
        req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue'
      ) {
        if (!/^AWS4-HMAC-SHA256 Credential=/.test(req.headers.authorization ?? ''))
          return send(400, { __type: 'MissingAuthenticationTokenException' });
        if (json().SecretId !== state.secretName)
          return send(400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        return send(200, {
          ARN: `arn:aws:secretsmanager:us-east-1:0:secret:${state.secretName}`,
          Name: state.secretName,
          SecretString: secret,
        });
      }
      if (
        req.method === 'POST' &&
        (m = p.match(/^\/app\/installations\/([^/]+)\/access_tokens$/))
      ) {
        const jwt = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        if (m[1] !== options.installationId || !jwtValid(jwt))
          return send(401, { message: 'A JSON web token could not be decoded' });
        return send(201, {
          token: token(tokens.access, 'ghs'),
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        });
      }
      if (
        req.method === 'POST' &&
        p === `/orgs/${state.organization}/actions/runners/registration-token`
      ) {
        if (!bearer(req, tokens.access)) return send(401, { message: 'Bad credentials' });
        return send(201, {
          token: token(tokens.registration, 'REG'),
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        });
      }
      if (req.method === 'POST' && p === '/api/v3/actions/runner-registration') {
        const reg = (req.headers.authorization ?? '').replace(/^RemoteAuth /, '');
        if (!tokens.registration.delete(reg)) return send(404, { message: 'Not Found' });
        return send(200, {
          url: `${state.url}/_actions`,
          token: token(tokens.service, 'svc'),
          token_schema: 'OAuthAccessToken',
        });
      }
      if (p.startsWith('/_actions/')) {
        if (!bearer(req, tokens.service)) return send(401, { message: 'unauthorized' });
        if (req.method === 'POST' && p === '/_actions/runners') {
          const b = json();
          const runner: FakeRunner = {
            id: state.runners.length + 1,
            name: b.name,
            labels: b.labels,
            version: b.version,
            ephemeral: b.ephemeral,
            disableUpdate: b.disable_update,
            status: 'offline',
            busy: false,
          };
          state.runners.push(runner);
          return send(200, {
            id: runner.id,
            name: runner.name,
            ephemeral: runner.ephemeral,
            disable_update: runner.disableUpdate,
          });
        }
        const runner = state.runners.find((r) => p.startsWith(`/_actions/runners/${r.id}/`));
        if (runner && req.method === 'POST' && p.endsWith('/sessions')) {
          runner.status = 'online';
          return send(200, { sessionId: runner.id });
        }
        if (runner && req.method === 'GET' && p.endsWith('/job')) {
          const run = state.runs.find(
            (r) => r.status === 'queued' && runner.labels.includes(r.label),
          );
          if (!run) return send(404);
          run.status = 'in_progress';
          run.runnerId = runner.id;
          runner.busy = true;
          return send(200, { id: run.id, name: 'smoke', script: state.smokeJob });
        }
        if ((m = p.match(/^\/_actions\/jobs\/(\d+)$/)) && req.method === 'POST') {
          const run = state.runs.find((r) => r.id === Number(m![1]));
          if (!run) return send(404);
          const b = json();
          Object.assign(run, { status: 'completed', conclusion: b.conclusion, log: b.log });
          const done = state.runners.find((r) => r.id === run.runnerId);
          if (done?.ephemeral) state.runners.splice(state.runners.indexOf(done), 1);
          return send(200, {});
        }
        return send(404, { message: 'Not Found' });
      }
      if (
        !bearer(req, tokens.access) &&
        !/^Bearer test-token$/.test(req.headers.authorization ?? '')
      )
        return send(401, { message: 'Bad credentials' });
      if (req.method === 'GET' && /^\/(repos\/[^/]+\/[^/]+|orgs\/[^/]+)\/actions\/runners$/.test(p))
        return send(200, {
          total_count: state.runners.length,
          runners: state.runners.map((r) => ({
            id: r.id,
            name: r.name,
            os: 'Linux',
            status: r.status,
            busy: r.busy,
            labels: r.labels.map((name) => ({ name, type: 'custom' })),
          })),
        });
      if (req.method === 'DELETE' && (m = p.match(/\/actions\/runners\/(\d+)$/))) {
        const i = state.runners.findIndex((r) => r.id === Number(m![1]));
        if (i >= 0) state.runners.splice(i, 1);
        return send(204);
      }
      if (req.method === 'POST' && /\/actions\/workflows\/[^/]+\/dispatches$/.test(p)) {
        state.runs.push({
          id: 1000 + state.runs.length,
          label: json().inputs?.runner_label,
          created_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          status: 'queued',
          conclusion: null,
        });
        return send(204);
      }
      if (req.method === 'GET' && /\/actions\/workflows\/[^/]+\/runs$/.test(p))
        return send(200, {
          total_count: state.runs.length,
          workflow_runs: [...state.runs].reverse(),
        });
      if (req.method === 'GET' && (m = p.match(/\/actions\/runs\/(\d+)$/))) {
        const run = state.runs.find((r) => r.id === Number(m![1]));
        return run ? send(200, run) : send(404, { message: 'Not Found' });
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.runnerDownloadUrl = `${state.url}/runner`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
      fs.rmSync(dir, { recursive: true, force: true });
    });
  return state;
}

/** A GitHub App key pair, as GitHub issues it (RSA, PKCS#1 PEM). */
export function appKeyPair(): { publicKey: crypto.KeyObject; privateKeyPem: string } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}
