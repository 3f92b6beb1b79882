import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import {
  MANIFEST_MARKER,
  manifestFromOutput,
  HCP_FROM_INGOT_REGISTRY,
  packerBuildCommand,
  readTemplate,
  shellQuote,
  unchangedCommand,
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
        // Child templates read their parent with the HCP Packer data sources: from Ingot.
        ...HCP_FROM_INGOT_REGISTRY,
        `mkdir -p '/work/it'\\''s here/fp'`,
        `cd '/repo/packer/runner-ubuntu'`,
        `'packer' init .`,
        // No -force on a cloud: it would deregister an AMI of the same name.
        `'packer' build -machine-readable -color=false \\`,
        `  -only='amazon-ebs.runner-x64,googlecompute.runner' \\`,
        `  -var 'a=["x"]' \\`,
        `  -var 'b=two words' \\`,
        `  . | bash '/repo/packer/tools/packer-log.sh' '/work/it'\\''s here/fp/packer-build.log'`,
        `echo '::ingot-manifest::'`,
        `cat '/work/it'\\''s here/fp/packer-manifest.json'`,
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(packerBuildCommand({ ...base, init: false }), /init/);
    assert.match(packerBuildCommand({ ...base, sources: ['file.x64'] }), / -force \\/);
    execFileSync('bash', ['-n', '-c', text]);
  });

  it('keeps the manifest in the output: the build prints it, an unchanged run prints it again', () => {
    const manifest = '{"builds": [{"name": "x64"}]}';
    const built = `==> Builds finished.\n${MANIFEST_MARKER}\n${manifest}\n`;
    assert.equal(manifestFromOutput(built), manifest);
    assert.equal(manifestFromOutput('packer said nothing'), undefined);
    // The update step runs on a fresh machine: only the previous output (in the state) has it.
    const again = execFileSync('bash', ['-c', unchangedCommand('runner-ubuntu', 'a'.repeat(40))], {
      encoding: 'utf8',
      env: { ...process.env, PULUMI_COMMAND_STDOUT: built },
    });
    assert.match(again, /^ingot: runner-ubuntu is unchanged/);
    assert.equal(manifestFromOutput(again), manifest);
  });

  it('tests every architecture with the fleet boot script, revoking on the first failure', () => {
    const text = integrationTestCommand({
      script: '/repo/scripts/image-integration-test.sh',
      mode: 'aws',
      smoke: 'runner',
      targets: [
        { componentType: 'amazon-ebs.runner-x64', image: 'ami-0abc' },
        { componentType: 'amazon-ebs.runner-arm64', image: 'ami-0def' },
      ],
      region: 'us-east-1',
      bucket: 'runner-ubuntu',
      fingerprint: 'fp-1',
      runner: {
        os: 'ubuntu',
        organization: 'acme',
        runnerGroup: 'Default',
        githubUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
        secret: { cloud: 'aws', region: 'us-east-1', name: 'ingot/dev/app' },
      },
      args: { workflow: 'smoke.yml', repository: "o/r'x" },
      cli: "'node' '/repo/bin/ingot.js'",
    });
    execFileSync('bash', ['-n', '-c', text]);
    for (const [arch, ami] of [
      ['x64', 'ami-0abc'],
      ['arm64', 'ami-0def'],
    ])
      assert.ok(
        text.includes(
          `bash '/repo/scripts/image-integration-test.sh' --mode 'aws' --smoke 'runner' --image '${ami}' --region 'us-east-1' --bucket 'runner-ubuntu' --fingerprint 'fp-1' --repository 'o/r'\\''x' --workflow 'smoke.yml' --user-data "$work/user-data" --runner-prefix 'ingot-test-runner-ubuntu-fp-1-${arch}'`,
        ),
        arch,
      );
    // The user data is the fleet's boot script, registering as the fleet does.
    assert.match(text, /--unattended --ephemeral --disableupdate/);
    assert.match(text, /aws secretsmanager get-secret-value --region "\$SECRET_REGION"/);
    assert.match(
      text,
      /'node' '\/repo\/bin\/ingot\.js' revoke 'runner-ubuntu' 'fp-1' --message "\$reason"/,
    );
  });
});
