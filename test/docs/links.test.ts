import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { docFiles, ROOT } from './doc-blocks';

/**
 * Every relative link of the README and the guides resolves, anchors included, and so
 * does every `docs/….md` that configuration and deployment files send readers to
 * (Pulumi.dev.yaml once pointed at a docs/fleet.md that did not exist).
 */

/** Markdown without its fenced code blocks, whose lines are neither headings nor links. */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(\s*)(`{3,})[^\n]*\n[\s\S]*?^\s*\2`*\s*$/gm, '');
}

/** Markdown without any code, inline spans included, where links are not links. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/**
 * The anchors GitHub gives a document's headings: lower case, punctuation other than `-`
 * and `_` dropped, spaces to `-`, a repeated slug suffixed `-1`, `-2`…
 */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Relative link targets of a markdown text: `[text](target)` and `[label]: target`. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  return [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...text.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
  ].filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

function problem(from: string, target: string): string | null {
  const [file, anchor] = target.split('#', 2);
  const resolved = file === '' ? from : path.join(path.dirname(from), decodeURIComponent(file));
  const absolute = path.join(ROOT, resolved);
  if (!fs.existsSync(absolute)) return `${from}: ${target} (no ${resolved})`;
  if (anchor === undefined || anchor === '') return null;
  if (!resolved.endsWith('.md'))
    return `${from}: ${target} (an anchor into a file that is not markdown)`;
  const known = anchors(fs.readFileSync(absolute, 'utf8'));
  return known.has(anchor)
    ? null
    : `${from}: ${target} (no heading "#${anchor}" in ${resolved}; it has ${[...known].map((a) => `#${a}`).join(' ')})`;
}

describe('links of the README and the guides', () => {
  it('computes GitHub heading anchors', () => {
    const known = anchors(
      [
        '# Using HCP Packer instead',
        "## On AWS and GCP: `pulumi up` on the image factory's dev stack",
        "## Reading the network team's stack",
        '## 5. Log in to a state backend',
        '## Tests',
        '## Tests',
        '```sh',
        '# not a heading',
        '```',
      ].join('\n'),
    );
    assert.deepEqual([...known].sort(), [
      '5-log-in-to-a-state-backend',
      'on-aws-and-gcp-pulumi-up-on-the-image-factorys-dev-stack',
      'reading-the-network-teams-stack',
      'tests',
      'tests-1',
      'using-hcp-packer-instead',
    ]);
    assert.match(String(problem('README.md', 'docs/nowhere.md')), /no docs\/nowhere\.md/);
    assert.match(String(problem('README.md', 'docs/fleet.md#nowhere')), /no heading "#nowhere"/);
    assert.equal(problem('docs/README.md', 'fleet.md#bootstrap-from-nothing'), null);
  });

  it('resolve every relative link and anchor', () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const target of links(fs.readFileSync(path.join(ROOT, file), 'utf8'))) {
        const found = problem(file, target);
        if (found) broken.push(found);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('resolve the docs/….md that configuration and deployment files name', () => {
    const sources = [
      ...fs.readdirSync(ROOT).filter((f) => /^Pulumi(\..+)?\.yaml$/.test(f)),
      ...fs
        .readdirSync(path.join(ROOT, 'images'))
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => `images/${f}`),
      'deploy/Dockerfile',
      'deploy/ingot-registry.service',
      'deploy/scaler/Dockerfile',
      ...fs.readdirSync(path.join(ROOT, '.github/workflows')).map((f) => `.github/workflows/${f}`),
    ];
    const broken: string[] = [];
    let named = 0;
    for (const source of sources) {
      const text = fs.readFileSync(path.join(ROOT, source), 'utf8');
      for (const [target] of text.matchAll(/docs\/[\w.-]+\.md(#[\w-]+)?/g)) {
        named++;
        const found = problem('README.md', target);
        if (found) broken.push(`${source}: ${target}`);
      }
    }
    assert.ok(named > 0, 'the Pulumi stack files point readers at the guides');
    assert.deepEqual(broken, []);
  });
});
