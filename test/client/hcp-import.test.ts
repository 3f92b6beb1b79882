import assert from 'node:assert/strict';
import { ulid } from 'ulid';
import { dryRunImport } from '../../src/client/hcp-import/dry-run';
import { planImport } from '../../src/client/hcp-import/plan';
import { runImport } from '../../src/client/hcp-import/run';
import type { SourceBucket } from '../../src/client/hcp-import/source';
import { RegistryClient } from '../../src/client/registry-client';
import { LIMITS } from '../../src/registry/service/limits';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

/**
 * HCP Packer's answers as hashicorp/hcp-sdk-go's 2023-01-01 models shape them
 * (/work/shared/reference/hcp-packer-2023-01-01-sdk-spec.json) and as HCP is observed to
 * fill them (benemon/dufflebag docs/compatibility.md §5–7): Go's zero time for an unset
 * revoke_at, null lists, builds without parent fields (ancestry comes only from
 * ListBucketAncestry), incomplete versions named "v0", a managed `latest` that HCP
 * assigns itself (author "HCP Packer", restricted), authors as principal names.
 */
const ZERO = '0001-01-01T00:00:00.000Z';
const T0 = Date.parse('2026-02-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function hcpVersion(
  bucket: string,
  fp: string,
  name: string,
  minute: number,
  extra: Record<string, unknown> = {},
): any {
  const id = ulid(T0 + minute * 60_000);
  const running = name === 'v0';
  return {
    id,
    bucket_name: bucket,
    fingerprint: fp,
    name,
    status: running ? 'VERSION_RUNNING' : 'VERSION_ACTIVE',
    author_id: 'hcp-packer-spn',
    template_type: 'HCL2',
    has_descendants: false,
    builds: [
      {
        id: ulid(T0 + minute * 60_000 + 1),
        version_id: id,
        component_type: 'amazon-ebs.ubuntu',
        platform: 'aws',
        packer_run_uuid: `run-${fp}`,
        source_external_identifier: '',
        status: running ? 'BUILD_RUNNING' : 'BUILD_DONE',
        labels: running ? null : { os: 'ubuntu' },
        metadata: null,
        artifacts: running
          ? null
          : [
              {
                id: ulid(T0 + minute * 60_000 + 2),
                external_identifier: `ami-0${fp}`,
                region: 'us-east-1',
                created_at: at(minute),
              },
            ],
        created_at: at(minute),
        updated_at: at(minute),
      },
    ],
    revoke_at: ZERO,
    revocation_message: '',
    revocation_author: '',
    revocation_type: 'REVOCATION_TYPE_UNSET',
    revocation_inherited_from: null,
    created_at: at(minute),
    updated_at: at(minute),
    ...extra,
  };
}

function hcpBucket(
  name: string,
  versions: any[],
  channels: SourceBucket['channels'],
  parents: any[] = [],
): SourceBucket {
  return {
    bucket: {
      id: ulid(T0),
      name,
      description: '',
      labels: null,
      created_at: at(0),
      updated_at: at(30),
    } as any,
    versions,
    channels,
    parents,
  };
}

/** HCP's `latest`: managed, restricted, assigned by HCP at each completion. */
function latest(bucket: string, history: any[]): SourceBucket['channels'][number] {
  return {
    channel: {
      id: ulid(T0),
      name: 'latest',
      bucket_name: bucket,
      author_id: 'HCP Packer',
      managed: true,
      restricted: true,
      version: history[0],
      created_at: at(0),
      updated_at: at(30),
    } as any,
    history: history.map((v) => ({
      assigned_at: v.updated_at,
      author_id: 'HCP Packer',
      version: v,
    })),
  };
}

