import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bootstrapScript, shQuote, type BootstrapSpec } from '../../src/fleet/bootstrap';

const JIT = 'eyJlbmNvZGVkIjoiaml0LWNvbmZpZyJ9'; // what generate-jitconfig's encoded_jit_config looks like
const INSTANCE = 'i-0123456789abcdef0';

const spec = (overrides: Partial<BootstrapSpec> = {}): BootstrapSpec => ({
  os: 'ubuntu',
  cloud: 'aws',
  labels: ['self-hosted', 'ubuntu', 'x64', 'small', 'prod', 'us-west-2'],
  organization: 'acme',
  runnerGroup: 'ingot prod',
  githubUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  namePrefix: 'prod-ubuntu-small',
  jit: { cloud: 'aws', region: 'us-west-2', parameterPrefix: '/ingot/prod/jit' },
  ...overrides,
});

/**
 * The instance metadata services the scripts ask, with their real paths and headers:
 * EC2 IMDSv2 (PUT /latest/api/token, then the token header) and the GCE metadata server
 * (Metadata-Flavor: Google; `identity?audience=…&format=full`), plus the scaler's `/jit`
 * (src/scaler/scaler-server.ts: `Authorization: Bearer <identity token>` →
 * `{"encoded_jit_config"}`).
 */
async function metadataServer(jitStatus = 200) {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    };
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'PUT' && url.pathname === '/latest/api/token')
      return req.headers['x-aws-ec2-metadata-token-ttl-seconds']
        ? send(200, 'imds-token')
        : send(400, '');
    if (url.pathname === '/latest/meta-data/instance-id')
      return req.headers['x-aws-ec2-metadata-token'] === 'imds-token'
        ? send(200, INSTANCE)
        : send(401, '');
    if (url.pathname.startsWith('/computeMetadata/v1/')) {
      if (req.headers['metadata-flavor'] !== 'Google') return send(403, '');
      const key = url.pathname.slice('/computeMetadata/v1/'.length);
      if (key === 'instance/attributes/ingot-scaler-url') return send(200, base());
      if (key === 'instance/attributes/ingot-scaler-audience')
        return send(200, 'ingot-scaler:acme-runners-prod:prod');
      if (key === 'instance/service-accounts/default/identity')
        return url.searchParams.get('audience') === 'ingot-scaler:acme-runners-prod:prod' &&
          url.searchParams.get('format') === 'full'
          ? send(200, 'google-signed-identity-token')
          : send(400, 'bad audience');
      return send(404, '');
    }
    if (req.method === 'POST' && url.pathname === '/jit') {
      if (req.headers.authorization !== 'Bearer google-signed-identity-token') return send(401, '');
      res.writeHead(jitStatus, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify(
          jitStatus === 200 ? { encoded_jit_config: JIT } : { code: 'CONFLICT', message: 'given' },
        ),
      );
    }
    send(404, '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base(), calls, close: () => new Promise((r) => server.close(r)) };
}

