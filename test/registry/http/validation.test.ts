import assert from 'node:assert/strict';
import {
  describeEachEngine,
  imageId,
  type ApiResponse,
  type TestRegistry,
} from '../../helpers/registry-harness';

/** One item of a listing (bucket, version, history entry...). */
type Item = ApiResponse['body'];

interface Reply {
  status: number;
  /** Parsed JSON, shaped as each route documents it. */
  body: ApiResponse['body'];
  text: string;
}

/** A request as the admin, with a JSON body, a raw body (and its content type), or none. */
async function send(
  r: TestRegistry,
  method: string,
  url: string,
  body?: unknown,
  raw?: { text: string; contentType: string },
): Promise<Reply> {
  const headers: Record<string, string> = { authorization: `Bearer ${await r.token()}` };
  let payload: string | undefined;
  if (raw) {
    headers['content-type'] = raw.contentType;
    payload = raw.text;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${r.url}${url}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // asserted on below
  }
  return { status: res.status, body: parsed, text };
}

// grpc-gateway's HTTPStatusFromCode (runtime/errors.go): FailedPrecondition (9) is 400,
// AlreadyExists (6) and Aborted (10) are 409.
const GRPC_CODE: Record<number, number[]> = { 400: [3, 9], 404: [5], 409: [6, 10], 415: [3] };

/**
 * Every error is `{code, message, details: [{reason, metadata}]}` with the HTTP status's
 * gRPC code, and its message names what was wrong.
 */
function assertError(
  res: Reply,
  status: number,
  mentions: readonly string[],
  reason?: string,
  what = '',
): void {
  const context = `${what} → ${res.status} ${res.text}`;
  assert.equal(res.status, status, context);
  assert.equal(typeof res.body, 'object', context);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'details', 'message'], context);
  assert.equal(typeof res.body.code, 'number', context);
  assert.ok(GRPC_CODE[status].includes(res.body.code), `gRPC code for ${status}: ${context}`);
  assert.equal(typeof res.body.message, 'string', context);
  assert.ok(Array.isArray(res.body.details) && res.body.details.length > 0, context);
  for (const detail of res.body.details) {
    assert.equal(typeof detail.reason, 'string', context);
    assert.equal(typeof detail.metadata, 'object', context);
    for (const value of Object.values(detail.metadata)) assert.equal(typeof value, 'string');
  }
  if (reason) assert.equal(res.body.details[0].reason, reason, context);
  for (const m of mentions)
    assert.ok(res.body.message.includes(m), `message names ${m}: ${context}`);
}

const RUNNING = { platform: 'aws', component_type: 'amazon-ebs.runner', status: 'BUILD_RUNNING' };

