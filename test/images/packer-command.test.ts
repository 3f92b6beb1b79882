import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import {
  packerBuildCommand,
  readTemplate,
  shellQuote,
  variableText,
} from '../../src/images/packer-command';
import { integrationTestCommand } from '../../src/images/integration-test';

/** The command text: every value survives bash quoting, and the steps are the right ones. */
const ROOT = path.resolve(__dirname, '../..');

describe('packer command text', () => {
  it('quotes any value so that bash reads it back unchanged', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 30 }), (values) => {
        const script = values.map((v) => `printf '%s\\0' ${shellQuote(v)}`).join('\n');
        const out = execFileSync('bash', ['-c', script], { encoding: 'buffer' });
        const read = out.toString('utf8').split('\0').slice(0, -1);
        assert.deepEqual(
          read,
          values.map((v) => Buffer.from(v, 'utf8').toString('utf8')),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('passes strings as they are and everything else as HCL-compatible JSON', () => {
    assert.equal(variableText('us-east-1'), 'us-east-1');
    assert.equal(variableText(60), '60');
    assert.equal(variableText(true), 'true');
    assert.equal(variableText(['us-east-1', 'eu-west-1']), '["us-east-1","eu-west-1"]');
    assert.equal(variableText({ 'k y': 'v,w' }), '{"k y":"v,w"}');
  });

  it('reads declared variables and sources, and whether plugins are required', () => {
    const local = readTemplate(path.join(ROOT, 'packer/local'));
    assert.deepEqual([...local.sources].sort(), ['file.arm64', 'file.x64']);
    assert.ok(local.variables.has('fingerprint') && local.variables.has('parent_image_arm64'));
    assert.equal(local.requiresPlugins, false);
    const runner = readTemplate(path.join(ROOT, 'packer/runner-ubuntu'));
    assert.equal(runner.requiresPlugins, true);
    assert.ok(runner.sources.has('googlecompute.runner'));
  });

  it('builds init only when asked, sources sorted, the log filter last', () => {
    const base = {
      templateDir: '/repo/packer/runner-ubuntu',
      outputDir: "/work/it's here/fp",
      sources: ['googlecompute.runner', 'amazon-ebs.runner-x64'],
      variables: { b: 'two words', a: ['x'] },
      init: true,
      logFilter: '/repo/packer/tools/packer-log.sh',
      packer: 'packer',
      hcpPackerRegistry: false,
      fingerprint: 'fp',
    };
    const text = packerBuildCommand(base);
    assert.equal(
      text,
      [
        'set -euo pipefail',
        'export CHECKPOINT_DISABLE=1 HCP_PACKER_REGISTRY=off',
        `mkdir -p '/work/it'\\''s here/fp'`,
        `cd '/repo/packer/runner-ubuntu'`,
        `'packer' init .`,
        `'packer' build -machine-readable -color=false -force \\`,
        `  -only='amazon-ebs.runner-x64,googlecompute.runner' \\`,
        `  -var 'a=["x"]' \\`,
        `  -var 'b=two words' \\`,
        `  . | bash '/repo/packer/tools/packer-log.sh' '/work/it'\\''s here/fp/packer-build.log'`,
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(packerBuildCommand({ ...base, init: false }), /init/);
    execFileSync('bash', ['-n', '-c', text]);
  });

  it('builds the integration test call with every value quoted', () => {
    const text = integrationTestCommand({
      script: '/repo/scripts/image-integration-test.sh',
      mode: 'aws',
      smoke: 'runner',
      image: 'ami-0abc',
      region: 'us-east-1',
      bucket: 'runner-ubuntu',
      fingerprint: 'fp-1',
      args: { workflow: 'smoke.yml', repository: "o/r'x" },
    });
    assert.equal(
      text,
      `bash '/repo/scripts/image-integration-test.sh' --mode 'aws' --smoke 'runner' --image 'ami-0abc' --region 'us-east-1' --bucket 'runner-ubuntu' --fingerprint 'fp-1' --repository 'o/r'\\''x' --workflow 'smoke.yml'\n`,
    );
  });
});
