import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GoldenImage } from '../../src/images/golden-image';
import { LOCAL_ARCH } from '../../src/images/template-catalog';
import { valueOf } from '../helpers/pulumi-mocks';
import { useRegistryEnv } from '../helpers/provider-env';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';
import { LocalEngine } from './helpers/local-engine';

/**
 * A provisioning script that fails (test/fixtures/scripts/broken-install.sh: a package
 * the archive does not have) fails the local build with the real `packer` and the real
 * Debian root file system: the step names the script and shows its output, no manifest
 * is printed, and nothing is published.
 */
const ROOT = path.resolve(__dirname, '../..');

describe('image pipeline build failures (real packer, Debian root file system)', function () {
  this.timeout(20 * 60_000);
  let registry: TestRegistry;
  let workDir: string;
  before(async () => {
    registry = await startTestRegistry('sqlite');
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-images-fail-'));
  });
  after(async () => {
    fs.rmSync(workDir, { recursive: true, force: true });
    await registry?.close();
    LocalEngine.forgetPending();
  });
  useRegistryEnv(() => registry);

  it('a failing script fails the build with its message, and nothing is published', async () => {
    const engine = new LocalEngine('ingot-images', 'dev').install();
    const image = new GoldenImage('broken-base', {
      templateDir: 'packer/local',
      root: ROOT,
      workDir,
      commit: 'test',
      sources: [`file.${LOCAL_ARCH}`],
      variables: {
        layer: 'base',
        scripts: [
          'packer/scripts/linux/wait-for-cloud-init.sh',
          'test/fixtures/scripts/broken-install.sh',
        ],
      },
    });
    const error = await engine.failure('broken-base-build', 20 * 60_000);
    assert.match(error.message, /ingot: 1 build\(s\) failed, so no complete version is published/);
    assert.match(
      error.message,
      /broken-install\.sh: installing the team's tools/,
      'the script output',
    );
    assert.match(error.message, /E: Unable to locate package ingot-no-such-package/);
    assert.match(
      error.message,
      /provisioning script test\/fixtures\/scripts\/broken-install\.sh failed \(exit 100\); the image is not built/,
    );
    assert.doesNotMatch(engine.find('broken-base-build')!.output!.stdout, /::ingot-manifest::/);
    assert.equal(engine.find('broken-base-version'), undefined, 'PublishedVersion never ran');
    const fingerprint = await valueOf(image.fingerprint);
    const missing = await registry.api(
      'GET',
      `${registry.packer()}/buckets/broken-base/versions/${fingerprint}`,
    );
    assert.equal(missing.status, 404);
  });
});
