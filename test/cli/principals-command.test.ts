import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv, ingot, ingotJson, ingotOk, rows } from '../helpers/cli';
import { ENGINES, startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

const PROJECT = ['--organization', 'org-1', '--project', 'proj-1'];

/** A token request as a pipeline would make it with the printed credentials. */
async function tokenStatus(r: TestRegistry, clientId: string, clientSecret: string) {
  const res = await fetch(`${r.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  return res.status;
}

for (const engine of ENGINES) {
  describe(`ingot principals over the API [${engine}]`, function () {
    this.timeout(60_000);
    let r: TestRegistry;
    before(async () => (r = await startTestRegistry(engine)));
    after(() => r?.close());

    it('create, ls, rotate and delete with an admin’s credentials', async () => {
      const env = cliEnv(r);
      const created = await ingotJson(
        ['principals', 'create', '--role', 'contributor', '--name', 'ci', ...PROJECT],
        env,
      );
      assert.deepEqual(created.principal.roles, [
        { organization_id: 'org-1', project_id: 'proj-1', role: 'contributor' },
      ]);
      const id = created.principal.client_id;
      assert.equal(await tokenStatus(r, id, created.client_secret), 200);

      const listed = await ingotJson(['principals', 'ls', ...PROJECT], env);
      assert.deepEqual(
        listed.principals.map((p: { client_id: string }) => p.client_id),
        [id],
        'the project’s principals only',
      );
      const table = rows(await ingotOk(['principals', 'ls'], env));
      assert.deepEqual(table[0], ['CLIENT ID', 'NAME', 'ROLES', 'CREATED']);
      assert.ok(table.some((row) => row[0] === id && row[2] === 'contributor on org-1/proj-1'));
      assert.ok(
        table.some((row) => row[0] === r.admin.clientId),
        'registry-wide list',
      );

      const text = await ingotOk(['principals', 'rotate', id, ...PROJECT], env);
      const secret = /HCP_CLIENT_SECRET=(\S+)/.exec(text)?.[1] ?? '';
      assert.match(text, new RegExp(`HCP_CLIENT_ID=${id}`));
      assert.equal(await tokenStatus(r, id, created.client_secret), 401, 'old secret refused');
      assert.equal(await tokenStatus(r, id, secret), 200, 'new secret works');

      assert.match(await ingotOk(['principals', 'delete', id], env), /Deleted principal/);
      assert.equal(await tokenStatus(r, id, secret), 401);
    });

    it('a project admin manages its project; a wider grant is refused with the reason', async () => {
      const admin = await r.principal('admin', 'org-1', 'proj-1');
      const env = cliEnv(r, admin);
      const created = await ingotJson(
        ['principals', 'create', '--role', 'viewer', ...PROJECT],
        env,
      );
      assert.equal(created.principal.roles[0].project_id, 'proj-1');
      const wider = await ingot(['principals', 'create', '--role', 'viewer'], env);
      assert.equal(wider.status, 1);
      assert.match(wider.stderr, /needs the admin role there/);
      const other = await ingot(['principals', 'ls'], env);
      assert.equal(other.status, 1, 'the registry-wide list is for registry-wide admins');
      await ingotOk(['principals', 'delete', created.principal.client_id, ...PROJECT], env);
    });
  });
}

describe('ingot principals without --database never opens a database file', function () {
  it('asks for a registry instead, and creates nothing in the working directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-principals-'));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const res = await ingot(['principals', 'create', '--role', 'viewer'], cliEnv(null));
      assert.equal(res.status, 1);
      assert.match(res.stderr, /no registry: set INGOT_REGISTRY_URL/);
      assert.deepEqual(fs.readdirSync(dir), [], 'no ./.ingot/registry.db appeared');
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
