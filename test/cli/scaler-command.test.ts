import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_ARGS, cliEnv, ingot } from '../helpers/cli';
import { FakeGithub } from '../scaler/fake-github';

describe('ingot scaler serve', function () {
  this.timeout(60_000);
  let github: FakeGithub;
  let dir: string;

  before(async () => {
    github = await new FakeGithub().start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-scaler-cli-'));
  });
  after(async () => {
    await github.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without its configuration, naming the flags', async () => {
    const result = await ingot(['scaler', 'serve', '--port', 'x'], cliEnv(null));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--config is required/);
    assert.match(result.stderr, /--secret is required/);
    assert.match(result.stderr, /--port must be/);
  });

  it('serves signed webhooks and health from a config file, an App secret file and a SQLite file', async () => {
    const config = path.join(dir, 'scaler.json');
    const secret = path.join(dir, 'app.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        github: { organization: github.organization, apiUrl: github.url },
        targets: [
          {
            pool: 'ubuntu-small',
            cloud: 'aws',
            region: 'us-west-2',
            group: 'asg',
            labels: ['self-hosted', 'ubuntu', 'us-west-2'],
            max: 3,
          },
        ],
      }),
    );
    const s = github.secrets();
    fs.writeFileSync(
      secret,
      JSON.stringify({
        app_id: s.appId,
        installation_id: s.installationId,
        private_key: s.privateKey,
        webhook_secret: s.webhookSecret,
      }),
      { mode: 0o600 },
    );
    // Every AWS call goes to the local fake (which refuses it): nothing leaves the machine.
    const env = {
      ...cliEnv(null),
      AWS_ENDPOINT_URL: github.url,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const child = spawn(
      process.execPath,
      [
        ...CLI_ARGS,
        'scaler',
        'serve',
        '--config',
        config,
        '--secret',
        secret,
        '--database',
        path.join(dir, 'state.db'),
        '--port',
        '0',
      ],
      { env },
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const match = /listening on (http:\/\/\S+) /.exec(stdout);
        if (match) resolve(match[1]);
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
    });
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      const res = await github.sendWorkflowJob(url, 'queued', {
        id: 1,
        labels: ['self-hosted', 'ubuntu'],
      });
      assert.deepEqual([res.status, res.body], [202, { outcome: 'recorded' }]);
      const bad = await github.deliver(url, '{}', { signature: 'sha256=00' });
      assert.equal(bad.status, 401);
      assert.match(stdout, /State: .*state\.db/);
      assert.doesNotMatch(stdout, /PRIVATE KEY|whsec/);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
