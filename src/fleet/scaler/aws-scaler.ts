import fs from 'node:fs';
import path from 'node:path';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { egressOnlySecurityGroup } from '../aws/security-group';
import { fitName } from '../naming';

/** The Lambda bundle `npm run build:scaler` makes from this package. */
export const LAMBDA_BUNDLE = path.resolve(
  __dirname,
  '..',
  '..',
  '..',
  'dist',
  'scaler-bundle',
  'lambda',
  'index.js',
);

/** One scaled Auto Scaling group, as the scaler's IAM policy and events need it. */
export interface ScaledGroup {
  region: string;
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
}

/** Arguments of {@link AwsScaler}. */
export interface AwsScalerArgs {
  environment: string;
  /** The region the function runs in. */
  region: string;
  /** One provider per region with scaled groups (the function's region included). */
  providers: Record<string, pulumi.ProviderResource>;
  /** The scaler's configuration (`scalerConfigFor`), JSON; it names the groups. */
  config: pulumi.Input<string>;
  groups: ScaledGroup[];
  /** The SSM path JIT configurations go under. */
  ssmPrefix: string;
  /** The SSM parameter the function's URL is published in, for macOS hosts. */
  urlParameter: string;
  /** `{"app_id", "installation_id", "private_key", "webhook_secret"}` as JSON: a Pulumi secret. */
  appSecret: pulumi.Input<string>;
  /** The PostgreSQL URL of the scaler's state: a Pulumi secret. */
  databaseUrl: pulumi.Input<string>;
  /**
   * Attach the function to a VPC (to reach a private PostgreSQL): its subnets (with a NAT
   * route: the scaler calls GitHub and AWS) and security groups, or an egress-only group
   * made for it in `vpcId` when none is given.
   */
  vpc?: {
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string[]>;
    securityGroupIds?: string[];
  };
  /** The Lambda bundle. @default LAMBDA_BUNDLE */
  bundle?: string;
  tags: Record<string, string>;
}

/**
 * The AWS scaler: the scaler built from this package as a Lambda function behind a
 * public Function URL (GitHub cannot sign AWS requests; every delivery's
 * `X-Hub-Signature-256` is checked by the scaler itself), its GitHub App and database URL
 * in Secrets Manager, and EventBridge rules that run it every minute and on every launch
 * lifecycle action of the scaled groups (rules in other regions forward to the
 * function's region's default bus). Its role may do exactly what the scaler does: read
 * its two secrets, describe, size and shrink the scaled groups, complete their lifecycle
 * actions, write parameters under the JIT prefix, and log to its own log group.
 */
