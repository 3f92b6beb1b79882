import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cliEnv } from '../helpers/cli';
import { runIngot } from '../helpers/cli-in-process';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

/**
 * What a person sees when the organization, project, URL or name is wrong: the CLI's
 * words (which command lists what exists, which flag to change), never the API's.
 */
describe('ingot errors in CLI words: wrong names, organization, project and URL', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const ingot = (args: string[], e = env) => runIngot(args, { env: e });

  before(async () => {
    r = await startTestRegistry('sqlite');
    env = cliEnv(r);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-errors-'));
    await r.publish('runner-ubuntu', 'fp-1');
    await r.principal('viewer', 'org-1', 'empty-project');
  });
  after(async () => {
    await r?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the missing bucket, version or channel and the command that lists them', async () => {
    const bucket = await ingot(['versions', 'ls', 'runner-ubunto']);
    assert.equal(bucket.status, 1);
    assert.equal(
      bucket.stderr,
      `ingot: bucket "runner-ubunto" does not exist in organization "org-1", project "proj-1" of ${r.url}. \`ingot buckets ls\` lists the buckets there; --organization and --project (HCP_ORGANIZATION_ID, HCP_PROJECT_ID) choose another project.\n`,
    );
    const version = await ingot(['versions', 'show', 'runner-ubuntu', 'fp-9']);
    assert.equal(
      version.stderr,
      'ingot: bucket "runner-ubuntu" has no version "fp-9". `ingot versions ls runner-ubuntu` lists its versions by name (v1, v2…) and fingerprint.\n',
    );
    const channel = await ingot(['channels', 'history', 'runner-ubuntu', 'prod']);
    assert.match(
      channel.stderr,
      /^ingot: bucket "runner-ubuntu" has no channel "prod"\. `ingot channels ls runner-ubuntu` lists its channels; `ingot channels set runner-ubuntu prod --version <name or fingerprint>` creates it\.\n$/,
    );
    for (const result of [bucket, version, channel]) {
      assert.doesNotMatch(result.stderr, /PUT|GET \.\.\.|\.\.\.\//, 'no API advice');
    }
  });

  it('a mistyped organization is refused, naming the projects the registry knows; a known empty one is just empty', async () => {
    const typo = await ingot(['buckets', 'ls', '--organization', 'org-l']);
    assert.equal(typo.status, 1);
    assert.equal(typo.stdout, '');
    assert.match(
      typo.stderr,
      /^ingot: organization "org-l", project "proj-1" holds nothing in http:\S+ and no principal is granted on it; did you mean org-1\/proj-1\? Projects here: org-1\/empty-project \(0 bucket\(s\)\), org-1\/proj-1 \(1 bucket\(s\)\)\. Check --organization and --project/,
    );
    const empty = await ingot(['buckets', 'ls', '--project', 'empty-project']);
    assert.equal(empty.status, 0, empty.stderr);
    assert.equal(
      empty.stdout,
      'No buckets yet in organization "org-1", project "empty-project"; publish one with `ingot publish --create-bucket`.\n',
    );
  });

  it('a URL with a path is a wrong URL, not a credentials problem; one without a scheme is refused', async () => {
    const withPath = await ingot(['buckets', 'ls', '--registry', `${r.url}/api`]);
    assert.equal(withPath.status, 1);
    assert.match(
      withPath.stderr,
      new RegExp(
        `^ingot: could not authenticate for list buckets: ${r.url}/api/oauth2/token is not a token endpoint \\(it answered 401\\), so ${r.url}/api is not the base URL of a registry\\. Give the registry's URL without a path, e\\.g\\. http://127\\.0\\.0\\.1:8080 \\(--registry\\)\\.`,
      ),
    );
    assert.doesNotMatch(withPath.stderr, /HCP_CLIENT_ID|credentials/);
    const bare = r.url.replace('http://', '');
    const noScheme = await ingot(['buckets', 'ls', '--registry', bare]);
    assert.equal(noScheme.status, 1);
    assert.match(
      noScheme.stderr,
      new RegExp(
        `registry URL "${bare}" \\(--registry\\) has no scheme: write http://${bare} \\(or https://… when the registry is behind TLS\\)\\.`,
      ),
    );
  });

  it('a credentials file naming an address nothing listens on says where the URL came from', async () => {
    // A port that was free a moment ago: the registry "moved" from there.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const file = path.join(dir, 'stale.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        url: `http://127.0.0.1:${port}`,
        client_id: r.admin.clientId,
        client_secret: r.admin.clientSecret,
      }),
    );
    const {
      INGOT_REGISTRY_URL: _url,
      HCP_CLIENT_ID: _id,
      HCP_CLIENT_SECRET: _secret,
      ...rest
    } = env;
    const stale = await ingot(['buckets', 'ls'], { ...rest, INGOT_CREDENTIALS_FILE: file });
    assert.equal(stale.status, 1);
    assert.match(
      stale.stderr,
      new RegExp(
        `failed after 4 attempt\\(s\\): connection failed \\(ECONNREFUSED\\)\\. Check that the registry is running; the URL comes from the credentials file ${file.replace(/[.]/g, '\\.')}, which the registry rewrites when it starts on another address \\(or pass --registry\\)\\.`,
      ),
    );
  });
});
