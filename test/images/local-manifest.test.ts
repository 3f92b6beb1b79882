import assert from 'node:assert/strict';
import { parseManifest } from '../../src/client/packer-manifest';

/**
 * Manifests of Packer's local builders (packer/local): their artifact_id is a constant
 * ("File" for `file`, "Null" for `null`, "" after `artifice`), so the artifact is the
 * build's file — otherwise every local version would have the same "image id".
 */
describe('local builder manifests', () => {
  const manifest = (builds: object[]) =>
    JSON.stringify({
      builds: builds.map((b) => ({ packer_run_uuid: 'r', ...b })),
      last_run_uuid: 'r',
    });

  it('identifies file and artifice artifacts by their file, in custom_data.region', () => {
    const builds = parseManifest(
      manifest([
        {
          name: 'x64',
          builder_type: 'file',
          artifact_id: 'File',
          files: [{ name: '/o/base-x64.tar.gz', size: 745 }],
          custom_data: { region: 'local', arch: 'x64' },
        },
        {
          name: 'arm64',
          builder_type: 'null',
          artifact_id: '',
          files: [{ name: '/o/base-arm64.tar.gz', size: 3 }],
        },
      ]),
      'packer-manifest.json',
    );
    assert.deepEqual(builds[0].artifacts, [
      { region: 'local', external_identifier: '/o/base-x64.tar.gz' },
    ]);
    assert.deepEqual(builds[0].labels, { arch: 'x64' });
    assert.deepEqual(builds[1].artifacts, [
      { region: 'local', external_identifier: '/o/base-arm64.tar.gz' },
    ]);
  });

  it('keeps real ids, and cloud artifacts, as they are', () => {
    const builds = parseManifest(
      manifest([
        { name: 'n', builder_type: 'null', artifact_id: 'Null', files: null },
        {
          name: 'd',
          builder_type: 'docker',
          artifact_id: 'sha256:abc',
          files: [{ name: 'ignored' }],
        },
        {
          name: 'a',
          builder_type: 'amazon-ebs',
          artifact_id: 'us-east-1:ami-0abc',
          files: [{ name: 'ignored' }],
        },
      ]),
      'packer-manifest.json',
    );
    assert.deepEqual(
      builds.map((b) => b.artifacts[0].external_identifier),
      ['Null', 'sha256:abc', 'ami-0abc'],
    );
  });
});
