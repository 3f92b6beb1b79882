import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * scripts/image-integration-test.sh against stand-ins for `aws`, `gcloud` and the
 * GitHub API (`curl`): whatever happens — the runner never comes online, the smoke job
 * fails, the launch fails — the machine and the runner registration are torn down, and
 * the exit status says whether the version may be assigned.
 */
const SCRIPT = path.resolve(__dirname, '../../scripts/image-integration-test.sh');

const STUBS: Record<string, string> = {
  aws: `#!/usr/bin/env bash
echo "aws $*" >>"$STUB_LOG"
case "$*" in
  *run-instances*)
    [ "\${STUB_LAUNCH:-ok}" = ok ] || exit 1
    for a in "$@"; do case "$a" in file://*) cp "\${a#file://}" "$STUB_DIR/user-data" ;; esac; done
    echo i-0123456789 ;;
  *describe-instance-status*) echo "\${STUB_INSTANCE_STATUS:-ok}" ;;
  *describe-hosts*) echo "\${STUB_HOST_STATE:-available}" ;;
esac
`,
  gcloud: `#!/usr/bin/env bash
echo "gcloud $*" >>"$STUB_LOG"
case "$*" in *get-serial-port-output*) echo "Cloud-init v. 24.1 finished at Mon" ;; esac
`,
  curl: `#!/usr/bin/env bash
method=GET url='' data=''
while [ $# -gt 0 ]; do case "$1" in -X) method="$2"; shift ;; --data) data="$2"; shift ;; -H) shift ;; http*) url="$1" ;; esac; shift; done
echo "curl $method $url $data" >>"$STUB_LOG"
case "$method $url" in
  *registration-token) echo '{"token":"REGTOKEN"}' ;;
  "GET "*/actions/runners?*) echo "{\\"runners\\":[{\\"id\\":7,\\"name\\":\\"$STUB_RUNNER\\",\\"status\\":\\"\${STUB_STATUS:-online}\\"}]}" ;;
  "DELETE "*) ;;
  *dispatches) ;;
  *"/runs?"*) echo '{"workflow_runs":[{"id":99,"created_at":"2999-01-01T00:00:00Z"}]}' ;;
  */actions/runs/99) echo "{\\"status\\":\\"completed\\",\\"conclusion\\":\\"\${STUB_CONCLUSION:-success}\\"}" ;;
  *) echo "unexpected $method $url" >&2; exit 22 ;;
esac
`,
};

/** Stands for the fleet's boot script (src/fleet/bootstrap), which the test passes as is. */
const BOOT =
  '#!/bin/bash\n./config.sh --unattended --ephemeral --disableupdate --url https://github.com/acme\n';

