import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bootstrapScript, type BootstrapSpec } from '../../src/fleet/bootstrap';
import { TEMPLATES } from '../../src/images/template-catalog';

/**
 * The contract between the fleet and the golden images: every command the fleet's boot
 * scripts (src/fleet/bootstrap) call is in the image the matching template builds —
 * installed by one of its provisioning scripts (or its parent's), or shipped by the
 * source image the template starts from (Canonical's Ubuntu cloud images, EC2 macOS
 * AMIs, Windows Server), or a shell builtin. A command the boot script starts calling
 * that nobody installs fails here, before an image that powers off at boot ships.
 */
const ROOT = path.resolve(__dirname, '../..');

const BASH_BUILTINS = new Set(
  'set exec trap echo local return unset printf cd shift read if then else fi while do done true false for in case esac export'.split(
    ' ',
  ),
);

/**
 * What the source images ship (never installed by a template). Ubuntu cloud images:
 * coreutils, util-linux, sudo, systemd (shutdown), hostname; Canonical's GCE images also
 * the google-cloud-cli snap (gcloud). EC2 macOS AMIs: the BSD userland, sudo, launchctl,
 * curl, LibreSSL's openssl and the AWS CLI (docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-mac-instances.html).
 */
const SHIPPED: Record<string, Set<string>> = {
  ubuntu: new Set([
    'bash',
    'sudo',
    'shutdown',
    'hostname',
    'mktemp',
    'chmod',
    'rm',
    'date',
    'tr',
    'cat',
    'mkdir',
    'gcloud',
  ]),
  macos: new Set([
    'bash',
    'sudo',
    'shutdown',
    'hostname',
    'mktemp',
    'chmod',
    'rm',
    'date',
    'tr',
    'cat',
    'mkdir',
    'sleep',
    'launchctl',
    'curl',
    'openssl',
    'aws',
  ]),
};

/** Command words of a bash script: the first word of each simple command. */
export function bashCommands(script: string): Set<string> {
  const found = new Set<string>();
  const body = script
    .replace(/<<'?(\w+)'?\n[\s\S]*?\n\1\n/g, (m) => `${m.split('\n')[0]}\n`) // heredoc bodies are data
    .replace(/\$\(\([^)]*\)\)/g, '0') // arithmetic
    .replace(/'[^'\n]*'/g, "''")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, (m) => (m.includes('$(') ? m.replace(/^"|"$/g, ' ') : '""'));
  for (const raw of body.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    for (const part of line.split(/\|\||&&|[;|&(){}]|\$\(|`/)) {
      const words = part.trim().split(/\s+/).filter(Boolean);
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words.shift();
      const word = words[0];
      if (!word || !/^[a-z.][a-z0-9._/-]*$/.test(word) || word.endsWith(')')) continue;
      found.add(word);
    }
  }
  return found;
}

/** Commands a template's scripts (and its parent's) install: apt packages and verified tools. */
function installedBy(template: string): Set<string> {
  const spec = TEMPLATES[template];
  const scripts = [...spec.scripts, ...(spec.parent ? TEMPLATES[spec.parent].scripts : [])];
  const commands = new Set<string>();
  const provides: Record<string, string[]> = { awscli: ['aws'], 'git-lfs': ['git-lfs'] };
  for (const script of scripts) {
    const text = fs.readFileSync(path.join(ROOT, script), 'utf8');
    for (const m of text.matchAll(/apt-get\s[^\n]*\binstall\s+([^\n]+)/g))
      for (const pkg of m[1].split(/\s+/).filter((w) => /^[a-z0-9][a-z0-9.+-]+$/.test(w)))
        for (const command of provides[pkg] ?? [pkg]) commands.add(command);
    // A script that ends by running `<tool> --version` proves it installed the tool.
    for (const m of text.matchAll(/^(?:echo .*\$\()?([a-z][a-z0-9-]*) --version/gm))
      commands.add(m[1]);
    for (const m of text.matchAll(/brew"? install ([a-z0-9-]+)/g)) commands.add(m[1]);
  }
  return commands;
}

function spec(os: BootstrapSpec['os'], cloud: BootstrapSpec['cloud']): BootstrapSpec {
  return {
    os,
    cloud,
    labels: ['self-hosted', os],
    organization: 'acme',
    runnerGroup: 'default',
    githubUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    namePrefix: 'dev',
    secret:
      cloud === 'aws'
        ? { cloud, region: 'us-east-1', name: 'ingot/github-app' }
        : { cloud, project: 'acme', name: 'github-app' },
  };
}

describe('boot-script commands ⊆ what the templates install (per OS)', () => {
  it('finds the command words of a bash script, not its data', () => {
    const found = bashCommands(
      'set -e\nx=$(jq -r .a <<<"$s") || return 1\ncat >f <<\'EOF\'\nnot-a-command here\nEOF\nsudo -u u -- ./run.sh # comment\n',
    );
    assert.deepEqual([...found].sort(), ['cat', 'jq', 'return', 'set', 'sudo']);
  });

  for (const [os, template, clouds] of [
    ['ubuntu', 'runner-ubuntu', ['aws', 'gcp']],
    ['macos', 'runner-macos', ['aws']],
  ] as const) {
    for (const cloud of clouds) {
      it(`${template} has every command the ${os} boot script on ${cloud} calls`, () => {
        const script = bootstrapScript(spec(os, cloud));
        // macOS: the runner loop is written out by the user data and run by launchd.
        const inner =
          os === 'macos'
            ? /<<'INGOT_RUNNER_LOOP'\n([\s\S]*?)INGOT_RUNNER_LOOP/.exec(script)![1]
            : '';
        const called = new Set([...bashCommands(script), ...bashCommands(inner)]);
        const installed = installedBy(template);
        const missing = [...called].filter(
          (c) =>
            !BASH_BUILTINS.has(c) &&
            !c.startsWith('./') &&
            !/^(as_user|read_secret|b64url|github_post|registration_token|configure_runner)$/.test(
              c,
            ) &&
            !SHIPPED[os].has(c) &&
            !installed.has(c),
        );
        assert.deepEqual(missing, [], `${template} must install ${missing.join(', ')}`);
        assert.ok(
          called.has(cloud === 'aws' ? 'aws' : 'gcloud'),
          'the secret is read with the cloud CLI',
        );
        for (const tool of ['jq', 'curl', 'openssl'])
          assert.ok(called.has(tool), `the boot script calls ${tool}`);
        if (os === 'ubuntu') assert.ok(installed.has('aws') && installed.has('jq'));
      });
    }
  }

  it('runner-windows installs PowerShell 7 where the boot script runs it, and the AWS CLI', () => {
    const script = bootstrapScript(spec('windows', 'aws'));
    const pwsh = /Join-Path \$env:ProgramFiles '([^']+)'/.exec(script)![1].replace(/\\\\/g, '\\');
    const scripts = TEMPLATES['runner-windows'].scripts.map((s) =>
      fs.readFileSync(path.join(ROOT, s), 'utf8'),
    );
    assert.ok(
      scripts.some((t) => t.includes(`Join-Path $env:ProgramFiles '${pwsh}'`)),
      `a runner-windows script installs ${pwsh}`,
    );
    assert.match(script, /& aws secretsmanager get-secret-value/);
    assert.ok(
      scripts.some((t) => /AWSCLIV2-.*\.msi/.test(t)),
      'runner-windows installs the AWS CLI',
    );
    assert.match(script, /^<powershell>\n[\s\S]*<\/powershell>\n$/, 'AWS user data is tagged');
  });
});
