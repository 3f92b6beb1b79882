import type { Cloud, Os } from '../sizes';

/** Where a runner reads the GitHub App credentials at boot. */
export type RegistrationSecret =
  { cloud: 'aws'; region: string; name: string } | { cloud: 'gcp'; project: string; name: string };

/**
 * Where a runner gets its single-use JIT configuration when the scaler drives its pool:
 * AWS — the SSM parameter `<parameterPrefix>/<instance id>` in `region`; GCP — the
 * scaler's `/jit`, with the VM's identity token (URL and audience in the VM metadata).
 */
export type JitSource =
  { cloud: 'aws'; region: string; parameterPrefix: string } | { cloud: 'gcp' };

/**
 * Everything a runner's boot script needs. The secret's *name* is here; its value (the
 * GitHub App's private key) is read by the instance at boot and never enters the
 * Pulumi program, its state or the user data.
 */
export interface BootstrapSpec {
  os: Os;
  cloud: Cloud;
  /** The runner's labels, region included, e.g. `[self-hosted, ubuntu, x64, small, prod, us-west-2]`. */
  labels: string[];
  /** GitHub organization and runner group the runner registers with. */
  organization: string;
  runnerGroup: string;
  /** GitHub's web URL and REST API URL. */
  githubUrl: string;
  apiUrl: string;
  /** Runner names are `<namePrefix>-<host name>`, e.g. `prod-ubuntu-small-ip-10-0-1-7`. */
  namePrefix: string;
  /** Where the runner registers itself from (no scaler; macOS hosts). */
  secret?: RegistrationSecret;
  /** Where the runner's JIT configuration comes from (the scaler drives the pool). */
  jit?: JitSource;
  /**
   * macOS hosts with the AWS scaler: the SSM parameter (in `region`) holding the scaler's
   * URL, where the host fetches each runner's JIT configuration with its identity document.
   */
  hostJit?: { region: string; urlParameter: string };
}

/**
 * Where the golden images install the runner (the contract with the image pipeline,
 * together with the tools the scripts call: curl, jq, openssl and the cloud's CLI).
 */
export const RUNNER_DIRS: Record<Os, string> = {
  ubuntu: '/opt/actions-runner',
  windows: 'C:\\actions-runner',
  macos: '/opt/actions-runner',
};

/** The secret's JSON: a GitHub App installed on the organization. */
export const SECRET_FORMAT =
  '{"app_id": "…", "installation_id": "…", "private_key": "-----BEGIN RSA PRIVATE KEY-----…"}';
