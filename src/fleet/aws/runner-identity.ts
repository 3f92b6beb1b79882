import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Arguments of {@link AwsRunnerIdentity}. */
export interface AwsRunnerIdentityArgs {
  /** The regions the pool runs in: the registration secret is read in each. */
  regions: string[];
  /** Secrets Manager name of the GitHub App credentials (the same name in every region). */
  secretName: string;
  /** The provider IAM resources are created with (IAM is global: the pool's first region). */
  provider: pulumi.ProviderResource;
  /** @default {} */
  tags?: Record<string, string>;
}

/**
 * The runners' instance profile: a role EC2 may assume, allowed Systems Manager (for
 * Session Manager access instead of SSH) and `secretsmanager:GetSecretValue` on its
 * registration secret in its regions — nothing else.
 */
export class AwsRunnerIdentity extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly instanceProfile: aws.iam.InstanceProfile;
  /** The secret ARNs (one per region) the role may read. */
  readonly secretArns: pulumi.Output<string[]>;

  constructor(name: string, args: AwsRunnerIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:AwsRunnerIdentity', name, {}, opts);
    const problems: string[] = [];
    if (args.regions.length === 0) problems.push("args.regions is empty: name the pool's regions.");
    if (!args.secretName) problems.push('args.secretName is empty: name the registration secret.');
    if (problems.length > 0) throw new Error(`AwsRunnerIdentity "${name}": ${problems.join(' ')}`);

    const child = { parent: this, provider: args.provider };
    const tags = args.tags ?? {};
    const partition = aws.getPartitionOutput({}, child).partition;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    this.secretArns = pulumi.all([partition, account]).apply(([p, a]) =>
      args.regions.map(
        // Secrets Manager appends "-" and six random characters to a secret's name.
        (region) => `arn:${p}:secretsmanager:${region}:${a}:secret:${args.secretName}-??????`,
      ),
    );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: 'Ingot GitHub Actions runners: SSM and their registration secret only',
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
