import assert from 'node:assert/strict';
import {
  unknownCheckingProxy,
  type PolicyProviderResource,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
} from '@pulumi/policy';

/**
 * Resource-validation arguments built by hand, shaped like pulumi-policy-aws's test
 * utilities (createResourceValidationArgs / assertHasResourceViolation /
 * assertNoResourceViolations), but by type token: the policies match type strings and
 * never load @pulumi/aws or @pulumi/gcp.
 */

/** The engine's sentinels for values unknown during preview (@pulumi/policy's proxy.js). */
export const UNKNOWN_STRING = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
export const UNKNOWN_ARRAY = '6a19a0b0-7e62-4c92-b797-7f8e31da9cc2';
export const UNKNOWN_OBJECT = 'dd056dcd-154b-4c76-9bd3-c8f88648b5ff';

/** What `notApplicable` throws here, so tests can tell it from a failure. */
export class NotApplicable extends Error {
  constructor(readonly reason: string | undefined) {
    super(`not applicable: ${reason}`);
  }
}

export interface ArgsOptions {
  name?: string;
  /** The resource's provider as the engine sends it (type and inputs). */
  provider?: { type: string; props: Record<string, unknown> };
  /** The policy's block of the policy pack config. */
  config?: Record<string, unknown>;
}

export function createResourceValidationArgs(
  type: string,
  props: Record<string, unknown>,
  options: ArgsOptions = {},
): ResourceValidationArgs {
  const name = options.name ?? 'test';
  const urn = `urn:pulumi:test::ingot::${type}::${name}`;
  let provider: PolicyProviderResource | undefined;
  if (options.provider) {
    provider = {
      type: options.provider.type,
      // Wrapped as the SDK wraps them: reading an unknown value throws.
      props: unknownCheckingProxy(options.provider.props),
      urn: `urn:pulumi:test::ingot::${options.provider.type}::default`,
      name: 'default',
    };
  }
  return {
    type,
    props: unknownCheckingProxy(props),
    urn,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    provider,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => (options.config ?? {}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
  };
}

/** Runs the policy's validation and returns the violation messages it reported. */
export async function runPolicy(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<string[]> {
  const violations: string[] = [];
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  for (const validate of validations) {
    await validate?.(args, (message) => violations.push(message));
  }
  return violations;
}

/** Exactly one violation per pattern, in any order; returns the messages. */
export async function assertHasResourceViolation(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
  ...wanted: (string | RegExp)[]
): Promise<string[]> {
  const violations = await runPolicy(policy, args);
  assert.equal(
    violations.length,
    wanted.length,
    `${policy.name} reported ${violations.length} violation(s), expected ${wanted.length}:\n${violations.join('\n')}`,
  );
  for (const pattern of wanted) {
    assert.ok(
      violations.some((v) => (typeof pattern === 'string' ? v.includes(pattern) : pattern.test(v))),
      `${policy.name}: no violation matches ${pattern}; got:\n${violations.join('\n')}`,
    );
  }
  return violations;
}

export async function assertNoResourceViolations(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
): Promise<void> {
  const violations = await runPolicy(policy, args);
  assert.deepEqual(violations, [], `${policy.name} reported:\n${violations.join('\n')}`);
}

export async function assertNotApplicable(
  policy: ResourceValidationPolicy,
  args: ResourceValidationArgs,
  reason: RegExp,
): Promise<void> {
  await assert.rejects(runPolicy(policy, args), (error: unknown) => {
    assert.ok(error instanceof NotApplicable, `expected notApplicable, got ${String(error)}`);
    assert.match(error.reason ?? '', reason);
    return true;
  });
}
