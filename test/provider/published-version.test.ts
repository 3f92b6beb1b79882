import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  publishedVersionProvider,
  type PublishedVersionInputs,
  type PublishedVersionOutputs,
} from '../../src/provider/published-version';
import { useRegistryEnv } from '../helpers/provider-env';
import { describeEachEngine } from '../helpers/registry-harness';

const p = publishedVersionProvider as Required<typeof publishedVersionProvider>;

function manifest(run: string, amis: Record<string, string>): string {
  return JSON.stringify({
    builds: [
      {
        name: 'runner',
        builder_type: 'amazon-ebs',
        build_time: 1767225600,
        artifact_id: Object.entries(amis)
          .map(([region, ami]) => `${region}:${ami}`)
          .join(','),
        packer_run_uuid: run,
        custom_data: { bucket: 'runner-ubuntu', fingerprint: 'x', runner_version: '2.330.0' },
      },
      {
        name: 'runner',
        builder_type: 'googlecompute',
        artifact_id: 'runner-ubuntu-20260301',
        packer_run_uuid: run,
        custom_data: { gcp_project_id: 'ingot-images' },
      },
    ],
    last_run_uuid: run,
  });
}

describeEachEngine('PublishedVersion provider', (registry) => {
  useRegistryEnv(registry);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-pv-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('publishes a manifest file as a complete version with ancestry, idempotently', async () => {
    const r = registry();
    await r.publish('ubuntu-base', 'base-1', [{ platform: 'aws', regions: ['us-east-1'] }]);
    await r.ok('POST', `${r.packer()}/buckets/ubuntu-base/channels`, {
      name: 'prod',
      version_fingerprint: 'base-1',
    });
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(
      file,
      manifest('run-1', { 'us-east-1': 'ami-0aaa1', 'eu-west-1': 'ami-0bbb2' }),
    );
    const inputs: PublishedVersionInputs = {
      bucket: 'runner-ubuntu',
      fingerprint: 'tmpl-abc+commit-1',
      manifestPath: file,
      bucketDescription: 'GitHub runner on Ubuntu',
      buildLabels: { git_commit: 'commit-1' },
      parent: { bucket: 'ubuntu-base', channel: 'prod' },
      expectBuilds: ['amazon-ebs.runner', 'googlecompute.runner'],
    };
    assert.deepEqual((await p.check({} as PublishedVersionInputs, inputs)).failures, []);
    const { id, outs } = await p.create(inputs);
    assert.equal(id, 'runner-ubuntu/tmpl-abc+commit-1');
    const out = outs as PublishedVersionOutputs;
    assert.equal(out.versionName, 'v1');
    // Keyed by platform, region and component type: x64 and arm64 builds stay apart.
    assert.deepEqual(out.images, {
      'aws/us-east-1/amazon-ebs.runner': 'ami-0aaa1',
      'aws/eu-west-1/amazon-ebs.runner': 'ami-0bbb2',
      'gcp/global/googlecompute.runner':
        'projects/ingot-images/global/images/runner-ubuntu-20260301',
    });
    const version = (
      await r.ok('GET', `${r.packer()}/buckets/runner-ubuntu/versions/tmpl-abc+commit-1`)
    ).version;
    assert.equal(version.status, 'VERSION_ACTIVE');
    assert.equal(version.builds[0].labels.runner_version, '2.330.0');
    assert.equal(version.builds[0].labels.git_commit, 'commit-1');
    assert.equal(version.parents.status, 'UP_TO_DATE');

    const again = await p.create(inputs);
    assert.equal((again.outs as PublishedVersionOutputs).versionId, out.versionId);
    const listed = await r.ok('GET', `${r.packer()}/buckets/runner-ubuntu/versions`);
    assert.equal(listed.versions.length, 1);
    assert.equal(listed.versions[0].builds.length, 2);

    const diffSame = await p.diff(id, out, { ...inputs, manifest: undefined });
    assert.equal(diffSame.changes, false);
    const diffNew = await p.diff(id, out, { ...inputs, fingerprint: 'tmpl-abc+commit-2' });
    assert.deepEqual(diffNew.replaces, ['fingerprint']);
    assert.equal(((await p.read(id, out)).props as PublishedVersionOutputs).versionName, 'v1');
  });

  it('publishes nothing complete when an expected build is missing', async () => {
    const inputs: PublishedVersionInputs = {
      bucket: 'runner-ubuntu',
      fingerprint: 'partial-1',
      manifest: manifest('run-2', { 'us-east-1': 'ami-0ccc3' }),
      expectBuilds: ['amazon-ebs.runner', 'amazon-ebs.runner-arm64'],
    };
    await assert.rejects(
      p.create(inputs),
      /lacks build\(s\) amazon-ebs\.runner-arm64 of fingerprint "partial-1"/,
    );
    const missing = await registry().api(
      'GET',
      `${registry().packer()}/buckets/runner-ubuntu/versions/partial-1`,
    );
    // No version: HCP answers an unknown fingerprint with Aborted (409), as Packer expects.
    assert.equal(missing.status, 409);
  });

  it('checks its inputs and revokes on delete only when asked', async () => {
    const { failures } = await p.check(
      {} as PublishedVersionInputs,
      { bucket: '', fingerprint: '' } as PublishedVersionInputs,
    );
    assert.deepEqual(
      failures?.map((f) => f.property),
      ['bucket', 'fingerprint', 'manifestPath'],
    );
    const inputs: PublishedVersionInputs = {
      bucket: 'runner-ubuntu',
      fingerprint: 'to-delete',
      manifest: manifest('run-3', { 'us-east-1': 'ami-0ddd4' }),
      consumer: { project: 'images', stack: 'dev' },
    };
    const { id, outs } = await p.create(inputs);
    await p.delete(id, outs);
    const kept = (
      await registry().ok('GET', `${registry().packer()}/buckets/runner-ubuntu/versions/to-delete`)
    ).version;
    assert.equal(kept.status, 'VERSION_ACTIVE');
    await p.delete(id, { ...outs, revokeOnDelete: true });
    const revoked = (
      await registry().ok('GET', `${registry().packer()}/buckets/runner-ubuntu/versions/to-delete`)
    ).version;
    assert.equal(revoked.status, 'VERSION_REVOKED');
    assert.equal(revoked.revocation_message, 'removed from images/dev');
  });
});
