import assert from 'node:assert/strict';
import { blocksOf, commandBlocks, docFiles, KNOWN_NEEDS, type CommandBlock } from './doc-blocks';
import { DocsWorkspace, syntaxError } from './docs-session';

/**
 * Every ```sh/```bash/```console block of README.md and docs/*.md runs, one shell session
 * per document against a fresh registry, unless marked `<!-- needs: … -->` (then bash -n
 * only). The convention is stated at the top of docs/README.md.
 */
describe('command blocks of the README and the guides', function () {
  this.timeout(180_000);
  const files = docFiles();

  it('mark what they need with known words only', () => {
    const unknown = files
      .flatMap(commandBlocks)
      .flatMap((b) =>
        b.needs
          .filter((n) => !(KNOWN_NEEDS as readonly string[]).includes(n))
          .map((n) => `${b.file}:${b.line}: needs "${n}"`),
      );
    assert.deepEqual(unknown, [], `known needs: ${KNOWN_NEEDS.join(', ')} (docs/README.md)`);
  });

  it('are valid shell, marked or not', () => {
    const broken = files
      .flatMap(commandBlocks)
      .map((b) => ({ b, error: syntaxError(b) }))
      .filter(({ error }) => error !== null)
      .map(({ b, error }) => `${b.file}:${b.line}: ${error}`);
    assert.deepEqual(broken, []);
  });

  for (const file of files) {
    const runnable = commandBlocks(file).filter((b) => b.needs.length === 0);
    if (runnable.length === 0) continue;
    it(`${file}: ${runnable.length} block(s) run as written`, async () => {
      await runOk(runnable);
    });
  }

  it('fails when a block fails, naming it (the check is real)', async () => {
    const blocks = blocksOf(
      'sample.md',
      [
        '```sh',
        'ingot buckets ls --organization acme --project images',
        '```',
        '',
        '```console',
        '$ ingot resolve runner-nowhere --channel prod --platform aws --region us-east-1 --organization acme --project images',
        'ami-0123',
        '$ echo never reached',
        '```',
      ].join('\n'),
    );
    const workspace = await DocsWorkspace.start();
    try {
      const result = await workspace.run(blocks);
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /docs block sample\.md:5 failed \(exit 1\)/);
      assert.doesNotMatch(result.stdout, /never reached/);
    } finally {
      await workspace.close();
    }
  });
});

async function runOk(blocks: CommandBlock[]): Promise<void> {
  const workspace = await DocsWorkspace.start();
  try {
    const result = await workspace.run(blocks);
    assert.equal(
      result.status,
      0,
      `${result.stderr.trim()}\n--- stdout ---\n${result.stdout.trim()}\n` +
        'Fix the block, or mark what it needs with <!-- needs: … --> (docs/README.md).',
    );
  } finally {
    await workspace.close();
  }
}
