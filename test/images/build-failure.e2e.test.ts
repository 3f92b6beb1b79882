import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GoldenImage } from '../../src/images/golden-image';
import { publishedVersionProvider } from '../../src/provider/published-version';
import { useRegistryEnv } from '../helpers/provider-env';
import { valueOf } from '../helpers/pulumi-mocks';
import { describeEachEngine } from '../helpers/registry-harness';
import { LocalEngine } from './helpers/local-engine';

/**
 * Failure paths with the real `packer`: one architecture's runner package fails its
 * checksum, so Packer writes a partial manifest (x64 only) and exits 1. The build step
 * fails naming the build and the reason, and nothing is published: neither by the
 * pipeline (PublishedVersion is never created) nor by hand from that manifest.
 */
const ROOT = path.resolve(__dirname, '../..');
const BAD_SHA = '0'.repeat(64);

describeEachEngine('image pipeline build failures (real packer)', (registry) => {
  useRegistryEnv(registry);
  let workDir: string;
  before(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-images-fail-'))));
  after(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
    LocalEngine.forgetPending();
  });

  it('a partial manifest publishes nothing and the error names the failed build', async function () {
    this.timeout(120_000);
    const engine = new LocalEngine('ingot-images', 'dev').install();
    const common = { templateDir: 'packer/local', root: ROOT, workDir, commit: 'test' };
    const base = new GoldenImage('fail-base', {
      ...common,
      sources: ['file.x64', 'file.arm64'],
      variables: { layer: 'base' },
    });
    await engine.done('fail-base-dev');

    const broken = new GoldenImage('fail-runner', {
      ...common,
      sources: ['file.x64', 'file.arm64'],
      variables: { layer: 'runner', runner_sha256_arm64: BAD_SHA },
      parent: {
        bucket: 'fail-base',
        channel: 'dev',
        images: [
          {
            variable: 'parent_image_x64',
            platform: 'file',
            region: 'local',
            componentType: 'file.x64',
          },
          {
            variable: 'parent_image_arm64',
            platform: 'file',
            region: 'local',
            componentType: 'file.arm64',
          },
        ],
        after: [base],
      },
    });
    const error = await engine.failure('fail-runner-build');
    assert.match(error.message, /ingot: 1 build\(s\) failed, so no complete version is published/);
    assert.match(error.message, /file\.arm64: .*checksum mismatch/);
    assert.match(error.message, /finished but not published: file\.x64/);

    const fingerprint = await valueOf(broken.fingerprint);
    const manifestPath = path.join(workDir, 'fail-runner', fingerprint, 'packer-manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    assert.deepEqual(
      manifest.builds.map((b: { name: string }) => b.name),
      ['x64'],
      'Packer wrote a partial manifest',
    );
    assert.equal(engine.find('fail-runner-version'), undefined, 'PublishedVersion never ran');
    const missing = await registry().api(
      'GET',
      `${registry().packer()}/buckets/fail-runner/versions/${fingerprint}`,
    );
    assert.equal(missing.status, 404);

    // Publishing that manifest by hand is refused too, naming the missing build.
    await assert.rejects(
      publishedVersionProvider.create!({
        bucket: 'fail-runner',
        fingerprint,
        manifestPath,
        expectBuilds: ['file.x64', 'file.arm64'],
      }),
      /lacks build\(s\) file\.arm64 of fingerprint/,
    );
    const still = await registry().api(
      'GET',
      `${registry().packer()}/buckets/fail-runner/versions/${fingerprint}`,
    );
    assert.equal(still.status, 404);
  });
});
