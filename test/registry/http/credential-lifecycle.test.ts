import assert from 'node:assert/strict';
import {
  describeEachEngine,
  type Credentials,
  type TestRegistry,
} from '../../helpers/registry-harness';

/** A fresh token (never the harness's cached one), or the refusal. */
async function tokenFor(
  r: TestRegistry,
  creds: Credentials,
): Promise<{ status: number; token: string }> {
  const res = await fetch(`${r.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
    }),
  });
  const body = (await res.json()) as { access_token?: string };
  return { status: res.status, token: body.access_token ?? '' };
}

async function call(
  r: TestRegistry,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${r.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    body:
      body === undefined
        ? undefined
        : contentType === 'application/json'
          ? JSON.stringify(body)
          : new URLSearchParams(body as Record<string, string>).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
}

const creds = (created: { principal: { client_id: string }; client_secret: string }) => ({
  clientId: created.principal.client_id,
  clientSecret: created.client_secret,
});

describeEachEngine('secret rotation', (registry) => {
  it('returns a new secret once; the old secret and its tokens stop working at once', async () => {
    const r = registry();
    const victim = await r.principal('contributor', 'org-1', 'proj-1');
    const old = await tokenFor(r, victim);
    assert.equal(old.status, 200);
    assert.equal((await call(r, 'GET', `${r.packer()}/buckets`, old.token)).status, 200);

    const rotated = await r.ok('POST', `/ingot/v1/principals/${victim.clientId}/rotate-secret`);
    assert.equal(rotated.principal.client_id, victim.clientId);
    assert.match(rotated.client_secret, /^ingot_cs_/);
    assert.notEqual(rotated.client_secret, victim.clientSecret);

    assert.equal((await tokenFor(r, victim)).status, 401, 'the old secret is refused');
    assert.equal((await call(r, 'GET', `${r.packer()}/buckets`, old.token)).status, 401);
    const fresh = await tokenFor(r, { ...victim, clientSecret: rotated.client_secret });
    assert.equal(fresh.status, 200, 'the new secret works');
    assert.equal((await call(r, 'GET', `${r.packer()}/buckets`, fresh.token)).status, 200);
  });

  it('answers 404 naming the client id for an unknown principal', async () => {
    const r = registry();
    const res = await r.api('POST', '/ingot/v1/principals/ingot_ci_nobody/rotate-secret');
    assert.equal(res.status, 404);
    assert.equal(res.body.details[0].reason, 'PRINCIPAL_NOT_FOUND');
    assert.match(res.body.message, /ingot_ci_nobody/);
  });
});

describeEachEngine('project admins manage their own principals', (registry) => {
  let admin: Credentials;
  before(async () => {
    admin = await registry().principal('admin', 'org-1', 'proj-1');
  });
  const base = (r: TestRegistry, org = 'org-1', project = 'proj-1') =>
    `${r.ingot(org, project)}/principals`;

  it('create, list, rotate and delete on their project', async () => {
    const r = registry();
    const created = await r.ok('POST', base(r), { name: 'ci', role: 'contributor' }, admin);
    assert.deepEqual(created.principal.roles, [
      { organization_id: 'org-1', project_id: 'proj-1', role: 'contributor' },
    ]);
    assert.equal((await tokenFor(r, creds(created))).status, 200);

    const listed = await r.ok('GET', base(r), undefined, admin);
    const ids = listed.principals.map((p: { client_id: string }) => p.client_id);
    assert.ok(ids.includes(created.principal.client_id));
    assert.ok(ids.includes(admin.clientId), 'its own principal is one of the project');
    assert.ok(!ids.includes(r.admin.clientId), 'registry-wide principals are not listed');
    assert.ok(!JSON.stringify(listed).includes(created.client_secret), 'no secret listed');

    const rotated = await r.ok(
      'POST',
      `${base(r)}/${created.principal.client_id}/rotate-secret`,
      undefined,
      admin,
    );
    assert.equal((await tokenFor(r, creds(created))).status, 401);
    assert.equal((await tokenFor(r, creds(rotated))).status, 200);

    await r.ok('DELETE', `${base(r)}/${created.principal.client_id}`, undefined, admin);
    assert.equal((await tokenFor(r, creds(rotated))).status, 401);
  });

  it('see and change nothing of other projects or registry-wide principals', async () => {
    const r = registry();
    const elsewhere = await r.principal('viewer', 'org-1', 'proj-2');
    const orgWide = await r.principal('viewer', 'org-1', '*');
    const listed = await r.ok('GET', base(r), undefined, admin);
    const ids = listed.principals.map((p: { client_id: string }) => p.client_id);
    for (const other of [elsewhere, orgWide, r.admin]) assert.ok(!ids.includes(other.clientId));

    // Through its own project's routes, another project's principal does not exist.
    for (const other of [elsewhere, orgWide, r.admin]) {
      const del = await r.api('DELETE', `${base(r)}/${other.clientId}`, undefined, admin);
      assert.equal(del.status, 404, JSON.stringify(del.body));
      const rot = await r.api(
        'POST',
        `${base(r)}/${other.clientId}/rotate-secret`,
        undefined,
        admin,
      );
      assert.equal(rot.status, 404);
      assert.equal((await tokenFor(r, other)).status, 200, 'untouched');
    }
    // Other projects' routes and the registry-wide ones need admin there.
    assert.equal((await r.api('GET', base(r, 'org-1', 'proj-2'), undefined, admin)).status, 403);
    const rotate = `/ingot/v1/principals/${elsewhere.clientId}/rotate-secret`;
    assert.equal((await r.api('POST', rotate, undefined, admin)).status, 403);
  });

  it('may not grant the metrics role, nor anything on a project below admin', async () => {
    const r = registry();
    const metrics = await r.api('POST', base(r), { name: 'scraper', role: 'metrics' }, admin);
    assert.equal(metrics.status, 400);
    assert.equal(metrics.body.details[0].metadata.field, 'role');
    assert.match(metrics.body.message, /registry-wide only/);
    const contributor = await r.principal('contributor', 'org-1', 'proj-1');
    const res = await r.api('POST', base(r), { name: 'x', role: 'viewer' }, contributor);
    assert.equal(res.status, 403);
  });
});

describeEachEngine('token revocation (RFC 7009, POST /oauth2/revoke)', (registry) => {
  it('a caller revokes its own token, form-encoded as RFC 7009 sends it', async () => {
    const r = registry();
    const me = await r.principal('viewer', 'org-1', 'proj-1');
    const { token } = await tokenFor(r, me);
    const { token: other } = await tokenFor(r, me);
    assert.equal((await call(r, 'GET', `${r.packer()}/buckets`, token)).status, 200);
    const res = await call(
      r,
      'POST',
      '/oauth2/revoke',
      token,
      { token, token_type_hint: 'access_token' },
      'application/x-www-form-urlencoded',
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await call(r, 'GET', `${r.packer()}/buckets`, token)).status, 401);
    assert.equal(
      (await call(r, 'GET', `${r.packer()}/buckets`, other)).status,
      200,
      'only that token is revoked',
    );
  });

  it('an admin revokes the token of a principal it manages; nobody else may', async () => {
    const r = registry();
    const projectAdmin = await r.principal('admin', 'org-1', 'proj-1');
    const otherAdmin = await r.principal('admin', 'org-1', 'proj-2');
    const victim = await r.principal('contributor', 'org-1', 'proj-1');
    const { token } = await tokenFor(r, victim);
    const { token: adminToken } = await tokenFor(r, otherAdmin);

    const refused = await call(r, 'POST', '/oauth2/revoke', adminToken, { token });
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /do not manage/);
    assert.equal((await call(r, 'GET', `${r.packer()}/buckets`, token)).status, 200);

    // A project admin may not revoke a registry-wide admin's token either.
    const { token: rootToken } = await tokenFor(r, r.admin);
    const { token: projectAdminToken } = await tokenFor(r, projectAdmin);
    const up = await call(r, 'POST', '/oauth2/revoke', projectAdminToken, { token: rootToken });
    assert.equal(up.status, 403);
    assert.equal((await call(r, 'GET', '/ingot/v1/principals', rootToken)).status, 200);

    const ok = await call(r, 'POST', '/oauth2/revoke', projectAdminToken, { token });
    assert.equal(ok.status, 200);
    assert.equal((await call(r, 'GET', `${r.packer()}/buckets`, token)).status, 401);
  });

  it('an unknown token answers 200 (RFC 7009 section 2.2); a missing one 400', async () => {
    const r = registry();
    const { token } = await tokenFor(r, r.admin);
    const unknown = await call(r, 'POST', '/oauth2/revoke', token, { token: 'ingot_at_unknown' });
    assert.equal(unknown.status, 200);
    const missing = await call(r, 'POST', '/oauth2/revoke', token, {});
    assert.equal(missing.status, 400);
    assert.match(missing.body.message, /token/);
  });
});

describeEachEngine('the metrics role', (registry) => {
  /** A token of a new registry-wide metrics principal named `name`. */
  const metricsToken = async (name: string) => {
    const r = registry();
    const created = await r.ok('POST', '/ingot/v1/principals', { name, role: 'metrics' });
    return (await tokenFor(r, creds(created))).token;
  };

  it('reads /metrics and nothing else', async () => {
    const r = registry();
    const token = await metricsToken('prometheus');
    const metrics = await call(r, 'GET', '/metrics', token);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /ingot_http_requests_total/);
    for (const path of [
      `${r.packer()}/buckets`,
      '/ingot/v1/projects',
      '/ingot/v1/principals',
      '/openapi.json',
      `${r.ingot()}/caller-identity`,
      '/ingot/v1/audit-events',
    ]) {
      const res = await call(r, 'GET', path, token);
      assert.equal(res.status, 403, `${path}: ${JSON.stringify(res.body)}`);
    }
  });

  it("revokes its own token (RFC 7009), and nobody else's", async () => {
    const r = registry();
    const token = await metricsToken('prometheus-revoking');
    const { token: adminToken } = await tokenFor(r, r.admin);
    const others = await call(r, 'POST', '/oauth2/revoke', token, { token: adminToken });
    assert.equal(others.status, 403, JSON.stringify(others.body));
    assert.equal((await call(r, 'GET', '/metrics', adminToken)).status, 200);
    const own = await call(r, 'POST', '/oauth2/revoke', token, { token });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal((await call(r, 'GET', '/metrics', token)).status, 401);
  });

  it('is granted registry-wide only', async () => {
    const r = registry();
    const res = await r.api('POST', '/ingot/v1/principals', {
      name: 'scraper',
      role: 'metrics',
      organization_id: 'org-1',
      project_id: 'proj-1',
    });
    assert.equal(res.status, 400);
    assert.match(res.body.message, /registry-wide only/);
  });
});
