import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/registry/clock';
import {
  ENGINES,
  startTestRegistry,
  type Credentials,
  type TestRegistry,
} from '../../helpers/registry-harness';

interface Event {
  action: string;
  principal_id: string;
  target: string;
  details: Record<string, unknown>;
}

async function tokenRequest(r: TestRegistry, clientId: string, clientSecret: string) {
  return fetch(`${r.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
}

async function events(r: TestRegistry, path: string): Promise<Event[]> {
  return (await r.ok('GET', `${path}?pagination.page_size=1000`)).events;
}

/**
 * Credential lifecycle and failed authentication in the audit log (issue 16, item 9):
 * who did what to which principal or token, never a secret or token, and a flood of
 * failures bounded per window.
 */
for (const engine of ENGINES) {
  describe(`audit of credentials [${engine}]`, function () {
    this.timeout(60_000);
    let r: TestRegistry;
    before(async () => {
      r = await startTestRegistry(engine, new ManualClock('2026-03-01T12:00:00.000Z'), {
        // Room for the floods below: the token endpoint's own limit is tested elsewhere.
        tokenRateLimit: { perClient: 10_000, perAddress: 10_000, windowMs: 60_000 },
        failedAuthLimits: { windowMs: 3_600_000, keysPerWindow: 5 },
      });
    });
    after(() => r?.close());

    it('records principal and token lifecycle in the project, without secrets or tokens', async () => {
      const created = await r.ok('POST', '/ingot/v1/principals', {
        name: 'audited',
        role: 'contributor',
        organization_id: 'org-1',
        project_id: 'proj-1',
      });
      const victim: Credentials = {
        clientId: created.principal.client_id,
        clientSecret: created.client_secret,
      };
      const token = (
        (await (await tokenRequest(r, victim.clientId, victim.clientSecret)).json()) as {
          access_token: string;
        }
      ).access_token;
      await r.ok('POST', '/oauth2/revoke', { token });
      const rotated = await r.ok('POST', `/ingot/v1/principals/${victim.clientId}/rotate-secret`);
      await r.ok('DELETE', `/ingot/v1/principals/${victim.clientId}`);

      const log = (await events(r, `${r.ingot()}/audit-events`)).filter(
        (e) => e.target === victim.clientId,
      );
      assert.deepEqual(log.map((e) => e.action).reverse(), [
        'principal.created',
        'token.issued',
        'token.revoked',
        'principal.secret_rotated',
        'principal.deleted',
      ]);
      const byAdmin = log.filter((e) => e.action !== 'token.issued');
      for (const e of byAdmin) assert.equal(e.principal_id, r.admin.clientId, e.action);
      const issued = log.find((e) => e.action === 'token.issued') as Event;
      const revoked = log.find((e) => e.action === 'token.revoked') as Event;
      assert.equal(issued.details.token_id, revoked.details.token_id, 'one token, named alike');
      assert.match(String(issued.details.token_id), /^[0-9a-f]{16}$/);
      const text = JSON.stringify(log);
      for (const secret of [victim.clientSecret, rotated.client_secret, token])
        assert.ok(!text.includes(secret), 'no secret or token in the audit log');
    });

    it('records each kind of failed authentication registry-wide', async () => {
      const viewer = await r.principal('viewer', 'org-1', 'proj-1');
      const pasted = 'ingot_cs_this-is-a-secret-pasted-as-client-id';
      assert.equal((await tokenRequest(r, viewer.clientId, 'ingot_cs_wrong')).status, 401);
      assert.equal((await tokenRequest(r, pasted, 'x')).status, 401);
      const bogus = await fetch(`${r.url}${r.packer()}/buckets`, {
        headers: { authorization: 'Bearer ingot_at_forged' },
      });
      assert.equal(bogus.status, 401);
      const forbidden = await r.api(
        'DELETE',
        `${r.packer()}/buckets/any-bucket`,
        undefined,
        viewer,
      );
      assert.equal(forbidden.status, 403);

      const log = await events(r, '/ingot/v1/audit-events');
      const find = (action: string) => log.find((e) => e.action === action) as Event;
      assert.equal(find('auth.client_secret_invalid').principal_id, viewer.clientId);
      assert.equal(find('auth.client_unknown').target, '(not an Ingot client id)');
      assert.equal(
        find('auth.token_invalid').target,
        'GET /packer/2023-01-01/organizations/:organization_id/projects/:project_id/buckets',
      );
      const denied = find('auth.forbidden');
      assert.equal(denied.principal_id, viewer.clientId);
      assert.deepEqual(
        [denied.details.organization_id, denied.details.project_id, denied.details.needs],
        ['org-1', 'proj-1', 'admin'],
      );
      for (const e of log.filter((e) => e.action.startsWith('auth.')))
        assert.equal(typeof e.details.address, 'string', e.action);
      const text = JSON.stringify(log);
      for (const secret of [pasted, 'ingot_cs_wrong', 'ingot_at_forged', viewer.clientSecret])
        assert.ok(!text.includes(secret), `${secret} is not in the log`);
      // The project's own log holds changes, not failures.
      assert.ok(
        !(await events(r, `${r.ingot()}/audit-events`)).some((e) => e.action.startsWith('auth.')),
      );
    });

    it('a flood of failures adds a bounded number of rows: repeats are counted', async () => {
      await r.running.registry.auth.audit.flush();
      const before = (await events(r, '/ingot/v1/audit-events')).length;
      const victim = await r.principal('viewer', 'org-1', 'proj-1');
      for (let i = 0; i < 40; i++)
        assert.equal((await tokenRequest(r, victim.clientId, `guess-${i}`)).status, 401);
      // More distinct client ids than the window records.
      for (let i = 0; i < 12; i++)
        assert.equal((await tokenRequest(r, `ingot_ci_bogus${i}`, 'x')).status, 401);
      const during = await events(r, '/ingot/v1/audit-events');
      assert.ok(during.length - before <= 5, `${during.length - before} rows while flooding`);

      await r.running.registry.auth.audit.flush();
      const after = await events(r, '/ingot/v1/audit-events');
      const added = after.slice(0, after.length - before);
      assert.ok(added.length <= 2 * 5 + 1, `${added.length} rows for 52 failures`);
      const repeated = added.find(
        (e) => e.action === 'auth.failures_repeated' && e.principal_id === victim.clientId,
      ) as Event;
      assert.equal(repeated.details.count, 39);
      assert.equal(repeated.details.failure, 'auth.client_secret_invalid');
      const unrecorded = added.find((e) => e.action === 'auth.failures_unrecorded') as Event;
      assert.ok(Number(unrecorded.details.count) >= 8, JSON.stringify(unrecorded));
    });
  });
}
