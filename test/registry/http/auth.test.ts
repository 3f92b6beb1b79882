import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Role } from '../../../src/registry/auth/roles';
import {
  describeEachEngine,
  imageId,
  type ApiResponse,
  type Credentials,
  type TestRegistry,
} from '../../helpers/registry-harness';

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
const METHODS: readonly string[] = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'];

/**
 * What a route needs: nothing, any valid token (of a principal with a role other than
 * metrics), any valid token at all (`own-credentials`: token revocation), a role on the
 * path's project (or, for principals, on the project named in the body), a registry-wide
 * admin, or (`/metrics`) a registry-wide admin or metrics principal.
 */
type Need = 'public' | 'authenticated' | 'own-credentials' | Role | 'registry-admin';

interface Params {
  organization_id: string;
  project_id: string;
  bucket_name: string;
  fingerprint: string;
  build_id: string;
  channel_name: string;
  client_id: string;
  enforced_block_id: string;
  enforced_block_version_id: string;
  sbom_name: string;
}

/**
 * What each matrix request acts on, in org-1/proj-1 (all made by the bootstrap admin):
 * fp-1 (complete, held by `dev` and by the restricted `prod`), fp-2 (complete, newest
 * valid, so `latest`), fp-3 (complete, revoked), fp-open (incomplete, one done build),
 * and a consumer of fp-1.
 */
interface Fixture {
  bucket: string;
  buildId: string;
  /** Enforced block `<bucket>-eb`: v1 linked to the bucket, v2 linked to nothing. */
  blockId: string;
  blockVersionId: string;
}

interface Case {
  method: Method;
  /** The path exactly as the OpenAPI document spells it. */
  route: string;
  /** Tells apart requests to one route that need different roles. */
  variant?: string;
  need: Need;
  params?: Partial<Params>;
  query?: string;
  body?: (f: Fixture, r: TestRegistry) => unknown;
  /** Makes what the request removes (a principal), fresh for every caller allowed to. */
  prepare?: (r: TestRegistry) => Promise<Partial<Params>>;
  /** What an allowed caller gets when not 200 (501 for what Ingot cannot answer). */
  allowedStatus?: number;
  /** The request deletes everything in org-1/proj-1: the shared fixture is rebuilt after. */
  destroysProject?: boolean;
}

const PACKER = '/packer/2023-01-01/organizations/{organization_id}/projects/{project_id}';
const INGOT = '/ingot/v1/organizations/{organization_id}/projects/{project_id}';
const BUCKETS = `${PACKER}/buckets`;
const BUCKET = `${BUCKETS}/{bucket_name}`;
const VERSIONS = `${BUCKET}/versions`;
const VERSION = `${VERSIONS}/{fingerprint}`;
const BUILDS = `${VERSION}/builds`;
const BUILD = `${BUILDS}/{build_id}`;
const CHANNELS = `${BUCKET}/channels`;
const CHANNEL = `${CHANNELS}/{channel_name}`;
const INGOT_VERSION = `${INGOT}/buckets/{bucket_name}/versions/{fingerprint}`;
const OPEN = { fingerprint: 'fp-open' };
const BLOCKS = `${PACKER}/enforced_blocks`;
const BLOCK = `${BLOCKS}/{enforced_block_id}`;
const BLOCK_VERSION = `${BLOCK}/versions/{enforced_block_version_id}`;
const SBOMS = `${BUILD}/sboms`;
/** An SPDX document zstd-compressed and base64-encoded, as Packer uploads SBOMs. */
const SBOM_BODY = (name: string) => ({
  compressed_sbom: execFileSync('zstd', ['-q', '-c'], {
    input: JSON.stringify({ spdxVersion: 'SPDX-2.3', packages: [{ name: 'openssl' }] }),
  }).toString('base64'),
  format: 'SPDX',
  name,
});
const HCL = 'provisioner "shell" {\n  inline = ["echo enforced"]\n}\n';

/** Routes the OpenAPI document leaves out on purpose. */
const HIDDEN = new Set(['GET /openapi.json']);

