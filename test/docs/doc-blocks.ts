import fs from 'node:fs';
import path from 'node:path';

/**
 * The command blocks of the README and the guides (docs/*.md), as the docs tests run
 * them. docs/README.md ("Command blocks are tested") states the convention for readers
 * and writers: every ```sh, ```bash or ```console block runs, in one shell session per
 * document, unless the line before its fence (blank lines aside) is `<!-- needs: … -->`,
 * naming what it needs that a test machine does not have; such a block is only
 * syntax-checked.
 */
export const ROOT = path.resolve(__dirname, '../..');

/** What a block may say it needs; docs/README.md explains each. */
export const KNOWN_NEEDS = [
  'cloud',
  'pulumi',
  'packer>=1.7.7',
  'terraform',
  'docker',
  'root',
  'github',
  'hcp',
  'network',
  'checkout',
  'server',
  'your-values',
] as const;

export interface CommandBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** Empty when the block runs. */
  needs: string[];
  /** The block as written. */
  text: string;
  /** What a shell runs: the block, or a transcript's `$ ` commands without their output. */
  script: string;
}

/** README.md and every guide, relative to the repository root. */
export function docFiles(): string[] {
  const guides = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...guides];
}

const SHELL = new Set(['sh', 'bash', 'console']);
const NEEDS = /^<!--\s*needs:\s*(.*?)\s*-->$/;

/**
 * A transcript shows commands after `$ ` with their output in between (```console, or a
 * shell block written that way): only the commands run, with their `\` continuations.
 */
export function scriptOf(text: string): string {
  const lines = text.split('\n');
  if (!lines.some((l) => l.startsWith('$ '))) return text;
  const script: string[] = [];
  let continued = false;
  for (const line of lines) {
    if (line.startsWith('$ ') || continued) {
      script.push(line.startsWith('$ ') && !continued ? line.slice(2) : line);
      continued = line.endsWith('\\');
    } else if (line.startsWith('#')) {
      script.push(line);
    }
  }
  return script.join('\n');
}

/** The shell blocks of one markdown text; `file` names it in messages. */
export function blocksOf(file: string, markdown: string): CommandBlock[] {
  const lines = markdown.split('\n');
  const blocks: CommandBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})([^`\s]*)/.exec(lines[i]);
    if (!open) continue;
    // A fence closes with at least as many backticks as opened it (CommonMark).
    const close = new RegExp(`^\\s*\`{${open[2].length},}\\s*$`);
    const end = lines.findIndex((l, j) => j > i && close.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: a code block is never closed`);
    const lang = open[3];
    if (SHELL.has(lang)) {
      const indent = open[1].length;
      const text = lines
        .slice(i + 1, end)
        .map((l) => l.slice(indent))
        .join('\n');
      let before = i - 1;
      while (before >= 0 && lines[before].trim() === '') before--;
      const marker = NEEDS.exec((lines[before] ?? '').trim());
      const needs = marker ? marker[1].split(',').map((n) => n.trim()) : [];
      blocks.push({ file, line: i + 1, lang, needs, text, script: scriptOf(text) });
    }
    i = end;
  }
  return blocks;
}

export function commandBlocks(file: string): CommandBlock[] {
  return blocksOf(file, fs.readFileSync(path.join(ROOT, file), 'utf8'));
}
