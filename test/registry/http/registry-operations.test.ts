import assert from 'node:assert/strict';
import { describeEachEngine } from '../../helpers/registry-harness';

/**
 * HCP's Get/Create/Update/DeleteRegistry, with bodies as hcp-sdk-go marshals them
 * (clients/cloud-packer-service/stable/2023-01-01/models: CreateRegistryBody,
 * UpdateRegistryBody; `omitempty` leaves unset fields out).
 */
describeEachEngine('registry operations (HCP PackerService_*Registry)', (registry) => {
  const url = (project: string) => `${registry().packer('org-1', project)}/registry`;

  it('GetRegistry: every project has an active registry, created on first read', async () => {
    const r = registry();
    const first = await r.ok('GET', url('reg-get'));
    assert.deepEqual(first.registry.location, { organization_id: 'org-1', project_id: 'reg-get' });
    assert.deepEqual(first.registry.config, { activated: true, feature_tier: 'PLUS' });
    assert.match(first.registry.id, /^[0-9A-Z]{26}$/);
    const again = await r.ok('GET', url('reg-get'));
    assert.equal(again.registry.id, first.registry.id, 'the same registry, not a new one');
  });

  it('CreateRegistry: creates with the tier asked for; a second create is AlreadyExists (6)', async () => {
    const r = registry();
    const created = await r.ok('PUT', url('reg-create'), { feature_tier: 'STANDARD' });
    assert.equal(created.registry.config.feature_tier, 'STANDARD');
    assert.equal(created.operation.state, 'DONE');
    assert.deepEqual(created.operation.location, {
      organization_id: 'org-1',
      project_id: 'reg-create',
    });
    const again = await r.api('PUT', url('reg-create'), {});
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 6);
    assert.match(again.body.message, /PATCH \.\.\.\/registry/);
    const read = await r.ok('GET', url('reg-create'));
    assert.equal(read.registry.id, created.registry.id);
  });

  it('CreateRegistry with the Go zero tier (UNSET) or no body field gets every feature', async () => {
    const r = registry();
    const created = await r.ok('PUT', url('reg-unset'), { feature_tier: 'UNSET' });
    assert.equal(created.registry.config.feature_tier, 'PLUS');
  });

  it('UpdateRegistry: changes the tier; refuses deactivation naming the field', async () => {
    const r = registry();
    const updated = await r.ok('PATCH', url('reg-update'), {
      feature_tier: 'STANDARD',
      update_mask: 'featureTier,feature_tier',
    });
    assert.equal(updated.registry.config.feature_tier, 'STANDARD');
    assert.equal(updated.registry.config.activated, true);
    // Activating an active registry is what a Go client sends to re-enable: accepted.
    const activated = await r.ok('PATCH', url('reg-update'), { activated: true });
    assert.equal(activated.registry.config.feature_tier, 'STANDARD');
    // Go's omitempty drops `activated: false`, so deactivation arrives as a mask.
    for (const body of [{ update_mask: 'activated' }, { activated: false }]) {
      const res = await r.api('PATCH', url('reg-update'), body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.code, 3);
      assert.equal(res.body.details[0].metadata.field, 'activated');
    }
    const bad = await r.api('PATCH', url('reg-update'), { feature_tier: 'GOLD' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /feature_tier/);
  });

  it('DeleteRegistry: deletes the project’s buckets and enforced blocks; the next read starts afresh', async () => {
    const r = registry();
    const scope = r.packer('org-1', 'reg-delete');
    await r.publish('doomed', 'fp-1', undefined, 'org-1', 'reg-delete');
    await r.publish('kept', 'fp-1', undefined, 'org-1', 'reg-other');
    const block = await r.ok('PUT', `${scope}/enforced_blocks`, {
      name: 'agent',
      version: 'v1',
      block_content: 'provisioner "shell" {\n  inline = ["echo agent"]\n}\n',
      template_type: 'HCL2',
    });
    const before = await r.ok('GET', url('reg-delete'));
    const deleted = await r.ok('DELETE', url('reg-delete'));
    assert.equal(deleted.registry.id, before.registry.id);
    assert.equal(deleted.operation.state, 'DONE');
    assert.equal((await r.api('GET', `${scope}/buckets/doomed`)).status, 404);
    assert.equal(
      (await r.api('GET', `${scope}/enforced_blocks/${block.enforced_block.id}`)).status,
      404,
    );
    assert.equal(
      (await r.api('GET', `${r.packer('org-1', 'reg-other')}/buckets/kept`)).status,
      200,
      'another project is untouched',
    );
    const fresh = await r.ok('GET', url('reg-delete'));
    assert.notEqual(fresh.registry.id, before.registry.id);
    const audit = await r.ok('GET', `${r.ingot('org-1', 'reg-delete')}/audit-events`);
    assert.ok(audit.events.some((e: { action: string }) => e.action === 'registry.delete'));
  });
});