/** Every route of the registry and the least a caller needs to use it. */
const MATRIX: Case[] = [
  {
    method: 'POST',
    route: '/oauth2/token',
    need: 'public',
    body: (_f, r) => ({
      grant_type: 'client_credentials',
      client_id: r.admin.clientId,
      client_secret: r.admin.clientSecret,
    }),
  },
  { method: 'GET', route: '/healthz', need: 'public' },
  {
    method: 'POST',
    route: '/oauth2/revoke',
    need: 'own-credentials',
    // An unknown token answers 200 (RFC 7009 section 2.2): the matrix checks who gets in.
    body: () => ({ token: 'ingot_at_never-issued' }),
  },
  { method: 'GET', route: '/metrics', need: 'metrics' },
  { method: 'GET', route: '/openapi.json', need: 'authenticated' },

  { method: 'GET', route: BUCKETS, need: 'viewer' },
  {
    method: 'PUT',
    route: BUCKETS,
    need: 'contributor',
    body: (f) => ({ name: `${f.bucket}-new`, description: 'made by the matrix' }),
  },
  {
    method: 'POST',
    route: BUCKETS,
    need: 'contributor',
    body: (f) => ({ name: `${f.bucket}-new`, labels: { team: 'platform' } }),
  },
  { method: 'GET', route: BUCKET, need: 'viewer' },
  {
    method: 'PATCH',
    route: BUCKET,
    need: 'contributor',
    body: () => ({ description: 'changed by the matrix' }),
  },
  { method: 'DELETE', route: BUCKET, need: 'admin', query: 'force=true' },

  { method: 'GET', route: VERSIONS, need: 'viewer' },
  {
    method: 'POST',
    route: VERSIONS,
    need: 'contributor',
    body: () => ({ fingerprint: 'fp-new' }),
  },
  { method: 'GET', route: VERSION, need: 'viewer' },
  {
    method: 'PATCH',
    route: VERSION,
    variant: 'complete',
    need: 'contributor',
    params: OPEN,
    body: () => ({ complete: true }),
  },
  {
    method: 'PATCH',
    route: VERSION,
    variant: 'revoke now (revoke_in)',
    need: 'admin',
    params: { fingerprint: 'fp-2' },
    body: () => ({ revoke_in: '0s', revocation_message: 'CVE in the matrix' }),
  },
  {
    method: 'PATCH',
    route: VERSION,
    variant: 'schedule a revocation (revoke_at)',
    need: 'admin',
    params: { fingerprint: 'fp-2' },
    body: () => ({ revoke_at: '2026-06-01T00:00:00Z' }),
  },
  {
    method: 'PATCH',
    route: VERSION,
    variant: 'restore',
    need: 'admin',
    params: { fingerprint: 'fp-3' },
    body: () => ({ restore: true }),
  },
  { method: 'DELETE', route: VERSION, need: 'admin', params: { fingerprint: 'fp-2' } },

  { method: 'GET', route: BUILDS, need: 'viewer', params: OPEN },
  {
    method: 'POST',
    route: BUILDS,
    need: 'contributor',
    params: OPEN,
    body: () => ({
      platform: 'gcp',
      component_type: 'googlecompute.runner',
      status: 'BUILD_RUNNING',
    }),
  },
  { method: 'GET', route: BUILD, need: 'viewer', params: OPEN },
  {
    method: 'PATCH',
    route: BUILD,
    need: 'contributor',
    params: OPEN,
    body: () => ({ labels: { os: 'ubuntu' } }),
  },
  { method: 'DELETE', route: BUILD, need: 'contributor', params: OPEN },

  { method: 'GET', route: CHANNELS, need: 'viewer' },
  {
    method: 'POST',
    route: CHANNELS,
    need: 'contributor',
    body: () => ({ name: 'qa', version_fingerprint: 'fp-2' }),
  },
  {
    method: 'POST',
    route: CHANNELS,
    variant: 'restricted channel',
    need: 'admin',
    body: () => ({ name: 'locked', restricted: true }),
  },
  {
    method: 'POST',
    route: `${CHANNELS}/assign`,
    need: 'contributor',
    body: () => ({ source_channel: 'dev', target_channel: 'staging' }),
  },
  {
    method: 'POST',
    route: `${CHANNELS}/assign`,
    variant: 'to a restricted channel',
    need: 'admin',
    body: () => ({ source_channel: 'latest', target_channel: 'prod' }),
  },
  { method: 'GET', route: CHANNEL, need: 'viewer' },
  {
    method: 'PATCH',
    route: CHANNEL,
    need: 'contributor',
    body: () => ({ version_fingerprint: 'fp-2' }),
  },
  {
    method: 'PATCH',
    route: CHANNEL,
    variant: 'assign a restricted channel',
    need: 'admin',
    params: { channel_name: 'prod' },
    body: () => ({ version_fingerprint: 'fp-2' }),
  },
  {
    method: 'PATCH',
    route: CHANNEL,
    variant: 'restrict a channel',
    need: 'admin',
    body: () => ({ restricted: true, update_mask: 'restricted' }),
  },
  { method: 'DELETE', route: CHANNEL, need: 'admin' },
  { method: 'GET', route: `${CHANNEL}/history`, need: 'viewer' },

  { method: 'GET', route: `${BUCKET}/ancestry`, need: 'viewer' },
  {
    method: 'POST',
    route: `${PACKER}/_search/external_artifact`,
    need: 'viewer',
    body: () => ({ external_identifier: imageId('aws', 'fp-1', 'us-east-1') }),
  },

  { method: 'GET', route: `${PACKER}/registry`, need: 'viewer' },
  {
    method: 'PUT',
    route: `${PACKER}/registry`,
    need: 'admin',
    body: () => ({ feature_tier: 'PLUS' }),
    prepare: async (r) => {
      const { registries } = r.running.registry;
      const scope = { organizationId: 'org-1', projectId: 'proj-1' };
      await r.running.registry.db.transaction((tx) => registries.repo.delete(tx, scope));
      return {};
    },
  },
  {
    method: 'PATCH',
    route: `${PACKER}/registry`,
    need: 'admin',
    body: () => ({ feature_tier: 'PLUS', update_mask: 'feature_tier' }),
  },

  { method: 'GET', route: BLOCKS, need: 'viewer' },
  {
    method: 'PUT',
    route: BLOCKS,
    need: 'admin',
    body: (f) => ({ name: `${f.bucket}-new`, version: 'v1', block_content: HCL }),
  },
  { method: 'GET', route: `${BLOCKS}/bucket/{bucket_name}`, need: 'viewer' },
  { method: 'GET', route: BLOCK, need: 'viewer' },
  {
    method: 'PATCH',
    route: BLOCK,
    need: 'admin',
    body: () => ({ labels: { team: 'secops' }, update_mask: 'labels' }),
  },
  { method: 'DELETE', route: BLOCK, need: 'admin' },
  { method: 'GET', route: `${BLOCK}/versions`, need: 'viewer' },
  {
    method: 'PUT',
    route: `${BLOCK}/versions`,
    need: 'admin',
    body: () => ({ version: 'v3', block_content: HCL }),
  },
  {
    method: 'PATCH',
    route: BLOCK_VERSION,
    need: 'admin',
    body: () => ({ additional_description: 'changed by the matrix' }),
  },
  { method: 'DELETE', route: BLOCK_VERSION, need: 'admin' },
  { method: 'GET', route: `${BLOCK_VERSION}/buckets`, need: 'viewer' },
  {
    method: 'POST',
    route: `${BLOCK_VERSION}/buckets`,
    need: 'admin',
    body: (f) => ({ bucket_names: [f.bucket] }),
  },

  { method: 'GET', route: SBOMS, need: 'viewer', params: OPEN },
  {
    method: 'PUT',
    route: SBOMS,
    need: 'contributor',
    params: OPEN,
    body: () => SBOM_BODY('matrix-sbom'),
  },
  { method: 'GET', route: `${SBOMS}/{sbom_name}`, need: 'viewer', params: OPEN },
  {
    method: 'GET',
    route: `${INGOT}/buckets/{bucket_name}/versions/{fingerprint}/builds/{build_id}/sboms/{sbom_name}/document`,
    need: 'viewer',
    params: OPEN,
  },
  { method: 'GET', route: `${BUILD}/packages`, need: 'viewer', params: OPEN },
  { method: 'GET', route: `${BUCKET}/packages`, need: 'viewer' },
  { method: 'GET', route: `${BUCKET}/vulnerabilities`, need: 'viewer', allowedStatus: 501 },
  {
    method: 'GET',
    route: `${BUCKET}/packages/vulnerability-summary`,
    need: 'viewer',
    allowedStatus: 501,
  },
  {
    method: 'GET',
    route: `${BUCKET}/packages/with-vulnerabilities`,
    need: 'viewer',
    allowedStatus: 501,
  },

  { method: 'GET', route: `${INGOT_VERSION}/consumers`, need: 'viewer' },
  {
    method: 'POST',
    route: `${INGOT_VERSION}/consumers`,
    need: 'contributor',
    body: () => ({
      pulumi_project: 'fleet',
      stack: 'staging',
      urn: 'urn:pulumi:staging::fleet::aws:ec2/launchTemplate:LaunchTemplate::runner',
      channel: 'dev',
    }),
  },
  { method: 'GET', route: `${INGOT}/buckets/{bucket_name}/consumers`, need: 'viewer' },
  {
    method: 'GET',
    route: `${INGOT}/buckets/{bucket_name}/channels/{channel_name}/soaked`,
    need: 'viewer',
    query: 'minimum_soak=0s',
  },
  { method: 'GET', route: `${INGOT}/buckets/{bucket_name}/holds`, need: 'viewer' },
  {
    method: 'GET',
    route: `${INGOT}/buckets/{bucket_name}/channels/{channel_name}/hold`,
    need: 'viewer',
  },
  {
    method: 'PUT',
    route: `${INGOT}/buckets/{bucket_name}/channels/{channel_name}/hold`,
    need: 'contributor',
    body: () => ({ reason: 'matrix: rollback under investigation', held_by: 'octocat' }),
  },
  {
    method: 'DELETE',
    route: `${INGOT}/buckets/{bucket_name}/channels/{channel_name}/hold`,
    need: 'contributor',
    // Its own held channel: a release needs something to release.
    prepare: async (r) => {
      const bucket = `held-${Math.random().toString(36).slice(2, 10)}`;
      await r.publish(bucket, 'h-1');
      await r.ok('POST', `${r.packer()}/buckets/${bucket}/channels`, {
        name: 'dev',
        version_fingerprint: 'h-1',
      });
      await r.ok('PUT', `${r.ingot()}/buckets/${bucket}/channels/dev/hold`, {
        reason: 'to release',
      });
      return { bucket_name: bucket, channel_name: 'dev' };
    },
  },
  { method: 'GET', route: `${INGOT}/audit-events`, need: 'viewer' },
  { method: 'GET', route: '/ingot/v1/projects', need: 'authenticated' },
  {
    method: 'PUT',
    route: `${INGOT}/import/buckets/{bucket_name}`,
    need: 'admin',
    body: () => ({ description: 'imported by the matrix', labels: {} }),
  },
  {
    method: 'PUT',
    route: `${INGOT}/import/buckets/{bucket_name}/versions/{fingerprint}`,
    need: 'admin',
    params: { fingerprint: 'fp-imported' },
    body: () => ({ name: '', template_type: 'HCL2', author_id: 'hcp-packer-spn', builds: [] }),
  },
  {
    method: 'PUT',
    route: `${INGOT}/import/buckets/{bucket_name}/channels/{channel_name}`,
    need: 'admin',
    params: { channel_name: 'imported' },
    body: () => ({
      restricted: false,
      author_id: 'HCP Packer',
      version_fingerprint: null,
      history: [],
    }),
  },
  { method: 'GET', route: `${INGOT}/caller-identity`, need: 'authenticated' },

  { method: 'GET', route: '/ingot/v1/principals', need: 'registry-admin' },
  {
    method: 'POST',
    route: '/ingot/v1/principals',
    need: 'admin',
    body: () => ({
      name: 'made-by-matrix',
      role: 'viewer',
      organization_id: 'org-1',
      project_id: 'proj-1',
    }),
  },
  {
    method: 'DELETE',
    route: '/ingot/v1/principals/{client_id}',
    need: 'registry-admin',
    prepare: async (r) => ({
      client_id: (await r.principal('viewer', 'org-1', 'proj-1')).clientId,
    }),
  },
  {
    method: 'POST',
    route: '/ingot/v1/principals/{client_id}/rotate-secret',
    need: 'registry-admin',
    prepare: async (r) => ({
      client_id: (await r.principal('viewer', 'org-1', 'proj-1')).clientId,
    }),
  },
  { method: 'GET', route: '/ingot/v1/audit-events', need: 'registry-admin' },
  { method: 'GET', route: `${INGOT}/principals`, need: 'admin' },
  {
    method: 'POST',
    route: `${INGOT}/principals`,
    need: 'admin',
    body: () => ({ name: 'made-by-matrix', role: 'contributor' }),
  },
  {
    method: 'DELETE',
    route: `${INGOT}/principals/{client_id}`,
    need: 'admin',
    prepare: async (r) => ({
      client_id: (await r.principal('viewer', 'org-1', 'proj-1')).clientId,
    }),
  },
  {
    method: 'POST',
    route: `${INGOT}/principals/{client_id}/rotate-secret`,
    need: 'admin',
    prepare: async (r) => ({
      client_id: (await r.principal('contributor', 'org-1', 'proj-1')).clientId,
    }),
  },
  // Last of the project's routes: it deletes every bucket of org-1/proj-1.
  { method: 'DELETE', route: `${PACKER}/registry`, need: 'admin', destroysProject: true },
];

