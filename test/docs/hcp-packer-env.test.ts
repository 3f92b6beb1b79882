import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, type RunningRegistry } from '../../src/registry/serve';
import { sdkSend, type Dial } from '../helpers/hcp-sdk-env';
import { packerReplaySuite } from '../helpers/packer-replay';
import { commandBlocks, type CommandBlock } from './doc-blocks';
import { DocsWorkspace } from './docs-session';

/**
 * Issue 11: the variables docs/hcp-packer.md tells users to export must be the ones that
 * take Packer and Terraform to Ingot. Packer ≥ 1.7.7 and terraform-provider-hcp are not
 * on the test machine, so the section's `packer build` / `terraform apply` blocks are
 * marked; instead the Go-SDK-shaped replay (test/helpers/packer-replay.ts) is driven with
 * exactly the values those blocks export, read the way hashicorp/hcp-sdk-go's
 * config.FromEnv (config/env.go) reads them.
 */
const FILE = 'docs/hcp-packer.md';
const HCP_VARIABLES = [
  'HCP_API_ADDRESS',
  'HCP_AUTH_URL',
  'HCP_API_TLS',
  'HCP_AUTH_TLS',
  'HCP_CLIENT_ID',
  'HCP_CLIENT_SECRET',
  'HCP_ORGANIZATION_ID',
  'HCP_PROJECT_ID',
  'SSL_CERT_FILE',
];

function sectionBlocks(): CommandBlock[] {
  const text = fs.readFileSync(path.join(__dirname, '../..', FILE), 'utf8').split('\n');
  const start = text.indexOf('## Pointing Packer and Terraform at Ingot');
  assert.ok(start >= 0, `${FILE} has "## Pointing Packer and Terraform at Ingot"`);
  return commandBlocks(FILE).filter((b) => b.line > start);
}

/** `export A=x B=y` lines of a marked block, read without running it. */
function exportsOf(block: CommandBlock): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of block.script.split('\n')) {
    if (!line.startsWith('export ')) continue;
    for (const [, name, value] of line.replace(/#.*$/, '').matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g))
      vars[name] = value;
  }
  return vars;
}

describe(`${FILE}: the documented HCP_* settings take Packer and Terraform to Ingot`, function () {
  this.timeout(120_000);

  it('marks only what needs Packer >= 1.7.7 or Terraform, and runs the rest', () => {
    const blocks = sectionBlocks();
    const packer = blocks.filter((b) => /^packer build/m.test(b.script));
    assert.ok(packer.length >= 2, 'with and without TLS');
    for (const b of packer) assert.ok(b.needs.includes('packer>=1.7.7'), `${FILE}:${b.line}`);
    const runnable = blocks.filter((b) => b.needs.length === 0);
    assert.equal(runnable.length, 1, 'the plain-HTTP settings run as written');
    assert.doesNotMatch(runnable[0].script, /^(packer|terraform) /m);
  });

  describe('without TLS: the block run as written, then its environment replayed', () => {
    let workspace: DocsWorkspace;
    const vars: Record<string, string> = {};

    before(async () => {
      workspace = await DocsWorkspace.start();
      const [settings] = sectionBlocks().filter((b) => b.needs.length === 0);
      const dump: CommandBlock = {
        ...settings,
        script: `env | grep -E '^(${HCP_VARIABLES.join('|')})=' > hcp.env`,
      };
      const result = await workspace.run([settings, dump]);
      assert.equal(result.status, 0, `${result.stderr}\n${result.stdout}`);
      for (const line of fs.readFileSync(path.join(workspace.dir, 'hcp.env'), 'utf8').split('\n')) {
        const at = line.indexOf('=');
        if (at > 0) vars[line.slice(0, at)] = line.slice(at + 1);
      }
    });
    after(async () => {
      await workspace?.close();
    });

    it('exports every variable Packer reads, plain HTTP on both sides', () => {
      for (const name of HCP_VARIABLES.filter((n) => n !== 'SSL_CERT_FILE'))
        assert.ok(vars[name], `${name} is exported`);
      assert.equal(vars.HCP_API_TLS, 'disabled');
      assert.equal(vars.HCP_AUTH_TLS, 'disabled');
      assert.doesNotMatch(vars.HCP_API_ADDRESS, /:\/\//, 'a host:port, as the SDK reads it');
      assert.equal(`http://${vars.HCP_API_ADDRESS}`, workspace.running.url);
    });

    describe("Packer's calls with those values (a contributor)", () => {
      packerReplaySuite(() => sdkSend(vars, undefined), {
        scope: () => ({ organization: vars.HCP_ORGANIZATION_ID, project: vars.HCP_PROJECT_ID }),
        callers: 'packer',
      });
    });
  });

  describe('with TLS: the exports of the block, `…` filled with an admin', () => {
    let dir: string;
    let running: RunningRegistry;
    let vars: Record<string, string> = {};
    let dial: Dial;

    before(async () => {
      const block = sectionBlocks().find(
        (b) => /--tls-cert/.test(b.script) && /^packer build/m.test(b.script),
      );
      assert.ok(block, 'the TLS block');
      vars = exportsOf(block);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-docs-tls-'));
      const host = new URL(vars.HCP_AUTH_URL).hostname;
      const certFile = path.join(dir, 'cert.pem');
      const keyFile = path.join(dir, 'key.pem');
      // A certificate for the documented host name, its own CA as a private CA would be.
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', keyFile].concat([
          '-out',
          certFile,
          '-subj',
          `/CN=${host}`,
          '-addext',
          `subjectAltName=DNS:${host}`,
        ]),
        { stdio: 'ignore' },
      );
      const credentialsFile = path.join(dir, 'admin-credentials.json');
      running = await startRegistry(
        {
          host: '127.0.0.1',
          port: 0,
          databaseUrl: path.join(dir, 'registry.db'),
          credentialsFile,
          logLevel: 'silent',
          tls: { certFile, keyFile },
        },
        { logger: false },
      );
      const admin = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as Record<string, string>;
      assert.equal(vars.HCP_CLIENT_ID, '…');
      assert.equal(vars.HCP_CLIENT_SECRET, '…');
      vars.HCP_CLIENT_ID = admin.client_id;
      vars.HCP_CLIENT_SECRET = admin.client_secret;
      assert.ok(vars.SSL_CERT_FILE, 'the block trusts a private CA');
      vars.SSL_CERT_FILE = certFile;
      dial = { host: '127.0.0.1', port: Number(new URL(running.url).port) };
    });
    after(async () => {
      await running?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('names the same host for the API and for auth, HTTPS on both', () => {
      assert.equal(vars.HCP_API_TLS, undefined, 'unset: verified HTTPS');
      assert.equal(vars.HCP_AUTH_TLS, undefined);
      assert.equal(`https://${vars.HCP_API_ADDRESS}`, vars.HCP_AUTH_URL);
    });

    it('is refused without the private CA, as Go refuses an unknown issuer', async () => {
      const untrusting = sdkSend({ ...vars, SSL_CERT_FILE: '' }, dial);
      await assert.rejects(
        untrusting('GET', '/packer/2023-01-01/organizations/acme/projects/images/registry'),
        /self[- ]signed|unable to verify|certificate/i,
      );
    });

    describe("Packer's and Terraform's calls with those values", () => {
      packerReplaySuite(() => sdkSend(vars, dial), {
        scope: () => ({ organization: vars.HCP_ORGANIZATION_ID, project: vars.HCP_PROJECT_ID }),
      });
    });
  });
});