/** Runs a boot script with stubbed sudo/shutdown/sleep/aws and a fake runner directory. */
async function runBootScript(script: string, metadataUrl: string, parameters: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-jit-'));
  const [bin, runner] = ['bin', 'runner'].map((d) => path.join(dir, d));
  for (const d of [bin, runner]) fs.mkdirSync(d);
  const log = path.join(dir, 'calls.log');
  const stub = (file: string, body: string) =>
    fs.writeFileSync(file, `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  // SSM as the runner role sees it: only the listed parameters exist.
  const known = parameters.map((p) => `"${p}"`).join(' ');
  stub(
    path.join(bin, 'aws'),
    `echo "aws $*" >>${shQuote(log)}
name=""; prev=""; for a in "$@"; do [ "$prev" = "--name" ] && name="$a"; prev="$a"; done
for p in ${known}; do
  if [ "$p" = "$name" ]; then [ "$2" = "get-parameter" ] && echo ${shQuote(JIT)}; exit 0; fi
done
echo "An error occurred (ParameterNotFound) when calling the GetParameter operation" >&2; exit 254`,
  );
  stub(path.join(bin, 'sudo'), `echo "sudo $1 $2" >>${shQuote(log)}; shift 3; "$@"`);
  stub(path.join(bin, 'shutdown'), `echo "shutdown $*" >>${shQuote(log)}`);
  stub(path.join(bin, 'sleep'), `echo "sleep $*" >>${shQuote(log)}`);
  stub(path.join(runner, 'config.sh'), `echo "config.sh $*" >>${shQuote(log)}`);
  stub(path.join(runner, 'run.sh'), `echo "run.sh $*" >>${shQuote(log)}`);
  fs.writeFileSync(path.join(dir, 'boot.sh'), script);
  const code = await new Promise<number>((resolve) => {
    execFile(
      'bash',
      [path.join(dir, 'boot.sh')],
      {
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          INGOT_RUNNER_DIR: runner,
          INGOT_RUNNER_LOG: path.join(dir, 'runner.log'),
          INGOT_METADATA_URL: metadataUrl,
        },
      },
      (error) => resolve(error ? Number(error.code ?? 1) : 0),
    );
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  const output = fs.readFileSync(path.join(dir, 'runner.log'), 'utf8');
  fs.rmSync(dir, { recursive: true, force: true });
  return { code, calls, output };
}

describe('runner boot scripts with the scaler (JIT configurations)', function () {
  this.timeout(90_000);
  it('Ubuntu on AWS: reads and deletes its own SSM parameter, runs run.sh --jitconfig as the runner user, powers off; no registration', async () => {
    const md = await metadataServer();
    try {
      const run = await runBootScript(bootstrapScript(spec()), md.url, [
        `/ingot/prod/jit/${INSTANCE}`,
      ]);
      assert.equal(run.code, 0, run.output);
      assert.deepEqual(md.calls, ['PUT /latest/api/token', 'GET /latest/meta-data/instance-id']);
      assert.deepEqual(run.calls, [
        `aws ssm get-parameter --region us-west-2 --name /ingot/prod/jit/${INSTANCE} --with-decryption --query Parameter.Value --output text`,
        `aws ssm delete-parameter --region us-west-2 --name /ingot/prod/jit/${INSTANCE}`,
        'sudo -u runner',
        `run.sh --jitconfig ${JIT}`,
        'shutdown -h now',
      ]);
      assert.ok(!run.output.includes(JIT), 'the JIT configuration is not logged');
    } finally {
      await md.close();
    }
  });

  it('Ubuntu on AWS: while the scaler has not written the parameter it waits; if it never does, it powers off without running', async () => {
    const md = await metadataServer();
    try {
      const run = await runBootScript(bootstrapScript(spec()), md.url, []);
      assert.notEqual(run.code, 0);
      assert.equal(run.calls.filter((c) => c === 'sleep 10').length, 90, '900 s of waiting');
      assert.ok(!run.calls.some((c) => c.startsWith('run.sh') || c.startsWith('config.sh')));
      assert.equal(run.calls[run.calls.length - 1], 'shutdown -h now');
      assert.match(run.output, /no JIT configuration at \/ingot\/prod\/jit\/i-0123456789abcdef0/);
    } finally {
      await md.close();
    }
  });

  it('Ubuntu on GCP: posts its identity token (audience from metadata, format=full) to the scaler and runs what it answers', async () => {
    const md = await metadataServer();
    try {
      const run = await runBootScript(
        bootstrapScript(spec({ cloud: 'gcp', jit: { cloud: 'gcp' } })),
        md.url,
        [],
      );
      assert.equal(run.code, 0, run.output);
      assert.deepEqual(md.calls, [
        'GET /computeMetadata/v1/instance/attributes/ingot-scaler-url',
        'GET /computeMetadata/v1/instance/attributes/ingot-scaler-audience',
        'GET /computeMetadata/v1/instance/service-accounts/default/identity?audience=ingot-scaler%3Aacme-runners-prod%3Aprod&format=full',
        'POST /jit',
      ]);
      assert.deepEqual(run.calls, [
        'sudo -u runner',
        `run.sh --jitconfig ${JIT}`,
        'shutdown -h now',
      ]);
    } finally {
      await md.close();
    }
  });

  it('Ubuntu on GCP: a scaler that refuses (409: already given) never leads to a run; the VM powers off', async () => {
    const md = await metadataServer(409);
    try {
      const run = await runBootScript(
        bootstrapScript(spec({ cloud: 'gcp', jit: { cloud: 'gcp' } })),
        md.url,
        [],
      );
      assert.notEqual(run.code, 0);
      assert.ok(!run.calls.some((c) => c.startsWith('run.sh') || c.startsWith('sleep')));
      assert.equal(md.calls.filter((c) => c === 'POST /jit').length, 1, 'no retry after 409');
      assert.equal(run.calls[run.calls.length - 1], 'shutdown -h now');
      assert.match(run.output, /already gave this VM its configuration/);
    } finally {
      await md.close();
    }
  });

  it('Windows: run.cmd --jitconfig from the SSM parameter (AWS) or the scaler (GCP); no config.cmd, no App key; valid bash elsewhere', () => {
    const aws = bootstrapScript(spec({ os: 'windows' }));
    assert.match(aws, /^<powershell>\n/);
    assert.match(aws, /& \.\\run\.cmd --jitconfig \$jit/);
    assert.match(aws, /aws ssm get-parameter --region 'us-west-2' --name \$name --with-decryption/);
    assert.match(aws, /\$name = '\/ingot\/prod\/jit' \+ "\/\$id"/);
    const gcp = bootstrapScript(spec({ os: 'windows', cloud: 'gcp', jit: { cloud: 'gcp' } }));
    assert.match(
      gcp,
      /identity\?audience=\$\(\[uri\]::EscapeDataString\(\$audience\)\)&format=full/,
    );
    assert.match(gcp, /Invoke-RestMethod -Method Post -Uri "\$url\/jit"/);
    for (const script of [aws, gcp]) {
      assert.doesNotMatch(script, /config\.cmd|registration-token|secretsmanager|private_key/);
      assert.match(script, /Stop-Computer -Force/);
    }
    for (const cloud of ['aws', 'gcp'] as const) {
      const bash = bootstrapScript(spec({ cloud, jit: cloud === 'aws' ? spec().jit : { cloud } }));
      assert.equal(spawnSync('bash', ['-n', '-c', bash]).status, 0);
      assert.doesNotMatch(bash, /registration-token|SECRET_NAME|config\.sh/);
    }
  });

  it('refuses a spec with both or neither of secret and jit, a JIT source of the other cloud, and macOS with JIT', () => {
    const secret = { cloud: 'aws' as const, region: 'us-west-2', name: 'app' };
    assert.throws(() => bootstrapScript(spec({ secret })), /exactly one of spec.secret/);
    assert.throws(() => bootstrapScript(spec({ jit: undefined })), /exactly one of spec.secret/);
    assert.throws(
      () => bootstrapScript(spec({ cloud: 'gcp' })),
      /spec.jit is for aws, the runner runs on gcp/,
    );
    assert.throws(
      () => bootstrapScript(spec({ os: 'macos' })),
      /macOS hosts ask the scaler for each runner; pass spec.hostJit/,
    );
  });
});
