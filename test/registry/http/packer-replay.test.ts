import { packerReplaySuite, type Send } from '../../helpers/packer-replay';
import { describeEachEngine, type TestRegistry } from '../../helpers/registry-harness';

/** The Go SDK's calls over plain HTTP, through the test harness's token. */
function send(r: TestRegistry): Send {
  return async (method, path, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${await r.token()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${r.url}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

// The calls and their order: see test/helpers/packer-replay.ts (hashicorp/packer
// internal/hcp/registry, terraform-provider-hcp internal/clients/packerv2).
describeEachEngine('Packer and terraform-provider-hcp replayed against the registry', (registry) =>
  packerReplaySuite(() => send(registry())),
);