describeEachEngine('validation: bad input gets a clear error and loses nothing', (registry) => {
  const app = () => `${registry().packer()}/buckets/app`;
  const buildIds: Record<string, string> = {};

  before(async function () {
    this.timeout(60_000);
    const r = registry();
    await r.publish('app', 'fp-1');
    await r.publish('app', 'fp-2');
    await r.ok('POST', `${app()}/channels`, { name: 'dev', version_fingerprint: 'fp-1' });
    await r.ok('POST', `${app()}/versions`, { fingerprint: 'fp-empty' });
    await r.ok('POST', `${app()}/versions`, { fingerprint: 'fp-running' });
    buildIds.running = (
      await r.ok('POST', `${app()}/versions/fp-running/builds`, RUNNING)
    ).build.id;
    await r.ok('POST', `${app()}/versions`, { fingerprint: 'fp-failed' });
    buildIds.done = (
      await r.ok('POST', `${app()}/versions/fp-failed/builds`, { ...RUNNING, status: 'BUILD_DONE' })
    ).build.id;
    buildIds.failed = (
      await r.ok('POST', `${app()}/versions/fp-failed/builds`, {
        ...RUNNING,
        platform: 'gcp',
        component_type: 'googlecompute.runner',
        status: 'BUILD_FAILED',
      })
    ).build.id;
    buildIds.published = (await r.ok('GET', `${app()}/versions/fp-1`)).version.builds[0].id;
  });

  /** Everything a failed write could have touched: the project's buckets, app's versions and channels, the audit log. */
  async function snapshot(): Promise<unknown> {
    const r = registry();
    return {
      audit: (await r.ok('GET', `${r.ingot()}/audit-events`)).events,
      buckets: (await r.ok('GET', `${r.packer()}/buckets`)).buckets,
      versions: (await r.ok('GET', `${app()}/versions`)).versions,
      channels: (await r.ok('GET', `${app()}/channels`)).channels,
      devHistory: (await r.ok('GET', `${app()}/channels/dev/history`)).history,
    };
  }

  /** Sends a request that must fail as described and leave no trace. */
  async function refused(
    method: string,
    url: string,
    body: unknown,
    status: number,
    mentions: readonly string[],
    reason?: string,
    raw?: { text: string; contentType: string },
  ): Promise<Reply> {
    const before = await snapshot();
    const res = await send(registry(), method, url, body, raw);
    const what = `${method} ${url} ${raw ? raw.text : JSON.stringify(body)}`;
    assertError(res, status, mentions, reason, what);
    assert.deepEqual(await snapshot(), before, `${what} wrote nothing`);
    return res;
  }

  it('refuses invalid bucket names in the body', async () => {
    const url = `${registry().packer()}/buckets`;
    for (const name of ['ab', 'a'.repeat(37), 'bad_name', 'bad name', 'bücket', 'a.b.c', '', 42]) {
      const res = await refused('PUT', url, { name }, 400, ['name'], 'INVALID_ARGUMENT');
      assert.equal(res.body.details[0].metadata.field, 'name');
    }
    await refused('POST', url, { description: 'no name' }, 400, ['name is required']);
    // The limits themselves are fine.
    for (const name of ['abc', 'A'.repeat(36), 'runner-ubuntu-2404'])
      await registry().ok('PUT', url, { name });
  });

  it('refuses invalid bucket names in the path', async () => {
    const base = `${registry().packer()}/buckets`;
    for (const name of [
      'ab',
      'a'.repeat(37),
      'bad_name',
      encodeURIComponent('bad name'),
      'b%C3%BCcket',
    ]) {
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PATCH', '', { description: 'x' }],
        ['DELETE', '', undefined],
        ['POST', '/versions', { fingerprint: 'fp-x' }],
        ['GET', '/channels/dev', undefined],
      ] as const) {
        const res = await refused(method, `${base}/${name}${suffix}`, body, 400, ['bucket_name']);
        assert.equal(res.body.details[0].metadata.field, 'bucket_name');
      }
    }
  });

  it('refuses a description over 255 characters', async () => {
    const url = `${registry().packer()}/buckets`;
    const long = 'd'.repeat(256);
    await refused('PUT', url, { name: 'described', description: long }, 400, ['description']);
    await refused('PATCH', app(), { description: long }, 400, ['description']);
    const ok = await registry().ok('PATCH', app(), { description: 'd'.repeat(255) });
    assert.equal(ok.bucket.description.length, 255);
  });

  it('refuses labels that are not a map of strings', async () => {
    const url = `${registry().packer()}/buckets`;
    for (const labels of [
      'team=platform',
      ['team', 'platform'],
      { team: 1 },
      { team: null },
      { team: true },
      { team: { name: 'platform' } },
      { team: ['platform'] },
      { team: 'p'.repeat(256) },
    ]) {
      await refused('PUT', url, { name: 'labelled', labels }, 400, ['labels']);
      await refused('PATCH', app(), { labels }, 400, ['labels']);
      await refused('POST', `${app()}/versions/fp-empty/builds`, { ...RUNNING, labels }, 400, [
        'labels',
      ]);
    }
  });

  it('refuses unknown body fields, naming them', async () => {
    const r = registry();
    await refused('PUT', `${r.packer()}/buckets`, { name: 'x-tra', colour: 'red' }, 400, [
      'colour is not a known field',
    ]);
    await refused('PATCH', app(), { description: 'x', name: 'renamed' }, 400, [
      'name is not a known field',
    ]);
    await refused('PATCH', `${app()}/versions/fp-failed`, { complete: true, force: true }, 400, [
      'force is not a known field',
    ]);
    await refused('POST', `${app()}/channels`, { name: 'qa', versionFingerprint: 'fp-1' }, 400, [
      'versionFingerprint is not a known field',
    ]);
    await refused(
      'POST',
      `${app()}/versions/fp-empty/builds`,
      { ...RUNNING, artifacts: [{ external_identifier: 'ami-1', region: 'us-east-1', ami: 'x' }] },
      400,
      ['artifacts.0.ami is not a known field'],
    );
  });

  it('refuses a revoke_at that is not RFC 3339', async () => {
    for (const revokeAt of [
      'tomorrow',
      '2026-03-02',
      '2026-03-02T12:00:00',
      '03/02/2026 12:00',
      '2026-13-01T00:00:00Z',
      '',
      1772452800,
    ]) {
      await refused('PATCH', `${app()}/versions/fp-2`, { revoke_at: revokeAt }, 400, ['revoke_at']);
    }
  });

  it('refuses a revoke_in that is not one number and one unit', async () => {
    for (const revokeIn of ['30 days', '1h30m', '-1h', '1.5h', '30', 'h', '', 30]) {
      await refused('PATCH', `${app()}/versions/fp-2`, { revoke_in: revokeIn }, 400, ['revoke_in']);
    }
  });

  it('refuses mixed intents in one version update', async () => {
    const url = `${app()}/versions/fp-2`;
    await refused('PATCH', url, { revoke_at: '2026-04-01T00:00:00Z', revoke_in: '1d' }, 400, [
      'revoke_at',
      'revoke_in',
    ]);
    await refused('PATCH', url, { complete: true, restore: true }, 400, ['complete', 'restore']);
    await refused('PATCH', url, { complete: true, revoke_in: '0s' }, 400, ['complete', 'revoke']);
    await refused('PATCH', url, { restore: true, revoke_in: '0s' }, 400, ['restore', 'revoke']);
    await refused('PATCH', url, { complete: true, disable_rollback_channels: true }, 400, [
      'disable_rollback_channels',
    ]);
  });

  it('refuses empty updates of versions and channels, and updates without a body', async () => {
    await refused('PATCH', `${app()}/versions/fp-2`, {}, 400, ['complete', 'restore']);
    await refused('PATCH', `${app()}/versions/fp-2`, { revocation_message: 'why' }, 400, [
      'revoke_at',
      'revoke_in',
    ]);
    await refused('PATCH', `${app()}/channels/dev`, {}, 400, ['version_fingerprint']);
    await refused('PATCH', `${app()}/channels/dev`, { update_mask: 'description' }, 400, [
      'update_mask',
      'description',
    ]);
    for (const url of [app(), `${app()}/versions/fp-2`, `${app()}/channels/dev`]) {
      await refused('PATCH', url, undefined, 400, ['body']);
    }
  });

  it('an empty bucket update (what Packer sends for a template without description or labels) changes nothing', async () => {
    const r = registry();
    const before = (await r.ok('GET', app())).bucket;
    const after = (await r.ok('PATCH', app(), {})).bucket;
    assert.equal(after.description, before.description);
    assert.deepEqual(after.labels, before.labels);
  });

  it('refuses to complete a version without builds', async () => {
    const res = await refused('PATCH', `${app()}/versions/fp-empty`, { complete: true }, 400, [
      'fp-empty',
      'no builds',
    ]);
    assert.equal(res.body.details[0].metadata.field, 'complete');
    const version = await registry().ok('GET', `${app()}/versions/fp-empty`);
    assert.equal(version.version.status, 'VERSION_RUNNING');
    assert.equal(version.version.name, 'v0', 'HCP names an incomplete version v0');
  });

  it('refuses to complete a version with a running or failed build, naming the build', async () => {
    const running = await refused(
      'PATCH',
      `${app()}/versions/fp-running`,
      { complete: true },
      400,
      [buildIds.running, 'BUILD_RUNNING'],
      'BUILDS_NOT_DONE',
    );
    assert.equal(running.body.code, 9);
    const failed = await refused(
      'PATCH',
      `${app()}/versions/fp-failed`,
      { complete: true },
      400,
      [buildIds.failed, 'BUILD_FAILED'],
      'BUILDS_NOT_DONE',
    );
    assert.ok(!failed.body.message.includes(buildIds.done), 'only unfinished builds are named');
  });

  it('refuses to add, change or delete builds of a complete version', async () => {
    const builds = `${app()}/versions/fp-1/builds`;
    await refused('POST', builds, RUNNING, 400, ['fp-1', 'complete'], 'VERSION_COMPLETE');
    await refused('PATCH', `${builds}/${buildIds.published}`, { status: 'BUILD_FAILED' }, 400, [
      'fp-1',
    ]);
    await refused('DELETE', `${builds}/${buildIds.published}`, undefined, 400, ['fp-1']);
  });

  it('answers unknown buckets, versions, channels and builds with 404 naming them', async () => {
    const r = registry();
    const base = `${r.packer()}/buckets`;
    const unknownBuild = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const cases: [string, string, unknown, string, string][] = [
      ['GET', `${base}/no-such-bucket`, undefined, 'no-such-bucket', 'BUCKET_NOT_FOUND'],
      [
        'PATCH',
        `${base}/no-such-bucket`,
        { description: 'x' },
        'no-such-bucket',
        'BUCKET_NOT_FOUND',
      ],
      ['DELETE', `${base}/no-such-bucket`, undefined, 'no-such-bucket', 'BUCKET_NOT_FOUND'],
      [
        'POST',
        `${base}/no-such-bucket/versions`,
        { fingerprint: 'f' },
        'no-such-bucket',
        'BUCKET_NOT_FOUND',
      ],
      ['PATCH', `${app()}/versions/fp-nope`, { complete: true }, 'fp-nope', 'VERSION_NOT_FOUND'],
      ['DELETE', `${app()}/versions/fp-nope`, undefined, 'fp-nope', 'VERSION_NOT_FOUND'],
      ['POST', `${app()}/versions/fp-nope/builds`, RUNNING, 'fp-nope', 'VERSION_NOT_FOUND'],
      ['GET', `${app()}/channels/nope`, undefined, 'nope', 'CHANNEL_NOT_FOUND'],
      [
        'PATCH',
        `${app()}/channels/nope`,
        { version_fingerprint: 'fp-1' },
        'nope',
        'CHANNEL_NOT_FOUND',
      ],
      ['DELETE', `${app()}/channels/nope`, undefined, 'nope', 'CHANNEL_NOT_FOUND'],
      [
        'PATCH',
        `${app()}/channels/dev`,
        { version_fingerprint: 'fp-nope' },
        'fp-nope',
        'VERSION_NOT_FOUND',
      ],
      [
        'POST',
        `${app()}/channels`,
        { name: 'qa', version_fingerprint: 'fp-nope' },
        'fp-nope',
        'VERSION_NOT_FOUND',
      ],
      [
        'POST',
        `${app()}/channels/assign`,
        { source_channel: 'nope', target_channel: 'qa' },
        'nope',
        'CHANNEL_NOT_FOUND',
      ],
      [
        'GET',
        `${app()}/versions/fp-running/builds/${unknownBuild}`,
        undefined,
        unknownBuild,
        'BUILD_NOT_FOUND',
      ],
      [
        'PATCH',
        `${app()}/versions/fp-running/builds/${unknownBuild}`,
        { status: 'BUILD_DONE' },
        unknownBuild,
        'BUILD_NOT_FOUND',
      ],
      [
        'DELETE',
        `${app()}/versions/fp-running/builds/${unknownBuild}`,
        undefined,
        unknownBuild,
        'BUILD_NOT_FOUND',
      ],
      // A build of another version is not found under this one.
      [
        'GET',
        `${app()}/versions/fp-running/builds/${buildIds.done}`,
        undefined,
        buildIds.done,
        'BUILD_NOT_FOUND',
      ],
    ];
    for (const [method, url, body, name, reason] of cases) {
      const res = await refused(method, url, body, 404, [`"${name}"`], reason);
      assert.equal(res.body.details[0].metadata.name, name);
    }
    // Other projects' buckets are not found either.
    await refused('GET', `${r.packer('org-1', 'proj-2')}/buckets/app`, undefined, 404, ['"app"']);
  });

  it('refuses a duplicate bucket or channel with 409 and keeps the original', async () => {
    const r = registry();
    const before = (await r.ok('GET', app())).bucket;
    for (const method of ['PUT', 'POST']) {
      await refused(
        method,
        `${r.packer()}/buckets`,
        { name: 'app', description: 'impostor', labels: { owner: 'someone-else' } },
        409,
        ['"app"', 'already exists'],
        'BUCKET_ALREADY_EXISTS',
      );
    }
    assert.deepEqual((await r.ok('GET', app())).bucket, before);
    await refused('POST', `${app()}/channels`, { name: 'dev', version_fingerprint: 'fp-2' }, 409, [
      '"dev"',
    ]);
  });

  it('refuses to touch the managed latest channel by hand', async () => {
    const r = registry();
    const latest = (await r.ok('GET', `${app()}/channels/latest`)).channel;
    await refused(
      'PATCH',
      `${app()}/channels/latest`,
      { version_fingerprint: 'fp-1' },
      400,
      ['"latest"', 'managed'],
      'CHANNEL_MANAGED',
    );
    await refused(
      'POST',
      `${app()}/channels`,
      { name: 'latest' },
      400,
      ['"latest"'],
      'CHANNEL_MANAGED',
    );
    await refused(
      'POST',
      `${app()}/channels/assign`,
      { source_channel: 'dev', target_channel: 'latest' },
      400,
      ['"latest"'],
      'CHANNEL_MANAGED',
    );
    await refused(
      'DELETE',
      `${app()}/channels/latest`,
      undefined,
      400,
      ['"latest"'],
      'CHANNEL_MANAGED',
    );
    assert.deepEqual((await r.ok('GET', `${app()}/channels/latest`)).channel, latest);
  });

  it('deletes a bucket with everything in it, assigned channels too, as HCP does', async () => {
    // hcp-sdk-go packer_service_client.go: DeleteBucket "deletes the bucket and all its
    // information such as versions builds and artifacts".
    const r = registry();
    await r.publish('doomed', 'fp-d');
    const doomed = `${r.packer()}/buckets/doomed`;
    await r.ok('POST', `${doomed}/channels`, { name: 'prod', version_fingerprint: 'fp-d' });
    assert.deepEqual(await r.ok('DELETE', doomed), {});
    assertError(await send(r, 'GET', doomed), 404, ['"doomed"'], 'BUCKET_NOT_FOUND');
    assertError(
      await send(r, 'GET', `${doomed}/channels/prod`),
      404,
      ['"doomed"'],
      'BUCKET_NOT_FOUND',
    );
    const audit = await r.ok('GET', `${r.ingot()}/audit-events?pagination.page_size=1`);
    assert.equal(audit.events[0].action, 'bucket.delete');
    assert.equal(audit.events[0].target, 'doomed');
    assert.deepEqual(audit.events[0].details.channels, ['prod']);
    await r.publish('doomed', 'fp-d');
    assert.equal(
      (await r.ok('GET', `${doomed}/versions/fp-d`)).version.name,
      'v1',
      'a bucket of the same name starts afresh',
    );
  });

  it('answers malformed or non-object JSON with 400, never 500', async () => {
    const r = registry();
    const writes: [string, string][] = [
      ['PUT', `${r.packer()}/buckets`],
      ['PATCH', app()],
      ['POST', `${app()}/versions`],
      ['PATCH', `${app()}/versions/fp-2`],
      ['POST', `${app()}/versions/fp-empty/builds`],
      ['PATCH', `${app()}/versions/fp-running/builds/${buildIds.running}`],
      ['POST', `${app()}/channels`],
      ['PATCH', `${app()}/channels/dev`],
      ['POST', `${app()}/channels/assign`],
      ['POST', `${r.packer()}/_search/external_artifact`],
      ['POST', `${r.ingot()}/buckets/app/versions/fp-1/consumers`],
      ['POST', '/ingot/v1/principals'],
    ];
    const json = 'application/json';
    for (const [method, url] of writes) {
      await refused(method, url, undefined, 400, ['JSON'], undefined, {
        text: '{"name": "half',
        contentType: json,
      });
      await refused(method, url, undefined, 400, ['JSON'], undefined, {
        text: '{"name": "x",}',
        contentType: json,
      });
      for (const text of ['[]', '"a string"', '42', 'null']) {
        await refused(method, url, undefined, 400, ['body'], undefined, {
          text,
          contentType: json,
        });
      }
      await refused(method, url, undefined, 400, ['body'], undefined, {
        text: 'name=x',
        contentType: 'text/plain',
      });
    }
  });

  it('refuses NUL characters in any text field on both engines, naming the field', async () => {
    const r = registry();
    const nul = 'a\u0000b';
    await refused('PATCH', app(), { description: nul }, 400, ['description', 'NUL']);
    await refused('PATCH', app(), { labels: { team: nul } }, 400, ['labels.team']);
    await refused('PATCH', app(), { labels: { [nul]: 'x' } }, 400, ['labels.a\\u0000b']);
    await refused('PUT', `${r.packer()}/buckets`, { name: 'nul-desc', description: nul }, 400, [
      'description',
    ]);
    await refused(
      'POST',
      `${app()}/versions/fp-empty/builds`,
      { ...RUNNING, artifacts: [{ external_identifier: nul, region: 'us-east-1' }] },
      400,
      ['artifacts.0.external_identifier'],
    );
    await refused(
      'POST',
      `${r.ingot()}/buckets/app/versions/fp-1/consumers`,
      { pulumi_project: nul, stack: 'dev', urn: 'urn:pulumi:dev::fleet::x::y' },
      400,
      ['pulumi_project'],
    );
    await refused(
      'POST',
      `${r.packer()}/_search/external_artifact`,
      { external_identifier: nul },
      400,
      ['external_identifier'],
    );
    const principals = (await r.running.registry.auth.listPrincipals()).length;
    await refused('POST', '/ingot/v1/principals', { name: nul, role: 'viewer' }, 400, ['name']);
    assert.equal((await r.running.registry.auth.listPrincipals()).length, principals);
  });

  it('refuses a bad pagination token or page size on every list', async () => {
    const r = registry();
    const lists = [
      `${r.packer()}/buckets`,
      `${app()}/versions`,
      `${app()}/versions/fp-failed/builds`,
      `${app()}/channels`,
      `${app()}/channels/dev/history`,
      `${app()}/ancestry`,
      `${r.ingot()}/audit-events`,
    ];
    const forged = (o: unknown) => Buffer.from(JSON.stringify({ o })).toString('base64url');
    for (const url of lists) {
      for (const token of ['not-a-token', '!!!', forged(-3), forged(1.5), forged('3'), 'bnVsbA']) {
        const res = await refused(
          'GET',
          `${url}?pagination.next_page_token=${encodeURIComponent(token)}`,
          undefined,
          400,
          ['pagination.next_page_token'],
        );
        assert.equal(res.body.details[0].metadata.field, 'pagination.next_page_token');
      }
      for (const size of ['-1', '1001', 'abc', '2.5']) {
        await refused('GET', `${url}?pagination.page_size=${size}`, undefined, 400, [
          'pagination.page_size',
        ]);
      }
    }
    const search = await send(
      r,
      'POST',
      `${r.packer()}/_search/external_artifact?pagination.next_page_token=nope`,
      { external_identifier: imageId('aws', 'fp-1', 'us-east-1') },
    );
    assertError(search, 400, ['pagination.next_page_token']);
  });
});

