import assert from 'node:assert/strict';
import { describeEachEngine, imageId } from '../helpers/registry-harness';

const AWS_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

describeEachEngine('registry lifecycle over HTTP', (registry) => {
  const bucket = 'runner-ubuntu';
  const base = () => `${registry().packer()}/buckets/${bucket}`;

  it('publishes a version with AWS builds in 3 regions and a GCP build', async () => {
    const version = await registry().publish(bucket, 'fp-1', [
      { platform: 'aws', regions: AWS_REGIONS },
      { platform: 'gcp', regions: ['us-west2'] },
    ]);
    assert.equal(version.name, 'v1');
    assert.equal(version.status, 'VERSION_ACTIVE');
    assert.equal(version.bucket_name, bucket);
    assert.deepEqual(
      version.builds.map((b: any) => [b.platform, b.artifacts.map((a: any) => a.region)]),
      [
        ['aws', AWS_REGIONS],
        ['gcp', ['us-west2']],
      ],
    );
    assert.equal(
      version.builds[0].artifacts[1].external_identifier,
      imageId('aws', 'fp-1', 'us-west-2'),
    );

    const got = await registry().ok('GET', base());
    assert.equal(got.bucket.latest_version.fingerprint, 'fp-1');
    assert.deepEqual(got.bucket.platforms, ['aws', 'gcp']);
    assert.equal(got.bucket.version_count, '1');
  });

  it('creating the same fingerprint again returns the existing version', async () => {
    const again = await registry().ok('POST', `${base()}/versions`, { fingerprint: 'fp-1' });
    assert.equal(again.version.name, 'v1');
    assert.equal(again.version.builds.length, 2);
  });

  it('assigns dev, then staging from dev, with history', async () => {
    const dev = await registry().ok('POST', `${base()}/channels`, {
      name: 'dev',
      version_fingerprint: 'fp-1',
    });
    assert.equal(dev.channel.version.fingerprint, 'fp-1');
    await registry().ok('POST', `${base()}/channels`, { name: 'staging' });
    const assigned = await registry().ok('POST', `${base()}/channels/assign`, {
      source_channel: 'dev',
      target_channel: 'staging',
    });
    assert.equal(assigned.fingerprint, 'fp-1');
    assert.equal(assigned.target_channel.version.name, 'v1');
    const staging = await registry().ok('GET', `${base()}/channels/staging`);
    assert.equal(staging.channel.version.fingerprint, 'fp-1');
    // The hot read path carries the builds and artifacts a consumer needs.
    const usEast = staging.channel.version.builds[0].artifacts.find(
      (a: any) => a.region === 'us-east-1',
    );
    assert.equal(usEast.external_identifier, imageId('aws', 'fp-1', 'us-east-1'));
  });

  it('publishes a newer version and moves both channels to it', async () => {
    const v2 = await registry().publish(bucket, 'fp-2', [
      { platform: 'aws', regions: AWS_REGIONS },
      { platform: 'gcp', regions: ['us-west2'] },
    ]);
    assert.equal(v2.name, 'v2');
    await registry().ok('PATCH', `${base()}/channels/dev`, { version_fingerprint: 'fp-2' });
    await registry().ok('PATCH', `${base()}/channels/staging`, {
      version_fingerprint: 'fp-2',
      update_mask: 'versionFingerprint',
    });
    const latest = await registry().ok('GET', `${base()}/channels/latest`);
    assert.equal(latest.channel.managed, true);
    assert.equal(latest.channel.version.fingerprint, 'fp-2');
    const versions = await registry().ok('GET', `${base()}/versions`);
    assert.deepEqual(
      versions.versions.map((v: any) => v.name),
      ['v2', 'v1'],
    );
  });

  it('revoking the newer version rolls every channel back to the previous one', async () => {
    const revoked = await registry().ok('PATCH', `${base()}/versions/fp-2`, {
      revoke_in: '0s',
      revocation_message: 'CVE-2026-0001 in openssl',
    });
    assert.equal(revoked.version.status, 'VERSION_REVOKED');
    assert.equal(revoked.version.revocation_message, 'CVE-2026-0001 in openssl');
    assert.equal(revoked.version.revocation_type, 'MANUAL');
    assert.equal(revoked.version.revocation_author, registry().admin.clientId);
    for (const channel of ['dev', 'staging', 'latest']) {
      const got = await registry().ok('GET', `${base()}/channels/${channel}`);
      assert.equal(got.channel.version.fingerprint, 'fp-1', `${channel} rolled back`);
    }
    const history = await registry().ok('GET', `${base()}/channels/dev/history`);
    assert.deepEqual(
      history.history.map((h: any) => h.version.fingerprint),
      ['fp-1', 'fp-2', 'fp-1'],
    );
    assert.equal(history.history[0].author_id, 'ingot:revocation-rollback');
    assert.equal(history.count, 3);
  });

  it('a revoked version cannot be assigned, and revoking twice is a conflict', async () => {
    const assign = await registry().api('PATCH', `${base()}/channels/dev`, {
      version_fingerprint: 'fp-2',
    });
    // FailedPrecondition: 400, as grpc-gateway maps code 9 (runtime/errors.go).
    assert.equal(assign.status, 400);
    assert.equal(assign.body.code, 9);
    assert.match(assign.body.message, /revoked \(CVE-2026-0001 in openssl\)/);
    const again = await registry().api('PATCH', `${base()}/versions/fp-2`, { revoke_in: '0s' });
    assert.equal(again.status, 400);
    assert.equal(again.body.details[0].reason, 'VERSION_ALREADY_REVOKED');
  });

  it('restores the version: active again, channels stay where they are', async () => {
    const restored = await registry().ok('PATCH', `${base()}/versions/fp-2`, { restore: true });
    assert.equal(restored.version.status, 'VERSION_ACTIVE');
    assert.equal(restored.version.revoke_at, undefined);
    const dev = await registry().ok('GET', `${base()}/channels/dev`);
    assert.equal(dev.channel.version.fingerprint, 'fp-1');
    const latest = await registry().ok('GET', `${base()}/channels/latest`);
    assert.equal(latest.channel.version.fingerprint, 'fp-2');
  });

  it('finds which bucket, version and build hold an image', async () => {
    const id = imageId('aws', 'fp-1', 'eu-west-1');
    const found = await registry().ok('POST', `${registry().packer()}/_search/external_artifact`, {
      external_identifier: id,
      platform: 'aws',
      region: 'eu-west-1',
    });
    assert.equal(found.artifacts.length, 1);
    assert.equal(found.artifacts[0].bucket.name, bucket);
    assert.equal(found.artifacts[0].version.fingerprint, 'fp-1');
    assert.equal(found.artifacts[0].version.status, 'VERSION_ACTIVE');
    const wrongRegion = await registry().ok(
      'POST',
      `${registry().packer()}/_search/external_artifact`,
      {
        external_identifier: id,
        region: 'us-east-1',
      },
    );
    assert.equal(wrongRegion.artifacts.length, 0);
    const otherProject = await registry().ok(
      'POST',
      `${registry().packer('org-1', 'proj-2')}/_search/external_artifact`,
      {
        external_identifier: id,
      },
    );
    assert.equal(otherProject.artifacts.length, 0);
  });

  it('records every change in the audit log, newest first', async () => {
    const audit = await registry().ok('GET', `${registry().ingot()}/audit-events`);
    const actions = audit.events.map((e: any) => e.action);
    assert.equal(actions[0], 'version.restore');
    for (const action of [
      'bucket.create',
      'version.create',
      'build.create',
      'version.complete',
      'channel.create',
      'channel.assign',
      'version.revoke',
    ]) {
      assert.ok(actions.includes(action), `audit has ${action}`);
    }
    assert.ok(audit.events.every((e: any) => e.principal_id));
  });
});
