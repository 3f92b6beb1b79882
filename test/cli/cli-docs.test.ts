import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EXIT_CODE_TABLE } from '../../src/cli/exit-codes';
import { buildProgram } from '../../src/cli/program';
import { runIngot } from '../helpers/cli-in-process';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const CLI_DOC = read('docs/cli.md');

/** Every runnable command: `buckets ls`, `import hcp`, `publish`… */
function leaves(command: Command, prefix: string[] = []): { path: string; command: Command }[] {
  return command.commands.flatMap((c) => {
    const here = [...prefix, c.name()];
    return c.commands.length ? leaves(c, here) : [{ path: here.join(' '), command: c }];
  });
}

/** The rows of the markdown table under `heading`. */
function tableUnder(doc: string, heading: string): string[][] {
  const section = doc.split(`\n## ${heading}\n`)[1] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\|\s*\d/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('docs/cli.md says what the CLI does', () => {
  it('shows the exit-code table the code uses, and `ingot --help` prints it', async () => {
    assert.deepEqual(
      tableUnder(CLI_DOC, 'Exit codes'),
      EXIT_CODE_TABLE.map(([code, meaning]) => [String(code), meaning]),
    );
    const help = await runIngot(['--help'], { env: {} });
    assert.equal(help.status, 0);
    for (const [code, meaning] of EXIT_CODE_TABLE)
      assert.ok(help.stdout.includes(`  ${code}  ${meaning}`));
  });

  it('lists every command in the synopsis, and every flag of each somewhere in the guides', () => {
    const synopsis = CLI_DOC.split('\n## Commands\n')[1].split('```')[1];
    const guides = fs
      .readdirSync(path.join(ROOT, 'docs'))
      .map((f) => read(`docs/${f}`))
      .join('\n');
    const common = new Set([
      '--registry',
      '--organization',
      '--project',
      '--credentials-file',
      '--json',
      '--help',
    ]);
    for (const { path: name, command } of leaves(buildProgram())) {
      assert.ok(synopsis.includes(`ingot ${name.split(' ')[0]}`), `synopsis lists ingot ${name}`);
      for (const option of command.options) {
        const flag = option.long as string;
        if (!common.has(flag)) assert.ok(guides.includes(flag), `${name} ${flag} is documented`);
      }
    }
  });

  it('runs no `npx ingot` in a command block (it rebuilds the package on every call)', () => {
    const files = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];
    for (const file of files) {
      const blocks = read(file)
        .split('```')
        .filter((_, i) => i % 2 === 1);
      for (const block of blocks) assert.doesNotMatch(block, /npx (--no-install )?ingot/, file);
    }
  });
});
