import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AwsScaler, LAMBDA_BUNDLE } from '../../src/fleet/scaler/aws-scaler';
import { chooseTarget } from '../../src/scaler/job-matching';
import { parseScalerConfig, type ScalerConfig } from '../../src/scaler/scaler-config';
import type { Recorded } from './fleet-engine';
import { FleetRegistry, type Deployment } from './fleet-deploy';
import { regional, T } from './fleet-graph';
import { SECRETS_KEY, withScaler } from './scaler-stack-config';
import { STACKS } from './stack-files';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * What AWS's managed policy AmazonSSMManagedInstanceCore allows (its published version 2):
 * no Secrets Manager action, but `ssm:GetParameter(s)` on every parameter — which is
 * why the runners' JIT policy needs its explicit Deny.
 */
const SSM_CORE_ACTIONS = [
  'ssm:DescribeAssociation',
  'ssm:GetDeployablePatchSnapshotForInstance',
  'ssm:GetDocument',
  'ssm:DescribeDocument',
  'ssm:GetManifest',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:ListAssociations',
  'ssm:ListInstanceAssociations',
  'ssm:PutInventory',
  'ssm:PutComplianceItems',
  'ssm:PutConfigurePackageResult',
  'ssm:UpdateAssociationStatus',
  'ssm:UpdateInstanceAssociationStatus',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
];

/** A secret input as the mocks record it: `{<secret signature>, value}`. */
function unsecret(value: any): string {
  assert.equal(typeof value, 'object', 'the value is a Pulumi secret');
  assert.equal(value['4dabf18193072939515e22adb298388d'], '1b47061264138c4ac30d75fd1eb44270');
  return value.value;
}

function statements(policy: string): any[] {
  return JSON.parse(policy).Statement;
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]) as string[];

/**
 * The fleet stacks with the scaler on, evaluated by the engine harness against a live
 * registry: the scalers are deployed with a configuration that covers every pool, and no
 * runner identity can reach the GitHub App key.
 */
