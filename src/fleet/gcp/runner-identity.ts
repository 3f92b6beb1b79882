import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import { gcpAccountId } from '../naming';

/** Arguments of {@link GcpRunnerIdentity}. */
export interface GcpRunnerIdentityArgs {
  /** The project of the runners and their registration secret. */
  project: string;
  environment: string;
  /** The pool's name (the account id derives from it and the environment). */
  pool: string;
  /** Secret Manager id of the GitHub App credentials; absent with the scaler (no access at all). */
  secretName?: string;
  /** The provider to create the (global) account with: the pool's first region's. */
  provider: pulumi.ProviderResource;
}

/**
 * The runners' dedicated service account, allowed to read its registration secret and
 * nothing else (no project role is granted). With the scaler it gets no grant at all:
 * its identity tokens are what the scaler checks before handing out a JIT configuration.
 */
export class GcpRunnerIdentity extends pulumi.ComponentResource {
  readonly account: gcp.serviceaccount.Account;
  readonly secretAccess?: gcp.secretmanager.SecretIamMember;

  constructor(name: string, args: GcpRunnerIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('ingot:fleet:GcpRunnerIdentity', name, {}, opts);
    if (!args.project)
      throw new Error(`GcpRunnerIdentity "${name}": args.project is required (the GCP project).`);
    const child = { parent: this, provider: args.provider };
    this.account = new gcp.serviceaccount.Account(
      `${name}-account`,
      {
        project: args.project,
        accountId: gcpAccountId(args.environment, args.pool),
        displayName: `Ingot runners ${args.environment}/${args.pool}`,
        description: args.secretName
          ? 'GitHub Actions runners: reads its registration secret only'
          : 'GitHub Actions runners: no grants (JIT configs from the scaler)',
      },
      child,
    );
    if (args.secretName)
      this.secretAccess = new gcp.secretmanager.SecretIamMember(
        `${name}-secret-access`,
        {
          project: args.project,
          secretId: args.secretName,
          role: 'roles/secretmanager.secretAccessor',
          member: pulumi.interpolate`serviceAccount:${this.account.email}`,
        },
        child,
      );
    this.registerOutputs({ email: this.account.email });
  }
}
