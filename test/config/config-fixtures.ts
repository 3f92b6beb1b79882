import type { RawStackConfig } from '../../src/config/parse-fleet-config';

export const PROJECT = 'ingot-fleet';
export const SECRET_ID = 'ingot_ci_fixture-id';
export const SECRET = 'ingot_cs_do-not-print-me-0123456789';

/** A small valid stack config; `fleet` entries replace the fleet's keys (JSON-encoded). */
export function rawConfig(
  fleet: Record<string, unknown> = {},
  extra: Partial<RawStackConfig> = {},
): RawStackConfig {
  const values: Record<string, string> = {
    'ingot:registryUrl': 'https://images.acme.example',
    'ingot:organizationId': 'acme',
    'ingot:projectId': 'runner-images',
    'ingot:registryClientId': SECRET_ID,
    'ingot:registryClientSecret': SECRET,
  };
  const keys: Record<string, unknown> = {
    github: {
      organization: 'acme',
      runnerGroup: 'ingot-dev',
      registrationSecret: { aws: 'ingot/dev/github-app', gcp: 'ingot-dev-github-app' },
    },
    gcp: { project: 'acme-runners-dev' },
    network: {
      aws: {
        'us-west-2': {
          vpcId: 'vpc-0d1e2f3a4b5c6d7e8',
          subnets: [
            { id: 'subnet-0a1b2c3d4e5f60718', zone: 'us-west-2a' },
            { id: 'subnet-0b2c3d4e5f6071829', zone: 'us-west-2b' },
          ],
        },
      },
      gcp: {
        'us-west2': {
          network: 'projects/acme-net-dev/global/networks/runners',
          subnetwork: 'projects/acme-net-dev/regions/us-west2/subnetworks/runners',
        },
      },
    },
    pools: [
      {
        name: 'ubuntu-small',
        os: 'ubuntu',
        size: 'small',
        cloud: 'aws',
        regions: ['us-west-2'],
        max: 4,
      },
    ],
    ...fleet,
  };
  for (const [key, value] of Object.entries(keys)) {
    if (value === undefined) continue;
    values[`${PROJECT}:${key}`] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return {
    project: PROJECT,
    stack: 'dev',
    values,
    secretKeys: ['ingot:registryClientId', 'ingot:registryClientSecret'],
    env: {},
    ...extra,
  };
}
