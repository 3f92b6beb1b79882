import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What Debian's packer 1.6.6 can check of a modern template: `packer validate
 * -syntax-only` on a copy without what 1.6.6 does not know — the `packer {}` block
 * (required_plugins), `hcp_packer_registry` blocks and `data` blocks (data sources came
 * with 1.7). It still checks everything else HCL2 and Packer's core rules (block
 * structure, variable declarations, validation blocks and their error messages: a
 * message that does not start with a capital letter is refused here as by every packer).
 */
export function withoutModernBlocks(text: string): string {
  const headers = [
    /^packer\s*\{/m,
    /^\s*hcp_packer_registry\s*\{/m,
    /^data\s+"[^"]+"\s+"[^"]+"\s*\{/m,
  ];
  let out = text;
  for (const header of headers)
    for (let match = header.exec(out); match; match = header.exec(out)) {
      let depth = 0;
      let end = out.indexOf('{', match.index);
      for (; end < out.length; end++) {
        if (out[end] === '{') depth++;
        if (out[end] === '}' && --depth === 0) break;
      }
      out = out.slice(0, match.index) + out.slice(end + 1);
    }
  return out;
}

/** Runs `packer validate -syntax-only` on a cut copy of `dir`; edits the copy with `edit` first. */
export function syntaxCheck(
  dir: string,
  edit: (file: string, text: string) => string = (_f, t) => t,
): { status: number | null; output: string } {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-syntax-'));
  try {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.pkr.hcl')))
      fs.writeFileSync(
        path.join(copy, file),
        withoutModernBlocks(edit(file, fs.readFileSync(path.join(dir, file), 'utf8'))),
      );
    const result = spawnSync('packer', ['validate', '-syntax-only', '.'], {
      cwd: copy,
      encoding: 'utf8',
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}
