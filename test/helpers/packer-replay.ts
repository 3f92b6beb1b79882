import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { goJson, type GoModel } from './go-sdk-json';

/**
 * Replays, call by call, what an unmodified `packer build` with an `hcp_packer_registry`
 * block sends (hashicorp/packer internal/hcp/registry/types.bucket.go and
 * internal/hcp/api/service_*.go, in the order command/build.go drives them), and what
 * terraform-provider-hcp's channel resources and data sources send
 * (internal/clients/packerv2/channel.go, version.go; internal/providersdkv2/
 * resource_packer_channel*.go), with bodies exactly as hcp-sdk-go marshals them. Every
 * step checks what the Go caller reads from the answer. Used by
 * test/registry/http/packer-replay.test.ts (HTTP) and test/registry/tls.test.ts (HTTPS).
 */

export interface Reply {
  status: number;
  body: any;
}

/** Sends one call as the Go SDK makes it (JSON text, bearer token), over HTTP or HTTPS. */
export type Send = (method: string, path: string, body?: string) => Promise<Reply>;

const call = (send: Send, method: string, path: string, body?: string) => send(method, path, body);

async function ok(r: Send, method: string, path: string, body?: string): Promise<any> {
  const res = await call(r, method, path, body);
  assert.equal(res.status, 200, `${method} ${path} ${body ?? ''} → ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Packer's CheckErrorCode (internal/hcp/api/errors.go) matches `[Cc]ode"?:([0-9]+)` in
 * the error text, which go-swagger prints from the body's `code`.
 */
function assertCode(res: Reply, code: number, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.code, code, `${what}: ${JSON.stringify(res.body)}`);
  assert.match(`&{Code:${res.body.code} Message:${res.body.message}}`, /[Cc]ode"?:([0-9]+)/);
}

const body = (model: GoModel, values: Record<string, unknown>) => goJson(model, values);

/**
 * The SBOM the hcp-sbom provisioner hands Packer, zstd-compressed at the best level as
 * Packer does before UploadSbom (packer/provisioner.go, SBOMInternalProvisioner).
 */
const SBOM = execFileSync('zstd', ['-19', '-q', '-c'], {
  input: JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    components: [
      {
        type: 'library',
        name: 'openssl',
        version: '3.0.13',
        purl: 'pkg:deb/ubuntu/openssl@3.0.13',
      },
    ],
  }),
}).toString('base64');

/** Three sources of one template, as `packer build` names its components. */
const COMPONENTS = [
  {
    type: 'amazon-ebs.ubuntu',
    platform: 'aws',
    region: 'us-east-1',
    image: 'ami-0a1b2c3d4e5f60718',
  },
  {
    type: 'googlecompute.ubuntu',
    platform: 'gcp',
    region: 'us-central1-a',
    image: 'projects/p/global/images/ubuntu-20260301',
  },
  {
    type: 'azure-arm.ubuntu',
    platform: 'azure',
    region: 'westeurope',
    image: '/subscriptions/s/images/ubuntu',
  },
];

export interface ReplayOptions {
  /** Organization and project, as HCP_ORGANIZATION_ID / HCP_PROJECT_ID name them. */
  scope?: () => { organization: string; project: string };
  /**
   * `packer` replays only what `packer build` sends, which a contributor may do; the
   * default adds Terraform's channel resources (restricted channels) and revocation, which
   * need an admin.
   */
  callers?: 'packer' | 'packer-and-terraform';
}