export class AwsScaler extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly functionUrl: aws.lambda.FunctionUrl;
  readonly role: aws.iam.Role;
  readonly appSecret: aws.secretsmanager.Secret;
  readonly databaseSecret: aws.secretsmanager.Secret;
  /** The function's security group, when it runs in a VPC without given groups. */
  readonly securityGroup?: aws.ec2.SecurityGroup;
  /** Where the GitHub App's webhook must point. */
  readonly webhookUrl: pulumi.Output<string>;

  constructor(name: string, args: AwsScalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:AwsScaler', name, {}, opts);
    const bundle = args.bundle ?? LAMBDA_BUNDLE;
    const problems: string[] = [];
    if (!fs.existsSync(bundle))
      problems.push(
        `the scaler's Lambda bundle ${bundle} is missing: run \`npm run build:scaler\` before \`pulumi up\`.`,
      );
    if (!args.providers[args.region])
      problems.push(`args.providers has no provider for the function's region ${args.region}.`);
    for (const group of args.groups)
      if (!args.providers[group.region])
        problems.push(
          `args.providers has no provider for ${group.region}, where a scaled group is.`,
        );
    if (problems.length > 0)
      throw new Error(
        `AwsScaler "${name}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );

    const child = { parent: this, provider: args.providers[args.region] };
    const partition = aws.getPartitionOutput({}, child).partition;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const functionName = fitName(`ingot-scaler-${args.environment}`, 64);
    const secret = (suffix: string, value: pulumi.Input<string>, description: string) => {
      const s = new aws.secretsmanager.Secret(
        `${name}-${suffix}`,
        { name: `ingot/${args.environment}/scaler/${suffix}`, description, tags: args.tags },
        child,
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-${suffix}`,
        { secretId: s.id, secretString: pulumi.secret(value) },
        child,
      );
      return s;
    };
    this.appSecret = secret(
      'github-app',
      args.appSecret,
      "The scaler's GitHub App and webhook secret",
    );
    this.databaseSecret = secret('database', args.databaseUrl, "The scaler's PostgreSQL URL");

    // The configuration names the groups' generated names; its version rolls the function.
    const configParameter = new aws.ssm.Parameter(
      `${name}-config`,
      {
        name: `/ingot/${args.environment}/scaler/config`,
        description: "The scaler's configuration, derived from the fleet stack",
        type: 'String',
        tier: 'Intelligent-Tiering',
        // Not secret: `insecureValue` keeps it readable in the state and the console.
        insecureValue: args.config,
        tags: args.tags,
      },
      child,
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/lambda/${functionName}`, retentionInDays: 30, tags: args.tags },
      child,
    );
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: 'Ingot scaler: sizes the runner groups and hands out JIT configs',
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
        tags: args.tags,
      },
      child,
    );
    const regions = [...new Set(args.groups.map((g) => g.region))];
    new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.name,
        policy: pulumi
          .all([
            partition,
            account,
            logGroup.arn,
            this.appSecret.arn,
            this.databaseSecret.arn,
            pulumi.all(args.groups.map((g) => g.arn)),
            configParameter.arn,
          ])
          .apply(([p, a, logs, app, database, groupArns, config]) =>
            scalerPolicy({
              partition: p,
              account: a,
              logs,
              secrets: [app, database],
              groupArns,
              regions,
              ssmPrefix: args.ssmPrefix,
              config,
            }),
          ),
      },
      child,
    );

    let vpcConfig: aws.types.input.lambda.FunctionVpcConfig | undefined;
    let vpcAccess: aws.iam.RolePolicy | undefined;
    if (args.vpc) {
      this.securityGroup = args.vpc.securityGroupIds
        ? undefined
        : egressOnlySecurityGroup(`${name}-sg`, args.vpc.vpcId, args.tags, child);
      vpcConfig = {
        subnetIds: args.vpc.subnetIds,
        securityGroupIds: args.vpc.securityGroupIds ?? [
          (this.securityGroup as aws.ec2.SecurityGroup).id,
        ],
      };
      // What AWSLambdaVPCAccessExecutionRole (v3) grants beyond logs: Lambda manages the
      // function's network interfaces with the function's role; these actions take no
      // resource-level scoping that Lambda's documentation supports, hence "*".
      vpcAccess = new aws.iam.RolePolicy(
        `${name}-vpc`,
        { role: this.role.name, policy: JSON.stringify(LAMBDA_VPC_ACCESS) },
        child,
      );
    }

    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        name: functionName,
        description: `Ingot scaler (${args.environment}): GitHub workflow_job webhooks → runner groups`,
        role: this.role.arn,
        runtime: 'nodejs20.x',
        architectures: ['x86_64'],
        handler: 'index.handler',
        // Each request waits for the control loop passes it started.
        timeout: 60,
        memorySize: 512,
        code: new pulumi.asset.AssetArchive({ 'index.js': new pulumi.asset.FileAsset(bundle) }),
        environment: {
          variables: {
            INGOT_SCALER_CONFIG: pulumi.interpolate`aws-ssm:${configParameter.name}:${configParameter.version}`,
            INGOT_SCALER_SECRET: pulumi.interpolate`aws-secretsmanager:${this.appSecret.arn}`,
            INGOT_SCALER_DATABASE: pulumi.interpolate`aws-secretsmanager:${this.databaseSecret.arn}`,
          },
        },
        loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
        ...(vpcConfig ? { vpcConfig } : {}),
        tags: args.tags,
      },
      // Lambda checks the role may manage network interfaces when the function is created.
      { ...child, dependsOn: vpcAccess ? [logGroup, vpcAccess] : [logGroup] },
    );
    this.functionUrl = new aws.lambda.FunctionUrl(
      `${name}-url`,
      { functionName: this.function.name, authorizationType: 'NONE' },
      child,
    );
    // A public Function URL needs both statements (AWS, October 2025 onwards).
    new aws.lambda.Permission(
      `${name}-url-invoke`,
      {
        function: this.function.name,
        action: 'lambda:InvokeFunctionUrl',
        principal: '*',
        functionUrlAuthType: 'NONE',
      },
      child,
    );
    new aws.lambda.Permission(
      `${name}-url-invoke-function`,
      {
        function: this.function.name,
        action: 'lambda:InvokeFunction',
        principal: '*',
        invokedViaFunctionUrl: true,
      },
      child,
    );
    // macOS hosts read where to ask for runners here (their role may read nothing else).
    new aws.ssm.Parameter(
      `${name}-url-parameter`,
      {
        name: args.urlParameter,
        description: "The scaler's URL: macOS hosts post their identity document to <url>/jit/aws",
        type: 'String',
        insecureValue: this.functionUrl.functionUrl,
        tags: args.tags,
      },
      child,
    );
    this.webhookUrl = this.functionUrl.functionUrl.apply(
      (url) => `${url.replace(/\/+$/, '')}/webhook`,
    );

    this.events(name, args, child, partition, account);
    this.registerOutputs({ webhookUrl: this.webhookUrl, functionName: this.function.name });
  }

  /** The tick and the launch lifecycle actions of every scaled group reach the function. */
  private events(
    name: string,
    args: AwsScalerArgs,
    child: pulumi.CustomResourceOptions,
    partition: pulumi.Output<string>,
    account: pulumi.Output<string>,
  ): void {
    const toFunction = (rule: aws.cloudwatch.EventRule, suffix: string) => {
      new aws.cloudwatch.EventTarget(
        `${name}-${suffix}`,
        { rule: rule.name, arn: this.function.arn },
        child,
      );
      new aws.lambda.Permission(
        `${name}-${suffix}`,
        {
          function: this.function.name,
          action: 'lambda:InvokeFunction',
          principal: 'events.amazonaws.com',
          sourceArn: rule.arn,
        },
        child,
      );
    };
    const tick = new aws.cloudwatch.EventRule(
      `${name}-tick`,
      {
        description: 'Ingot scaler: control loop pass',
        scheduleExpression: 'rate(1 minute)',
        tags: args.tags,
      },
      child,
    );
    toFunction(tick, 'tick');
    const pattern = (groups: pulumi.Input<string>[]) =>
      pulumi.all(groups).apply((names) =>
        JSON.stringify({
          source: ['aws.autoscaling'],
          'detail-type': ['EC2 Instance-launch Lifecycle Action'],
          detail: { AutoScalingGroupName: names },
        }),
      );
    const launches = new aws.cloudwatch.EventRule(
      `${name}-launch`,
      {
        description: 'Ingot scaler: a runner instance waits for its JIT configuration',
        eventPattern: pattern(args.groups.map((g) => g.name)),
        tags: args.tags,
      },
      child,
    );
    toFunction(launches, 'launch');
    const remote = [...new Set(args.groups.map((g) => g.region))].filter((r) => r !== args.region);
    if (remote.length === 0) return;
    const bus = pulumi.interpolate`arn:${partition}:events:${args.region}:${account}:event-bus/default`;
    const forwarder = new aws.iam.Role(
      `${name}-forward`,
      {
        description: "Ingot scaler: forwards launch lifecycle actions to the scaler's region",
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
        tags: args.tags,
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-forward`,
      {
        role: forwarder.name,
        policy: bus.apply((arn) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: arn }],
          }),
        ),
      },
      child,
    );
    for (const region of remote) {
      const regional = { parent: this, provider: args.providers[region] };
      const rule = new aws.cloudwatch.EventRule(
        `${name}-launch-${region}`,
        {
          description: `Ingot scaler: launch lifecycle actions in ${region}, to ${args.region}`,
          eventPattern: pattern(args.groups.filter((g) => g.region === region).map((g) => g.name)),
          tags: args.tags,
        },
        regional,
      );
      new aws.cloudwatch.EventTarget(
        `${name}-launch-${region}`,
        { rule: rule.name, arn: bus, roleArn: forwarder.arn },
        regional,
      );
    }
  }
}

