import assert from 'node:assert/strict';
import { describeEachEngine } from '../../helpers/registry-harness';

/** The security agent a platform team forces into every build (HCL2, as Packer parses it). */
const AGENT_V1 =
  'provisioner "shell" {\n  inline = ["curl -fsS https://agent.example/install | sh"]\n}\n';
const AGENT_V2 = 'provisioner "shell" {\n  inline = ["install-agent --version 2"]\n}\n';
/** The legacy JSON payload hcl2template.ParseProvisionerBlocks also accepts. */
const LEGACY_JSON = JSON.stringify({ provisioners: [{ type: 'shell', inline: ['echo hi'] }] });

/**
 * HCP Packer's enforced blocks. GetEnforcedBlocksByBucket is read the way hashicorp/packer
 * reads it (internal/hcp/registry/types.bucket.go, Bucket.FetchEnforcedBlocks): every
 * `enforced_block_detail` entry with a `version` yields ID=detail.id, Name=detail.name,
 * BlockContent=version.block_content, VersionID=version.id, Version=version.version,
 * TemplateType=version.template_type; NotFound means "none" to Packer.
 */
describeEachEngine('enforced blocks (HCP PackerService_*EnforcedBlock*)', (registry) => {
  const base = () => `${registry().packer()}/enforced_blocks`;

  /** Packer's FetchEnforcedBlocks, field for field. */
  async function fetchAsPacker(bucket: string) {
    const r = registry();
    const res = await r.api('GET', `${base()}/bucket/${bucket}`);
    if (res.status === 404 && res.body.code === 5) return [];
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body.enforced_block_detail as any[])
      .filter((d) => d?.version)
      .map((d) => ({
        ID: d.id,
        Name: d.name,
        BlockContent: d.version.block_content,
        VersionID: d.version.id,
        Version: d.version.version,
        TemplateType: d.version.template_type,
      }));
  }

  it('create, version, link: Packer gets each linked block at its linked version', async () => {
    const r = registry();
    await r.publish('eb-web', 'fp-1');
    await r.publish('eb-db', 'fp-1');
    await r.publish('eb-free', 'fp-1');
    const created = await r.ok('PUT', base(), {
      name: 'security-agent',
      version: 'v1',
      block_content: AGENT_V1,
      template_type: 'HCL2',
      additional_description: 'installs the agent',
      labels: { team: 'secops' },
    });
    const block = created.enforced_block;
    assert.equal(block.name, 'security-agent');
    assert.deepEqual(block.labels, { team: 'secops' });
    assert.equal(block.latest_version.version, 'v1');
    assert.equal(block.latest_version.block_content, AGENT_V1);
    assert.equal(block.latest_version.enforced_block_id, block.id);
    const v1 = block.latest_version.id;
    const v2 = (
      await r.ok('PUT', `${base()}/${block.id}/versions`, {
        version: 'v2',
        block_content: AGENT_V2,
      })
    ).enforced_block_version;
    assert.equal(v2.template_type, 'HCL2', 'HCL content, no template type: HCL2');

    const linked = await r.ok('POST', `${base()}/${block.id}/versions/${v1}/buckets`, {
      bucket_names: ['eb-web', 'eb-db'],
    });
    assert.deepEqual(
      linked.enforced_block_buckets.map((l: any) => l.enforced_block_version_id),
      [v1, v1],
    );
    assert.deepEqual(await fetchAsPacker('eb-web'), [
      {
        ID: block.id,
        Name: 'security-agent',
        BlockContent: AGENT_V1,
        VersionID: v1,
        Version: 'v1',
        TemplateType: 'HCL2',
      },
    ]);
    assert.deepEqual(await fetchAsPacker('eb-free'), [], 'an unlinked bucket gets none');
    assert.deepEqual(await fetchAsPacker('no-such-bucket'), [], 'NotFound reads as none');

    // Rolling eb-web forward to v2 moves it off v1; eb-db stays on v1.
    await r.ok('POST', `${base()}/${block.id}/versions/${v2.id}/buckets`, {
      bucket_names: ['eb-web'],
    });
    assert.equal((await fetchAsPacker('eb-web'))[0].Version, 'v2');
    assert.equal((await fetchAsPacker('eb-db'))[0].Version, 'v1');
    const onV1 = await r.ok('GET', `${base()}/${block.id}/versions/${v1}/buckets`);
    assert.deepEqual(
      onV1.linked_buckets.map((l: any) => l.bucket.name),
      ['eb-db'],
    );
    assert.equal(onV1.linked_buckets[0].bucket.location.project_id, 'proj-1');

    const history = await r.ok('GET', `${base()}/${block.id}/versions`);
    assert.deepEqual(
      history.enforced_block_detail.map((d: any) => [d.name, d.version.version]),
      [
        ['security-agent', 'v2'],
        ['security-agent', 'v1'],
      ],
    );
    const got = await r.ok('GET', `${base()}/${block.id}`);
    assert.equal(got.enforced_block.latest_version.version, 'v2');
    const list = await r.ok('GET', base());
    assert.ok(list.enforced_blocks.some((b: any) => b.id === block.id));
  });

  it('JSON content is typed JSON; JSON declared but not JSON is refused naming the field', async () => {
    const r = registry();
    const created = await r.ok('PUT', base(), {
      name: 'legacy-json',
      version: '1.0.0',
      block_content: LEGACY_JSON,
    });
    assert.equal(created.enforced_block.latest_version.template_type, 'JSON');
    const bad = await r.api('PUT', base(), {
      name: 'bad-json',
      version: 'v1',
      block_content: AGENT_V1,
      template_type: 'JSON',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.details[0].metadata.field, 'block_content');
    assert.equal(
      (await r.ok('GET', base())).enforced_blocks.some((b: any) => b.name === 'bad-json'),
      false,
    );
  });

  it('refuses a body HCP would refuse, and duplicates, with the field or name', async () => {
    const r = registry();
    for (const [body, field] of [
      [{ version: 'v1', block_content: AGENT_V1 }, 'name'],
      [{ name: 'no-version', block_content: AGENT_V1 }, 'version'],
      [{ name: 'no-content', version: 'v1' }, 'block_content'],
      [{ name: 'x', version: 'v1', block_content: AGENT_V1 }, 'name'],
    ] as const) {
      const res = await r.api('PUT', base(), body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.code, 3);
      assert.match(res.body.details[0].metadata.field, new RegExp(field));
    }
    const first = await r.ok('PUT', base(), {
      name: 'dup',
      version: 'v1',
      block_content: AGENT_V1,
    });
    const again = await r.api('PUT', base(), {
      name: 'dup',
      version: 'v1',
      block_content: AGENT_V1,
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 6);
    const sameVersion = await r.api('PUT', `${base()}/${first.enforced_block.id}/versions`, {
      version: 'v1',
      block_content: AGENT_V2,
    });
    assert.equal(sameVersion.body.code, 6);
  });

  it('linking an unknown bucket changes nothing; a linked version cannot be deleted', async () => {
    const r = registry();
    await r.publish('eb-link', 'fp-1');
    const { enforced_block: block } = await r.ok('PUT', base(), {
      name: 'linked',
      version: 'v1',
      block_content: AGENT_V1,
    });
    const v1 = block.latest_version.id;
    const unknown = await r.api('POST', `${base()}/${block.id}/versions/${v1}/buckets`, {
      bucket_names: ['eb-link', 'missing-bucket'],
    });
    assert.equal(unknown.status, 404);
    assert.deepEqual(await fetchAsPacker('eb-link'), []);
    await r.ok('POST', `${base()}/${block.id}/versions/${v1}/buckets`, {
      bucket_names: ['eb-link'],
    });
    const refused = await r.api('DELETE', `${base()}/${block.id}/versions/${v1}`);
    assert.equal(refused.body.code, 9);
    assert.match(refused.body.message, /eb-link/);
    // A Go client's nil slice (null) unlinks everything.
    await r.ok('POST', `${base()}/${block.id}/versions/${v1}/buckets`, { bucket_names: null });
    assert.deepEqual(await fetchAsPacker('eb-link'), []);
    await r.ok('DELETE', `${base()}/${block.id}/versions/${v1}`);
    const empty = await r.ok('GET', `${base()}/${block.id}`);
    assert.equal(empty.enforced_block.latest_version, undefined);
  });

  it('update renames and relabels (update_mask honoured); delete removes block and links', async () => {
    const r = registry();
    await r.publish('eb-upd', 'fp-1');
    const { enforced_block: block } = await r.ok('PUT', base(), {
      name: 'to-rename',
      version: 'v1',
      block_content: AGENT_V1,
      labels: { a: '1' },
    });
    const renamed = await r.ok('PATCH', `${base()}/${block.id}`, {
      name: 'renamed',
      labels: { b: '2' },
      update_mask: 'name',
    });
    assert.equal(renamed.enforced_block.name, 'renamed');
    assert.deepEqual(renamed.enforced_block.labels, { a: '1' }, 'labels not in the mask');
    const described = await r.ok(
      'PATCH',
      `${base()}/${block.id}/versions/${block.latest_version.id}`,
      { additional_description: 'now described' },
    );
    assert.equal(described.enforced_block_version.additional_description, 'now described');
    assert.equal(described.enforced_block_version.block_content, AGENT_V1);
    await r.ok('POST', `${base()}/${block.id}/versions/${block.latest_version.id}/buckets`, {
      bucket_names: ['eb-upd'],
    });
    await r.ok('DELETE', `${base()}/${block.id}`);
    assert.equal((await r.api('GET', `${base()}/${block.id}`)).status, 404);
    assert.deepEqual(await fetchAsPacker('eb-upd'), []);
    const audit = await r.ok('GET', `${r.ingot()}/audit-events`);
    const actions = audit.events.map((e: { action: string }) => e.action);
    for (const a of ['enforced_block.create', 'enforced_block.link', 'enforced_block.delete'])
      assert.ok(actions.includes(a), a);
  });

  it('deleting a bucket drops its links', async () => {
    const r = registry();
    await r.publish('eb-gone', 'fp-1');
    const { enforced_block: block } = await r.ok('PUT', base(), {
      name: 'outlives-bucket',
      version: 'v1',
      block_content: AGENT_V1,
    });
    const v1 = block.latest_version.id;
    await r.ok('POST', `${base()}/${block.id}/versions/${v1}/buckets`, {
      bucket_names: ['eb-gone'],
    });
    await r.ok('DELETE', `${r.packer()}/buckets/eb-gone?force=true`);
    const links = await r.ok('GET', `${base()}/${block.id}/versions/${v1}/buckets`);
    assert.deepEqual(links.linked_buckets, []);
  });
});