const routeKey = (c: Pick<Case, 'method' | 'route'>) => `${c.method} ${c.route}`;
const caseTitle = (c: Case) =>
  `${c.method} ${c.route.replace(PACKER, '<hcp>').replace(INGOT, '<ingot>')}${c.variant ? ` (${c.variant})` : ''}`;

interface Reply {
  status: number;
  /** Parsed JSON, shaped as each route documents it. */
  body: ApiResponse['body'];
  text: string;
  headers: Headers;
}

/** A request with exactly the Authorization header given (or none). */
async function send(
  r: TestRegistry,
  method: string,
  url: string,
  body?: unknown,
  authorization?: string,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${r.url}${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // metrics are text
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/** Asks for a token the way a client does (form-encoded, unless told otherwise). */
async function tokenRequest(
  r: TestRegistry,
  body: string | Record<string, unknown> | undefined,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const form = typeof body === 'object';
  const res = await fetch(`${r.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      ...(body === undefined
        ? {}
        : {
            'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
          }),
      ...headers,
    },
    body:
      body === undefined
        ? undefined
        : form
          ? new URLSearchParams(body as Record<string, string>).toString()
          : body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // asserted on by the caller
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

function basic(id: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
}

function assertApiError(res: Reply, status: number, code: number, what: string): void {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.equal(res.body.code, code, what);
  assert.equal(typeof res.body.message, 'string', what);
  assert.ok(Array.isArray(res.body.details) && res.body.details.length > 0, what);
  assert.equal(typeof res.body.details[0].reason, 'string', what);
}

/** Builds the fixture bucket described at `Fixture`, as the bootstrap admin. */
async function makeFixture(r: TestRegistry, bucket: string): Promise<Fixture> {
  const base = `${r.packer()}/buckets/${bucket}`;
  for (const fp of ['fp-1', 'fp-2', 'fp-3']) await r.publish(bucket, fp);
  await r.ok('PATCH', `${base}/versions/fp-3`, { revoke_in: '0s', revocation_message: 'bad' });
  await r.ok('POST', `${base}/channels`, { name: 'dev', version_fingerprint: 'fp-1' });
  await r.ok('POST', `${base}/channels`, {
    name: 'prod',
    restricted: true,
    version_fingerprint: 'fp-1',
  });
  await r.ok('POST', `${base}/versions`, { fingerprint: 'fp-open' });
  const { build } = await r.ok('POST', `${base}/versions/fp-open/builds`, {
    platform: 'aws',
    component_type: 'amazon-ebs.runner',
    status: 'BUILD_DONE',
    artifacts: [
      { external_identifier: imageId('aws', `${bucket}/open`, 'us-east-1'), region: 'us-east-1' },
    ],
  });
  await r.ok('POST', `${r.ingot()}/buckets/${bucket}/versions/fp-1/consumers`, {
    pulumi_project: 'fleet',
    stack: 'dev',
    urn: 'urn:pulumi:dev::fleet::aws:ec2/launchTemplate:LaunchTemplate::runner',
  });
  await r.ok('PUT', `${base}/versions/fp-open/builds/${build.id}/sboms`, SBOM_BODY('sbom-1'));
  const blocks = `${r.packer()}/enforced_blocks`;
  const { enforced_block: block } = await r.ok('PUT', blocks, {
    name: `${bucket}-eb`,
    version: 'v1',
    block_content: HCL,
  });
  await r.ok('POST', `${blocks}/${block.id}/versions/${block.latest_version.id}/buckets`, {
    bucket_names: [bucket],
  });
  const v2 = await r.ok('PUT', `${blocks}/${block.id}/versions`, {
    version: 'v2',
    block_content: HCL,
  });
  return {
    bucket,
    buildId: build.id,
    blockId: block.id,
    blockVersionId: v2.enforced_block_version.id,
  };
}

describeEachEngine('auth matrix: every route × every kind of caller', (registry) => {
  interface Caller {
    name: string;
    creds: Credentials;
    /** What this caller holds on org-1/proj-1 (metrics: registry-wide, and nothing else). */
    grants: Role | 'registry-admin' | 'none';
  }
  let callers: Caller[];
  let shared: Fixture;
  let spare: string;
  let fixtures = 0;

  before(async function () {
    this.timeout(60_000);
    const r = registry();
    callers = [
      { name: 'viewer', creds: await r.principal('viewer', 'org-1', 'proj-1'), grants: 'viewer' },
      {
        name: 'contributor',
        creds: await r.principal('contributor', 'org-1', 'proj-1'),
        grants: 'contributor',
      },
      {
        name: 'project admin',
        creds: await r.principal('admin', 'org-1', 'proj-1'),
        grants: 'admin',
      },
      { name: 'registry-wide admin', creds: r.admin, grants: 'registry-admin' },
      {
        name: 'admin of org-1/proj-2',
        creds: await r.principal('admin', 'org-1', 'proj-2'),
        grants: 'none',
      },
      {
        name: 'admin of org-2/proj-1',
        creds: await r.principal('admin', 'org-2', 'proj-1'),
        grants: 'none',
      },
      {
        name: 'admin of every project of org-2',
        creds: await r.principal('admin', 'org-2', '*'),
        grants: 'none',
      },
      { name: 'metrics reader', creds: await r.principal('metrics'), grants: 'metrics' },
    ];
    shared = await makeFixture(r, 'shared');
    spare = (await r.principal('viewer', 'org-1', 'proj-1')).clientId;
  });

  const RANK: Record<Role, number> = { metrics: 0, viewer: 1, contributor: 2, admin: 3 };
  function allowed(need: Need, grants: Caller['grants']): boolean {
    if (need === 'public' || need === 'own-credentials') return true;
    // A metrics principal reads /metrics (and revokes its own tokens), nothing else.
    if (grants === 'metrics') return need === 'metrics';
    if (need === 'authenticated') return true;
    if (grants === 'registry-admin') return true;
    if (need === 'metrics') return false;
    if (need === 'registry-admin' || grants === 'none') return false;
    return RANK[grants] >= RANK[need];
  }

  function pathOf(c: Case, f: Fixture, extra: Partial<Params> = {}): string {
    const params: Params = {
      organization_id: 'org-1',
      project_id: 'proj-1',
      bucket_name: f.bucket,
      fingerprint: 'fp-1',
      build_id: f.buildId,
      channel_name: 'dev',
      client_id: spare,
      enforced_block_id: f.blockId,
      enforced_block_version_id: f.blockVersionId,
      sbom_name: 'sbom-1',
      ...c.params,
      ...extra,
    };
    const path = c.route.replace(/\{(\w+)\}/g, (_, name: keyof Params) => params[name]);
    return c.query ? `${path}?${c.query}` : path;
  }

  /** What a refused request must leave untouched: the project's audit log and the principals. */
  async function snapshot() {
    const r = registry();
    const audit = await r.ok('GET', `${r.ingot()}/audit-events?pagination.page_size=1`);
    const principals = await r.running.registry.auth.listPrincipals();
    return { newestAuditEvent: audit.events[0]?.id, principals: principals.length };
  }

  it('covers every route of the OpenAPI document and nothing that is not registered', async () => {
    const r = registry();
    const doc = await r.ok('GET', '/openapi.json');
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) =>
        Object.keys(operations)
          .map((m) => m.toUpperCase())
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m} ${path}`),
      )
      .sort();
    assert.ok(documented.length > 30, 'the document lists the API');
    const covered = [...new Set(MATRIX.map(routeKey))].filter((k) => !HIDDEN.has(k)).sort();
    assert.deepEqual(covered, documented, 'every documented route has a matrix entry');
    for (const key of HIDDEN) assert.ok(!documented.includes(key), `${key} is hidden`);
    for (const c of MATRIX) {
      const url = c.route.replace(/\{(\w+)\}/g, ':$1');
      assert.ok(r.running.app.hasRoute({ method: c.method, url }), `${routeKey(c)} is registered`);
    }
  });

  for (const c of MATRIX) {
    it(caseTitle(c), async function () {
      this.timeout(60_000);
      const r = registry();
      const path = pathOf(c, shared);
      const body = c.body?.(shared, r);

      // Nobody gets past the door without a valid token.
      const anonymous = await send(r, c.method, path, body);
      const garbage = await send(r, c.method, path, body, 'Bearer ingot_at_not-a-real-token');
      const notBearer = await send(r, c.method, path, body, 'Basic dXNlcjpwYXNz');
      if (c.need === 'public') {
        for (const res of [anonymous, garbage]) assert.equal(res.status, 200, res.text);
      } else {
        assertApiError(anonymous, 401, 16, 'anonymous');
        assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.match(anonymous.body.message, /bearer token/);
        assertApiError(garbage, 401, 16, 'garbage token');
        assert.match(
          garbage.headers.get('www-authenticate') ?? '',
          /^Bearer error="invalid_token"/,
        );
        assertApiError(notBearer, 401, 16, 'Basic instead of Bearer');
        assert.match(notBearer.headers.get('www-authenticate') ?? '', /^Bearer/);
      }

      for (const caller of callers) {
        const authorization = `Bearer ${await r.token(caller.creds)}`;
        const what = `${caller.name} → ${c.method} ${path}`;
        if (allowed(c.need, caller.grants)) {
          // A caller allowed to change things gets its own copy to change.
          const mutates = !['public', 'authenticated', 'own-credentials', 'viewer'].includes(
            c.need,
          );
          const fixture = mutates ? await makeFixture(r, `fx-${++fixtures}`) : shared;
          const extra = mutates && c.prepare ? await c.prepare(r) : {};
          const res = await send(
            r,
            c.method,
            pathOf(c, fixture, extra),
            c.body?.(fixture, r),
            authorization,
          );
          assert.equal(res.status, c.allowedStatus ?? 200, `${what}: ${res.text}`);
        } else {
          const before = await snapshot();
          const res = await send(r, c.method, path, body, authorization);
          assertApiError(res, 403, 7, what);
          assert.equal(res.body.details[0].reason, 'PERMISSION_DENIED', what);
          assert.deepEqual(await snapshot(), before, `${what} changed nothing`);
        }
      }
      if (c.destroysProject) shared = await makeFixture(r, `shared-${++fixtures}`);
    });
  }

  it('a refused caller learns what role it lacks, and where', async () => {
    const r = registry();
    const viewer = callers[0];
    const res = await send(
      r,
      'DELETE',
      `${r.packer()}/buckets/${shared.bucket}`,
      undefined,
      `Bearer ${await r.token(viewer.creds)}`,
    );
    assert.equal(res.status, 403);
    assert.match(res.body.message, /role viewer on organization "org-1", project "proj-1"/);
    assert.match(res.body.message, /this needs admin/);
    const stranger = await send(
      r,
      'GET',
      `${r.packer()}/buckets`,
      undefined,
      `Bearer ${await r.token(callers[4].creds)}`,
    );
    assert.equal(stranger.status, 403);
    assert.match(stranger.body.message, /no role on organization "org-1", project "proj-1"/);
  });

  it('a contributor may not revoke or restore, even by mixing in other fields', async () => {
    const r = registry();
    const contributor = callers[1].creds;
    const base = `${r.packer()}/buckets/${shared.bucket}/versions`;
    for (const body of [
      { revoke_in: '0s', skip_descendants_revocation: true },
      { revoke_at: '2026-06-01T00:00:00Z', revocation_message: 'later' },
      { restore: true },
    ]) {
      const before = await snapshot();
      const res = await r.api('PATCH', `${base}/fp-2`, body, contributor);
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.deepEqual(await snapshot(), before);
    }
    const version = await r.ok('GET', `${base}/fp-2`);
    assert.equal(version.version.status, 'VERSION_ACTIVE');
  });
});