/**
 * AWSLambdaVPCAccessExecutionRole's EC2 statement (policy version 3,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html);
 * its log actions are already granted on the function's own log group.
 */
export const LAMBDA_VPC_ACCESS = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'LambdaVpcAccess',
      Effect: 'Allow',
      Action: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    },
  ],
};

/** The scaler role's policy: what `AwsBackend` and `createScaler` call, on its own resources only. */
export function scalerPolicy(p: {
  partition: string;
  account: string;
  logs: string;
  secrets: string[];
  groupArns: string[];
  regions: string[];
  ssmPrefix: string;
  /** The configuration parameter's ARN. */
  config: string;
}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Logs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${p.logs}:*`,
      },
      {
        Sid: 'OwnSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: p.secrets,
      },
      { Sid: 'OwnConfig', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: p.config },
      // Describe calls take no resource-level permission.
      {
        Sid: 'DescribeGroups',
        Effect: 'Allow',
        Action: 'autoscaling:DescribeAutoScalingGroups',
        Resource: '*',
      },
      {
        Sid: 'ScaledGroups',
        Effect: 'Allow',
        Action: [
          'autoscaling:SetDesiredCapacity',
          'autoscaling:TerminateInstanceInAutoScalingGroup',
          'autoscaling:CompleteLifecycleAction',
        ],
        Resource: p.groupArns,
      },
      {
        Sid: 'JitParameters',
        Effect: 'Allow',
        Action: ['ssm:PutParameter', 'ssm:AddTagsToResource'],
        Resource: p.regions.map(
          (r) => `arn:${p.partition}:ssm:${r}:${p.account}:parameter${p.ssmPrefix}/*`,
        ),
      },
    ],
  });
}
