import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LABEL_PATTERN, runnerLabels } from '../../src/fleet/labels';
import { ARCHES, OSES, SIZES } from '../../src/fleet/sizes';

const REGIONS = ['us-west-2', 'eu-west-1', 'europe-west4'];
const label = fc
  .stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/)
  .filter((l) => !REGIONS.includes(l.toLowerCase()));
const input = fc.record({
  os: fc.constantFrom(...OSES),
  arch: fc.constantFrom(...ARCHES),
  size: fc.constantFrom(...SIZES),
  environment: fc.constantFrom('dev', 'staging', 'prod', 'qa-eu'),
  region: fc.option(fc.constantFrom(...REGIONS), { nil: undefined }),
  extra: fc.array(label, { maxLength: 6 }),
});

describe('runner labels', () => {
  it('are [self-hosted, os, arch, size, environment, region] then the extra labels', () => {
    assert.deepEqual(
      runnerLabels({
        os: 'windows',
        arch: 'x64',
        size: 'large',
        environment: 'prod',
        region: 'us-east-1',
        extra: ['ingot', 'gpu'],
      }),
      ['self-hosted', 'windows', 'x64', 'large', 'prod', 'us-east-1', 'ingot', 'gpu'],
    );
    assert.deepEqual(
      runnerLabels({ os: 'macos', arch: 'arm64', size: 'small', environment: 'dev' }),
      ['self-hosted', 'macos', 'arm64', 'small', 'dev'],
    );
  });

  it('property: the fixed labels lead in order, extras follow once each, nothing else', () => {
    fc.assert(
      fc.property(input, (i) => {
        const labels = runnerLabels(i);
        const fixed = [
          'self-hosted',
          i.os,
          i.arch,
          i.size,
          i.environment,
          ...(i.region ? [i.region] : []),
        ];
        assert.deepEqual(labels.slice(0, fixed.length), fixed);
        const lower = labels.map((l) => l.toLowerCase());
        assert.equal(new Set(lower).size, labels.length, 'no duplicates (case-insensitive)');
        for (const extra of i.extra) assert.ok(lower.includes(extra.toLowerCase()), extra);
        for (const l of labels.slice(fixed.length))
          assert.ok(i.extra.includes(l), `${l} came from nowhere`);
      }),
    );
  });

  it('property: labels are valid for config.sh --labels (no commas or spaces) and the region label tells regions apart', () => {
    fc.assert(
      fc.property(input, (i) => {
        for (const l of runnerLabels(i)) assert.match(l, LABEL_PATTERN);
        const a = runnerLabels({ ...i, region: 'us-west-2' });
        const b = runnerLabels({ ...i, region: 'eu-west-1' });
        assert.notDeepEqual(a, b);
        assert.deepEqual(
          a.filter((l) => l !== 'us-west-2'),
          b.filter((l) => l !== 'eu-west-1'),
        );
      }),
    );
  });
});
