import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planImport } from '../../src/client/hcp-import/plan';
import { runImport } from '../../src/client/hcp-import/run';
import { readSource } from '../../src/client/hcp-import/source';
import { RegistryClient } from '../../src/client/registry-client';
import type { Scope } from '../../src/registry/domain/model';
import { cliEnv } from '../helpers/cli';
import { runIngot } from '../helpers/cli-in-process';
import { imageId, startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

const SCOPE: Scope = { organizationId: 'org-1', projectId: 'proj-1' };
const PIPELINE = { principalId: 'ingot_ci_image-pipeline', isAdmin: true };
const MINUTE = 60_000;

/**
 * The source: 3 buckets, 250 versions (two incomplete), channels with long histories (a
 * restricted one among them), ancestry across buckets, and every kind of revocation:
 * in effect with rollback, inherited by descendants in other buckets, with rollback
 * disabled, with descendants skipped, and scheduled for later. Made through the
 * registry's services (the import under test reads it back through the API).
 */
async function fillSource(r: TestRegistry): Promise<void> {
  const reg = r.running.registry;
  const tick = () => r.clock.advance(MINUTE);
  const build = (platform: string, fp: string, parent?: { version: string; channel?: string }) => ({
    platform,
    componentType: platform === 'gcp' ? 'googlecompute.runner' : 'amazon-ebs.runner',
    status: 'BUILD_DONE' as const,
    labels: { os: 'ubuntu', arch: 'x64' },
    metadata: { packer: { version: '1.11.2' } },
    packerRunUuid: `run-${fp}`,
    parentVersionId: parent?.version,
    parentChannelId: parent?.channel,
    artifacts: (platform === 'gcp' ? ['global'] : ['us-east-1', 'eu-west-1']).map((region) => ({
      externalIdentifier: imageId(platform, fp, region),
      region,
    })),
  });
  const publish = async (
    bucket: string,
    fp: string,
    platforms: string[],
    parent?: { version: string; channel?: string },
  ) => {
    tick();
    await reg.versions.create(SCOPE, PIPELINE, bucket, { fingerprint: fp, templateType: 'HCL2' });
    for (const p of platforms)
      await reg.builds.create(SCOPE, PIPELINE, bucket, fp, build(p, fp, parent));
    return (await reg.versions.update(SCOPE, PIPELINE, bucket, fp, { kind: 'complete' })).version;
  };
  const assign = async (bucket: string, channel: string, fp: string) => {
    tick();
    await reg.channels.update(SCOPE, PIPELINE, bucket, channel, { versionFingerprint: fp });
  };
  const pad = (i: number) => String(i).padStart(3, '0');

  for (const [name, description] of [
    ['runner-base', 'Base image'],
    ['runner-ubuntu', 'GitHub runner, Ubuntu 24.04'],
    ['runner-ci', 'CI image'],
  ]) {
    await reg.buckets.create(SCOPE, PIPELINE, { name, description, labels: { team: 'platform' } });
  }
  const base: string[] = [];
  for (let i = 1; i <= 50; i++) base.push((await publish('runner-base', `b${pad(i)}`, ['aws'])).id);
  await reg.channels.create(SCOPE, PIPELINE, 'runner-base', { name: 'dev', restricted: false });
  await reg.channels.create(SCOPE, PIPELINE, 'runner-base', { name: 'prod', restricted: true });
  for (let i = 5; i <= 50; i += 5) await assign('runner-base', 'dev', `b${pad(i)}`);
  for (const i of [10, 20, 30, 40]) await assign('runner-base', 'prod', `b${pad(i)}`);
  const baseProd = (await reg.channels.get(SCOPE, 'runner-base', 'prod')).channel.id;

  const ubuntu: string[] = [];
  for (let i = 1; i <= 120; i++) {
    const parent = { version: base[i % 50], channel: baseProd };
    ubuntu.push((await publish('runner-ubuntu', `u${pad(i)}`, ['aws', 'gcp'], parent)).id);
  }
  for (const channel of ['dev', 'staging', 'prod'])
    await reg.channels.create(SCOPE, PIPELINE, 'runner-ubuntu', {
      name: channel,
      restricted: false,
    });
  for (let i = 10; i <= 120; i += 10) await assign('runner-ubuntu', 'dev', `u${pad(i)}`);
  for (const i of [40, 80, 110]) await assign('runner-ubuntu', 'staging', `u${pad(i)}`);
  for (const i of [40, 120]) await assign('runner-ubuntu', 'prod', `u${pad(i)}`);

  for (let i = 1; i <= 78; i++)
    await publish('runner-ci', `c${pad(i)}`, ['aws'], i % 3 ? undefined : { version: ubuntu[i] });
  tick();
  await reg.versions.create(SCOPE, PIPELINE, 'runner-ci', {
    fingerprint: 'c079',
    templateType: 'HCL2',
  });
  await reg.builds.create(SCOPE, PIPELINE, 'runner-ci', 'c079', {
    ...build('aws', 'c079'),
    status: 'BUILD_RUNNING',
    artifacts: [],
  });
  await reg.versions.create(SCOPE, PIPELINE, 'runner-ci', {
    fingerprint: 'c080',
    templateType: 'JSON',
  });
  await reg.channels.create(SCOPE, PIPELINE, 'runner-ci', {
    name: 'dev',
    restricted: false,
    versionFingerprint: 'c078',
  });

  const revoke = async (
    bucket: string,
    fp: string,
    at: string | null,
    options: { skip?: boolean; keep?: boolean } = {},
  ) => {
    tick();
    await reg.versions.update({ ...SCOPE }, { principalId: 'ingot_ci_security' }, bucket, fp, {
      kind: 'revoke',
      revokeAt: at ? new Date(at) : r.clock.now(),
      message: `CVE in ${fp}`,
      skipDescendants: Boolean(options.skip),
      disableRollback: Boolean(options.keep),
    });
  };
  await revoke('runner-base', 'b040', null); // prod rolls back to b030; children inherit
  await revoke('runner-ubuntu', 'u120', null, { keep: true }); // prod keeps serving it
  await revoke('runner-ubuntu', 'u110', '2099-01-01T00:00:00Z'); // scheduled
  await revoke('runner-ci', 'c066', null, { skip: true });
}

/** Everything a client can read about the buckets, for comparing two registries. */
async function readAll(client: RegistryClient, buckets: string[]) {
  const out: Record<string, unknown> = {};
  for (const b of buckets) {
    const channels = await client.listChannels(b);
    out[b] = {
      bucket: await client.getBucket(b),
      versions: await client.listVersions(b),
      channels,
      histories: await Promise.all(channels.map((c) => client.channelHistory(b, c.name))),
      ancestry: await client.ancestry(b),
      builds: await client.listBuilds(b, b === 'runner-ci' ? 'c079' : `${b[7]}001`),
    };
  }
  return out;
}

describe('ingot import hcp: Ingot → Ingot, 3 buckets and 250 versions (SQLite source, PostgreSQL target)', function () {
  this.timeout(180_000);
  let source: TestRegistry;
  let target: TestRegistry;
  let dir: string;
  let args: string[];
  const BUCKETS = ['runner-base', 'runner-ubuntu', 'runner-ci'];
  const client = (r: TestRegistry, options = {}) =>
    new RegistryClient(
      {
        registryUrl: r.url,
        clientId: r.admin.clientId,
        clientSecret: r.admin.clientSecret,
        organizationId: 'org-1',
        projectId: 'proj-1',
      },
      options,
    );
  const importCli = (...extra: string[]) => runIngot([...args, ...extra], { env: cliEnv(target) });

  before(async function () {
    this.timeout(180_000);
    [source, target] = await Promise.all([
      startTestRegistry('sqlite'),
      startTestRegistry('postgres'),
    ]);
    await fillSource(source);
    target.clock.set(source.clock.now());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-import-'));
    const creds = path.join(dir, 'source.json');
    fs.writeFileSync(
      creds,
      JSON.stringify({
        client_id: source.admin.clientId,
        client_secret: source.admin.clientSecret,
      }),
    );
    args = [
      'import',
      'hcp',
      '--source-registry',
      source.url,
      '--source-organization',
      'org-1',
      '--source-project',
      'proj-1',
      '--source-credentials-file',
      creds,
      '--page-size',
      '40',
    ];
  });
  after(async () => {
    await Promise.all([source?.close(), target?.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run reads both sides, prints what it would import and writes nothing', async () => {
    const dry = await importCli('--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^runner-ubuntu +created +120 created +4 created +\d+ +\d+ +240$/m);
    assert.match(dry.stdout, /^runner-ci +created +80 created +2 created/m);
    assert.match(
      dry.stdout,
      /Dry run: nothing was written to organization "org-1", project "proj-1"/,
    );
    assert.deepEqual((await client(target).listBuckets()).length, 0);
  });

  it('an import cut off midway (the connection drops) leaves what it wrote, and is resumed without duplicates', async () => {
    // Read with small pages, counting the follow-up pages the source handed out.
    let followed = 0;
    const counting: typeof fetch = (url, init) => {
      if (String(url).includes('pagination.next_page_token=')) followed++;
      return fetch(url, init);
    };
    const sourceClient = client(source, { fetch: counting, pageSize: 40 });
    const plan = planImport(await readSource(sourceClient, []));
    assert.ok(followed >= 5, `pages were followed (${followed})`);
    assert.equal(plan.versions.length, 250);

    let writes = 0;
    const dropping: typeof fetch = (url, init) => {
      if (init?.method === 'PUT' && ++writes > 140)
        return Promise.reject(new TypeError('fetch failed'));
      return fetch(url, init);
    };
    await assert.rejects(
      runImport(client(target, { fetch: dropping }), plan),
      /fetch failed|connection failed/,
    );
    const partial = await client(target).listVersions('runner-ubuntu');
    assert.ok(partial.length > 0 && partial.length < 120, `cut off midway (${partial.length})`);

    // On a terminal, a progress line rewrites itself while it reads and writes.
    const resumed = await runIngot(args, { env: cliEnv(target), tty: true });
    assert.equal(resumed.status, 0, resumed.stderr);
    const line = '\r\u001b[2K';
    assert.ok(resumed.stderr.includes(`${line}Reading runner-ubuntu: versions 120/120`));
    assert.ok(/Importing \d+\/\d+: runner-ci version c080/.test(resumed.stderr));
    assert.ok(resumed.stderr.endsWith(line), 'the line is cleared at the end');
    assert.match(
      resumed.stdout,
      /^runner-base +unchanged +50 unchanged/m,
      'already there: left alone',
    );
    assert.match(resumed.stdout, /Imported into organization "org-1", project "proj-1"/);
    assert.deepEqual(
      await readAll(client(target), BUCKETS),
      await readAll(client(source), BUCKETS),
      'identical reads',
    );
  });

  it('runs again as a no-op, and never overwrites what changed in the target', async () => {
    const again = await importCli('--json');
    assert.equal(again.status, 0, again.stderr);
    const summary = JSON.parse(again.stdout);
    for (const b of summary.buckets) {
      assert.equal(b.versions.created + b.versions.updated, 0, b.bucket);
      assert.equal(b.channels.created + b.channels.updated, 0, b.bucket);
    }
    const history = await client(target).channelHistory('runner-ubuntu', 'dev');
    assert.equal(
      history.length,
      (await client(source).channelHistory('runner-ubuntu', 'dev')).length,
    );

    // Someone assigns a channel in the target: the next import refuses to undo it.
    await target.ok('PATCH', `${target.packer()}/buckets/runner-ubuntu/channels/dev`, {
      version_fingerprint: 'u001',
      update_mask: 'versionFingerprint',
    });
    const refused = await importCli();
    assert.equal(refused.status, 1);
    assert.match(
      refused.stdout,
      /1 record\(s\) were refused \(nothing here was overwritten\):\n {2}runner-ubuntu channel dev: channel "dev" of bucket "runner-ubuntu" was assigned here since it was imported/,
    );
    assert.match(refused.stderr, /^ingot: 1 record\(s\) were not imported; see above\.$/m);
    const dev = await client(target).getChannel('runner-ubuntu', 'dev');
    assert.equal(dev.version?.fingerprint, 'u001', 'the target change stands');
  });
});
