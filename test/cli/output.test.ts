import assert from 'node:assert/strict';
import fc from 'fast-check';
import { details, printable, table } from '../../src/cli/output';
import { cliEnv, ingot } from '../helpers/cli';
import { startTestRegistry } from '../helpers/registry-harness';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

describe('CLI output of stored fields', () => {
  it('printable: no control character survives, and text without one is unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const shown = printable(text);
        assert.doesNotMatch(shown, CONTROL);
        if (!CONTROL.test(text)) assert.equal(shown, text);
      }),
    );
    assert.equal(printable('a\nb\x1b[2Jc\u009b'), 'a\\nb\\x1b[2Jc\\x9b');
  });

  it('tables and details keep one line per row whatever the cells hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), {
          minLength: 1,
          maxLength: 5,
        }),
        (rows) => {
          const lines = table(['name', 'description'], rows).split('\n');
          assert.equal(lines.length, rows.length + 1);
          for (const line of lines) assert.doesNotMatch(line, CONTROL);
          const shown = details(rows.map(([k, v]) => [k || 'key', v]));
          for (const line of shown.split('\n')) assert.doesNotMatch(line, CONTROL);
        },
      ),
    );
  });

  it('a bucket description cannot clear the terminal or inject a workflow command', async function () {
    this.timeout(60_000);
    const registry = await startTestRegistry('sqlite');
    try {
      await registry.ok('PUT', `${registry.packer()}/buckets`, {
        name: 'runner-evil',
        description: 'fine\u001b[2J\n::error file=x::pwned',
      });
      const shown = await ingot(['buckets', 'show', 'runner-evil'], cliEnv(registry));
      assert.equal(shown.status, 0, shown.stderr);
      assert.ok(!shown.stdout.includes('\u001b'), 'no escape character reaches the terminal');
      assert.doesNotMatch(shown.stdout, /^::error/m);
      assert.match(shown.stdout, /fine\\x1b\[2J\\n::error file=x::pwned/);
    } finally {
      await registry.close();
    }
  });
});
