import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkPowerShell } from './powershell-check';

/**
 * Every provisioning and pipeline script passes a static check that runs here:
 * shellcheck (Debian's package, installed by scripts/ensure-packer.sh) for shell,
 * test/packer/powershell-check.ts for PowerShell (see its header for what it catches).
 */
const ROOT = path.resolve(__dirname, '../..');

function filesUnder(dir: string, extension: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(extension))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

const SHELL = [...filesUnder('packer', '.sh'), ...filesUnder('scripts', '.sh')];
const POWERSHELL = filesUnder('packer', '.ps1');

describe('provisioning scripts: static checks', () => {
  it('finds the scripts it checks', () => {
    assert.ok(SHELL.length >= 15, SHELL.join(', '));
    assert.ok(POWERSHELL.length >= 6, POWERSHELL.join(', '));
  });

  for (const file of SHELL) {
    it(`shellcheck: ${file}`, () => {
      const result = spawnSync('shellcheck', ['--external-sources', '--severity=style', file], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      assert.equal(result.error, undefined, 'shellcheck is installed by scripts/ensure-packer.sh');
      assert.equal(result.status, 0, result.stdout + result.stderr);
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      assert.match(text, /^#!\/usr\/bin\/env bash\n/, 'a bash shebang');
      // A library (scripts/lib) is sourced: it runs in its caller's strict mode.
      if (!file.startsWith('scripts/lib/'))
        assert.match(text, /^set -euo pipefail$/m, 'strict mode');
    });
  }

  for (const file of POWERSHELL) {
    it(`PowerShell check: ${file}`, () => {
      const findings = checkPowerShell(fs.readFileSync(path.join(ROOT, file), 'utf8'));
      assert.deepEqual(findings, []);
    });
  }
});

describe('the PowerShell check itself', () => {
  const header = "Set-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n";
  const rules = (text: string) => checkPowerShell(text).map((f) => `${f.rule}@${f.line}`);

  it('passes a well-formed script with tricky strings', () => {
    const text = `${header}# a comment with ( and {
<# block comment with } #>
$name = "value $($env:X.Trim()) with (paren"
$other = 'it''s { fine'
$here = @"
here-string with ) and }
"@
if ($name -ne $other) { Write-Output "done" }
`;
    assert.deepEqual(checkPowerShell(text), []);
  });

  it('reports unbalanced brackets and unterminated strings with their lines', () => {
    assert.deepEqual(rules(`${header}if ($a) {\n  Write-Output 1\n`), ['syntax@3']);
    assert.deepEqual(rules(`${header}$x = (1 + 2]\n`), ['syntax@3']);
    assert.deepEqual(rules(`${header}$x = 'open\n`), ['syntax@3']);
    assert.deepEqual(rules(`${header}$x = "open $(1)\n`), ['syntax@3']);
    assert.deepEqual(rules(`${header}<# never closed\n`), ['syntax@3']);
  });

  it('requires strict mode and stop-on-error before anything else', () => {
    assert.deepEqual(
      rules("Write-Output 1\nSet-StrictMode -Version Latest\n$ErrorActionPreference = 'Stop'\n"),
      ['strict-mode@1', 'strict-mode@1'],
    );
    assert.deepEqual(rules('Set-StrictMode -Version Latest\nWrite-Output 1\n'), ['strict-mode@1']);
  });

  it('finds secrets in plain text', () => {
    assert.deepEqual(rules(`${header}$adminPassword = 'Hunter2!'\n`), ['secret@3']);
    assert.deepEqual(rules(`${header}New-LocalUser -Name x -Password 'P4ssw0rd'\n`), ['secret@3']);
    assert.deepEqual(rules(`${header}$s = ConvertTo-SecureString 'abc' -AsPlainText -Force\n`), [
      'secret@3',
    ]);
    assert.deepEqual(rules(`${header}$k = $env:KEY # AKIAABCDEFGHIJKLMNOP\n`), ['secret@3']);
    assert.deepEqual(rules(`${header}$token = $env:GITHUB_TOKEN\n`), []);
  });

  it('requires downloads to be checksum-verified', () => {
    const download = `${header}Invoke-WebRequest -Uri $url -OutFile $file -UseBasicParsing\n`;
    assert.deepEqual(rules(download), ['download@3']);
    assert.deepEqual(
      rules(
        `${download}$h = (Get-FileHash -Path $other).Hash\nif ($h -ne $want) { throw 'bad' }\n`,
      ),
      ['download@3'],
    );
    assert.deepEqual(
      rules(`${download}$h = (Get-FileHash -Path $file).Hash\nif ($h -ne $want) { throw 'bad' }\n`),
      [],
    );
  });

  it('flags Invoke-Expression, aliases and unchecked processes', () => {
    assert.deepEqual(rules(`${header}Invoke-Expression $code\n`), ['hygiene@3']);
    assert.deepEqual(rules(`${header}iwr $url -OutFile x\n`).includes('hygiene@3'), true);
    assert.deepEqual(rules(`${header}Get-ChildItem | % { $_ }\n`), ['hygiene@3']);
    assert.deepEqual(rules(`${header}Start-Process -FilePath x.exe -Wait\n`), ['hygiene@3']);
    assert.deepEqual(rules(`${header}$p = Start-Process -FilePath x.exe -Wait -PassThru\n`), []);
  });
});
