import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { bootstrapScript, psQuote, shQuote, type BootstrapSpec } from '../../src/fleet/bootstrap';

const spec = (overrides: Partial<BootstrapSpec> = {}): BootstrapSpec => ({
  os: 'ubuntu',
  cloud: 'aws',
  labels: ['self-hosted', 'ubuntu', 'x64', 'small', 'prod', 'us-west-2', 'ingot'],
  organization: 'acme',
  runnerGroup: 'ingot prod',
  githubUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  namePrefix: 'prod-ubuntu-small',
  secret: { cloud: 'aws', region: 'us-west-2', name: 'ingot/prod/github-app' },
  ...overrides,
});

/** Parses a PowerShell verbatim string the way PowerShell does (any single-quote variant). */
function parsePsVerbatim(text: string): string {
  const quotes = "'\u2018\u2019\u201a\u201b";
  assert.ok(quotes.includes(text[0]) && quotes.includes(text[text.length - 1]), 'quoted');
  let out = '';
  for (let i = 1; i < text.length - 1; i++) {
    if (quotes.includes(text[i])) {
      assert.ok(
        quotes.includes(text[i + 1]) && i + 1 < text.length - 1,
        `unpaired quote at ${i} in ${text}`,
      );
      out += text[i];
      i++;
    } else out += text[i];
  }
  return out;
}

