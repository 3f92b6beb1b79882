import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  canonicalJson,
  contentHash,
  digestFiles,
  versionFingerprint,
  type ContentHashInput,
  type TemplateVariable,
} from '../../src/images/content-hash';
import { FINGERPRINT } from '../../src/registry/http/schemas/common';

/** The content hash: deterministic, order-free where order means nothing, sensitive to content. */
const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const relativePath = fc.stringMatching(
  /^[a-z][a-z0-9-]{0,8}(\/[a-z0-9-]{1,8}){0,2}\.(hcl|sh|ps1)$/,
);
const variable: fc.Arbitrary<TemplateVariable> = fc.letrec<{ v: TemplateVariable }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('v'), { maxKeys: 3 }),
  ),
})).v;
const input: fc.Arbitrary<ContentHashInput> = fc.record({
  files: fc.uniqueArray(fc.record({ path: relativePath, sha256: hex }), {
    selector: (f) => f.path,
    minLength: 1,
    maxLength: 6,
  }),
  variables: fc.dictionary(fc.stringMatching(/^[a-z_]{1,10}$/), variable, { maxKeys: 5 }),
  sources: fc.uniqueArray(fc.stringMatching(/^[a-z-]{1,8}\.[a-z0-9-]{1,8}$/), {
    minLength: 1,
    maxLength: 4,
  }),
});

function shuffle<T>(items: T[], seed: number): T[] {
  return items
    .map((item, i) => ({ item, key: (i * 7919 + seed) % 104729 }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

function reorderKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorderKeys(v, seed));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      shuffle(Object.entries(value), seed).map(([k, v]) => [k, reorderKeys(v, seed)]),
    );
  return value;
}

describe('content hash', () => {
  it('canonical JSON ignores key order and round-trips', () => {
    fc.assert(
      fc.property(variable, fc.nat(), (value, seed) => {
        assert.equal(canonicalJson(reorderKeys(value, seed)), canonicalJson(value));
        assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('is the same for the same files, variables and sources, in any order', () => {
    fc.assert(
      fc.property(input, fc.nat(), (i, seed) => {
        const reordered: ContentHashInput = {
          files: shuffle(i.files, seed),
          variables: reorderKeys(i.variables, seed) as Record<string, TemplateVariable>,
          sources: [...shuffle(i.sources, seed), i.sources[0]],
        };
        assert.equal(contentHash(reordered), contentHash(i));
        assert.match(contentHash(i), /^[0-9a-f]{64}$/);
      }),
    );
  });

  it('changes with any file content, file path, variable or source', () => {
    fc.assert(
      fc.property(input, fc.nat(), hex, (i, n, other) => {
        const k = n % i.files.length;
        const base = contentHash(i);
        fc.pre(other !== i.files[k].sha256);
        const content = i.files.map((f, j) => (j === k ? { ...f, sha256: other } : f));
        assert.notEqual(contentHash({ ...i, files: content }), base, 'file content');
        const moved = i.files.map((f, j) => (j === k ? { ...f, path: `${f.path}.moved` } : f));
        assert.notEqual(contentHash({ ...i, files: moved }), base, 'file path');
        const variables = { ...i.variables, extra_variable: 'x' };
        assert.notEqual(contentHash({ ...i, variables }), base, 'variable');
        assert.notEqual(contentHash({ ...i, sources: [...i.sources, 'x.new'] }), base, 'source');
      }),
    );
  });

  it('keeps list order (the first region is where the AMI is built)', () => {
    const files = [{ path: 'a.hcl', sha256: '0'.repeat(64) }];
    const hash = (regions: string[]) =>
      contentHash({ files, variables: { aws_regions: regions }, sources: ['amazon-ebs.x'] });
    assert.notEqual(hash(['us-east-1', 'eu-west-1']), hash(['eu-west-1', 'us-east-1']));
  });

  it('digests files by relative path: another checkout gives the same digests; Packer output does not count', () => {
    const make = () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-digest-'));
      fs.mkdirSync(path.join(root, 'tpl/scripts'), { recursive: true });
      fs.writeFileSync(path.join(root, 'tpl/a.pkr.hcl'), 'source "file" "x" {}\n');
      fs.writeFileSync(path.join(root, 'tpl/scripts/s.sh'), 'echo\n');
      fs.writeFileSync(path.join(root, 'shared.sh'), 'echo shared\n');
      return root;
    };
    const [one, two] = [make(), make()];
    try {
      fs.writeFileSync(path.join(two, 'tpl/packer-manifest.json'), '{}');
      fs.writeFileSync(path.join(two, 'tpl/build.log'), 'log');
      fs.mkdirSync(path.join(two, 'tpl/packer_cache'));
      fs.writeFileSync(path.join(two, 'tpl/packer_cache/x.iso'), 'iso');
      const a = digestFiles(one, ['tpl', 'shared.sh', 'tpl/a.pkr.hcl']);
      assert.deepEqual(digestFiles(two, ['shared.sh', 'tpl']), a);
      assert.deepEqual(
        a.map((f) => f.path),
        ['shared.sh', 'tpl/a.pkr.hcl', 'tpl/scripts/s.sh'],
      );
      assert.throws(() => digestFiles(one, ['nope.sh']), /nope\.sh does not exist/);
    } finally {
      fs.rmSync(one, { recursive: true, force: true });
      fs.rmSync(two, { recursive: true, force: true });
    }
  });

  it('makes fingerprints the registry accepts from the content hash alone (no commit, no history)', () => {
    const pattern = new RegExp(FINGERPRINT);
    fc.assert(
      fc.property(hex, (hash) => {
        const fingerprint = versionFingerprint(hash);
        assert.match(fingerprint, pattern);
        assert.equal(fingerprint, hash.slice(0, 32));
      }),
    );
  });
});
