import assert from 'node:assert/strict';
import { describeEachEngine } from '../../helpers/registry-harness';

describeEachEngine('operational routes', (registry) => {
  it('serves /healthz without a token, naming the engine and the registry clock', async () => {
    const res = await registry().api('GET', '/healthz', undefined, null);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      status: 'ok',
      engine: registry().engine,
      time: registry().clock.now().toISOString(),
    });
  });

  it('echoes a sane x-request-id and makes one otherwise', async () => {
    const given = await fetch(`${registry().url}/healthz`, {
      headers: { 'x-request-id': 'trace-123' },
    });
    assert.equal(given.headers.get('x-request-id'), 'trace-123');
    const made = await fetch(`${registry().url}/healthz`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9A-Z]{26}$/);
  });

  it('serves Prometheus metrics to registry-wide admins', async () => {
    await registry().ok('GET', `${registry().packer()}/buckets`);
    const res = await registry().api<string>('GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(
      res.body,
      /ingot_http_requests_total\{method="GET",route="\/packer\/2023-01-01\/organizations\/:organization_id\/projects\/:project_id\/buckets",status="200"\} \d+/,
    );
    assert.match(res.body, /ingot_http_request_duration_seconds_bucket/);
    assert.equal((await registry().api('GET', '/metrics', undefined, null)).status, 401);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const doc = await registry().ok('GET', '/openapi.json');
    assert.match(doc.openapi, /^3\./);
    const channel =
      doc.paths[
        '/packer/2023-01-01/organizations/{organization_id}/projects/{project_id}/buckets/{bucket_name}/channels/{channel_name}'
      ];
    assert.ok(channel.get && channel.patch && channel.delete);
    const body =
      doc.paths[
        '/packer/2023-01-01/organizations/{organization_id}/projects/{project_id}/buckets/{bucket_name}/versions/{fingerprint}'
      ].patch.requestBody;
    const fields = Object.keys(body.content['application/json'].schema.properties).sort();
    assert.deepEqual(fields, [
      'complete',
      'disable_rollback_channels',
      'restore',
      'revocation_message',
      'revoke_at',
      'revoke_in',
      'skip_descendants_revocation',
    ]);
    assert.ok(doc.components.schemas.Version.properties.revocation_inherited_from);
    assert.ok(
      doc.paths['/ingot/v1/organizations/{organization_id}/projects/{project_id}/audit-events'],
    );
  });

  it('answers unknown routes with a 404 in the error shape', async () => {
    const res = await registry().api('GET', '/packer/2023-01-01/nope');
    assert.equal(res.status, 404);
    assert.equal(res.body.code, 5);
    assert.match(res.body.message, /no route for GET/);
  });
});
