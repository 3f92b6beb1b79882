import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bootstrapScript, shQuote, type BootstrapSpec } from '../../src/fleet/bootstrap';
import { hostJitFunctions } from '../../src/fleet/bootstrap/host-jit';
import { MAC, MAC_INSTANCES, ScalerHarness } from '../scaler/scaler-harness';

const [MAC_A] = MAC_INSTANCES;

const spec: BootstrapSpec = {
  os: 'macos',
  cloud: 'aws',
  labels: MAC,
  organization: 'acme',
  runnerGroup: 'Default',
  githubUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  namePrefix: 'prod-macos-medium',
  hostJit: { region: 'us-west-2', urlParameter: '/ingot/prod/scaler/url' },
};

/**
 * EC2 IMDSv2 as a Mac instance sees it (PUT /latest/api/token, then the token header):
 * its identity document and base64 signature (`/latest/dynamic/instance-identity/…`),
 * signed by the harness's signer, which the harness's scaler trusts.
 */
async function imds(h: ScalerHarness, instanceId: string) {
  const { document, signature } = h.ec2Identity.identity(instanceId);
  const answer = (req: http.IncomingMessage): [number, string] => {
    if (req.method === 'PUT' && req.url === '/latest/api/token')
      return req.headers['x-aws-ec2-metadata-token-ttl-seconds'] ? [200, 'imds-token'] : [400, ''];
    if (req.headers['x-aws-ec2-metadata-token'] !== 'imds-token') return [401, ''];
    if (req.url === '/latest/dynamic/instance-identity/document') return [200, document];
    if (req.url === '/latest/dynamic/instance-identity/signature') return [200, signature];
    return [404, ''];
  };
  const server = http.createServer((req, res) => {
    const [status, body] = answer(req);
    res.writeHead(status).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Runs `jit_config` from the Mac loop with `sleep` stubbed to give up after `sleeps`. */
async function jitConfig(metadataUrl: string, scalerUrl: string, sleeps: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-mac-jit-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const count = path.join(dir, 'sleeps');
    fs.writeFileSync(
      path.join(bin, 'sleep'),
      `#!/bin/bash\necho x >>${shQuote(count)}\n[ "$(wc -l <${shQuote(count)})" -ge ${sleeps} ] && exit 1\nexit 0\n`,
      { mode: 0o755 },
    );
    // `sleep` failing ends the retry loop (set -e), as a test-only way out of it.
    fs.writeFileSync(path.join(dir, 'run.sh'), `set -e\n${hostJitFunctions(spec)}\njit_config\n`);
    return await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        'bash',
        [path.join(dir, 'run.sh')],
        {
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH}`,
            INGOT_METADATA_URL: metadataUrl,
            INGOT_SCALER_URL: scalerUrl,
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The macOS boot loop against the real scaler (its HTTP server, store and GitHub App,
 * with a fake GitHub): the host's `jit_config` posts its signed identity document to
 * `/jit/aws` and prints a configuration GitHub accepts; while that runner lives it keeps
 * asking (409) instead of getting a second one.
 */
describe('macOS boot loop: runners from the scaler with the identity document', function () {
  this.timeout(60_000);
  let h: ScalerHarness;
  let metadata: Awaited<ReturnType<typeof imds>>;

  before(async () => {
    h = await new ScalerHarness().start();
    metadata = await imds(h, MAC_A);
  });
  after(async () => {
    await metadata.close();
    await h.stop();
  });

  it('prints a JIT configuration GitHub accepts, then waits while that runner lives', async () => {
    const first = await jitConfig(metadata.url, h.url, 1);
    assert.equal(first.code, 0, first.stderr);
    const runner = h.github.useJitConfig(first.stdout.trim());
    assert.equal(runner.name, `prod-macos-medium-${MAC_A}-1`);

    const waiting = await jitConfig(metadata.url, h.url, 2);
    assert.notEqual(waiting.code, 0);
    assert.equal(waiting.stdout, '');
    assert.match(waiting.stderr, /the scaler answered 409; asking again in 20 s/);

    h.github.finishJob(runner);
    const next = await jitConfig(metadata.url, h.url, 1);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(h.github.useJitConfig(next.stdout.trim()).name, `prod-macos-medium-${MAC_A}-2`);
  });

  it("the user data installs a root loop that runs each runner with --jitconfig, ends the runner user's processes after each job, and never reads a secret", () => {
    const script = bootstrapScript(spec);
    const loop = script.slice(
      script.indexOf("<<'INGOT_RUNNER_LOOP'"),
      script.indexOf('INGOT_RUNNER_LOOP\nchmod'),
    );
    assert.match(loop, /as_user "\$RUNNER_USER" \.\/run\.sh --jitconfig "\$JIT_CONFIG"/);
    assert.match(loop, /pkill -KILL -u "\$RUNNER_USER"/);
    assert.ok(loop.indexOf('pkill') < loop.lastIndexOf('done'));
    assert.match(loop, /SCALER_URL_PARAMETER='\/ingot\/prod\/scaler\/url'/);
    assert.doesNotMatch(script, /secretsmanager|registration-token|private_key|config\.sh/);
    assert.throws(
      () => bootstrapScript({ ...spec, os: 'ubuntu' }),
      /spec.hostJit is for macOS hosts on AWS/,
    );
  });
});
