import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  artifactsOf,
  ManifestError,
  parseManifest,
  platformOf,
  type ManifestBuild,
  type PackerManifest,
} from '../../src/client/packer-manifest';

const RUN_1 = '1b3f0c2e-0000-4000-8000-000000000001';
const RUN_2 = '1b3f0c2e-0000-4000-8000-000000000002';

function build(overrides: Partial<ManifestBuild> = {}): ManifestBuild {
  return {
    name: 'runner',
    builder_type: 'amazon-ebs',
    build_time: 1767225600,
    artifact_id: 'us-east-1:ami-0abc',
    packer_run_uuid: RUN_1,
    ...overrides,
  };
}

function manifest(builds: ManifestBuild[], lastRun: string | undefined = RUN_1): string {
  const doc: PackerManifest = { builds, last_run_uuid: lastRun };
  return JSON.stringify(doc);
}

function manifestError(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (error) {
    assert.ok(
      error instanceof ManifestError,
      `${(error as Error).name}: ${(error as Error).message}`,
    );
    return error;
  }
  assert.fail('expected a ManifestError');
}

describe('Packer manifest parsing', () => {
  describe('platformOf', () => {
    it('maps builder types to registry platforms', () => {
      assert.equal(platformOf('amazon-ebs'), 'aws');
      assert.equal(platformOf('amazon-ebssurrogate'), 'aws');
      assert.equal(platformOf('googlecompute'), 'gcp');
      assert.equal(platformOf('azure-arm'), 'azure');
      assert.equal(platformOf('docker'), 'docker');
    });
  });

  describe('AWS', () => {
    it('splits a multi-region artifact_id into one artifact per region', () => {
      const [parsed] = parseManifest(
        manifest([build({ artifact_id: 'us-east-1:ami-0abc,eu-west-1:ami-0def' })]),
        'packer-manifest.json',
      );
      assert.deepEqual(parsed, {
        platform: 'aws',
        componentType: 'amazon-ebs.runner',
        packerRunUuid: RUN_1,
        artifacts: [
          { region: 'us-east-1', external_identifier: 'ami-0abc' },
          { region: 'eu-west-1', external_identifier: 'ami-0def' },
        ],
        labels: {},
      });
    });

    it('accepts every AWS region shape (gov, multi-word) and spaces after commas', () => {
      assert.deepEqual(
        artifactsOf(
          build({
            artifact_id: 'us-gov-west-1:ami-01, ap-southeast-2:ami-02 ,il-central-1:ami-03',
          }),
        ),
        [
          { region: 'us-gov-west-1', external_identifier: 'ami-01' },
          { region: 'ap-southeast-2', external_identifier: 'ami-02' },
          { region: 'il-central-1', external_identifier: 'ami-03' },
        ],
      );
    });

    it('refuses a malformed pair, quoting it and the expected form', () => {
      for (const bad of [
        'ami-0abc',
        'us-east-1:i-0abc',
        'us-east-1:ami-0ABC',
        'useast1:ami-0abc',
        'us-east-1:ami-0abc,',
      ]) {
        const error = manifestError(() => artifactsOf(build({ artifact_id: bad })));
        assert.match(error.message, /build "runner" has AWS artifact/);
        assert.match(error.message, /expected "region:ami-…" \(e\.g\. us-east-1:ami-0abc123\)/);
      }
      assert.match(
        manifestError(() => artifactsOf(build({ artifact_id: 'us-east-1:ami-1,oops' }))).message,
        /AWS artifact "oops"/,
      );
    });

    it('round-trips any list of (region, ami) pairs through the artifact_id format', () => {
      const region = fc
        .tuple(
          fc.stringMatching(/^[a-z]{2}$/),
          fc.array(fc.stringMatching(/^[a-z]{1,9}$/), { minLength: 1, maxLength: 3 }),
          fc.integer({ min: 1, max: 99 }),
        )
        .map(([country, words, n]) => `${country}-${words.join('-')}-${n}`);
      const ami = fc.stringMatching(/^[0-9a-f]{8,17}$/).map((hex) => `ami-${hex}`);
      const separator = fc.constantFrom(',', ', ', ' ,');
      fc.assert(
        fc.property(
          fc.array(fc.record({ region, external_identifier: ami }), {
            minLength: 1,
            maxLength: 12,
          }),
          separator,
          (pairs, sep) => {
            const artifactId = pairs.map((p) => `${p.region}:${p.external_identifier}`).join(sep);
            const [parsed] = parseManifest(
              manifest([build({ artifact_id: artifactId })]),
              'm.json',
            );
            assert.deepEqual(
              parsed.artifacts,
              pairs.map((p) => ({ region: p.region, external_identifier: p.external_identifier })),
            );
          },
        ),
        { numRuns: 300 },
      );
    });
  });

  describe('GCP', () => {
    it('turns an image name into its global path in custom_data.gcp_project_id, region global', () => {
      const [parsed] = parseManifest(
        manifest([
          build({
            builder_type: 'googlecompute',
            artifact_id: 'runner-20260301',
            custom_data: { gcp_project_id: 'ingot-images' },
          }),
        ]),
        'm.json',
      );
      assert.equal(parsed.platform, 'gcp');
      assert.equal(parsed.componentType, 'googlecompute.runner');
      assert.deepEqual(parsed.artifacts, [
        {
          region: 'global',
          external_identifier: 'projects/ingot-images/global/images/runner-20260301',
        },
      ]);
      assert.deepEqual(parsed.labels, {}, 'gcp_project_id is not a label');
    });

    it('keeps an image path as is', () => {
      assert.deepEqual(
        artifactsOf(
          build({ builder_type: 'googlecompute', artifact_id: 'projects/p/global/images/img' }),
        ),
        [{ region: 'global', external_identifier: 'projects/p/global/images/img' }],
      );
    });

    it('needs the project for a bare image name, and says how to add it', () => {
      const error = manifestError(() =>
        artifactsOf(build({ builder_type: 'googlecompute', artifact_id: 'runner-1' })),
      );
      assert.match(error.message, /build "runner" is a googlecompute image "runner-1"/);
      assert.match(error.message, /custom_data \{ gcp_project_id = var\.project_id \}/);
    });
  });

  describe('other builders', () => {
    it('keep their id, in custom_data.region or local', () => {
      assert.deepEqual(artifactsOf(build({ builder_type: 'docker', artifact_id: 'sha256:abc' })), [
        { region: 'local', external_identifier: 'sha256:abc' },
      ]);
      assert.deepEqual(
        artifactsOf(
          build({
            builder_type: 'azure-arm',
            artifact_id: '/subscriptions/s/images/i',
            custom_data: { region: 'westeurope' },
          }),
        ),
        [{ region: 'westeurope', external_identifier: '/subscriptions/s/images/i' }],
      );
    });
  });

  describe('parseManifest', () => {
    it('keeps only the last run’s builds', () => {
      const parsed = parseManifest(
        manifest(
          [
            build({ name: 'old', packer_run_uuid: RUN_1, artifact_id: 'us-east-1:ami-01' }),
            build({ name: 'runner-x64', packer_run_uuid: RUN_2, artifact_id: 'us-east-1:ami-02' }),
            build({
              name: 'runner-arm64',
              packer_run_uuid: RUN_2,
              artifact_id: 'us-east-1:ami-03',
            }),
          ],
          RUN_2,
        ),
        'm.json',
      );
      assert.deepEqual(
        parsed.map((b) => [b.componentType, b.packerRunUuid]),
        [
          ['amazon-ebs.runner-x64', RUN_2],
          ['amazon-ebs.runner-arm64', RUN_2],
        ],
      );
    });

    it('keeps the builds of an explicit run instead of the last one', () => {
      const text = manifest(
        [
          build({ name: 'old', packer_run_uuid: RUN_1 }),
          build({ name: 'new', packer_run_uuid: RUN_2 }),
        ],
        RUN_2,
      );
      assert.deepEqual(
        parseManifest(text, 'm.json', RUN_1).map((b) => b.componentType),
        ['amazon-ebs.old'],
      );
    });

    it('keeps every build when the manifest names no run', () => {
      const text = JSON.stringify({
        builds: [
          build({ name: 'a', packer_run_uuid: undefined }),
          build({ name: 'b', packer_run_uuid: RUN_2 }),
        ],
      });
      assert.deepEqual(
        parseManifest(text, 'm.json').map((b) => [b.componentType, b.packerRunUuid]),
        [
          ['amazon-ebs.a', ''],
          ['amazon-ebs.b', RUN_2],
        ],
      );
    });

    it('turns custom_data into labels, except the keys it uses itself', () => {
      const [parsed] = parseManifest(
        manifest([
          build({
            custom_data: {
              os_version: 'ubuntu-24.04',
              runner_version: '2.330.0',
              bucket: 'b',
              fingerprint: 'f',
              region: 'r',
              gcp_project_id: 'p',
            },
          }),
        ]),
        'm.json',
      );
      assert.deepEqual(parsed.labels, { os_version: 'ubuntu-24.04', runner_version: '2.330.0' });
    });

    it('explains what is wrong with a malformed manifest', () => {
      const cases: [string, RegExp][] = [
        ['{"builds": [', /^out\/manifest\.json is not JSON: /],
        [
          '{}',
          /^out\/manifest\.json has no "builds" list; is it the output of Packer's manifest post-processor\?$/,
        ],
        ['null', /has no "builds" list/],
        ['{"builds": {}}', /has no "builds" list/],
        ['{"builds": []}', /^out\/manifest\.json has no builds\.$/],
        [
          manifest([build({ packer_run_uuid: RUN_1 })], RUN_2),
          new RegExp(`^out/manifest\\.json has no builds for run ${RUN_2}\\.$`),
        ],
        [manifest([build({ name: '' })]), /has a build without name or builder_type/],
        [manifest([build({ builder_type: '' })]), /has a build without name or builder_type/],
        [
          manifest([build({ artifact_id: '  ' })]),
          /build "runner" \(amazon-ebs\) has an empty artifact_id/,
        ],
        [
          JSON.stringify({ builds: [{ name: 'runner', builder_type: 'amazon-ebs' }] }),
          /build "runner" \(amazon-ebs\) has an empty artifact_id/,
        ],
      ];
      for (const [text, expected] of cases) {
        const error = manifestError(() => parseManifest(text, 'out/manifest.json'));
        assert.match(error.message, expected, `for ${text}`);
      }
    });

    it('a build that is not an object, or a field of the wrong type, is a ManifestError', () => {
      const cases: [string, string][] = [
        ['{"builds": [null]}', 'out/manifest.json has a build that is not an object (builds[0]).'],
        [
          `{"last_run_uuid": "${RUN_1}", "builds": [{"name": "a", "builder_type": "docker", "artifact_id": "x", "packer_run_uuid": "${RUN_1}"}, "runner"]}`,
          'out/manifest.json has a build that is not an object (builds[1]).',
        ],
        [
          JSON.stringify({ builds: [{ name: 'runner', builder_type: 'docker', artifact_id: 42 }] }),
          'build "runner" (docker) has an artifact_id that is not a string: 42.',
        ],
        [
          JSON.stringify({ builds: [{ name: 'runner', builder_type: 7, artifact_id: 'x' }] }),
          'out/manifest.json has a build without name or builder_type.',
        ],
      ];
      for (const [text, expected] of cases) {
        assert.equal(
          manifestError(() => parseManifest(text, 'out/manifest.json')).message,
          expected,
        );
      }
    });
  });
});
