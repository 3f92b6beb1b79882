// The Ingot policy pack. Importing this module starts the policy pack's gRPC server (it is
// what `pulumi preview --policy-pack src/policy` runs): tests import the policies, never this.
import { PolicyPack } from '@pulumi/policy';
import { INGOT_POLICY_PACK, ingotImagePolicies } from './policies';

new PolicyPack(INGOT_POLICY_PACK.name, {
  description: INGOT_POLICY_PACK.description,
  policies: ingotImagePolicies(),
});
