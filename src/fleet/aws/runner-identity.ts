import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Arguments of {@link AwsRunnerIdentity}. */
export interface AwsRunnerIdentityArgs {
  /** The regions the pool runs in: the registration secret is read in each. */
  regions: string[];
  /**
   * Secrets Manager name of the GitHub App credentials (the same name in every region):
   * the runners register themselves. Exactly one of this and `jitParameterPrefix`.
   */
  secretName?: string;
  /**
   * The SSM path the scaler writes JIT configurations under: each instance may read and
   * delete only the parameter tagged with its own ARN.
   */
  jitParameterPrefix?: string;
  /**
   * macOS hosts with the scaler: the parameter holding the scaler's URL, the one thing
   * they read (they prove who they are with their identity document, not the role).
   */
  scalerUrlParameter?: { region: string; name: string };
  /** The provider IAM resources are created with (IAM is global: the pool's first region). */
  provider: pulumi.ProviderResource;
  /** @default {} */
  tags?: Record<string, string>;
}

/**
 * The runners' instance profile: a role EC2 may assume, allowed Systems Manager (for
 * Session Manager access instead of SSH) and either `secretsmanager:GetSecretValue` on
 * its registration secret in its regions, or — macOS hosts with the scaler — reading the
 * scaler's URL parameter, or — scaled groups — `ssm:GetParameter` and
 * `ssm:DeleteParameter` on the JIT parameter whose `InstanceArn` tag is the calling
 * instance (`${ec2:SourceInstanceARN}`, present only in requests signed with an instance's
 * role credentials) — nothing else.
 */
export class AwsRunnerIdentity extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  /** The secret ARNs (one per region) the role may read; empty with the scaler. */
  readonly secretArns: pulumi.Output<string[]>;

  constructor(name: string, args: AwsRunnerIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:AwsRunnerIdentity', name, {}, opts);
    const problems: string[] = [];
    if (args.regions.length === 0) problems.push("args.regions is empty: name the pool's regions.");
    if (
      [args.secretName, args.jitParameterPrefix, args.scalerUrlParameter].filter(Boolean).length !==
      1
    )
      problems.push(
        'pass exactly one of args.secretName (the registration secret), args.jitParameterPrefix (the scaler) and args.scalerUrlParameter (macOS hosts with the scaler).',
      );
    if (problems.length > 0) throw new Error(`AwsRunnerIdentity "${name}": ${problems.join(' ')}`);

    const child = { parent: this, provider: args.provider };
    const tags = args.tags ?? {};
    const partition = aws.getPartitionOutput({}, child).partition;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    this.secretArns = pulumi.all([partition, account]).apply(([p, a]) =>
      (args.secretName ? args.regions : []).map(
        // Secrets Manager appends "-" and six random characters to a secret's name.
        (region) => `arn:${p}:secretsmanager:${region}:${a}:secret:${args.secretName}-??????`,
      ),
    );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: args.secretName
          ? 'Ingot GitHub Actions runners: SSM and their registration secret only'
          : args.scalerUrlParameter
            ? "Ingot macOS runners: SSM and the scaler's URL only"
            : 'Ingot GitHub Actions runners: SSM and their own JIT parameter only',
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'ec2.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
        tags,
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-ssm`,
      {
        role: this.role.name,
        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
      },
      child,
    );
    if (args.secretName)
      new aws.iam.RolePolicy(
        `${name}-registration-secret`,
        {
          role: this.role.name,
          policy: this.secretArns.apply((arns) =>
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arns },
              ],
            }),
          ),
        },
        child,
      );
    else if (args.scalerUrlParameter) {
      const { region, name: parameter } = args.scalerUrlParameter;
      new aws.iam.RolePolicy(
        `${name}-scaler-url`,
        {
          role: this.role.name,
          policy: pulumi.all([partition, account]).apply(([p, a]) =>
            JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'ScalerUrl',
                  Effect: 'Allow',
                  Action: 'ssm:GetParameter',
                  Resource: `arn:${p}:ssm:${region}:${a}:parameter${parameter}`,
                },
              ],
            }),
          ),
        },
        child,
      );
    } else
      new aws.iam.RolePolicy(
        `${name}-jit-parameter`,
        {
          role: this.role.name,
          policy: pulumi
            .all([partition, account])
            .apply(([p, a]) =>
              jitParameterPolicy(p, a, args.regions, args.jitParameterPrefix as string),
            ),
        },
        child,
      );
    this.instanceProfile = new aws.iam.InstanceProfile(
      `${name}-profile`,
      { role: this.role.name, tags },
      child,
    );
    this.registerOutputs({
      instanceProfileArn: this.instanceProfile.arn,
      secretArns: this.secretArns,
    });
  }
}

/** SSM actions that reveal or remove a parameter's value. */
const PARAMETER_READS = [
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'ssm:GetParameterHistory',
  'ssm:DeleteParameter',
  'ssm:DeleteParameters',
];

/**
 * The runner role's access to its JIT configuration: read and delete (it is single-use)
 * the SecureString parameters under the prefix only where the parameter's `InstanceArn`
 * tag (set by the scaler) is the calling instance's ARN. The explicit Deny matters:
 * AmazonSSMManagedInstanceCore allows `ssm:GetParameter(s)` on every parameter, so
 * without it any runner could read any other runner's configuration. SecureStrings
 * under the AWS managed key `aws/ssm` need no KMS grant for principals of the account.
 */
export function jitParameterPolicy(
  partition: string,
  account: string,
  regions: string[],
  prefix: string,
): string {
  const arns = regions.map(
    (region) => `arn:${partition}:ssm:${region}:${account}:parameter${prefix}`,
  );
  const own = { 'ssm:resourceTag/InstanceArn': '${ec2:SourceInstanceARN}' };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OwnJitConfig',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:DeleteParameter'],
        Resource: arns.map((arn) => `${arn}/*`),
        Condition: { StringEquals: own },
      },
      {
        Sid: 'NoOtherJitConfig',
        Effect: 'Deny',
        Action: PARAMETER_READS,
        Resource: arns.flatMap((arn) => [arn, `${arn}/*`]),
        Condition: { StringNotEquals: own },
      },
    ],
  });
}