/** Defines the replay's tests against the registry `target` sends to. */
export function packerReplaySuite(target: () => Send, options: ReplayOptions = {}): void {
  const base = () => {
    const { organization, project } = options.scope?.() ?? {
      organization: 'org-replay',
      project: 'proj-replay',
    };
    return `/packer/2023-01-01/organizations/${organization}/projects/${project}`;
  };
  /** A step only an admin may make: defined only when the replay includes Terraform's. */
  const admin = (title: string, fn: (this: Mocha.Context) => Promise<void>) => {
    if (options.callers !== 'packer') it(title, fn);
  };

  /** Packer's Bucket.Initialize + populateVersion; returns the builds by component. */
  async function initialize(
    r: Send,
    bucket: string,
    fingerprint: string,
    runUuid: string,
  ): Promise<Map<string, any>> {
    const b = `${base()}/buckets/${bucket}`;
    // UpsertBucket (service_bucket.go): GetBucket; NotFound (5) → CreateBucket.
    const got = await call(r, 'GET', b);
    if (got.status === 404) {
      assertCode(got, 5, 404, 'GetBucket of a new bucket');
      await ok(
        r,
        'PUT',
        `${base()}/buckets`,
        body('CreateBucketBody', {
          name: bucket,
          description: 'Ubuntu base',
          labels: { os: 'ubuntu' },
        }),
      );
    } else {
      assert.equal(got.status, 200);
      // Metadata differs → UpdateBucket, with the SDK's `"platforms": null`.
      await ok(
        r,
        'PATCH',
        b,
        body('UpdateBucketBody', {
          description: 'Ubuntu base',
          labels: { os: 'ubuntu', v: '2' },
        }),
      );
    }
    // initializeVersion (types.bucket.go): GetVersion; Aborted (10) → CreateVersion.
    const fresh = await call(r, 'GET', `${b}/versions/${fingerprint}`);
    let version = fresh.body.version;
    if (fresh.status !== 200) {
      assertCode(fresh, 10, 409, 'GetVersion of an unknown fingerprint');
      version = (
        await ok(
          r,
          'POST',
          `${b}/versions`,
          body('CreateVersionBody', { fingerprint, template_type: 'HCL2' }),
        )
      ).version;
    }
    assert.equal(version.template_type, 'HCL2');
    // IsVersionComplete (service_version.go): any name but "v0" stops Packer.
    assert.equal(version.name, 'v0', 'an incomplete version is v0');
    assert.equal(typeof version.id, 'string');

    // FetchEnforcedBlocks (types.bucket.go): answered, or NotFound/Unimplemented, which
    // Packer skips silently.
    const enforced = await call(r, 'GET', `${base()}/enforced_blocks/bucket/${bucket}`);
    assert.ok(
      enforced.status === 200 || [5, 12].includes(enforced.body.code),
      `GetEnforcedBlocksByBucket: ${JSON.stringify(enforced.body)}`,
    );

    // populateVersion: ListBuilds, then CreateBuild (BUILD_UNSET, no platform, artifacts
    // null) for every missing component, concurrently as Packer's goroutines do.
    const listed = (await ok(r, 'GET', `${b}/versions/${fingerprint}/builds`)).builds as any[];
    const builds = new Map<string, any>(listed.map((x) => [x.component_type, x]));
    const missing = COMPONENTS.filter((c) => !builds.has(c.type));
    const created = await Promise.all(
      missing.map((c) =>
        call(
          r,
          'POST',
          `${b}/versions/${fingerprint}/builds`,
          body('CreateBuildBody', {
            component_type: c.type,
            packer_run_uuid: runUuid,
            status: 'BUILD_UNSET',
          }),
        ),
      ),
    );
    for (const [i, res] of created.entries()) {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      // NewBuildFromCloudPackerBuild dereferences status.
      assert.equal(res.body.build.status, 'BUILD_UNSET');
      assert.equal(res.body.build.component_type, missing[i].type);
      builds.set(missing[i].type, res.body.build);
    }
    return builds;
  }

  /** startBuild, a heartbeat, then markBuildComplete and updateChannels. */
  async function runBuild(
    r: Send,
    bucket: string,
    fingerprint: string,
    runUuid: string,
    build: any,
    component: (typeof COMPONENTS)[number],
    channels: string[],
  ): Promise<Reply[]> {
    const url = `${base()}/buckets/${bucket}/versions/${fingerprint}/builds/${build.id}`;
    // UpdateBuildStatus(RUNNING) and HeartbeatBuild: only run uuid and status, artifacts null.
    const running = body('UpdateBuildBody', {
      packer_run_uuid: runUuid,
      status: 'BUILD_RUNNING',
    });
    assert.equal((await ok(r, 'PATCH', url, running)).build.status, 'BUILD_RUNNING');
    assert.equal((await ok(r, 'PATCH', url, running)).build.status, 'BUILD_RUNNING');
    // The hcp-sbom provisioner's SBOM, uploaded while the build runs (internal/hcp/
    // registry/types.bucket.go uploads each before markBuildComplete; no sbom_name set).
    await ok(
      r,
      'PUT',
      `${url}/sboms`,
      body('UploadSbomBody', { compressed_sbom: SBOM, format: 'CYCLONEDX' }),
    );
    // markBuildComplete: platform, source image, labels, metadata and artifacts at once.
    const done = await ok(
      r,
      'PATCH',
      url,
      body('UpdateBuildBody', {
        artifacts: [{ external_identifier: component.image, region: component.region }],
        labels: { team: 'platform' },
        metadata: {
          packer: { version: '1.11.2', plugins: [{ name: 'amazon', version: '1.3.2' }] },
        },
        packer_run_uuid: runUuid,
        platform: component.platform,
        source_external_identifier: 'ami-source',
        status: 'BUILD_DONE',
      }),
    );
    assert.equal(done.build.status, 'BUILD_DONE');
    assert.equal(done.build.platform, component.platform);
    assert.deepEqual(
      done.build.artifacts.map((a: any) => [a.external_identifier, a.region]),
      [[component.image, component.region]],
    );
    // updateChannels runs after every build; Packer only logs a failure.
    const answers: Reply[] = [];
    for (const channel of channels) {
      answers.push(
        await call(
          r,
          'PATCH',
          `${base()}/buckets/${bucket}/channels/${channel}`,
          body('UpdateChannelBody', {
            update_mask: 'versionFingerprint',
            version_fingerprint: fingerprint,
          }),
        ),
      );
    }
    return answers;
  }

  it('publishes a 3-build template: version completes by itself and the channel follows', async function () {
    this.timeout(60_000);
    const r = target();
    const fingerprint = '01JQ3K8Z5M2V7X9B4N6C1D0EFG';
    const runUuid = crypto.randomUUID();
    const builds = await initialize(r, 'ubuntu', fingerprint, runUuid);
    // The platform team's channel, as terraform's hcp_packer_channel creates it.
    const created = await ok(
      r,
      'POST',
      `${base()}/buckets/ubuntu/channels`,
      body('CreateChannelBody', { name: 'dev' }),
    );
    assert.equal(created.channel.restricted, false);

    for (const [i, component] of COMPONENTS.entries()) {
      const [channel] = await runBuild(
        r,
        'ubuntu',
        fingerprint,
        runUuid,
        builds.get(component.type),
        component,
        ['dev'],
      );
      const last = i === COMPONENTS.length - 1;
      if (!last) {
        // The version is not complete yet: assigning it is FailedPrecondition (400).
        assertCode(channel, 9, 400, `channel update after build ${i + 1}`);
        const v = await ok(r, 'GET', `${base()}/buckets/ubuntu/versions/${fingerprint}`);
        assert.equal(v.version.name, 'v0');
      } else {
        assert.equal(channel.status, 200, JSON.stringify(channel.body));
        assert.equal(channel.body.channel.version.fingerprint, fingerprint);
      }
    }
    const version = (await ok(r, 'GET', `${base()}/buckets/ubuntu/versions/${fingerprint}`))
      .version;
    assert.equal(version.name, 'v1');
    assert.equal(version.status, 'VERSION_ACTIVE');
    assert.equal(version.builds.length, 3);
    // Each build's SBOM, named after the fingerprint as HCP names an unnamed one, lists
    // its packages (ListBuildPackages).
    for (const build of version.builds) {
      const url = `${base()}/buckets/ubuntu/versions/${fingerprint}/builds/${build.id}`;
      const { packages } = await ok(r, 'GET', `${url}/packages`);
      assert.deepEqual(
        packages.map((p: any) => [p.name, p.version, p.sboms.map((x: any) => x.name)]),
        [['openssl', '3.0.13', [fingerprint]]],
      );
    }
    const bucket = (await ok(r, 'GET', `${base()}/buckets/ubuntu`)).bucket;
    assert.deepEqual(bucket.platforms, ['aws', 'azure', 'gcp']);
    assert.equal(bucket.latest_version.fingerprint, fingerprint);

    // Running packer again with the same fingerprint: GetVersion answers, the name is
    // not v0, so Packer stops with "the version … is complete".
    const again = await ok(r, 'GET', `${base()}/buckets/ubuntu/versions/${fingerprint}`);
    assert.notEqual(again.version.name, 'v0');
  });

  it('a failed build leaves the version open; the rerun resumes it and completes it', async function () {
    this.timeout(60_000);
    const r = target();
    const fingerprint = 'resume-1';
    const first = crypto.randomUUID();
    const builds = await initialize(r, 'ubuntu', fingerprint, first);
    const [aws, gcp, azure] = COMPONENTS;
    await runBuild(r, 'ubuntu', fingerprint, first, builds.get(aws.type), aws, []);
    // completeBuild with an error: UpdateBuildStatus(FAILED), artifacts null.
    const failedUrl = `${base()}/buckets/ubuntu/versions/${fingerprint}/builds/${builds.get(gcp.type).id}`;
    await ok(
      r,
      'PATCH',
      failedUrl,
      body('UpdateBuildBody', { packer_run_uuid: first, status: 'BUILD_RUNNING' }),
    );
    await ok(
      r,
      'PATCH',
      failedUrl,
      body('UpdateBuildBody', { packer_run_uuid: first, status: 'BUILD_FAILED' }),
    );
    // The third was cancelled (ctrl-c): BUILD_CANCELLED.
    const cancelledUrl = `${base()}/buckets/ubuntu/versions/${fingerprint}/builds/${builds.get(azure.type).id}`;
    await ok(
      r,
      'PATCH',
      cancelledUrl,
      body('UpdateBuildBody', { packer_run_uuid: first, status: 'BUILD_CANCELLED' }),
    );
    const open = (await ok(r, 'GET', `${base()}/buckets/ubuntu/versions/${fingerprint}`)).version;
    assert.equal(open.name, 'v0');
    assert.equal(open.status, 'VERSION_INCOMPLETE');

    // HCP_PACKER_BUILD_FINGERPRINT=resume-1 packer build: same fingerprint, new run.
    const second = crypto.randomUUID();
    const resumed = await initialize(r, 'ubuntu', fingerprint, second);
    assert.equal(resumed.size, 3, 'ListBuilds finds all three; none is created again');
    for (const component of [gcp, azure]) {
      await runBuild(r, 'ubuntu', fingerprint, second, resumed.get(component.type), component, []);
    }
    const done = (await ok(r, 'GET', `${base()}/buckets/ubuntu/versions/${fingerprint}`)).version;
    assert.equal(done.status, 'VERSION_ACTIVE');
    assert.match(done.name, /^v[1-9]\d*$/);
  });

  it('a duplicate CreateBuild is AlreadyExists (6), which Packer tolerates, and adds nothing', async () => {
    const r = target();
    const fingerprint = 'dup-1';
    const runUuid = crypto.randomUUID();
    await initialize(r, 'ubuntu', fingerprint, runUuid);
    const url = `${base()}/buckets/ubuntu/versions/${fingerprint}/builds`;
    const dup = await call(
      r,
      'POST',
      url,
      body('CreateBuildBody', {
        component_type: COMPONENTS[0].type,
        packer_run_uuid: runUuid,
        status: 'BUILD_UNSET',
      }),
    );
    assertCode(dup, 6, 409, 'second CreateBuild of one component');
    assert.match(dup.body.message, /amazon-ebs\.ubuntu/);
    assert.equal((await ok(r, 'GET', url)).builds.length, 3);
  });

  admin(
    'terraform: channel resource, assignment resource and the version/artifact data sources',
    async function () {
      this.timeout(60_000);
      const r = target();
      const fingerprint = 'tf-1';
      const runUuid = crypto.randomUUID();
      const builds = await initialize(r, 'tf-bucket', fingerprint, runUuid);
      for (const c of COMPONENTS) {
        await runBuild(r, 'tf-bucket', fingerprint, runUuid, builds.get(c.type), c, []);
      }
      const channels = `${base()}/buckets/tf-bucket/channels`;
      // hcp_packer_channel create (CreatePackerChannel), then its read
      // (GetPackerChannelByNameFromList: ListChannels, by name).
      await ok(r, 'POST', channels, body('CreateChannelBody', { name: 'production' }));
      const listed = (await ok(r, 'GET', channels)).channels as any[];
      const production = listed.find((c) => c.name === 'production');
      assert.equal(production.restricted, false);
      assert.equal(production.version, undefined);
      // restricted = true, then back to false: the false is omitted, the mask says it.
      const restricted = await ok(
        r,
        'PATCH',
        `${channels}/production`,
        body('UpdateChannelBody', { update_mask: 'restricted', restricted: true }),
      );
      assert.equal(restricted.channel.restricted, true);
      const unrestricted = await ok(
        r,
        'PATCH',
        `${channels}/production`,
        body('UpdateChannelBody', { update_mask: 'restricted', restricted: false }),
      );
      assert.equal(unrestricted.channel.restricted, false);
      // hcp_packer_channel_assignment (UpdatePackerChannelAssignment), read back by list.
      const assigned = await ok(
        r,
        'PATCH',
        `${channels}/production`,
        body('UpdateChannelBody', {
          update_mask: 'versionFingerprint',
          version_fingerprint: fingerprint,
        }),
      );
      assert.equal(assigned.channel.version.fingerprint, fingerprint);
      const read = ((await ok(r, 'GET', channels)).channels as any[]).find(
        (c) => c.name === 'production',
      );
      assert.equal(read.version.fingerprint, fingerprint);
      assert.equal(read.version.name, 'v1');
      // data "hcp_packer_version" / "hcp_packer_artifact": GetChannel, then pick the
      // build by platform (and component type) and the artifact by region.
      const channel = (await ok(r, 'GET', `${channels}/production`)).channel;
      assert.equal(channel.name, 'production');
      const build = channel.version.builds.find(
        (b: any) => b.platform === 'aws' && b.component_type === 'amazon-ebs.ubuntu',
      );
      const artifact = build.artifacts.find((a: any) => a.region === 'us-east-1');
      assert.equal(artifact.external_identifier, COMPONENTS[0].image);
      // data "hcp_packer_version" by fingerprint (GetVersionByFingerprint).
      const byFingerprint = await ok(
        r,
        'GET',
        `${base()}/buckets/tf-bucket/versions/${fingerprint}`,
      );
      assert.equal(byFingerprint.version.fingerprint, fingerprint);
      // Assignment destroyed: the fingerprint "" is omitted; the mask unassigns.
      const cleared = await ok(
        r,
        'PATCH',
        `${channels}/production`,
        body('UpdateChannelBody', { update_mask: 'versionFingerprint' }),
      );
      assert.equal(cleared.channel.version, undefined);
      // Channel destroyed (DeletePackerChannel).
      await ok(r, 'DELETE', `${channels}/production`);
      const gone = await call(r, 'GET', `${channels}/production`);
      assertCode(gone, 5, 404, 'GetChannel after delete');
    },
  );

  admin('UpdateVersion from a Go client: the zero revoke_at is unset, not an error', async () => {
    const r = target();
    const v = `${base()}/buckets/ubuntu/versions/01JQ3K8Z5M2V7X9B4N6C1D0EFG`;
    // complete: true with every other field zero, revoke_at included.
    const completed = await ok(r, 'PATCH', v, body('UpdateVersionBody', { complete: true }));
    assert.equal(completed.version.status, 'VERSION_ACTIVE');
    assert.match(
      goJson('UpdateVersionBody', { complete: true }),
      /"revoke_at":"0001-01-01T00:00:00.000Z"/,
    );
    // revoke_in with the zero revoke_at beside it: a revocation now.
    const revoked = await ok(
      r,
      'PATCH',
      v,
      body('UpdateVersionBody', { revoke_in: '0s', revocation_message: 'CVE-2026-1234' }),
    );
    assert.equal(revoked.version.status, 'VERSION_REVOKED');
    assert.equal(revoked.version.revocation_message, 'CVE-2026-1234');
    const restored = await ok(r, 'PATCH', v, body('UpdateVersionBody', { restore: true }));
    assert.equal(restored.version.status, 'VERSION_ACTIVE');
    assert.equal(restored.version.revoke_at, undefined);
  });
}
