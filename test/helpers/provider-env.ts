import type { TestRegistry } from './registry-harness';
import { testTokenCache } from './token-cache-dir';

const KEYS = [
  'INGOT_REGISTRY_URL',
  'HCP_CLIENT_ID',
  'HCP_CLIENT_SECRET',
  'HCP_ORGANIZATION_ID',
  'HCP_PROJECT_ID',
  'INGOT_CREDENTIALS_FILE',
  'HCP_API_ADDRESS',
  'INGOT_TOKEN_CACHE',
];

/** Points the providers' environment at a test registry (as `pulumi up` would be run). */
export function useRegistryEnv(registry: () => TestRegistry): void {
  const saved: Record<string, string | undefined> = {};
  before(() => {
    for (const key of KEYS) saved[key] = process.env[key];
    for (const key of KEYS) delete process.env[key];
    const r = registry();
    process.env.INGOT_REGISTRY_URL = r.url;
    process.env.HCP_CLIENT_ID = r.admin.clientId;
    process.env.HCP_CLIENT_SECRET = r.admin.clientSecret;
    process.env.HCP_ORGANIZATION_ID = 'org-1';
    process.env.HCP_PROJECT_ID = 'proj-1';
    // The pipelines' own `ingot` commands cache their token in the test run's directory.
    process.env.INGOT_TOKEN_CACHE = testTokenCache();
  });
  after(() => {
    for (const key of KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
}