describe('runner fleet stacks with the scaler', function () {
  this.timeout(180_000);
  let fleet: FleetRegistry;
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

  before(async () => {
    // The function's code is the real bundle of this package.
    if (!fs.existsSync(LAMBDA_BUNDLE))
      execFileSync('node', [path.join(ROOT, 'scripts', 'build-scaler.mjs')], { cwd: ROOT });
    fleet = await FleetRegistry.start();
  });
  after(async () => {
    await fleet?.close();
  });

  for (const stack of STACKS) {
    describe(`Pulumi.${stack}.yaml + scaler`, () => {
      let d: Deployment;
      const scaled = (cloud: string) =>
        d.config.pools.filter((p) => p.cloud === cloud && p.os !== 'macos');
      const one = (type: string, name: string): Recorded => {
        const found = d.engine.resources.filter((r) => r.type === type && r.name === name);
        assert.equal(found.length, 1, `${type} ${name}`);
        return found[0];
      };
      // What the function reads at start (INGOT_SCALER_CONFIG=aws-ssm:<name>:<version>).
      const awsConfig = (): ScalerConfig => {
        const fn = one('aws:lambda/function:Function', 'scaler-aws-function');
        const parameter = one('aws:ssm/parameter:Parameter', 'scaler-aws-config');
        assert.equal(
          fn.inputs.environment.variables.INGOT_SCALER_CONFIG,
          `aws-ssm:${parameter.inputs.name}:${parameter.state.version}`,
        );
        return parseScalerConfig(JSON.parse(parameter.inputs.insecureValue));
      };
      const gcpConfig = (): ScalerConfig => {
        const service = one('gcp:cloudrunv2/service:Service', 'scaler-gcp-service');
        const env = service.inputs.template.containers[0].envs;
        return parseScalerConfig(
          JSON.parse(env.find((e: any) => e.name === 'INGOT_SCALER_CONFIG').value),
        );
      };

      before(async () => {
        d = await fleet.deploy(stack, fleet.stackConfig(stack, withScaler(stack, pem)), [
          SECRETS_KEY,
        ]);
      });

      it('every Auto Scaling and GCP pool, in every region, gets a runner for a job asking for its labels', () => {
        const clouds = [
          ...new Set(d.config.pools.filter((p) => p.os !== 'macos').map((p) => p.cloud)),
        ];
        let checked = 0;
        for (const cloud of clouds) {
          const config = cloud === 'aws' ? awsConfig() : gcpConfig();
          for (const pool of scaled(cloud)) {
            for (const region of pool.regions) {
              const target = config.targets.find((t) => t.key === `${pool.name}/${region}`);
              assert.ok(target, `${pool.name}/${region} is a target of the ${cloud} scaler`);
              assert.ok(target.max >= 1 && target.max === pool.max && target.min === pool.min);
              // The group the scaler sizes is the group the stack made, with the same labels.
              if (cloud === 'aws') {
                const [asg] = regional(d, pool, region, 'asg');
                assert.equal(target.group, asg.state.name);
                const [lt] = regional(d, pool, region, 'lt');
                const tags = lt.inputs.tagSpecifications[0].tags;
                assert.equal(tags['ingot-runner-labels'], target.labels.join(','));
              } else {
                const mig = regional(d, pool, region, 'mig')[0];
                assert.equal(target.group, mig.inputs.name);
                const template = regional(d, pool, region, 'template').find(
                  (r) => r.type === T.template,
                )!;
                assert.equal(
                  template.inputs.metadata['ingot-runner-labels'],
                  target.labels.join(','),
                );
                const account = d.engine.resources.find(
                  (r) =>
                    r.type === 'gcp:serviceaccount/account:Account' &&
                    r.name === `${pool.name}-identity-account`,
                )!;
                assert.equal(target.serviceAccount, account.state.email);
                assert.equal(template.inputs.serviceAccount.email, account.state.email);
              }
              // A job that asks for the pool's labels, or the pool's labels in this region, is served.
              const wanted = target.labels;
              const byRegion = chooseTarget(wanted, config.targets, () => 1);
              assert.equal(byRegion?.key, target.key, `runs-on ${wanted.join(',')}`);
              const poolWide = target.labels.filter((l) => l !== region);
              const any = chooseTarget(poolWide, config.targets, () => 1);
              assert.ok(
                any && any.pool === pool.name,
                `runs-on ${poolWide.join(',')} → ${pool.name}`,
              );
              checked++;
            }
          }
        }
        assert.ok(checked > 0);
      });

      it('scaled groups hold new instances in the launch hook, protect them from scale-in and leave their size to the scaler', () => {
        const config = awsConfig();
        for (const pool of scaled('aws'))
          for (const region of pool.regions) {
            const [asg] = regional(d, pool, region, 'asg');
            assert.equal(asg.inputs.protectFromScaleIn, true);
            assert.deepEqual(asg.inputs.initialLifecycleHooks, [
              {
                name: config.lifecycleHook,
                lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
                defaultResult: 'ABANDON',
                heartbeatTimeout: 900,
              },
            ]);
            assert.equal(asg.inputs.desiredCapacity, pool.min);
            const script = Buffer.from(
              regional(d, pool, region, 'lt')[0].inputs.userData,
              'base64',
            ).toString();
            assert.match(script, /--jitconfig/);
            assert.ok(
              script.includes(`JIT_PREFIX='${config.ssmPrefix}'`) ||
                script.includes(`'${config.ssmPrefix}'`),
            );
            assert.doesNotMatch(script, /registration-token|secretsmanager|--token/);
          }
        for (const pool of scaled('gcp'))
          for (const region of pool.regions) {
            assert.deepEqual(regional(d, pool, region, 'autoscaler'), [], 'no CPU autoscaler');
            const template = regional(d, pool, region, 'template').find(
              (r) => r.type === T.template,
            )!;
            const service = one('gcp:cloudrunv2/service:Service', 'scaler-gcp-service');
            assert.equal(template.inputs.metadata['ingot-scaler-url'], service.state.uri);
            assert.equal(template.inputs.metadata['ingot-scaler-audience'], gcpConfig().audience);
            const script = Object.entries(template.inputs.metadata).find(([k]) =>
              /startup-script/.test(k),
            )![1] as string;
            assert.match(script, /--jitconfig/);
            assert.doesNotMatch(script, /registration-token|gcloud secrets/);
          }
      });

      it('no runner identity can read the App key or mint registration tokens; each reads only its own JIT parameter', () => {
        const roles = d.engine.ofType('aws:iam/role:Role');
        const runnerRoles = roles.filter((r) =>
          r.inputs.assumeRolePolicy.includes('ec2.amazonaws.com'),
        );
        assert.ok(runnerRoles.length > 0);
        const scalerSecretArns = d.engine
          .ofType('aws:secretsmanager/secret:Secret')
          .map((s) => s.state.arn as string);
        assert.equal(scalerSecretArns.length, 2);
        const macRoles = d.config.pools
          .filter((p) => p.os === 'macos')
          .map((p) => `${p.name}-identity-role`);
        for (const role of runnerRoles) {
          const policies = d.engine
            .ofType('aws:iam/rolePolicy:RolePolicy')
            .filter((p) => p.inputs.role === role.state.name);
          const attached = d.engine
            .ofType('aws:iam/rolePolicyAttachment:RolePolicyAttachment')
            .filter((p) => p.inputs.role === role.state.name)
            .map((p) => p.inputs.policyArn);
          assert.deepEqual(attached, ['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
          assert.ok(!SSM_CORE_ACTIONS.some((a) => a.startsWith('secretsmanager:')));
          for (const policy of policies)
            for (const s of statements(policy.inputs.policy)) {
              for (const arn of asList(s.Resource))
                assert.ok(
                  !scalerSecretArns.some(
                    (secret) => arn === secret || secret.startsWith(arn.replace(/\*.*$/, '')),
                  ),
                  `${role.name} → ${arn}`,
                );
              assert.ok(
                !asList(s.Action).some((a) => a.startsWith('secretsmanager:')),
                `${role.name} may read a secret`,
              );
            }
          if (macRoles.includes(role.name)) {
            // A Mac host reads where the scaler is, nothing else; it proves who it is with
            // its signed identity document, not with its role.
            assert.equal(policies.length, 1, role.name);
            const [only] = statements(policies[0].inputs.policy);
            assert.deepEqual(only, {
              Sid: 'ScalerUrl',
              Effect: 'Allow',
              Action: 'ssm:GetParameter',
              Resource: `arn:aws:ssm:us-west-2:123456789012:parameter/ingot/${d.config.environment}/scaler/url`,
            });
            continue;
          }
          const [jit] = policies.map((p) => statements(p.inputs.policy));
          assert.equal(policies.length, 1);
          const allow = jit.find((s) => s.Effect === 'Allow');
          const deny = jit.find((s) => s.Effect === 'Deny');
          assert.deepEqual(allow.Condition, {
            StringEquals: { 'ssm:resourceTag/InstanceArn': '${ec2:SourceInstanceARN}' },
          });
          assert.deepEqual(deny.Condition, {
            StringNotEquals: { 'ssm:resourceTag/InstanceArn': '${ec2:SourceInstanceARN}' },
          });
          // The Deny covers everything AmazonSSMManagedInstanceCore allows on parameters.
          for (const action of SSM_CORE_ACTIONS.filter((a) => /Parameter/.test(a)))
            assert.ok(deny.Action.includes(action), action);
          for (const arn of allow.Resource)
            assert.match(
              arn,
              /^arn:aws:ssm:[a-z0-9-]+:123456789012:parameter\/ingot\/[a-z]+\/jit\/\*$/,
            );
        }
        // GCP: runner accounts get no grant at all; only the scaler's account reads its secrets.
        const runnerAccounts = d.engine
          .ofType('gcp:serviceaccount/account:Account')
          .filter((a) => a.name.endsWith('-identity-account'))
          .map((a) => `serviceAccount:${a.state.email}`);
        const grants = [
          ...d.engine.ofType('gcp:secretmanager/secretIamMember:SecretIamMember'),
          ...d.engine.ofType('gcp:projects/iAMMember:IAMMember'),
        ];
        for (const grant of grants)
          assert.ok(!runnerAccounts.includes(grant.inputs.member), grant.name);
        if (scaled('gcp').length > 0) {
          const scalerAccount = one('gcp:serviceaccount/account:Account', 'scaler-gcp-account');
          for (const grant of d.engine.ofType('gcp:secretmanager/secretIamMember:SecretIamMember'))
            assert.equal(grant.inputs.member, `serviceAccount:${scalerAccount.state.email}`);
        }
      });

      it('every macOS instance asks the AWS scaler for its runners with its identity document and is a host of its configuration', () => {
        const config = awsConfig();
        const macPools = d.config.pools.filter((p) => p.os === 'macos');
        assert.ok(macPools.length > 0, 'the stack has macOS pools');
        const url = one('aws:ssm/parameter:Parameter', 'scaler-aws-url-parameter');
        assert.equal(url.inputs.name, `/ingot/${d.config.environment}/scaler/url`);
        assert.equal(
          url.inputs.insecureValue,
          one('aws:lambda/functionUrl:FunctionUrl', 'scaler-aws-url').state.functionUrl,
        );
        for (const pool of macPools)
          for (const region of pool.regions) {
            const host = config.hosts.find((h) => h.key === `${pool.name}/${region}`);
            assert.ok(host, `${pool.name}/${region} is a host entry`);
            const instances = regional(d, pool, region, 'mac').filter((r) => r.type === T.instance);
            assert.deepEqual([...host.instances].sort(), instances.map((i) => i.id).sort());
            assert.equal(host.account, '123456789012');
            for (const instance of instances) {
              assert.equal(instance.inputs.tags['ingot-runner-labels'], host.labels.join(','));
              const script = Buffer.from(instance.inputs.userDataBase64, 'base64').toString();
              assert.match(script, /--jitconfig "\$JIT_CONFIG"/);
              assert.match(script, /instance-identity\/signature/);
              assert.ok(script.includes(`SCALER_URL_PARAMETER='${url.inputs.name}'`));
              assert.doesNotMatch(script, /secretsmanager|registration-token|private_key/);
            }
            // A queued job asking for the Mac labels matches no group: hosts are not sized.
            assert.equal(
              chooseTarget(host.labels, config.targets, () => 1),
              undefined,
            );
          }
      });

      it("the scaler's own identity may touch only its secrets, its groups and the JIT parameters", () => {
        const policy = one('aws:iam/rolePolicy:RolePolicy', 'scaler-aws-policy');
        const byId = Object.fromEntries(statements(policy.inputs.policy).map((s) => [s.Sid, s]));
        const asgArns = scaled('aws').flatMap((p) =>
          p.regions.map((r) => regional(d, p, r, 'asg')[0].state.arn),
        );
        assert.deepEqual([...byId.ScaledGroups.Resource].sort(), [...asgArns].sort());
        assert.deepEqual(
          byId.OwnSecrets.Resource.sort(),
          d.engine
            .ofType('aws:secretsmanager/secret:Secret')
            .map((s) => s.state.arn)
            .sort(),
        );
        assert.equal(byId.DescribeGroups.Action, 'autoscaling:DescribeAutoScalingGroups');
        for (const arn of byId.JitParameters.Resource)
          assert.match(arn, new RegExp(`parameter/ingot/${d.config.environment}/jit/\\*$`));
        const wildcard = statements(policy.inputs.policy).filter((s) => s.Resource === '*');
        assert.deepEqual(
          wildcard.map((s) => s.Action),
          ['autoscaling:DescribeAutoScalingGroups'],
        );
        if (scaled('gcp').length > 0) {
          const role = one('gcp:projects/iAMCustomRole:IAMCustomRole', 'scaler-gcp-role');
          assert.deepEqual(role.inputs.permissions, [
            'compute.instanceGroupManagers.get',
            'compute.instanceGroupManagers.update',
            'compute.instanceGroupManagers.use',
          ]);
          const grant = one('gcp:projects/iAMMember:IAMMember', 'scaler-gcp-groups');
          for (const pool of scaled('gcp'))
            for (const region of pool.regions)
              assert.ok(
                grant.inputs.condition.expression.includes(
                  `projects/${d.config.gcp!.project}/regions/${region}/instanceGroupManagers/${regional(d, pool, region, 'mig')[0].inputs.name}"`,
                ),
              );
        }
      });

      it('the App secret and database URL live in the secret stores as Pulumi secrets, never in plain inputs', () => {
        const versions = [
          ...d.engine.ofType('aws:secretsmanager/secretVersion:SecretVersion'),
          ...d.engine.ofType('gcp:secretmanager/secretVersion:SecretVersion'),
        ];
        assert.equal(versions.length, scaled('gcp').length > 0 ? 4 : 2);
        const fn = one('aws:lambda/function:Function', 'scaler-aws-function');
        const everythingElse = d.engine.resources.filter((r) => !versions.includes(r));
        const text = JSON.stringify(everythingElse.map((r) => r.inputs));
        assert.ok(
          !text.includes('PRIVATE KEY') && !text.includes('whsec-') && !text.includes('pw1@'),
          'no secret outside the secret versions',
        );
        assert.match(
          fn.inputs.environment.variables.INGOT_SCALER_SECRET,
          /^aws-secretsmanager:arn:aws:secretsmanager:/,
        );
        assert.match(
          fn.inputs.environment.variables.INGOT_SCALER_DATABASE,
          /^aws-secretsmanager:arn:aws:secretsmanager:/,
        );
        const app = d.engine
          .ofType('aws:secretsmanager/secretVersion:SecretVersion')
          .find((v) => v.name === 'scaler-aws-github-app')!;
        assert.deepEqual(Object.keys(JSON.parse(unsecret(app.inputs.secretString))).sort(), [
          'app_id',
          'installation_id',
          'private_key',
          'webhook_secret',
        ]);
      });

      it('a missing Lambda bundle stops the deployment with the command that makes it', () => {
        assert.throws(
          () =>
            new AwsScaler('no-bundle', {
              environment: stack,
              region: 'us-west-2',
              providers: {},
              config: '{}',
              groups: [{ region: 'us-east-1', name: 'g', arn: 'arn' }],
              ssmPrefix: '/ingot/x/jit',
              urlParameter: '/ingot/x/scaler/url',
              appSecret: '{}',
              databaseUrl: 'postgres://x',
              bundle: path.join(ROOT, 'dist', 'no-such-bundle.js'),
              tags: {},
            }),
          (error: Error) =>
            error.message.includes('run `npm run build:scaler` before `pulumi up`') &&
            error.message.includes("no provider for the function's region us-west-2") &&
            error.message.includes('no provider for us-east-1, where a scaled group is'),
        );
      });

      it('exports each webhook URL; the function is the bundle of this package, public behind its URL', () => {
        const url = one('aws:lambda/functionUrl:FunctionUrl', 'scaler-aws-url');
        const exported = d.scaler as any;
        assert.equal(
          exported.aws.webhookUrl,
          `https://ingot-scaler-${stack}.lambda-url.us-west-2.on.aws/webhook`,
        );
        assert.equal(exported.aws.function, `ingot-scaler-${stack}`);
        if (scaled('gcp').length > 0)
          assert.equal(
            exported.gcp.webhookUrl,
            `${one('gcp:cloudrunv2/service:Service', 'scaler-gcp-service').state.uri}/webhook`,
          );
        assert.equal(url.inputs.authorizationType, 'NONE');
        const fn = one('aws:lambda/function:Function', 'scaler-aws-function');
        assert.equal(fn.inputs.handler, 'index.handler');
        assert.equal(fn.inputs.runtime, 'nodejs20.x');
        const lifecycleRules = d.engine
          .ofType('aws:cloudwatch/eventRule:EventRule')
          .filter((r) => r.inputs.eventPattern);
        for (const rule of lifecycleRules)
          assert.deepEqual(JSON.parse(rule.inputs.eventPattern)['detail-type'], [
            'EC2 Instance-launch Lifecycle Action',
          ]);
        assert.ok(
          d.engine
            .ofType('aws:cloudwatch/eventRule:EventRule')
            .some((r) => r.inputs.scheduleExpression === 'rate(1 minute)'),
        );
      });
    });
  }
});
