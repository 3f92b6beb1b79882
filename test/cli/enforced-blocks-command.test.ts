import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliEnv, rows } from '../helpers/cli';
import { runIngot } from '../helpers/cli-in-process';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

const AGENT_V1 = 'provisioner "shell" {\n  inline = ["install-agent --version 1"]\n}\n';
const AGENT_V2 = 'provisioner "shell" {\n  inline = ["install-agent --version 2"]\n}\n';

describe('ingot enforced-blocks (in process, against a live registry)', function () {
  this.timeout(120_000);
  let registry: TestRegistry;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  const run = (args: string[]) => runIngot(args, { env });
  async function ok(args: string[]): Promise<string> {
    const result = await run(args);
    assert.equal(result.status, 0, `ingot ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }
  const json = async (args: string[]) => JSON.parse(await ok([...args, '--json']));

  before(async () => {
    registry = await startTestRegistry('sqlite');
    env = cliEnv(registry);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-eb-'));
    fs.writeFileSync(path.join(dir, 'v1.pkr.hcl'), AGENT_V1);
    fs.writeFileSync(path.join(dir, 'v2.pkr.hcl'), AGENT_V2);
    await registry.publish('runner-ubuntu', 'fp-1');
    await registry.publish('runner-windows', 'fp-1');
  });
  after(async () => {
    await registry?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates, links, versions, relinks and shows what Packer will inject', async () => {
    const created = await ok([
      'enforced-blocks',
      'create',
      'security-agent',
      '--file',
      path.join(dir, 'v1.pkr.hcl'),
      '--block-version',
      'v1',
      '--description',
      'installs the agent',
    ]);
    assert.match(created, /Created enforced block "security-agent" v1/);
    await ok(['enforced-blocks', 'link', 'security-agent', 'runner-ubuntu', 'runner-windows']);
    await ok([
      'enforced-blocks',
      'add-version',
      'security-agent',
      '--file',
      path.join(dir, 'v2.pkr.hcl'),
      '--block-version',
      'v2',
    ]);
    await ok([
      'enforced-blocks',
      'link',
      'security-agent',
      'runner-ubuntu',
      '--block-version',
      'v2',
    ]);

    const ubuntu = rows(await ok(['enforced-blocks', 'for-bucket', 'runner-ubuntu']));
    assert.deepEqual(ubuntu, [
      ['BLOCK', 'VERSION', 'TEMPLATE TYPE'],
      ['security-agent', 'v2', 'HCL2'],
    ]);
    const windows = await json(['enforced-blocks', 'for-bucket', 'runner-windows']);
    assert.equal(windows.enforced_block_detail[0].version.block_content, AGENT_V1);

    const shown = await json(['enforced-blocks', 'show', 'security-agent']);
    assert.deepEqual(
      shown.versions.map((v: any) => [v.version, v.linked_buckets]),
      [
        ['v2', ['runner-ubuntu']],
        ['v1', ['runner-windows']],
      ],
    );
    assert.match(
      await ok(['enforced-blocks', 'show', 'security-agent']),
      /install-agent --version 2/,
    );
    assert.deepEqual(
      rows(await ok(['enforced-blocks', 'ls']))
        .slice(1)
        .map((r) => r.slice(0, 3)),
      [['security-agent', 'v2', 'HCL2']],
    );

    await ok(['enforced-blocks', 'unlink', 'security-agent', 'runner-windows']);
    assert.match(
      await ok(['enforced-blocks', 'for-bucket', 'runner-windows']),
      /No enforced block applies to bucket "runner-windows"/,
    );
    assert.match(
      await ok(['enforced-blocks', 'delete', 'security-agent', '--yes']),
      /Deleted enforced block "security-agent"/,
    );
    assert.match(await ok(['enforced-blocks', 'ls']), /no enforced blocks/);
  });

  it('says what is wrong: unknown block, unknown version, unreadable file', async () => {
    const unknown = await run(['enforced-blocks', 'show', 'nope']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no enforced block "nope"/);
    await ok([
      'enforced-blocks',
      'create',
      'hardening',
      '--file',
      path.join(dir, 'v1.pkr.hcl'),
      '--block-version',
      'v1',
    ]);
    const badVersion = await run([
      'enforced-blocks',
      'link',
      'hardening',
      'runner-ubuntu',
      '--block-version',
      'v9',
    ]);
    assert.match(badVersion.stderr, /has no version "v9" \(versions: v1\)/);
    const noFile = await run([
      'enforced-blocks',
      'add-version',
      'hardening',
      '--file',
      path.join(dir, 'missing.hcl'),
      '--block-version',
      'v2',
    ]);
    assert.equal(noFile.status, 1);
    assert.match(noFile.stderr, /--file .*missing\.hcl/);
    const badBucket = await run(['enforced-blocks', 'link', 'hardening', 'no-such-bucket']);
    assert.notEqual(badBucket.status, 0);
    assert.match(badBucket.stderr, /no-such-bucket/);
  });
});
