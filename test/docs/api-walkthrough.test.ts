import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { commandBlocks, ROOT, type CommandBlock } from './doc-blocks';
import { DocsWorkspace } from './docs-session';

/**
 * Issue 18: the README's write curls sent JSON as a form. The walkthrough of docs/api.md
 * runs verbatim against a fresh registry; every call is `curl -f` (the session stops at
 * the first refusal) and every JSON write names its Content-Type.
 */
const FILE = 'docs/api.md';

/** The block right under "## Walkthrough". */
function walkthrough(): CommandBlock {
  const block = commandBlocks(FILE).find((b) => b.line > headingLine('## Walkthrough'));
  assert.ok(block, `${FILE} has a shell block under "## Walkthrough"`);
  return block;
}

function headingLine(heading: string): number {
  const lines = fs.readFileSync(path.join(ROOT, FILE), 'utf8').split('\n');
  const index = lines.indexOf(heading);
  assert.ok(index >= 0, `${FILE} has "${heading}"`);
  return index + 1;
}

/** Each curl command of a script, its `\` continuations joined. */
function curls(script: string): string[] {
  return script
    .replace(/\\\n/g, ' ')
    .split('\n')
    .flatMap((line) => line.split(/\$\(|\|/))
    .map((part) => part.trim())
    .filter((part) => part.startsWith('curl '));
}

describe(`the API walkthrough (${FILE})`, function () {
  this.timeout(120_000);

  it('is runnable as written: not marked as needing anything', () => {
    assert.deepEqual(walkthrough().needs, []);
  });

  it('fails on any refused call and sends every JSON write as JSON', () => {
    const { script } = walkthrough();
    assert.match(script, /^json="Content-Type: application\/json"$/m);
    const calls = curls(script);
    assert.ok(calls.length >= 12, `the walkthrough makes its calls with curl (${calls.length})`);
    for (const call of calls) {
      assert.match(call, /^curl -[a-zA-Z]*f/, `curl -f, so a refusal stops it: ${call}`);
      const write = /-X (PUT|POST|PATCH|DELETE)\b/.test(call) || / -d /.test(call);
      // The token endpoint takes a form (OAuth2 client credentials, RFC 6749 §4.4.2).
      if (write && !call.includes('/oauth2/token'))
        assert.ok(call.includes('-H "$json"'), `a JSON write names its Content-Type: ${call}`);
    }
    for (const step of ['/oauth2/token', '/buckets"', '/versions"', '/builds"', '/channels"'])
      assert.ok(
        calls.some((c) => c.includes(step)),
        `the walkthrough calls ${step}`,
      );
  });

  it('runs verbatim against a fresh registry, every call succeeding', async () => {
    const workspace = await DocsWorkspace.start();
    try {
      const result = await workspace.run([walkthrough()]);
      assert.equal(result.status, 0, `${result.stderr}\n${result.stdout}`);
      // What the walkthrough says happened, read back from the registry.
      // curl prints the registry's answers without a final newline: jq's lines follow them.
      assert.match(result.stdout, /(^|\})us-east-1 ami-0123$/m, 'dev served v2 and its image');
      assert.match(result.stdout, /(^|\})v1$/m, 'the version was named v1; dev rolled back to it');
      const read = await reader(workspace);
      const base = '/packer/2023-01-01/organizations/acme/projects/images/buckets/runner-ubuntu';
      const dev = await read(`${base}/channels/dev`);
      assert.equal(dev.channel.version.name, 'v1', 'revoking v2 rolled dev back to v1');
      const staging = await read(`${base}/channels/staging`);
      assert.equal(staging.channel.version.name, 'v1');
      const v2 = await read(`${base}/versions/01JD9M7RZT`);
      assert.equal(v2.version.status, 'VERSION_ACTIVE', 'restored');
    } finally {
      await workspace.close();
    }
  });
});

/** GETs with the workspace's admin credentials, as a separate client would. */
async function reader(workspace: DocsWorkspace): Promise<(url: string) => Promise<any>> {
  const admin = JSON.parse(fs.readFileSync(workspace.credentialsFile, 'utf8')) as {
    url: string;
    client_id: string;
    client_secret: string;
  };
  const res = await fetch(`${admin.url}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: admin.client_id,
      client_secret: admin.client_secret,
    }),
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  return async (url) => {
    const answer = await fetch(`${admin.url}${url}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(answer.status, 200, url);
    return answer.json();
  };
}