/** A fake GitHub API that checks the App JWT and hands out tokens. */
async function fakeGithub(publicKey: crypto.KeyObject, appId: string, registration: number) {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    calls.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/app/installations/42/access_tokens') {
      const [header, payload, signature] = auth.replace(/^Bearer /, '').split('.');
      const valid = crypto.verify(
        'RSA-SHA256',
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature ?? '', 'base64url'),
      );
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString() || '{}');
      const now = Date.now() / 1000;
      if (!valid || claims.iss !== appId || !(claims.exp > now && claims.iat < now))
        return send(401, { message: 'Bad credentials' });
      return send(201, { token: 'ghs_installation' });
    }
    if (req.method === 'POST' && req.url === '/orgs/acme/actions/runners/registration-token') {
      if (auth !== 'Bearer ghs_installation') return send(401, { message: 'Bad credentials' });
      return registration === 201
        ? send(201, { token: 'AREGISTRATION' })
        : send(registration, { message: 'Resource not accessible by integration' });
    }
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Runs a boot script with stubbed sudo/shutdown/cloud CLIs and a fake runner directory. */
async function runBootScript(script: string, secretJson: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-boot-'));
  const [bin, runner, tmp] = ['bin', 'runner', 'tmp'].map((d) => path.join(dir, d));
  for (const d of [bin, runner, tmp]) fs.mkdirSync(d);
  const log = path.join(dir, 'calls.log');
  const stub = (file: string, body: string) =>
    fs.writeFileSync(file, `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  stub(
    path.join(bin, 'aws'),
    `echo "aws $*" >>${shQuote(log)}; cat ${shQuote(path.join(dir, 'secret.json'))}`,
  );
  stub(
    path.join(bin, 'gcloud'),
    `echo "gcloud $*" >>${shQuote(log)}; cat ${shQuote(path.join(dir, 'secret.json'))}`,
  );
  stub(path.join(bin, 'sudo'), `echo "sudo $1 $2" >>${shQuote(log)}; shift 3; "$@"`);
  stub(path.join(bin, 'shutdown'), `echo "shutdown $*" >>${shQuote(log)}`);
  stub(
    path.join(runner, 'config.sh'),
    `for a in "$@"; do echo "config.sh arg: $a"; done >>${shQuote(log)}`,
  );
  stub(path.join(runner, 'run.sh'), `echo "run.sh ran" >>${shQuote(log)}`);
  fs.writeFileSync(path.join(dir, 'secret.json'), secretJson);
  fs.writeFileSync(path.join(dir, 'boot.sh'), script);
  const result = await new Promise<{ code: number }>((resolve) => {
    execFile(
      'bash',
      [path.join(dir, 'boot.sh')],
      {
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          TMPDIR: tmp,
          INGOT_RUNNER_DIR: runner,
          INGOT_RUNNER_LOG: path.join(dir, 'runner.log'),
        },
      },
      (error) => resolve({ code: error ? Number(error.code ?? 1) : 0 }),
    );
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  const leftovers = fs.readdirSync(tmp);
  const output = fs.existsSync(path.join(dir, 'runner.log'))
    ? fs.readFileSync(path.join(dir, 'runner.log'), 'utf8')
    : '';
  fs.rmSync(dir, { recursive: true, force: true });
  return { ...result, calls, leftovers, output };
}

describe('runner boot scripts', () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const secret = JSON.stringify({ app_id: '1234', installation_id: '42', private_key: pem });

  it('property: shQuote gives bash exactly the string, whatever it holds', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, '')),
          { minLength: 1, maxLength: 8 },
        ),
        (values) => {
          const script = `printf '%s\\0' ${values.map(shQuote).join(' ')}`;
          const out = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
          assert.deepEqual(out.stdout.split('\0').slice(0, -1), values);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('property: psQuote gives PowerShell exactly the string (typographic quotes included)', () => {
    const chars = fc.constantFrom(...`ab $\`"'\u2018\u2019\u201a\u201b@{}()\n;|&`.split(''));
    fc.assert(
      fc.property(
        fc.array(chars).map((a) => a.join('')),
        (value) => {
          assert.equal(parsePsVerbatim(psQuote(value)), value);
        },
      ),
    );
  });

  it('Ubuntu on AWS: reads the secret, registers one ephemeral runner with exactly its labels, runs one job, powers off', async () => {
    const github = await fakeGithub(publicKey, '1234', 201);
    try {
      const run = await runBootScript(bootstrapScript(spec({ apiUrl: github.url })), secret);
      assert.equal(run.code, 0, run.output);
      assert.deepEqual(github.calls, [
        'POST /app/installations/42/access_tokens',
        'POST /orgs/acme/actions/runners/registration-token',
      ]);
      assert.ok(
        run.calls.includes(
          'aws secretsmanager get-secret-value --region us-west-2 --secret-id ingot/prod/github-app --query SecretString --output text',
        ),
      );
      const args = run.calls
        .filter((c) => c.startsWith('config.sh arg: '))
        .map((c) => c.slice('config.sh arg: '.length));
      const flag = (name: string) => args[args.indexOf(name) + 1];
      for (const f of ['--unattended', '--ephemeral', '--disableupdate', '--no-default-labels'])
        assert.ok(args.includes(f), f);
      assert.equal(flag('--labels'), 'self-hosted,ubuntu,x64,small,prod,us-west-2,ingot');
      assert.equal(flag('--runnergroup'), 'ingot prod');
      assert.equal(flag('--url'), 'https://github.com/acme');
      assert.equal(flag('--token'), 'AREGISTRATION');
      assert.match(flag('--name'), /^prod-ubuntu-small-\S+$/);
      const order = run.calls.filter((c) => /^(sudo|run\.sh|shutdown)/.test(c));
      assert.deepEqual(order, [
        'sudo -u runner',
        'sudo -u runner',
        'run.sh ran',
        'shutdown -h now',
      ]);
      assert.deepEqual(run.leftovers, [], 'the private key file is removed');
      assert.ok(
        !run.output.includes('PRIVATE KEY') && !run.output.includes('AREGISTRATION'),
        'no secret in the log',
      );
    } finally {
      await github.close();
    }
  });

  it('Ubuntu on GCP reads Secret Manager; a refused registration powers off without configuring', async () => {
    const github = await fakeGithub(publicKey, '1234', 403);
    try {
      const run = await runBootScript(
        bootstrapScript(
          spec({
            cloud: 'gcp',
            apiUrl: github.url,
            secret: { cloud: 'gcp', project: 'acme-runners-prod', name: 'ingot-prod-app' },
          }),
        ),
        secret,
      );
      assert.ok(
        run.calls.includes(
          'gcloud secrets versions access latest --secret=ingot-prod-app --project=acme-runners-prod',
        ),
      );
      assert.ok(!run.calls.some((c) => c.startsWith('config.sh') || c === 'run.sh ran'));
      assert.equal(run.calls[run.calls.length - 1], 'shutdown -h now');
      assert.notEqual(run.code, 0);
    } finally {
      await github.close();
    }
  });

  it("a wrong App key gets no token (the JWT is really signed with the secret's key)", async () => {
    const github = await fakeGithub(publicKey, '1234', 201);
    const other = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    try {
      const run = await runBootScript(
        bootstrapScript(spec({ apiUrl: github.url })),
        JSON.stringify({ app_id: '1234', installation_id: '42', private_key: other }),
      );
      assert.deepEqual(github.calls, ['POST /app/installations/42/access_tokens']);
      assert.ok(!run.calls.some((c) => c.startsWith('config.sh')));
      assert.equal(run.calls[run.calls.length - 1], 'shutdown -h now');
    } finally {
      await github.close();
    }
  });

  it('macOS: a launchd daemon serving one ephemeral runner after another; valid bash, no power-off', () => {
    const script = bootstrapScript(
      spec({
        os: 'macos',
        labels: ['self-hosted', 'macos', 'arm64', 'small', 'prod', 'us-west-2'],
      }),
    );
    assert.equal(spawnSync('bash', ['-n', '-c', script]).status, 0);
    const loop = /<<'INGOT_RUNNER_LOOP'\n([\s\S]*?)INGOT_RUNNER_LOOP\n/.exec(script)?.[1] ?? '';
    assert.equal(spawnSync('bash', ['-n', '-c', loop]).status, 0);
    assert.match(loop, /while true; do/);
    assert.match(loop, /RUNNER_LABELS='self-hosted,macos,arm64,small,prod,us-west-2'/);
    assert.match(loop, /--ephemeral/);
    assert.match(loop, /rm -rf "\$RUNNER_DIR\/_work"/);
    assert.match(script, /<key>KeepAlive<\/key><true\/>/);
    assert.match(
      script,
      /launchctl bootstrap system \/Library\/LaunchDaemons\/dev\.ingot\.runner\.plist/,
    );
    assert.doesNotMatch(script, /shutdown/);
  });

  it('Windows: PowerShell (in <powershell> tags on AWS, bare for GCP), ephemeral, powers off in finally', () => {
    const aws = bootstrapScript(
      spec({
        os: 'windows',
        runnerGroup: "O'Brien team",
        labels: ['self-hosted', 'windows', 'x64', 'medium', 'prod', 'us-east-1'],
        secret: { cloud: 'aws', region: 'us-east-1', name: 'ingot/prod/app' },
      }),
    );
    assert.match(aws, /^<powershell>\n/);
    assert.match(aws, /<\/powershell>\n$/);
    assert.match(aws, /\$RunnerLabels = 'self-hosted,windows,x64,medium,prod,us-east-1'/);
    assert.match(aws, /\$RunnerGroup = 'O''Brien team'/);
    assert.match(
      aws,
      /aws secretsmanager get-secret-value --region 'us-east-1' --secret-id \$SecretName/,
    );
    assert.match(aws, /--ephemeral/);
    assert.match(
      aws,
      /finally \{\n\s+Write-Output 'ingot-runner: finished, powering off'\n\s+Stop-Computer -Force\n\}/,
    );
    assert.match(aws, /PowerShell\\7\\pwsh\.exe/);
    // Jobs run as a dedicated local user in Users only, never SYSTEM or an administrator:
    // the runner is a service under that account (actions/runner's config.cmd flags
    // --runasservice, --windowslogonaccount, --windowslogonpassword; see
    // src/Runner.Common/Constants.cs), and the script waits for it instead of run.cmd.
    assert.match(aws, /\$RunnerUser = 'ingot-runner'/);
    assert.match(aws, /\$computer\.Create\('User', \$RunnerUser\)/);
    assert.match(aws, /\[ADSI\]"WinNT:\/\/\$env:COMPUTERNAME\/Users,group"\)\.Add/);
    assert.doesNotMatch(aws, /Administrators/);
    assert.match(aws, /icacls \$RunnerDir \/grant "\$\(\$RunnerUser\):\(OI\)\(CI\)M"/);
    assert.match(
      aws,
      /--runasservice --windowslogonaccount "\.\\\$RunnerUser" --windowslogonpassword \$password\n/,
    );
    assert.doesNotMatch(aws, /run\.cmd/);
    assert.match(
      aws,
      /Get-Service -Name 'actions\.runner\.\*' \| Where-Object Status -ne 'Stopped'/,
    );
    // The password is never written anywhere (runner.log gets the script's output).
    assert.doesNotMatch(
      aws,
      /Write-\w+ .*\$password|\$password.*(Out-File|Set-Content|Add-Content)/,
    );
    assert.match(aws, /Remove-Variable token, password/);
    assert.equal(aws.match(/^'@$/gm)?.length, 1, 'one here-string terminator');
    assert.doesNotMatch(aws, /#!\/bin\/bash/);
    const gcp = bootstrapScript(
      spec({
        os: 'windows',
        cloud: 'gcp',
        secret: { cloud: 'gcp', project: 'acme-runners-prod', name: 'app' },
      }),
    );
    assert.doesNotMatch(gcp, /<powershell>/);
    assert.match(
      gcp,
      /gcloud secrets versions access latest "--secret=\$SecretName" '--project=acme-runners-prod'/,
    );
  });

  it('Ubuntu script is valid bash that registers with --ephemeral and shuts down on exit', () => {
    const script = bootstrapScript(spec());
    assert.equal(spawnSync('bash', ['-n', '-c', script]).status, 0);
    assert.match(script, /^#!\/bin\/bash\n/);
    assert.match(script, /trap '.*shutdown -h now' EXIT/);
  });
});
