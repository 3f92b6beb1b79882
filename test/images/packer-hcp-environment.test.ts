import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HCP_FROM_INGOT_REGISTRY } from '../../src/images/packer-command';
import { startRegistry, type RunningRegistry } from '../../src/registry/serve';
import { sdkSend } from '../helpers/hcp-sdk-env';
import { packerReplaySuite } from '../helpers/packer-replay';

/**
 * The build step's HCP settings, run by bash as the step runs them, must take Packer's HCP
 * client (hcp-sdk-go config/env.go, read by test/helpers/hcp-sdk-env.ts) to the registry of
 * `INGOT_REGISTRY_URL`: a scheme in HCP_API_ADDRESS or "/oauth2/token" in HCP_AUTH_URL
 * would send every native publish and parent lookup to a wrong address.
 */
function hcpEnvironment(env: Record<string, string>): Record<string, string> {
  const script = [...HCP_FROM_INGOT_REGISTRY, 'env -0'].join('\n');
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  }).toString('utf8');
  const vars: Record<string, string> = {};
  for (const entry of out.split('\0')) {
    const at = entry.indexOf('=');
    if (entry.startsWith('HCP_') && at > 0) vars[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return vars;
}

describe('packer build step: HCP_* from INGOT_REGISTRY_URL as hcp-sdk-go reads them', function () {
  this.timeout(120_000);

  it('an https registry: host:port, TLS verified, the registry as the auth base', () => {
    const vars = hcpEnvironment({ INGOT_REGISTRY_URL: 'https://registry.internal:8443/' });
    assert.deepEqual(vars, {
      HCP_API_ADDRESS: 'registry.internal:8443',
      HCP_AUTH_URL: 'https://registry.internal:8443',
    });
  });

  it('leaves a configured HCP_API_ADDRESS (HCP itself, or Ingot set by hand) alone', () => {
    const vars = hcpEnvironment({
      INGOT_REGISTRY_URL: 'http://127.0.0.1:8080',
      HCP_API_ADDRESS: 'api.cloud.hashicorp.com',
    });
    assert.deepEqual(vars, { HCP_API_ADDRESS: 'api.cloud.hashicorp.com' });
  });

  it('keeps an explicit HCP_API_TLS and HCP_AUTH_URL', () => {
    const vars = hcpEnvironment({
      INGOT_REGISTRY_URL: 'http://127.0.0.1:8080',
      HCP_AUTH_URL: 'https://idp.internal',
      HCP_AUTH_TLS: 'insecure',
    });
    assert.equal(vars.HCP_AUTH_URL, 'https://idp.internal');
    assert.equal(vars.HCP_AUTH_TLS, 'insecure');
    assert.equal(vars.HCP_API_TLS, 'disabled');
  });

  describe("a plain-HTTP registry: Packer's calls with the step's variables", () => {
    let dir: string;
    let running: RunningRegistry;
    const vars: Record<string, string> = {};

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-packer-env-'));
      const credentialsFile = path.join(dir, 'credentials.json');
      running = await startRegistry(
        {
          host: '127.0.0.1',
          port: 0,
          databaseUrl: path.join(dir, 'registry.db'),
          credentialsFile,
          logLevel: 'silent',
        },
        { logger: false },
      );
      const admin = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as Record<string, string>;
      Object.assign(vars, hcpEnvironment({ INGOT_REGISTRY_URL: `${running.url}/` }), {
        HCP_CLIENT_ID: admin.client_id,
        HCP_CLIENT_SECRET: admin.client_secret,
        HCP_ORGANIZATION_ID: 'acme',
        HCP_PROJECT_ID: 'images',
      });
    });
    after(async () => {
      await running?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('exports a scheme-less address and plain HTTP on both sides', () => {
      assert.equal(`http://${vars.HCP_API_ADDRESS}`, running.url);
      assert.equal(vars.HCP_AUTH_URL, running.url);
      assert.equal(vars.HCP_API_TLS, 'disabled');
      assert.equal(vars.HCP_AUTH_TLS, 'disabled');
    });

    packerReplaySuite(() => sdkSend(vars, undefined), {
      scope: () => ({ organization: vars.HCP_ORGANIZATION_ID, project: vars.HCP_PROJECT_ID }),
      callers: 'packer',
    });
  });
});
