import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv } from '../helpers/cli';
import { runIngot } from '../helpers/cli-in-process';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

interface Build {
  name: string;
  builder_type: string;
  artifact_id: string;
  custom_data: Record<string, string>;
}

/** A manifest as Packer's manifest post-processor writes it (one run). */
const manifest = (...builds: Build[]) => ({
  builds: builds.map((b) => ({ ...b, packer_run_uuid: 'run-1' })),
  last_run_uuid: 'run-1',
});

const aws = (ami: string, custom: Record<string, string>, name = 'runner'): Build => ({
  name,
  builder_type: 'amazon-ebs',
  artifact_id: `us-east-1:${ami}`,
  custom_data: custom,
});

describe('ingot publish guards: each refuses before writing anything and names the flag that fixes it', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const file = (name: string, content: unknown) => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, JSON.stringify(content));
    return target;
  };
  const ingot = (...args: string[]) => runIngot(args, { env });
  const bucketStatus = async (bucket: string) =>
    (await r.api('GET', `${r.packer()}/buckets/${bucket}`)).status;

  before(async () => {
    r = await startTestRegistry('sqlite');
    env = cliEnv(r);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-guards-'));
  });
  after(async () => {
    await r?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a manifest made for another bucket (custom_data.bucket), naming --bucket', async () => {
    const ubuntu = file(
      'ubuntu.json',
      manifest(aws('ami-0aaa1111111111111', { bucket: 'runner-ubuntu', fingerprint: 'fp-u1' })),
    );
    const wrong = await ingot('publish', '--manifest', ubuntu, '--bucket', 'runner-windows');
    assert.equal(wrong.status, 1);
    assert.equal(wrong.stdout, '');
    assert.match(
      wrong.stderr,
      /^ingot: --bucket is "runner-windows" but the builds in \S+ubuntu\.json were made for bucket "runner-ubuntu" \(custom_data\.bucket\); pass --bucket runner-ubuntu/,
    );
    assert.match(wrong.stderr, /Nothing was published\.$/m);
    assert.equal(await bucketStatus('runner-windows'), 404, 'no bucket was created');

    // The manifest names its bucket: no --bucket needed, and that bucket may be created.
    const right = await ingot('publish', '--manifest', ubuntu);
    assert.equal(right.status, 0, right.stderr);
    assert.match(right.stdout, /^Published v1 \(fp-u1\) to bucket "runner-ubuntu"/);
  });

  it('refuses a bucket that does not exist (a typo) unless --create-bucket, suggesting the near name', async () => {
    const bare = file(
      'bare.json',
      manifest(aws('ami-0ccc3333333333333', { fingerprint: 'fp-u2' })),
    );
    const typo = await ingot('publish', '--manifest', bare, '--bucket', 'runner-ubunto');
    assert.equal(typo.status, 1);
    assert.match(
      typo.stderr,
      /^ingot: bucket "runner-ubunto" does not exist in organization "org-1", project "proj-1"; did you mean "runner-ubuntu"\? Pass --create-bucket to create it\. Nothing was published\./,
    );
    assert.equal(await bucketStatus('runner-ubunto'), 404);
    const created = await ingot(
      'publish',
      '--manifest',
      bare,
      '--bucket',
      'runner-macos',
      '--create-bucket',
    );
    assert.equal(created.status, 0, created.stderr);
    assert.equal(await bucketStatus('runner-macos'), 200);
  });

  it('refuses to republish a fingerprint with other images, showing both sides, and changes nothing', async () => {
    const other = file(
      'other.json',
      manifest(aws('ami-0bbb2222222222222', { bucket: 'runner-ubuntu', fingerprint: 'fp-u1' })),
    );
    const conflict = await ingot('publish', '--manifest', other);
    assert.equal(conflict.status, 1);
    assert.match(
      conflict.stderr,
      /fingerprint "fp-u1" is already published as v1 of bucket "runner-ubuntu", with other images:\n {2}registry: aws us-east-1 ami-0aaa1111111111111 \(amazon-ebs\.runner\)\n {2}manifest: aws us-east-1 ami-0bbb2222222222222 \(amazon-ebs\.runner\)\n.*publish this manifest under a new --fingerprint\. Nothing was published\./,
    );
    const { version } = await r.ok('GET', `${r.packer()}/buckets/runner-ubuntu/versions/fp-u1`);
    assert.equal(version.builds[0].artifacts[0].external_identifier, 'ami-0aaa1111111111111');

    const same = await ingot('publish', '--manifest', path.join(dir, 'ubuntu.json'));
    assert.equal(same.status, 0);
    assert.match(
      same.stdout,
      /^v1 \(fp-u1\) of bucket "runner-ubuntu" was already published; nothing changed\.$/m,
    );
  });

  it('takes the project of googlecompute images from --gcp-project when the manifest has none', async () => {
    const gcp = file(
      'gcp.json',
      manifest({
        name: 'runner',
        builder_type: 'googlecompute',
        artifact_id: 'runner-ubuntu-2404-20260301',
        custom_data: { bucket: 'runner-ubuntu', fingerprint: 'fp-g1' },
      }),
    );
    const missing = await ingot('publish', '--manifest', gcp);
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /does not say its project; pass --gcp-project, or add custom_data \{ gcp_project_id/,
    );
    assert.equal(
      (await r.api('GET', `${r.packer()}/buckets/runner-ubuntu/versions/fp-g1`)).status,
      409,
      'no version was created (an unknown fingerprint is Aborted, as HCP answers Packer)',
    );
    const json = await ingot(
      'publish',
      '--manifest',
      gcp,
      '--gcp-project',
      'acme-images',
      '--json',
    );
    assert.equal(json.status, 0, json.stderr);
    assert.equal(
      JSON.parse(json.stdout).version.builds[0].artifacts[0].external_identifier,
      'projects/acme-images/global/images/runner-ubuntu-2404-20260301',
    );
  });

  it('records the parent given by --parent-channel or --parent-version, so revoking the base reaches the child', async () => {
    const base = file(
      'base.json',
      manifest(aws('ami-0ddd4444444444444', { bucket: 'runner-base', fingerprint: 'fp-b1' })),
    );
    assert.equal((await ingot('publish', '--manifest', base, '--channel', 'prod')).status, 0);
    const child = (fp: string, ami: string) =>
      file(`${fp}.json`, manifest(aws(ami, { bucket: 'runner-ci', fingerprint: fp })));

    const bad = await ingot(
      'publish',
      '--manifest',
      child('fp-c0', 'ami-0eee0000000000000'),
      '--parent-channel',
      'prod',
    );
    assert.equal(bad.status, 1);
    assert.match(
      bad.stderr,
      /--parent-channel "prod" must be <bucket>\/<channel>, e\.g\. --parent-channel runner-base\/prod/,
    );
    assert.equal(await bucketStatus('runner-ci'), 404, 'refused before anything was written');

    const byChannel = await ingot(
      'publish',
      '--manifest',
      child('fp-c1', 'ami-0eee1111111111111'),
      '--parent-channel',
      'runner-base/prod',
    );
    assert.equal(byChannel.status, 0, byChannel.stderr);
    assert.match(
      byChannel.stdout,
      /^Built from runner-base v1 \(fp-b1\) \(channel "prod"\): revoking it reaches this version\.$/m,
    );
    const byVersion = await ingot(
      'publish',
      '--manifest',
      child('fp-c2', 'ami-0eee2222222222222'),
      '--parent-version',
      'runner-base/v1',
    );
    assert.equal(byVersion.status, 0, byVersion.stderr);

    const baseVersion = (await r.ok('GET', `${r.packer()}/buckets/runner-base/versions/fp-b1`))
      .version;
    const prod = (await r.ok('GET', `${r.packer()}/buckets/runner-base/channels/prod`)).channel;
    const c1 = (await r.ok('GET', `${r.packer()}/buckets/runner-ci/versions/fp-c1`)).version;
    const c2 = (await r.ok('GET', `${r.packer()}/buckets/runner-ci/versions/fp-c2`)).version;
    assert.equal(c1.builds[0].parent_version_id, baseVersion.id);
    assert.equal(c1.builds[0].parent_channel_id, prod.id);
    assert.equal(c2.builds[0].parent_version_id, baseVersion.id);
    assert.equal(c2.builds[0].parent_channel_id, undefined);

    const revoked = await ingot(
      'revoke',
      'runner-base',
      'v1',
      '--message',
      'CVE-2026-0002',
      '--yes',
    );
    assert.equal(revoked.status, 0, revoked.stderr);
    assert.match(revoked.stdout, /^2 version\(s\) built from it inherited the revocation\.$/m);
    for (const fp of ['fp-c1', 'fp-c2']) {
      const { version } = await r.ok('GET', `${r.packer()}/buckets/runner-ci/versions/${fp}`);
      assert.equal(version.status, 'VERSION_REVOKED', fp);
      assert.equal(version.revocation_inherited_from.version_fingerprint, 'fp-b1');
    }
  });
});
