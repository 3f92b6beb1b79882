import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as inProcess from '../helpers/cli';
import { cliEnv, processCli, rows } from '../helpers/cli';
import { imageId, startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

// Listing and failing run as real processes (start-up, exit status, streams); the rest
// in-process through the same entry point, as the other suites do.
const { ingot, ingotJson, ingotOk } = processCli;

describe('ingot buckets, versions and builds (against a live registry; lists and a failure as real processes)', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    registry = await startTestRegistry('sqlite');
    env = cliEnv(registry);
    await registry.publish('runner-ubuntu', 'fp-ubuntu-1', [
      { platform: 'aws', regions: ['us-east-1', 'eu-west-1'] },
      { platform: 'gcp', regions: ['global'] },
    ]);
    registry.clock.advance(60_000);
    await registry.publish('runner-ubuntu', 'fp-ubuntu-2');
    await registry.publish('runner-windows', 'fp-windows-1');
    await registry.ok('POST', `${registry.packer()}/buckets/runner-ubuntu/channels`, {
      name: 'prod',
      version_fingerprint: 'fp-ubuntu-1',
    });
  });
  after(async () => registry?.close());

  it('lists buckets and shows one with its channels, as tables and as JSON', async () => {
    const [lsTable, ls, showTable, show] = await Promise.all([
      ingotOk(['buckets', 'ls'], env),
      ingotJson(['buckets', 'ls'], env),
      ingotOk(['buckets', 'show', 'runner-ubuntu'], env),
      ingotJson(['buckets', 'show', 'runner-ubuntu'], env),
    ]);

    assert.deepEqual(
      ls.buckets.map((b: any) => [b.name, b.version_count, b.latest_version.name]).sort(),
      [
        ['runner-ubuntu', '2', 'v2'],
        ['runner-windows', '1', 'v1'],
      ],
    );
    const table = rows(lsTable);
    assert.deepEqual(table[0], [
      'NAME',
      'LATEST',
      'VERSIONS',
      'PLATFORMS',
      'UPDATED',
      'DESCRIPTION',
    ]);
    const ubuntu = table.find((r) => r[0] === 'runner-ubuntu');
    const platforms = ls.buckets.find((b: any) => b.name === 'runner-ubuntu').platforms.join(',');
    assert.deepEqual(ubuntu?.slice(0, 4), ['runner-ubuntu', 'v2 (fp-ubuntu-2)', '2', platforms]);
    assert.equal(ubuntu?.[5], 'runner-ubuntu images');

    assert.equal(show.bucket.name, 'runner-ubuntu');
    assert.deepEqual(show.channels.map((c: any) => [c.name, c.version.fingerprint]).sort(), [
      ['latest', 'fp-ubuntu-2'],
      ['prod', 'fp-ubuntu-1'],
    ]);
    assert.match(showTable, /^Bucket: +runner-ubuntu$/m);
    assert.match(showTable, /^Latest: +v2 \(fp-ubuntu-2\)$/m);
    assert.match(showTable, /^prod +v1 +fp-ubuntu-1 +active +no +no /m);
    assert.match(showTable, /^latest +v2 +fp-ubuntu-2 +active +no +yes /m);
  });

  it('lists versions, shows one with its images, and lists its builds', async () => {
    const [lsTable, showTable, show, buildsTable] = await Promise.all([
      inProcess.ingotOk(['versions', 'ls', 'runner-ubuntu'], env),
      inProcess.ingotOk(['versions', 'show', 'runner-ubuntu', 'fp-ubuntu-1'], env),
      inProcess.ingotJson(['versions', 'show', 'runner-ubuntu', 'fp-ubuntu-1'], env),
      inProcess.ingotOk(['builds', 'ls', 'runner-ubuntu', 'fp-ubuntu-1'], env),
    ]);

    assert.deepEqual(
      rows(lsTable).map((r) => r.slice(0, 4)),
      [
        ['NAME', 'FINGERPRINT', 'STATUS', 'PLATFORMS'],
        ['v2', 'fp-ubuntu-2', 'active', 'aws'],
        ['v1', 'fp-ubuntu-1', 'active', 'aws,gcp'],
      ],
    );

    assert.equal(show.version.fingerprint, 'fp-ubuntu-1');
    assert.equal(show.version.name, 'v1');
    assert.equal(show.version.builds.length, 2);
    assert.match(showTable, /^Fingerprint: +fp-ubuntu-1$/m);
    assert.match(showTable, /^Status: +active$/m);
    const east = imageId('aws', 'fp-ubuntu-1', 'us-east-1');
    assert.match(showTable, new RegExp(`aws +amazon-ebs\\.runner +done +us-east-1 +${east}`));

    const images = show.version.builds
      .flatMap((b: any) => b.artifacts.map((a: any) => `${b.platform}/${a.region}`))
      .sort();
    assert.deepEqual(images, ['aws/eu-west-1', 'aws/us-east-1', 'gcp/global']);
    const table = rows(buildsTable);
    assert.deepEqual(table[0], [
      'BUILD',
      'PLATFORM',
      'COMPONENT TYPE',
      'STATUS',
      'REGION',
      'IMAGE',
      'LABELS',
    ]);
    assert.equal(table.length, 4, 'one row per image');
    assert.ok(
      table.some((r) => r[4] === 'global' && r[5] === imageId('gcp', 'fp-ubuntu-1', 'global')),
    );
  });

  it('fails with exit 1 on an unknown bucket, naming it', async () => {
    const result = await ingot(['versions', 'ls', 'no-such-bucket', '--json'], env);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^ingot: bucket "no-such-bucket" does not exist in organization "org-1", project "proj-1" of http:\/\/\S+\. `ingot buckets ls` lists the buckets there/,
    );
  });

  it('lists every connection problem at once, and lets the flags override the environment', async () => {
    // A credentials file naming another registry: --registry wins over its url.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-cli-'));
    const file = path.join(dir, 'creds.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        url: 'http://127.0.0.1:9',
        client_id: registry.admin.clientId,
        client_secret: registry.admin.clientSecret,
      }),
    );
    const [missing, flags] = await Promise.all([
      inProcess.ingot(['buckets', 'ls', '--organization', 'bad org'], cliEnv(null)),
      // Everything from flags; the environment names no registry at all.
      inProcess.ingot(
        [
          'buckets',
          'ls',
          '--registry',
          registry.url,
          '--organization',
          'org-1',
          '--project',
          'proj-1',
          '--credentials-file',
          file,
          '--json',
        ],
        cliEnv(null),
      ),
    ]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^ingot: registry client configuration is invalid/);
    assert.match(missing.stderr, /no registry: set INGOT_REGISTRY_URL/);
    assert.match(missing.stderr, /no client id/);
    assert.match(missing.stderr, /organization id "bad org" \(organization option\) is invalid/);
    assert.match(missing.stderr, /no project/);
    assert.match(missing.stderr, /--registry, --organization, --project and --credentials-file/);

    assert.equal(flags.status, 0, flags.stderr);
    assert.equal(JSON.parse(flags.stdout).buckets.length, 2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
