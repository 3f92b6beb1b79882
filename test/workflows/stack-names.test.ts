import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { parseImagePipelineConfig } from '../../src/images/pipeline-config';

/**
 * Pulumi refuses a stack whose project does not match Pulumi.yaml, so every stack name the
 * README and the guides show is checked against the projects' real names and stack files:
 * `<org>/<project>/<stack>` (StackReference names, `-s` arguments), `pulumi stack select`,
 * `-C images`. Other teams' projects (the network stack) are theirs to name.
 */
const ROOT = path.resolve(__dirname, '../..');
const PROJECTS: Record<string, string> = Object.fromEntries(
  ['.', 'images'].map((dir) => [
    (yaml.load(fs.readFileSync(path.join(ROOT, dir, 'Pulumi.yaml'), 'utf8')) as { name: string })
      .name,
    dir,
  ]),
);
const OTHER_TEAMS = new Set(['network']);
const DOCS = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)];
const stackExists = (dir: string, stack: string) =>
  fs.existsSync(path.join(ROOT, dir, `Pulumi.${stack}.yaml`));

describe('stack names in the README and guides', () => {
  it('the two projects: ingot-fleet at the top, ingot-images in images/', () => {
    assert.deepEqual(PROJECTS, { 'ingot-fleet': '.', 'ingot-images': 'images' });
  });

  for (const doc of DOCS) {
    it(`${doc}: every <org>/<project>/<stack> is a real project and stack`, () => {
      const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
      for (const [name, project, stack] of text.matchAll(
        /(?<![\w/#.-])acme\/([a-z][\w-]*)\/([a-z][\w-]*)\b/g,
      )) {
        if (OTHER_TEAMS.has(project)) continue;
        const dir = PROJECTS[project];
        assert.ok(
          dir,
          `${doc}: ${name}: no project "${project}" (projects: ${Object.keys(PROJECTS).join(', ')})`,
        );
        assert.ok(stackExists(dir, stack), `${doc}: ${name}: no ${dir}/Pulumi.${stack}.yaml`);
      }
    });

    it(`${doc}: every stack a pulumi command selects exists where the command runs`, () => {
      const text = fs.readFileSync(path.join(ROOT, doc), 'utf8');
      for (const line of text.split('\n').filter((l) => /^\s*(sudo -E )?pulumi /.test(l))) {
        const dir = /-C images\b/.test(line) ? 'images' : '.';
        const stack = /(?:-s|--stack|stack select) (\S+)/.exec(line)?.[1];
        if (!stack || stack.includes('/')) continue; // qualified names: checked above
        assert.ok(
          stackExists(dir, stack),
          `${doc}: "${line.trim()}": no ${dir}/Pulumi.${stack}.yaml`,
        );
      }
    });
  }

  it('the guides do name stacks of both projects (so the checks above check something)', () => {
    const all = DOCS.map((d) => fs.readFileSync(path.join(ROOT, d), 'utf8')).join('\n');
    assert.match(all, /acme\/ingot-images\/dev/);
    assert.match(all, /acme\/ingot-fleet\/prod/);
    assert.match(all, /pulumi up -C images -s /);
  });

  it('the image factory stack files are valid as the program reads them', () => {
    const dev = yaml.load(fs.readFileSync(path.join(ROOT, 'images/Pulumi.dev.yaml'), 'utf8')) as {
      config: Record<string, unknown>;
    };
    const config = parseImagePipelineConfig(dev.config['ingot-images:images'], 'dev', {
      root: ROOT,
      github: dev.config['ingot-images:github'],
    });
    assert.equal(config.role, 'build');
    assert.equal(config.channel, 'dev');
  });

  it("the local stack runs as docs/images.md writes it: its file plus the guide's config set lines", () => {
    const local = yaml.load(
      fs.readFileSync(path.join(ROOT, 'images/Pulumi.local.yaml'), 'utf8'),
    ) as { config: Record<string, Record<string, unknown>> };
    const images = structuredClone(local.config['ingot-images:images']);
    const guide = fs.readFileSync(path.join(ROOT, 'docs/images.md'), 'utf8');
    const sets = [...guide.matchAll(/^pulumi config set --path '(images\.[^']+)' (\S+)$/gm)];
    assert.ok(sets.length >= 4, 'the guide sets the runner package, its checksum and the test');
    for (const [, key, raw] of sets) {
      const value = raw === '"$RUNNER_SHA256"' ? 'a'.repeat(64) : raw;
      const parts = key.split('.').slice(1);
      let at: Record<string, unknown> = images;
      for (const part of parts.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
      at[parts[parts.length - 1]] = value;
    }
    const config = parseImagePipelineConfig(images, 'local', { root: ROOT });
    assert.deepEqual(config.templates, ['local-base', 'local-runner']);
    assert.equal(config.aws, undefined, 'no cloud');
  });
});