describeEachEngine('POST /oauth2/token', (registry) => {
  const grant = { grant_type: 'client_credentials' };

  async function assertWorks(r: TestRegistry, token: string): Promise<void> {
    const res = await send(r, 'GET', `${r.packer()}/buckets`, undefined, `Bearer ${token}`);
    assert.equal(res.status, 200, res.text);
  }

  it('accepts a form-encoded body and answers as RFC 6749 says', async () => {
    const r = registry();
    const res = await tokenRequest(r, {
      ...grant,
      client_id: r.admin.clientId,
      client_secret: r.admin.clientSecret,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.expires_in, 3600);
    assert.match(res.body.access_token, /^ingot_at_/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    await assertWorks(r, res.body.access_token);
  });

  it('accepts a JSON body', async () => {
    const r = registry();
    const res = await tokenRequest(
      r,
      JSON.stringify({
        ...grant,
        client_id: r.admin.clientId,
        client_secret: r.admin.clientSecret,
      }),
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.expires_in, 3600);
    await assertWorks(r, res.body.access_token);
  });

  it('accepts HTTP Basic client authentication', async () => {
    const r = registry();
    const res = await tokenRequest(r, grant, basic(r.admin.clientId, r.admin.clientSecret));
    assert.equal(res.status, 200, res.text);
    await assertWorks(r, res.body.access_token);
  });

  it('issues a new token every time', async () => {
    const r = registry();
    const creds = { ...grant, client_id: r.admin.clientId, client_secret: r.admin.clientSecret };
    const a = await tokenRequest(r, creds);
    const b = await tokenRequest(r, creds);
    assert.notEqual(a.body.access_token, b.body.access_token);
    await assertWorks(r, a.body.access_token);
    await assertWorks(r, b.body.access_token);
  });

  it('refuses a wrong secret or an unknown client with 401 invalid_client', async () => {
    const r = registry();
    for (const res of [
      await tokenRequest(r, { ...grant, client_id: r.admin.clientId, client_secret: 'wrong' }),
      await tokenRequest(r, { ...grant, client_id: 'ingot_ci_nobody', client_secret: 'wrong' }),
      await tokenRequest(r, grant, basic(r.admin.clientId, 'wrong')),
      await tokenRequest(
        r,
        JSON.stringify({ ...grant, client_id: r.admin.clientId, client_secret: 'x' }),
      ),
    ]) {
      assert.equal(res.status, 401, res.text);
      assert.equal(res.body.error, 'invalid_client');
      assert.equal(typeof res.body.error_description, 'string');
      assert.ok(!res.text.includes(r.admin.clientSecret));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic/);
    }
  });

  it('refuses any grant type but client_credentials with 400 unsupported_grant_type', async () => {
    const r = registry();
    for (const grantType of [
      'password',
      'authorization_code',
      'refresh_token',
      'CLIENT_CREDENTIALS',
    ]) {
      const res = await tokenRequest(r, {
        grant_type: grantType,
        client_id: r.admin.clientId,
        client_secret: r.admin.clientSecret,
      });
      assert.equal(res.status, 400, grantType);
      assert.equal(res.body.error, 'unsupported_grant_type', grantType);
      assert.match(res.body.error_description, /client_credentials/);
    }
  });

  it('answers a request missing a field with 400 invalid_request, naming the field', async () => {
    const r = registry();
    const cases: [string, Reply][] = [
      ['client_secret', await tokenRequest(r, { ...grant, client_id: r.admin.clientId })],
      ['client_id', await tokenRequest(r, { ...grant, client_secret: r.admin.clientSecret })],
      ['client_id', await tokenRequest(r, grant)],
      [
        'grant_type',
        await tokenRequest(r, { client_id: r.admin.clientId, client_secret: r.admin.clientSecret }),
      ],
      ['grant_type', await tokenRequest(r, {})],
      ['body', await tokenRequest(r, undefined)],
      ['client_id', await tokenRequest(r, JSON.stringify({ ...grant, client_id: 42 }))],
      ['client_id', await tokenRequest(r, { ...grant, client_id: 'a\u0000b', client_secret: 'x' })],
    ];
    for (const [field, res] of cases) {
      assert.equal(res.status, 400, `${field}: ${res.text}`);
      assert.equal(res.body.error, 'invalid_request', res.text);
      assert.ok(res.body.error_description.includes(field), res.text);
    }
  });

  it('answers malformed JSON or a malformed Basic header with 400 invalid_request, never 500', async () => {
    const r = registry();
    for (const res of [
      await tokenRequest(r, '{"grant_type": "client_credentials",'),
      await tokenRequest(r, grant, {
        authorization: `Basic ${Buffer.from('id:%zz').toString('base64')}`,
      }),
      await tokenRequest(r, grant, {
        authorization: `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`,
      }),
    ]) {
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'invalid_request', res.text);
      assert.equal(typeof res.body.error_description, 'string');
    }
  });
});

