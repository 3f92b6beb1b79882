import assert from 'node:assert/strict';
import { ImageLookups } from '../../src/policy/image-lookup';
import { INGOT_POLICY_PACK, ingotImagePolicies } from '../../src/policy/policies';

/**
 * `ingot/policy` builds the pack's policies for a pack of someone else's; the pack itself
 * (src/policy/index.ts) is built from the same list (test/policy/policy-pack-process.test.ts
 * runs it as Pulumi does).
 */
describe('ingotImagePolicies (the ingot/policy entry point)', () => {
  it('lists the four policies at their default levels, named as the pack names them', () => {
    const policies = ingotImagePolicies();
    assert.deepEqual(
      policies.map((p) => [p.name, p.enforcementLevel]),
      [
        ['prohibited-revoked-images', 'mandatory'],
        ['discouraged-scheduled-revocation-images', 'advisory'],
        ['required-tracked-images', 'advisory'],
        ['discouraged-outdated-images', 'advisory'],
      ],
    );
    assert.equal(INGOT_POLICY_PACK.name, 'ingot-images');
  });

  it('bakes defaults into every policy', () => {
    const policies = ingotImagePolicies(new ImageLookups({ env: {} }), {
      enforcementLevel: 'disabled',
    });
    assert.deepEqual(
      policies.map((p) => p.enforcementLevel),
      ['disabled', 'disabled', 'disabled', 'disabled'],
    );
  });
});
