import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { fitName } from '../naming';

/** Arguments of {@link GcpScaler}. */
export interface GcpScalerArgs {
  environment: string;
  project: string;
  /** The region the Cloud Run service runs in. */
  region: string;
  provider: pulumi.ProviderResource;
  /** The container image built from this package (deploy/scaler/Dockerfile). */
  image: string;
  /** The scaler's configuration (`scalerConfigFor`), JSON. */
  config: string;
  /** The scaled managed instance groups: `{region, name}`. */
  groups: { region: string; name: string }[];
  /** `{"app_id", "installation_id", "private_key", "webhook_secret"}` as JSON: a Pulumi secret. */
  appSecret: pulumi.Input<string>;
  /** The PostgreSQL URL of the scaler's state: a Pulumi secret. */
  databaseUrl: pulumi.Input<string>;
  labels: Record<string, string>;
}

/** What the scaler calls on a managed instance group (`RestComputeClient`). */
export const GCP_SCALER_PERMISSIONS = [
  'compute.instanceGroupManagers.get',
  'compute.instanceGroupManagers.update',
  'compute.instanceGroupManagers.use',
];

/**
 * The GCP scaler: the scaler built from this package as a Cloud Run service (public:
 * GitHub cannot authenticate to Google; the scaler checks each delivery's signature and
 * each VM's identity token), with its own service account, its GitHub App and database
 * URL in Secret Manager (mounted as environment variables), CPU kept allocated and one
 * instance always up so the control loop's timer runs. The account may read its two
 * secrets and get/update the scaled groups only (a custom role bound with an IAM
 * condition on the groups' resource names).
 */
export class GcpScaler extends pulumi.ComponentResource {
  readonly account: gcp.serviceaccount.Account;
  readonly service: gcp.cloudrunv2.Service;
  readonly appSecret: gcp.secretmanager.Secret;
  readonly databaseSecret: gcp.secretmanager.Secret;
  readonly url: pulumi.Output<string>;
  /** Where the GitHub App's webhook must point. */
  readonly webhookUrl: pulumi.Output<string>;

  constructor(name: string, args: GcpScalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:GcpScaler', name, {}, opts);
    if (args.groups.length === 0)
      throw new Error(
        `GcpScaler "${name}": args.groups is empty: the scaler has no group to size.`,
      );
    const child = { parent: this, provider: args.provider };
    const serviceName = fitName(`ingot-scaler-${args.environment}`, 49);
    this.account = new gcp.serviceaccount.Account(
      `${name}-account`,
      {
        project: args.project,
        accountId: fitName(`ingot-scaler-${args.environment}`, 30),
        displayName: `Ingot scaler ${args.environment}`,
        description: 'Sizes the runner groups and hands out JIT configs',
      },
      child,
    );
    const member = pulumi.interpolate`serviceAccount:${this.account.email}`;
    const secret = (suffix: string, value: pulumi.Input<string>) => {
      const s = new gcp.secretmanager.Secret(
        `${name}-${suffix}`,
        {
          project: args.project,
          secretId: fitName(`ingot-${args.environment}-scaler-${suffix}`, 255),
          replication: { auto: {} },
          labels: args.labels,
        },
        child,
      );
      const version = new gcp.secretmanager.SecretVersion(
        `${name}-${suffix}`,
        { secret: s.id, secretData: pulumi.secret(value) },
        child,
      );
      const access = new gcp.secretmanager.SecretIamMember(
        `${name}-${suffix}-access`,
        {
          project: args.project,
          secretId: s.secretId,
          role: 'roles/secretmanager.secretAccessor',
          member,
        },
        child,
      );
      return { secret: s, ready: [version, access] };
    };
    const app = secret('github-app', args.appSecret);
    const database = secret('database', args.databaseUrl);
    this.appSecret = app.secret;
    this.databaseSecret = database.secret;

    const role = new gcp.projects.IAMCustomRole(
      `${name}-role`,
      {
        project: args.project,
        roleId: `ingotScaler${args.environment.replace(/[^A-Za-z0-9]/g, '')}`,
        title: `Ingot scaler (${args.environment})`,
        description: 'Read and resize the runner managed instance groups',
        permissions: GCP_SCALER_PERMISSIONS,
      },
      child,
    );
    const groupGrant = new gcp.projects.IAMMember(
      `${name}-groups`,
      {
        project: args.project,
        role: role.name,
        member,
        condition: {
          title: 'ingot-runner-groups',
          description: 'Only the scaled runner groups',
          expression: args.groups
            .map(
              (g) =>
                `resource.name == "projects/${args.project}/regions/${g.region}/instanceGroupManagers/${g.name}"`,
            )
            .join(' || '),
        },
      },
      child,
    );

    this.service = new gcp.cloudrunv2.Service(
      `${name}-service`,
      {
        project: args.project,
        location: args.region,
        name: serviceName,
        description: `Ingot scaler (${args.environment}): GitHub workflow_job webhooks → runner groups`,
        ingress: 'INGRESS_TRAFFIC_ALL',
        deletionProtection: false,
        labels: args.labels,
        template: {
          serviceAccount: this.account.email,
          scaling: { minInstanceCount: 1, maxInstanceCount: 3 },
          containers: [
            {
              image: args.image,
              ports: { containerPort: 8080 },
              envs: [
                { name: 'INGOT_SCALER_CONFIG', value: args.config },
                {
                  name: 'INGOT_SCALER_SECRET',
                  valueSource: { secretKeyRef: { secret: app.secret.secretId, version: 'latest' } },
                },
                {
                  name: 'INGOT_SCALER_DATABASE',
                  valueSource: {
                    secretKeyRef: { secret: database.secret.secretId, version: 'latest' },
                  },
                },
              ],
              resources: { cpuIdle: false, limits: { cpu: '1', memory: '512Mi' } },
              startupProbe: {
                httpGet: { path: '/healthz' },
                periodSeconds: 5,
                failureThreshold: 12,
              },
              livenessProbe: { httpGet: { path: '/healthz' }, periodSeconds: 30 },
            },
          ],
        },
      },
      { ...child, dependsOn: [...app.ready, ...database.ready, groupGrant] },
    );
    new gcp.cloudrunv2.ServiceIamMember(
      `${name}-public`,
      {
        project: args.project,
        location: args.region,
        name: this.service.name,
        role: 'roles/run.invoker',
        member: 'allUsers',
      },
      child,
    );
    this.url = this.service.uri;
    this.webhookUrl = this.service.uri.apply((uri) => `${uri.replace(/\/+$/, '')}/webhook`);
    this.registerOutputs({ webhookUrl: this.webhookUrl, service: this.service.name });
  }
}