describe('ingot import hcp: HCP Packer-shaped answers into Ingot', function () {
  this.timeout(60_000);
  let target: TestRegistry;
  let client: RegistryClient;
  let sources: SourceBucket[];

  before(async () => {
    target = await startTestRegistry('sqlite');
    client = new RegistryClient({
      registryUrl: target.url,
      clientId: target.admin.clientId,
      clientSecret: target.admin.clientSecret,
      organizationId: 'org-1',
      projectId: 'proj-1',
    });
    const b1 = hcpVersion('base', 'b1', 'v1', 1);
    const b2 = hcpVersion('base', 'b2', 'v2', 2, {
      status: 'VERSION_REVOKED',
      revoke_at: at(20),
      revocation_message: 'CVE-2026-0009',
      revocation_author: 'alice@example.com',
      revocation_type: 'MANUAL',
    });
    const c1 = hcpVersion('child', 'c1', 'v1', 3);
    const c2 = hcpVersion('child', 'c2', 'v2', 4, {
      status: 'VERSION_REVOKED',
      revoke_at: at(20),
      revocation_message: 'CVE-2026-0009',
      revocation_author: 'alice@example.com',
      revocation_type: 'INHERITED',
      revocation_inherited_from: {
        bucket_name: 'base',
        version_fingerprint: 'b2',
        version_id: b2.id,
        version_name: 'v2',
        href: '',
      },
    });
    const c3 = hcpVersion('child', 'c3', 'v0', 5);
    const relation = (child: any, parent: any) => ({
      parent: {
        bucket_name: 'base',
        channel_name: 'latest',
        version_fingerprint: parent.fingerprint,
        version_id: parent.id,
        version_name: parent.name,
      },
      child: {
        bucket_name: 'child',
        version_fingerprint: child.fingerprint,
        version_id: child.id,
        version_name: child.name,
      },
      status: 'OUT_OF_DATE',
    });
    sources = [
      hcpBucket('base', [b1, b2], [latest('base', [b1])]),
      hcpBucket(
        'child',
        [c1, c2, c3],
        [latest('child', [c1])],
        [relation(c1, b1), relation(c2, b2)],
      ),
    ];
    // Listed children first: the plan still imports parents before them.
    sources.reverse();
  });
  after(async () => target?.close());

  it('imports versions, ancestry from relations, inherited revocations, v0 and HCP-assigned latest history', async () => {
    const plan = planImport(sources);
    assert.deepEqual(
      plan.versions.map((v) => `${v.bucket}/${v.fingerprint}`).slice(0, 2),
      ['base/b1', 'child/c1'],
      'a parent comes before its child',
    );
    const result = await runImport(client, plan);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.buckets.find((b) => b.bucket === 'child')?.versions, {
      created: 3,
      updated: 0,
      unchanged: 0,
      conflict: 0,
    });

    const c1 = await client.getVersion('child', 'c1');
    assert.equal(c1.id, sources[0].versions[0].id, 'ids are kept');
    assert.equal(c1.author_id, 'hcp-packer-spn');
    const base = await client.getVersion('base', 'b1');
    assert.equal(c1.builds[0].parent_version_id, base.id);
    // Children "built from any version" of base; parents would list only child's latest's.
    const ancestry = await client.ancestry('base', 'ANCESTRY_TYPE_CHILDREN');
    assert.deepEqual(
      ancestry
        .map((r) => [
          r.child.version_fingerprint,
          r.parent.version_fingerprint,
          r.parent.channel_name,
        ])
        .sort(),
      [
        ['c1', 'b1', 'latest'],
        ['c2', 'b2', 'latest'],
      ],
    );
    const c2 = await client.getVersion('child', 'c2');
    assert.equal(c2.status, 'VERSION_REVOKED');
    assert.equal(c2.revocation_type, 'INHERITED');
    assert.equal(c2.revocation_inherited_from?.version_fingerprint, 'b2');
    assert.equal(c2.revocation_author, 'alice@example.com');
    const c3 = await client.getVersion('child', 'c3');
    assert.ok(!c3.name || c3.name === 'v0', 'incomplete stays incomplete');
    assert.equal(c3.status, 'VERSION_RUNNING');
    const history = await client.channelHistory('base', 'latest');
    assert.deepEqual(
      history.map((h) => [h.author_id, h.version?.fingerprint]),
      [['HCP Packer', 'b1']],
    );
    assert.equal(
      (await client.getChannel('base', 'latest')).version?.fingerprint,
      'b1',
      'b2 is revoked',
    );
    // New versions here continue after the imported names.
    const next = await target.publish('child', 'c4');
    assert.equal(next.name, 'v3');
  });

  it('refuses, without overwriting, a version that differs here or was revoked here', async () => {
    await target.ok('PATCH', `${target.packer()}/buckets/base/versions/b1`, {
      revoke_in: '0s',
      revocation_message: 'revoked here',
    });
    const changed = structuredClone(sources);
    changed[0].versions[0].builds[0].artifacts = [
      { id: ulid(), external_identifier: 'ami-0other', region: 'us-east-1', created_at: at(3) },
    ] as any;
    const result = await runImport(client, planImport(changed));
    const messages = result.problems.map((p) => `${p.bucket} ${p.item}: ${p.message}`);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(
      messages[0],
      /^base version b1: .*it is revoked here and not there \(restore it here if that is right\)/,
    );
    assert.match(
      messages[1],
      /^child version c1: .*its builds here are aws amazon-ebs\.ubuntu \(us-east-1 ami-0c1\), there aws amazon-ebs\.ubuntu \(us-east-1 ami-0other\)/,
    );
    assert.equal(
      (await client.getVersion('child', 'c1')).builds[0].artifacts[0].external_identifier,
      'ami-0c1',
    );
    assert.equal((await client.getVersion('base', 'b1')).status, 'VERSION_REVOKED');
  });

  it('reports a version over the size limits, in a dry run as in the import, and writes none of it', async () => {
    const big = hcpVersion('big', 'g1', 'v1', 6);
    big.builds = Array.from({ length: LIMITS.buildsPerVersion + 1 }, (_, i) => ({
      ...big.builds[0],
      id: ulid(),
      component_type: `amazon-ebs.part-${i}`,
    }));
    const small = hcpVersion('big', 'g2', 'v2', 7);
    const plan = planImport([hcpBucket('big', [big, small], [])]);
    const expected = {
      bucket: 'big',
      item: 'version g1',
      message: `version "g1" of bucket "big" is over this registry's limits: it has 101 builds and the limit is 100 a version (delete builds of it at the source). Nothing of it was imported; fix it at the source and run the import again.`,
    };
    const dry = await dryRunImport(client, plan);
    assert.deepEqual(dry.problems, [expected]);
    const result = await runImport(client, plan);
    assert.deepEqual(result.problems, [expected]);
    assert.deepEqual(result.buckets[0].versions, {
      created: 1,
      updated: 0,
      unchanged: 0,
      conflict: 1,
    });
    assert.deepEqual(
      (await client.listVersions('big')).map((v) => v.fingerprint),
      ['g2'],
      'the version within the limits is imported; the other is not',
    );
  });
});
