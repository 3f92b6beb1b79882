import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startTestRegistry, type TestRegistry } from '../../helpers/registry-harness';

/** Runs the real curl (asynchronously: the registry answers from this process). */
function curl(args: string[]): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-s', '-w', '\n%{http_code}', ...args], (error, stdout) => {
      if (error) return reject(error);
      const at = stdout.lastIndexOf('\n');
      const text = stdout.slice(0, at);
      resolve({ status: Number(stdout.slice(at + 1)), body: text ? JSON.parse(text) : null });
    });
  });
}

/**
 * `curl -d '{…}'` sends `application/x-www-form-urlencoded`. HCP Packer reads any body as
 * JSON (grpc-ecosystem/grpc-gateway runtime/marshaler_registry.go: an unregistered
 * Content-Type falls back to the "*" JSON marshaler), so Ingot does too; the OAuth2 token
 * endpoint keeps reading forms.
 */
describe('request bodies without a JSON Content-Type (real curl)', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  let auth: string;
  let api: string;

  before(async () => {
    r = await startTestRegistry('sqlite');
    api = `${r.url}${r.packer()}`;
    const token = await curl([
      `${r.url}/oauth2/token`,
      '-d',
      'grant_type=client_credentials',
      '-d',
      `client_id=${r.admin.clientId}`,
      '-d',
      `client_secret=${r.admin.clientSecret}`,
    ]);
    assert.equal(token.status, 200, 'the token endpoint reads curl -d forms');
    auth = `Authorization: Bearer ${token.body.access_token}`;
  });
  after(async () => r?.close());

  it('accepts JSON sent as curl -d (form type) on every write the walkthrough makes', async () => {
    const send = (method: string, path: string, body: string) =>
      curl(['-X', method, `${api}${path}`, '-H', auth, '-d', body]);
    assert.equal(
      (await send('PUT', '/buckets', '{"name":"runner-ubuntu","description":"Ubuntu"}')).status,
      200,
    );
    assert.equal(
      (await send('POST', '/buckets/runner-ubuntu/versions', '{"fingerprint":"fp-1"}')).status,
      200,
    );
    const build = await send(
      'POST',
      '/buckets/runner-ubuntu/versions/fp-1/builds',
      '{"platform":"aws","component_type":"amazon-ebs.runner","status":"BUILD_DONE","artifacts":[{"external_identifier":"ami-0abc","region":"us-east-1"}]}',
    );
    assert.equal(build.status, 200, JSON.stringify(build.body));
    assert.equal(build.body.build.artifacts[0].external_identifier, 'ami-0abc');
    const done = await send('PATCH', '/buckets/runner-ubuntu/versions/fp-1', '{"complete":true}');
    assert.equal(done.body.version.name, 'v1');
    const dev = await send(
      'POST',
      '/buckets/runner-ubuntu/channels',
      '{"name":"dev","version_fingerprint":"fp-1"}',
    );
    assert.equal(dev.body.channel.version.fingerprint, 'fp-1');
  });

  it('accepts JSON with no Content-Type or text/plain, as HCP does', async () => {
    const bare = await curl([
      '-X',
      'PATCH',
      `${api}/buckets/runner-ubuntu`,
      '-H',
      auth,
      '-H',
      'Content-Type:',
      '--data-binary',
      '{"description":"no header"}',
    ]);
    assert.equal(bare.status, 200, JSON.stringify(bare.body));
    assert.equal(bare.body.bucket.description, 'no header');
    const text = await curl([
      '-X',
      'PATCH',
      `${api}/buckets/runner-ubuntu`,
      '-H',
      auth,
      '-H',
      'Content-Type: text/plain',
      '-d',
      '{"description":"text"}',
    ]);
    assert.equal(text.body.bucket.description, 'text');
  });

  it('refuses a form that is not JSON, naming the header to send, and changes nothing', async () => {
    const res = await curl([
      '-X',
      'PUT',
      `${api}/buckets`,
      '-H',
      auth,
      '-d',
      'name=runner-windows',
    ]);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 3);
    assert.match(res.body.message, /not JSON/);
    assert.match(res.body.message, /application\/x-www-form-urlencoded \(curl -d sends/);
    assert.match(res.body.message, /Content-Type: application\/json/);
    const missing = await curl([`${api}/buckets/runner-windows`, '-H', auth]);
    assert.equal(missing.status, 404);
  });
});