describeEachEngine('pagination', (registry) => {
  const pages = () => registry().packer('org-1', 'proj-pages');
  const MINUTE = 60_000;

  /** Follows `pagination.next_page_token` to the end; returns each page's items. */
  async function walk(url: string, key: string, size = 3): Promise<Item[][]> {
    const r = registry();
    const seen: Item[][] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const sep = url.includes('?') ? '&' : '?';
      const res = await r.ok(
        'GET',
        `${url}${sep}pagination.page_size=${size}${token ? `&pagination.next_page_token=${encodeURIComponent(token)}` : ''}`,
      );
      seen.push(res[key]);
      token = res.pagination.next_page_token;
      if (!token) return seen;
      assert.equal(res[key].length, size, 'only the last page is short');
    }
    assert.fail(`${url} never ran out of pages`);
  }

  it('lists 7 buckets 3 at a time, each exactly once, in name order', async () => {
    const r = registry();
    const names = ['gamma', 'alpha', 'zeta', 'delta', 'beta', 'eta', 'epsilon'];
    for (const name of names) {
      await r.ok('PUT', `${pages()}/buckets`, { name });
      r.clock.advance(MINUTE);
    }
    const got = await walk(`${pages()}/buckets`, 'buckets');
    assert.deepEqual(
      got.map((p) => p.length),
      [3, 3, 1],
    );
    assert.deepEqual(
      got.flat().map((b) => b.name),
      [...names].sort(),
    );
    // A page as large as the list has no next token.
    const all = await r.ok('GET', `${pages()}/buckets?pagination.page_size=7`);
    assert.equal(all.buckets.length, 7);
    assert.equal(all.pagination.next_page_token, undefined);
  });

  it('lists 7 versions 3 at a time, newest first', async () => {
    const r = registry();
    const fingerprints: string[] = [];
    for (let i = 1; i <= 7; i++) {
      const fp = `fp-${i}`;
      fingerprints.push(fp);
      await r.publish('paged', fp, undefined, 'org-1', 'proj-pages');
      r.clock.advance(MINUTE);
    }
    const got = await walk(`${pages()}/buckets/paged/versions`, 'versions');
    assert.deepEqual(
      got.map((p) => p.length),
      [3, 3, 1],
    );
    assert.deepEqual(
      got.flat().map((v) => v.fingerprint),
      [...fingerprints].reverse(),
    );
    assert.deepEqual(
      got.flat().map((v) => v.name),
      ['v7', 'v6', 'v5', 'v4', 'v3', 'v2', 'v1'],
    );
  });

  it('lists a channel history of 7 assignments 3 at a time, newest first', async () => {
    const r = registry();
    const base = `${pages()}/buckets/paged/channels`;
    await r.ok('POST', base, { name: 'dev', version_fingerprint: 'fp-1' });
    for (let i = 2; i <= 7; i++) {
      r.clock.advance(MINUTE);
      await r.ok('PATCH', `${base}/dev`, { version_fingerprint: `fp-${i}` });
    }
    const got = await walk(`${base}/dev/history`, 'history');
    assert.deepEqual(
      got.map((p) => p.length),
      [3, 3, 1],
    );
    assert.deepEqual(
      got.flat().map((h) => h.version.fingerprint),
      ['fp-7', 'fp-6', 'fp-5', 'fp-4', 'fp-3', 'fp-2', 'fp-1'],
    );
    const first = await r.ok('GET', `${base}/dev/history?pagination.page_size=3`);
    assert.equal(first.count, 7);
  });

  it('lists channels and builds page by page too', async () => {
    const r = registry();
    const base = `${pages()}/buckets/paged/channels`;
    for (const name of ['qa', 'canary', 'staging', 'prod']) await r.ok('POST', base, { name });
    const channels = await walk(base, 'channels', 2);
    assert.deepEqual(
      channels.flat().map((c) => c.name),
      ['canary', 'dev', 'latest', 'prod', 'qa', 'staging'],
    );
    await r.ok('POST', `${pages()}/buckets/paged/versions`, { fingerprint: 'fp-many' });
    const platforms = ['aws', 'gcp', 'azure', 'docker', 'qemu'];
    for (const platform of platforms) {
      await r.ok('POST', `${pages()}/buckets/paged/versions/fp-many/builds`, {
        platform,
        component_type: `${platform}.runner`,
        status: 'BUILD_DONE',
      });
      r.clock.advance(MINUTE);
    }
    const builds = await walk(`${pages()}/buckets/paged/versions/fp-many/builds`, 'builds', 2);
    assert.deepEqual(
      builds.map((p) => p.length),
      [2, 2, 1],
    );
    assert.deepEqual(
      builds.flat().map((b) => b.platform),
      platforms,
    );
  });

  it('lists the audit log page by page, newest first, without gaps or repeats', async () => {
    const r = registry();
    const all = (await r.ok('GET', `${r.ingot('org-1', 'proj-pages')}/audit-events`)).events;
    assert.ok(all.length > 7);
    const paged = await walk(`${r.ingot('org-1', 'proj-pages')}/audit-events`, 'events', 4);
    assert.deepEqual(
      paged.flat().map((e) => e.id),
      all.map((e: { id: string }) => e.id),
    );
  });
});
