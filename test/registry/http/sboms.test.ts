import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describeEachEngine, type TestRegistry } from '../../helpers/registry-harness';

const FIXTURES = path.resolve(__dirname, '../../fixtures/sbom');
const CYCLONEDX = fs.readFileSync(path.join(FIXTURES, 'cyclonedx.json'));
const SPDX = fs.readFileSync(path.join(FIXTURES, 'spdx.json'));

/**
 * zstd at its best compression, as Packer compresses an SBOM before upload
 * (hashicorp/packer packer/provisioner.go, SBOMInternalProvisioner.Provision:
 * zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression)).EncodeAll).
 */
const zstd = (data: Buffer, level = 19): Buffer =>
  execFileSync('zstd', [`-${level}`, '-q', '-c'], { input: data });

/**
 * The UploadSbom body as hcp-sdk-go marshals Packer's call (internal/hcp/api/
 * service_build.go, Client.UploadSbom): `compressed_sbom` is strfmt.Base64 (standard
 * base64), `format` CYCLONEDX or SPDX, `name` left out when the template set no sbom_name.
 */
const uploadBody = (raw: Buffer, format: string, name?: string, level?: number) => ({
  compressed_sbom: zstd(raw, level).toString('base64'),
  format,
  ...(name ? { name } : {}),
});

