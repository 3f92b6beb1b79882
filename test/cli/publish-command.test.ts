import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv, ingot, ingotJson, ingotOk } from '../helpers/cli';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

/** A manifest as Packer's manifest post-processor appends it: two runs, the last one wins. */
function manifest(fingerprint: string | null) {
  const custom = (extra: Record<string, string>) =>
    fingerprint
      ? { bucket: 'runner-ubuntu', fingerprint, os: 'ubuntu-24.04', ...extra }
      : { bucket: 'runner-ubuntu', os: 'ubuntu-24.04', ...extra };
  return {
    builds: [
      {
        name: 'runner',
        builder_type: 'amazon-ebs',
        artifact_id: 'us-east-1:ami-0old0000000000000',
        packer_run_uuid: 'run-old',
        custom_data: custom({}),
      },
      {
        name: 'runner',
        builder_type: 'amazon-ebs',
        artifact_id: 'us-east-1:ami-0aaa1111111111111,eu-west-1:ami-0bbb2222222222222',
        packer_run_uuid: 'run-new',
        custom_data: custom({}),
      },
      {
        name: 'runner',
        builder_type: 'googlecompute',
        artifact_id: 'runner-ubuntu-2404-20260301',
        packer_run_uuid: 'run-new',
        custom_data: custom({ gcp_project_id: 'ingot-images' }),
      },
    ],
    last_run_uuid: 'run-new',
  };
}

describe('ingot publish (against a live registry)', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const file = (name: string, content: unknown) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  };

  before(async function () {
    registry = await startTestRegistry('sqlite');
    env = cliEnv(registry);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-publish-'));
  });
  after(async () => {
    await registry?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the last run of a manifest as a complete version, idempotently', async () => {
    const packerManifest = file('packer-manifest.json', manifest('fp-manifest-1'));
    const args = ['publish', '--bucket', 'runner-ubuntu', '--manifest', packerManifest];
    const out = await ingotOk([...args, '--channel', 'dev', '--label', 'git_sha=abc123'], env);
    assert.match(
      out,
      /^Published v1 \(fp-manifest-1\) to bucket "runner-ubuntu": 2 build\(s\), 3 image\(s\)\.$/m,
    );
    assert.match(out, /^ {2}aws eu-west-1 ami-0bbb2222222222222$/m);
    assert.match(
      out,
      /^ {2}gcp global projects\/ingot-images\/global\/images\/runner-ubuntu-2404-20260301$/m,
    );
    assert.match(out, /^Channel "dev" now serves v1 \(fp-manifest-1\)\.$/m);
    assert.doesNotMatch(out, /ami-0old/, 'only the last run is published');

    const { version } = await registry.ok(
      'GET',
      `${registry.packer()}/buckets/runner-ubuntu/versions/fp-manifest-1`,
    );
    assert.equal(version.status, 'VERSION_ACTIVE');
    assert.deepEqual(
      version.builds.map((b: any) => [b.platform, b.component_type, b.labels]).sort(),
      [
        ['aws', 'amazon-ebs.runner', { os: 'ubuntu-24.04', git_sha: 'abc123' }],
        ['gcp', 'googlecompute.runner', { os: 'ubuntu-24.04', git_sha: 'abc123' }],
      ],
    );

    const again = await ingotJson([...args, '--channel', 'dev'], env);
    assert.equal(again.published, false);
    assert.equal(again.version.name, 'v1');
    assert.equal(again.channel.version.fingerprint, 'fp-manifest-1');
    const versions = await registry.ok(
      'GET',
      `${registry.packer()}/buckets/runner-ubuntu/versions`,
    );
    assert.equal(versions.versions.length, 1, 'publishing again creates nothing');

    // --fingerprint wins over custom_data.fingerprint.
    const other = await ingotJson([...args, '--fingerprint', 'fp-override'], env);
    assert.equal(other.published, true);
    assert.equal(other.version.fingerprint, 'fp-override');
    assert.equal(other.version.name, 'v2');
    assert.equal(other.channel, null);
  });

  it('refuses a manifest without a fingerprint and a bad --label', async () => {
    const bare = file('bare.json', manifest(null));
    const [noFingerprint, badLabel] = await Promise.all([
      ingot(['publish', '--bucket', 'runner-ubuntu', '--manifest', bare], env),
      ingot(
        ['publish', '--bucket', 'runner-ubuntu', '--manifest', bare, '--label', 'git_sha'],
        env,
      ),
    ]);
    assert.equal(noFingerprint.status, 1);
    assert.equal(badLabel.status, 2, 'a bad flag value is a usage error');
    for (const result of [noFingerprint, badLabel]) {
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^ingot: /);
    }
    assert.match(
      noFingerprint.stderr,
      /--fingerprint is missing and the builds in .*bare\.json carry no custom_data\.fingerprint/,
    );
    assert.match(
      badLabel.stderr,
      /'--label <key=value>' argument 'git_sha' is invalid\. use key=value/,
    );
  });
});