describe('scripts/image-integration-test.sh (with stand-in clouds)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-itest-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'tmp'));
    fs.writeFileSync(path.join(dir, 'boot.sh'), BOOT);
    for (const [name, text] of Object.entries(STUBS))
      fs.writeFileSync(path.join(dir, 'bin', name), text, { mode: 0o755 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], env: Record<string, string> = {}) {
    const result = spawnSync('bash', [SCRIPT, ...args], {
      encoding: 'utf8',
      env: {
        PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
        TMPDIR: path.join(dir, 'tmp'),
        STUB_LOG: path.join(dir, 'calls.log'),
        STUB_DIR: dir,
        // The fleet's boot script names its runner <prefix>-<host name>.
        STUB_RUNNER: 'ingot-test-runner-ubuntu-v1-abc-ip-10-0-1-7',
        GITHUB_TOKEN: 'ghs_test',
        INGOT_TEST_GITHUB_API: 'https://api.example.test',
        ...env,
      },
    });
    const log = fs.existsSync(path.join(dir, 'calls.log'))
      ? fs.readFileSync(path.join(dir, 'calls.log'), 'utf8')
      : '';
    return { ...result, log };
  }
  const aws = (smoke = 'runner', extra: string[] = []) => [
    '--mode',
    'aws',
    '--smoke',
    smoke,
    '--image',
    'ami-0abc',
    '--region',
    'us-east-1',
    '--bucket',
    'runner-ubuntu',
    '--fingerprint',
    'v1-abc',
    '--repository',
    'acme/ci',
    '--user-data',
    path.join(dir, 'boot.sh'),
    '--attempts',
    '2',
    '--interval',
    '0',
    ...extra,
  ];

  it('passes when the runner comes online and the smoke job succeeds, then tears down', () => {
    const r = run(aws('runner', ['--workflow', 'smoke.yml']));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.log, /aws ec2 run-instances --region us-east-1 --image-id ami-0abc/);
    assert.match(
      r.log,
      /curl POST .*\/workflows\/smoke\.yml\/dispatches .*"runner_label":"ingot-test-runner-ubuntu-v1-abc"/,
    );
    assert.match(
      r.log,
      /aws ec2 terminate-instances --region us-east-1 --instance-ids i-0123456789/,
    );
    assert.match(r.log, /curl DELETE .*\/actions\/runners\/7/);
    // The machine boots with the fleet's own boot script, unchanged: it registers itself.
    assert.equal(fs.readFileSync(path.join(dir, 'user-data'), 'utf8'), BOOT);
    assert.doesNotMatch(r.log, /registration-token/);
    assert.match(r.stdout, /passed: runner-ubuntu v1-abc/);
  });

  it('fails when the runner never comes online, and still tears down', () => {
    const r = run(aws(), { STUB_STATUS: 'offline' });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /runner ingot-test-runner-ubuntu-v1-abc coming online did not happen after 2 attempts/,
    );
    assert.match(r.log, /terminate-instances .*i-0123456789/);
    assert.match(r.log, /curl DELETE .*\/actions\/runners\/7/);
  });

  it('fails when the smoke job fails, and still tears down', () => {
    const r = run(aws('runner', ['--workflow', 'smoke.yml']), { STUB_CONCLUSION: 'failure' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /smoke workflow run 99 concluded failure/);
    assert.match(r.log, /terminate-instances/);
  });

  it('fails when the launch fails, with nothing to terminate but the registration removed', () => {
    const r = run(aws(), { STUB_LAUNCH: 'fail' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /could not launch ami-0abc/);
    assert.doesNotMatch(r.log, /terminate-instances/);
    assert.match(r.log, /curl GET .*\/actions\/runners\?/);
  });

  it('fails when the instance never passes its status checks, and still terminates it', () => {
    const r = run(aws('base'), { STUB_INSTANCE_STATUS: 'impaired' });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /instance i-0123456789 passing its status checks did not happen after 2 attempts/,
    );
    assert.match(r.log, /terminate-instances .*i-0123456789/);
  });

  it('launches a Mac only onto a host that has been scrubbed (available)', () => {
    const pending = run(aws('base', ['--host-id', 'h-0123456789abcdef0']), {
      STUB_HOST_STATE: 'pending',
    });
    assert.equal(pending.status, 1);
    assert.match(
      pending.stderr,
      /dedicated host h-0123456789abcdef0 becoming available \(scrubbed\) did not happen/,
    );
    assert.doesNotMatch(pending.log, /run-instances/);
    const ready = run(aws('base', ['--host-id', 'h-0123456789abcdef0']));
    assert.equal(ready.status, 0, ready.stderr);
    assert.match(ready.log, /run-instances .*--placement Tenancy=host,HostId=h-0123456789abcdef0/);
  });

  it('refuses a runner test without the fleet boot script', () => {
    const r = run(aws().filter((a, i, all) => a !== '--user-data' && all[i - 1] !== '--user-data'));
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /--user-data \(the fleet's boot script\) is required for --smoke runner/,
    );
    assert.equal(r.log, '');
  });

  it('refuses a runner test without a GitHub token before launching anything', () => {
    const r = run(aws(), { GITHUB_TOKEN: '' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /GITHUB_TOKEN is required for --smoke runner/);
    assert.equal(r.log, '');
  });

  it('tests a base image on GCP by its boot, and deletes the instance', () => {
    const r = run([
      '--mode',
      'gcp',
      '--smoke',
      'base',
      '--image',
      'projects/acme/global/images/ubuntu-base-1',
      '--region',
      'global',
      '--bucket',
      'ubuntu-base',
      '--fingerprint',
      'v1-abc',
      '--project',
      'acme-images',
      '--zone',
      'europe-west1-b',
      '--attempts',
      '2',
      '--interval',
      '0',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.log,
      /gcloud compute instances create ingot-test-ubuntu-base-v1-abc --project acme-images --zone europe-west1-b --image projects\/acme\/global\/images\/ubuntu-base-1/,
    );
    assert.match(r.log, /gcloud compute instances delete ingot-test-ubuntu-base-v1-abc/);
  });

  it('checks a local image and removes what it unpacked, pass or fail', () => {
    const image = path.join(dir, 'image.tar.gz');
    const root = path.join(dir, 'root');
    fs.mkdirSync(path.join(root, 'etc/ingot'), { recursive: true });
    fs.mkdirSync(path.join(root, 'etc/ssh/sshd_config.d'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/ingot/build-info.json'), '{"fingerprint": "v1-abc"}\n');
    fs.writeFileSync(
      path.join(root, 'etc/ssh/sshd_config.d/50-ingot-hardening.conf'),
      'PasswordAuthentication no\n',
    );
    // What `systemctl enable` / `systemctl mask` leave in an image: links to absolute paths
    // that exist only inside it.
    const units = path.join(root, 'etc/systemd/system');
    fs.mkdirSync(path.join(units, 'multi-user.target.wants'), { recursive: true });
    for (const unit of ['prometheus-node-exporter.service', 'auditd.service'])
      fs.symlinkSync(
        `/lib/systemd/system/${unit}`,
        path.join(units, 'multi-user.target.wants', unit),
      );
    fs.symlinkSync('/dev/null', path.join(units, 'apt-daily-upgrade.timer'));
    spawnSync('tar', ['-czf', image, '-C', root, '.']);
    const unmasked = path.join(dir, 'unmasked.tar.gz');
    fs.unlinkSync(path.join(units, 'apt-daily-upgrade.timer'));
    spawnSync('tar', ['-czf', unmasked, '-C', root, '.']);
    const args = (fp: string) => [
      '--mode',
      'local',
      '--smoke',
      'base',
      '--image',
      image,
      '--region',
      'local',
      '--bucket',
      'local-base',
      '--fingerprint',
      fp,
    ];
    const ok = run(args('v1-abc'));
    assert.equal(ok.status, 0, ok.stderr);
    const wrong = run(args('v2-def'));
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /was built for another version than v2-def/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'tmp')), [], 'the unpacked image is gone');
    const upgrades = run([...args('v1-abc').slice(0, 5), unmasked, ...args('v1-abc').slice(6)]);
    assert.equal(upgrades.status, 1);
    assert.match(
      upgrades.stderr,
      /runs unattended upgrades \(apt-daily-upgrade\.timer is not masked\)/,
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, 'tmp')), [], 'the unpacked images are gone');
    const runner = run([...args('v1-abc').map((a) => (a === 'base' ? 'runner' : a))]);
    assert.equal(runner.status, 1, 'a runner test boots the fleet boot script');
    assert.match(runner.stderr, /--user-data \(the fleet's boot script\) is required/);
  });
});