describeEachEngine(
  'SBOMs and packages (HCP UploadSbom, ListSboms, GetSbom, List*Packages)',
  (registry) => {
    let buildUrl: string;
    let buildId: string;
    let otherBuildId: string;

    /** Packer's order: the build is still RUNNING when its SBOMs are uploaded. */
    before(async () => {
      const r = registry();
      const base = `${r.packer()}/buckets/sbom-runner`;
      await r.ok('PUT', `${r.packer()}/buckets`, { name: 'sbom-runner' });
      await r.ok('POST', `${base}/versions`, { fingerprint: 'fp-sbom' });
      const build = await r.ok('POST', `${base}/versions/fp-sbom/builds`, {
        platform: 'aws',
        component_type: 'amazon-ebs.ubuntu',
        status: 'BUILD_RUNNING',
      });
      const other = await r.ok('POST', `${base}/versions/fp-sbom/builds`, {
        platform: 'gcp',
        component_type: 'googlecompute.ubuntu',
        status: 'BUILD_RUNNING',
      });
      buildId = build.build.id;
      otherBuildId = other.build.id;
      buildUrl = `${base}/versions/fp-sbom/builds/${buildId}`;
    });

    const complete = async (r: TestRegistry) => {
      const base = `${r.packer()}/buckets/sbom-runner/versions/fp-sbom`;
      for (const [id, platform] of [
        [buildId, 'aws'],
        [otherBuildId, 'gcp'],
      ]) {
        await r.ok('PATCH', `${base}/builds/${id}`, {
          status: 'BUILD_DONE',
          platform,
          artifacts: [{ external_identifier: `img-${id}`, region: 'us-east-1' }],
        });
      }
      await r.ok('PATCH', base, { complete: true });
    };

    it('UploadSbom takes CycloneDX and SPDX as Packer sends them; ListSboms lists them', async () => {
      const r = registry();
      const cdx = await r.ok(
        'PUT',
        `${buildUrl}/sboms`,
        uploadBody(CYCLONEDX, 'CYCLONEDX', 'os-packages'),
      );
      assert.equal(cdx.sbom.name, 'os-packages');
      assert.equal(cdx.sbom.format, 'CYCLONEDX');
      assert.match(cdx.sbom.id, /^[0-9A-Z]{26}$/);
      const spdx = await r.ok('PUT', `${buildUrl}/sboms`, uploadBody(SPDX, 'SPDX'));
      assert.equal(spdx.sbom.name, 'fp-sbom', 'unnamed: named after the fingerprint, as HCP does');
      const list = await r.ok('GET', `${buildUrl}/sboms`);
      assert.deepEqual(
        list.sboms.map((s: any) => [s.name, s.format]),
        [
          ['fp-sbom', 'SPDX'],
          ['os-packages', 'CYCLONEDX'],
        ],
      );
      const dup = await r.api('PUT', `${buildUrl}/sboms`, uploadBody(SPDX, 'SPDX', 'os-packages'));
      assert.equal(dup.status, 409);
      assert.equal(dup.body.code, 6);
    });

    it('GetSbom answers a download_url serving the SBOM JSON as uploaded', async () => {
      const r = registry();
      const got = await r.ok('GET', `${buildUrl}/sboms/os-packages`);
      const url = new URL(got.download_url);
      assert.equal(url.origin, r.url);
      const res = await fetch(got.download_url, {
        headers: { authorization: `Bearer ${await r.token()}` },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      assert.equal(await res.text(), CYCLONEDX.toString('utf8'));
      const anonymous = await fetch(got.download_url);
      assert.equal(anonymous.status, 401);
      const missing = await r.api('GET', `${buildUrl}/sboms/nope`);
      assert.equal(missing.status, 404);
      assert.match(missing.body.message, /SBOMs fp-sbom, os-packages/);
    });

    it('ListBuildPackages: every package of the build’s SBOMs, each naming the SBOMs listing it', async () => {
      const r = registry();
      const res = await r.ok('GET', `${buildUrl}/packages`);
      assert.deepEqual(
        res.packages.map((p: any) => [p.name, p.version, p.sboms.map((s: any) => s.name)]),
        [
          ['actions-runner', '2.321.0', ['os-packages']],
          ['curl', '8.5.0-2ubuntu10.6', ['os-packages']],
          ['git', '1:2.43.0-1ubuntu7.1', ['fp-sbom']],
          ['Newtonsoft.Json', '13.0.3', ['os-packages']],
          ['openssl', '3.0.13-0ubuntu3.4', ['os-packages', 'fp-sbom']],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
      const openssl = res.packages.find((p: any) => p.name === 'openssl');
      assert.equal(
        openssl.purl,
        'pkg:deb/ubuntu/openssl@3.0.13-0ubuntu3.4?arch=amd64&distro=ubuntu-24.04',
      );
      assert.equal(openssl.build_id, buildId);
      assert.equal(openssl.build_name, 'amazon-ebs.ubuntu');
      assert.equal('vuln_details' in openssl, false, 'no vulnerability data is claimed');

      const byName = await r.ok('GET', `${buildUrl}/packages?package_name=git`);
      assert.deepEqual(
        byName.packages.map((p: any) => p.name),
        ['git'],
      );
      const byPrefix = await r.ok('GET', `${buildUrl}/packages?package_name_starts_with=cu`);
      assert.deepEqual(
        byPrefix.packages.map((p: any) => p.name),
        ['curl'],
      );
      const byVersion = await r.ok('GET', `${buildUrl}/packages?package_version=13.0.3`);
      assert.deepEqual(
        byVersion.packages.map((p: any) => p.name),
        ['Newtonsoft.Json'],
      );
      const desc = await r.ok('GET', `${buildUrl}/packages?sorting.order_by=name%20desc`);
      assert.equal(desc.packages[0].name, 'openssl');
      const first = await r.ok('GET', `${buildUrl}/packages?pagination.page_size=2`);
      assert.equal(first.packages.length, 2);
      const second = await r.ok(
        'GET',
        `${buildUrl}/packages?pagination.page_size=2&pagination.next_page_token=${first.pagination.next_page_token}`,
      );
      assert.notEqual(second.packages[0].name, first.packages[0].name);
      const badSort = await r.api('GET', `${buildUrl}/packages?sorting.order_by=size`);
      assert.equal(badSort.status, 400);
      assert.equal(badSort.body.details[0].metadata.field, 'sorting.order_by');
    });

    it('ListBucketPackages: the packages of what each channel serves', async () => {
      const r = registry();
      const url = `${r.packer()}/buckets/sbom-runner/packages`;
      assert.deepEqual((await r.ok('GET', url)).packages, [], 'no channel serves the version yet');
      await complete(r);
      await r.ok('POST', `${r.packer()}/buckets/sbom-runner/channels`, {
        name: 'prod',
        version_fingerprint: 'fp-sbom',
      });
      const res = await r.ok('GET', `${url}?package_name=openssl&sorting.order_by=channel_name`);
      assert.deepEqual(
        res.packages.map((p: any) => [p.channel_name, p.build_id, p.version]),
        [
          ['latest', buildId, '3.0.13-0ubuntu3.4'],
          ['prod', buildId, '3.0.13-0ubuntu3.4'],
        ],
      );
      assert.ok(res.packages.every((p: any) => typeof p.channel_id === 'string'));
    });

    it('refuses what hcp-sbom would not send, naming the field, and stores nothing', async () => {
      const r = registry();
      const url = `${r.packer()}/buckets/sbom-runner/versions/fp-sbom/builds/${otherBuildId}/sboms`;
      const cases: [unknown, string, RegExp][] = [
        [{ format: 'SPDX' }, 'compressed_sbom', /required/],
        [uploadBody(SPDX, 'CYCLONEDX'), 'format', /send format SPDX/],
        [
          uploadBody(Buffer.from('{"hello":"world"}'), 'SPDX'),
          'compressed_sbom',
          /neither CycloneDX/,
        ],
        [uploadBody(Buffer.from('not json'), 'SPDX'), 'compressed_sbom', /not JSON/],
        [{ compressed_sbom: SPDX.toString('base64'), format: 'SPDX' }, 'compressed_sbom', /zstd/],
        [{ compressed_sbom: '***', format: 'SPDX' }, 'compressed_sbom', /byte/],
        [uploadBody(SPDX, 'SPDX', 'a b'), 'name', /3–36/],
      ];
      for (const [body, field, message] of cases) {
        const res = await r.api('PUT', url, body);
        assert.equal(res.status, 400, `${field}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, 3);
        assert.match(res.body.details[0].metadata.field, new RegExp(field));
        assert.match(res.body.message, message);
      }
      assert.deepEqual((await r.ok('GET', url)).sboms, []);
    });

    it('documents its size limit: an SBOM that decompresses past 32 MiB is a 400, not stored', async () => {
      const r = registry();
      const url = `${r.packer()}/buckets/sbom-runner/versions/fp-sbom/builds/${otherBuildId}/sboms`;
      // 33 MiB of spaces inside valid JSON compresses to a few KiB: a decompression bomb.
      const bomb = Buffer.concat([
        Buffer.from('{"spdxVersion":"SPDX-2.3","packages":[]'),
        Buffer.alloc(33 * 1024 * 1024, ' '),
        Buffer.from('}'),
      ]);
      const res = await r.api('PUT', url, uploadBody(bomb, 'SPDX', 'bomb', 1));
      assert.equal(res.status, 400);
      assert.match(res.body.message, /more than 32 MiB/);
      assert.deepEqual((await r.ok('GET', url)).sboms, []);
    });

    it('vulnerability listings answer Unimplemented (12, HTTP 501): no source is configured', async () => {
      const r = registry();
      for (const path of [
        'vulnerabilities',
        'packages/vulnerability-summary',
        'packages/with-vulnerabilities',
      ]) {
        const res = await r.api(
          'GET',
          `${r.packer()}/buckets/sbom-runner/${path}?criticality=CRITICAL`,
        );
        assert.equal(res.status, 501, path);
        assert.equal(res.body.code, 12);
        assert.match(res.body.message, /no vulnerability source is configured/);
        const missing = await r.api('GET', `${r.packer()}/buckets/no-such-bucket/${path}`);
        assert.equal(missing.status, 404, 'a mistyped bucket is still NotFound');
      }
    });
  },
);