describeEachEngine('token expiry', (registry) => {
  const HOUR = 3_600_000;
  const AUTH_CACHE = 30_000;

  async function freshToken(r: TestRegistry): Promise<string> {
    const res = await tokenRequest(r, {
      grant_type: 'client_credentials',
      client_id: r.admin.clientId,
      client_secret: r.admin.clientSecret,
    });
    assert.equal(res.status, 200, res.text);
    return res.body.access_token;
  }

  const use = (r: TestRegistry, token: string) =>
    send(r, 'GET', `${r.packer()}/buckets`, undefined, `Bearer ${token}`);

  it('a token works for an hour and is refused once it (and the auth cache) expired', async () => {
    const r = registry();
    const token = await freshToken(r);
    assert.equal((await use(r, token)).status, 200);
    r.clock.advance(HOUR - 60_000);
    assert.equal((await use(r, token)).status, 200, 'still valid a minute before expiry');
    r.clock.advance(60_000 + AUTH_CACHE + 1_000);
    const refused = await use(r, token);
    assertApiError(refused, 401, 16, 'expired token');
    assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
    assert.match(refused.body.message, /invalid or expired/);
    // A new token from the same credentials works.
    assert.equal((await use(r, await freshToken(r))).status, 200);
  });

  it('the auth cache never keeps a token alive past its expiry', async () => {
    const r = registry();
    const token = await freshToken(r);
    r.clock.advance(HOUR - 1_000);
    assert.equal((await use(r, token)).status, 200, 'valid one second before expiry');
    r.clock.advance(1_000);
    assertApiError(await use(r, token), 401, 16, 'expired token, just used');
  });
});

describeEachEngine('principals API', (registry) => {
  let projectAdmin: Credentials;
  let contributor: Credentials;

  before(async () => {
    projectAdmin = await registry().principal('admin', 'org-1', 'proj-1');
    contributor = await registry().principal('contributor', 'org-1', 'proj-1');
  });

  const principalCount = async () =>
    (await registry().running.registry.auth.listPrincipals()).length;

  it('a project admin creates a principal for its own project; the secret gets a token', async () => {
    const r = registry();
    const created = await r.ok(
      'POST',
      '/ingot/v1/principals',
      { name: 'ci-viewer', role: 'viewer', organization_id: 'org-1', project_id: 'proj-1' },
      projectAdmin,
    );
    assert.equal(created.principal.name, 'ci-viewer');
    assert.deepEqual(created.principal.roles, [
      { organization_id: 'org-1', project_id: 'proj-1', role: 'viewer' },
    ]);
    assert.match(created.principal.client_id, /^ingot_ci_/);
    assert.match(created.client_secret, /^ingot_cs_/);

    const token = await tokenRequest(r, {
      grant_type: 'client_credentials',
      client_id: created.principal.client_id,
      client_secret: created.client_secret,
    });
    assert.equal(token.status, 200, token.text);
    const bearer = `Bearer ${token.body.access_token}`;
    // The token carries exactly the role it was given.
    assert.equal((await send(r, 'GET', `${r.packer()}/buckets`, undefined, bearer)).status, 200);
    const write = await send(r, 'PUT', `${r.packer()}/buckets`, { name: 'nope' }, bearer);
    assert.equal(write.status, 403);
    const other = await send(r, 'GET', `${r.packer('org-1', 'proj-2')}/buckets`, undefined, bearer);
    assert.equal(other.status, 403);
  });

  it('a project admin may not create principals for any other scope', async () => {
    const r = registry();
    const before = await principalCount();
    for (const scope of [
      { organization_id: 'org-1', project_id: 'proj-2' },
      { organization_id: 'org-2', project_id: 'proj-1' },
      { organization_id: 'org-1' },
      { organization_id: 'org-1', project_id: '*' },
      { organization_id: '*', project_id: 'proj-1' },
      {},
    ]) {
      const res = await r.api(
        'POST',
        '/ingot/v1/principals',
        { name: 'escalate', role: 'admin', ...scope },
        projectAdmin,
      );
      assert.equal(res.status, 403, JSON.stringify(scope));
      assert.equal(res.body.code, 7);
      assert.match(res.body.message, /needs the admin role there/);
    }
    assert.equal(await principalCount(), before);
  });

  it('a contributor or viewer may not create principals, even for its own project', async () => {
    const r = registry();
    const before = await principalCount();
    const viewer = await r.principal('viewer', 'org-1', 'proj-1');
    for (const caller of [contributor, viewer]) {
      const res = await r.api(
        'POST',
        '/ingot/v1/principals',
        { name: 'x', role: 'viewer', organization_id: 'org-1', project_id: 'proj-1' },
        caller,
      );
      assert.equal(res.status, 403);
    }
    assert.equal(await principalCount(), before + 1);
  });

  it('refuses an unknown role or a malformed body with 400', async () => {
    const r = registry();
    const before = await principalCount();
    for (const [body, field] of [
      [{ name: 'x', role: 'owner', organization_id: 'org-1', project_id: 'proj-1' }, 'role'],
      [{ role: 'viewer', organization_id: 'org-1', project_id: 'proj-1' }, 'name'],
      [{ name: 'x', role: 'viewer', project_id: 'proj 1' }, 'project_id'],
      [{ name: 'x', role: 'viewer', client_secret: 'mine' }, 'client_secret'],
    ] as const) {
      const res = await r.api('POST', '/ingot/v1/principals', body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(res.body.message.includes(field), res.body.message);
    }
    assert.equal(await principalCount(), before);
  });

  it('lists principals without ever showing a client secret', async () => {
    const r = registry();
    const created = await r.ok('POST', '/ingot/v1/principals', {
      name: 'listed',
      role: 'contributor',
      organization_id: 'org-1',
      project_id: 'proj-1',
    });
    const res = await send(
      r,
      'GET',
      '/ingot/v1/principals',
      undefined,
      `Bearer ${await r.token()}`,
    );
    assert.equal(res.status, 200);
    const listed = res.body.principals.find(
      (p: { client_id: string }) => p.client_id === created.principal.client_id,
    );
    assert.deepEqual(listed, created.principal);
    for (const secret of [created.client_secret, r.admin.clientSecret]) {
      assert.ok(!res.text.includes(secret), 'no client secret in the listing');
    }
    const keys = (value: unknown): string[] =>
      value && typeof value === 'object'
        ? Object.entries(value).flatMap(([k, v]) => [k, ...keys(v)])
        : [];
    assert.ok(!keys(res.body).some((k) => /secret|hash/i.test(k)), 'no secret fields');
    for (const p of res.body.principals)
      assert.deepEqual(Object.keys(p).sort(), ['client_id', 'created_at', 'name', 'roles']);
    // Only a registry-wide admin sees every principal.
    const denied = await r.api('GET', '/ingot/v1/principals', undefined, projectAdmin);
    assert.equal(denied.status, 403);
  });

  it('deleting a principal stops its token at once and its secret with it', async () => {
    const r = registry();
    const created = await r.ok('POST', '/ingot/v1/principals', {
      name: 'short-lived',
      role: 'contributor',
      organization_id: 'org-1',
      project_id: 'proj-1',
    });
    const form = {
      grant_type: 'client_credentials',
      client_id: created.principal.client_id,
      client_secret: created.client_secret,
    };
    const token = (await tokenRequest(r, form)).body.access_token;
    const bearer = `Bearer ${token}`;
    assert.equal((await send(r, 'GET', `${r.packer()}/buckets`, undefined, bearer)).status, 200);

    await r.ok('DELETE', `/ingot/v1/principals/${created.principal.client_id}`);

    const refused = await send(r, 'GET', `${r.packer()}/buckets`, undefined, bearer);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
    const again = await tokenRequest(r, form);
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_client');
    const list = await r.ok('GET', '/ingot/v1/principals');
    assert.ok(
      !list.principals.some(
        (p: { client_id: string }) => p.client_id === created.principal.client_id,
      ),
    );
    const twice = await r.api('DELETE', `/ingot/v1/principals/${created.principal.client_id}`);
    assert.equal(twice.status, 404);
    assert.ok(twice.body.message.includes(created.principal.client_id));
  });

  it('a project admin may not delete principals (registry-wide admins only)', async () => {
    const r = registry();
    const victim = await r.principal('viewer', 'org-1', 'proj-1');
    const before = await principalCount();
    const res = await r.api(
      'DELETE',
      `/ingot/v1/principals/${victim.clientId}`,
      undefined,
      projectAdmin,
    );
    assert.equal(res.status, 403);
    assert.equal(await principalCount(), before);
    const token = await tokenRequest(r, {
      grant_type: 'client_credentials',
      client_id: victim.clientId,
      client_secret: victim.clientSecret,
    });
    assert.equal(token.status, 200);
  });
});
