import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyOverrides,
  archOf,
  ARCHES,
  CLOUDS,
  instanceTypeLooksValid,
  instanceTypes,
  offered,
  OSES,
  SIZE_TABLE,
  SIZES,
  vcpusOf,
  type Arch,
  type Cloud,
  type Os,
  type SizeOverrides,
} from '../../src/fleet/sizes';

const combos = CLOUDS.flatMap((cloud) =>
  OSES.flatMap((os) => ARCHES.map((arch) => ({ cloud, os, arch }))),
);
const offeredCombos = combos.filter((c) => offered(c.cloud, c.os, c.arch));

describe('sizes table', () => {
  it('maps sizes to the documented instance types (preferred type first)', () => {
    const first = (cloud: Cloud, os: Os, arch: Arch) =>
      SIZES.map((size) => instanceTypes(cloud, os, arch, size)[0]);
    assert.deepEqual(first('aws', 'ubuntu', 'x64'), [
      'm7i.large',
      'm7i.xlarge',
      'm7i.2xlarge',
      'm7i.4xlarge',
    ]);
    assert.deepEqual(first('aws', 'windows', 'x64'), [
      'm7i.large',
      'm7i.xlarge',
      'm7i.2xlarge',
      'm7i.4xlarge',
    ]);
    assert.deepEqual(first('aws', 'ubuntu', 'arm64'), [
      'm7g.large',
      'm7g.xlarge',
      'm7g.2xlarge',
      'm7g.4xlarge',
    ]);
    assert.deepEqual(first('aws', 'macos', 'arm64'), [
      'mac2.metal',
      'mac2-m2.metal',
      'mac2-m2pro.metal',
      'mac-m4pro.metal',
    ]);
    assert.deepEqual(first('gcp', 'ubuntu', 'x64'), [
      'e2-standard-2',
      'n2-standard-4',
      'n2-standard-8',
      'n2-standard-16',
    ]);
    assert.deepEqual(first('gcp', 'windows', 'x64'), [
      'e2-standard-2',
      'n2-standard-4',
      'n2-standard-8',
      'n2-standard-16',
    ]);
  });

  it('offers exactly: Ubuntu x64/arm64 on both clouds, Windows x64 on both, macOS arm64 on AWS', () => {
    assert.deepEqual(
      offeredCombos.map((c) => `${c.cloud}/${c.os}/${c.arch}`),
      [
        'aws/ubuntu/x64',
        'aws/ubuntu/arm64',
        'aws/windows/x64',
        'aws/macos/arm64',
        'gcp/ubuntu/x64',
        'gcp/ubuntu/arm64',
        'gcp/windows/x64',
      ],
    );
    assert.throws(
      () => instanceTypes('gcp', 'macos', 'arm64', 'small'),
      /gcp offers no macos runners\./,
    );
    assert.throws(
      () => instanceTypes('aws', 'windows', 'arm64', 'small'),
      /aws offers windows runners on x64 only, not arm64\./,
    );
  });

  it('property: every offered size lists valid, distinct types of its architecture and one shape', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...offeredCombos),
        fc.constantFrom(...SIZES),
        ({ cloud, os, arch }, size) => {
          const types = instanceTypes(cloud, os, arch, size);
          assert.ok(types.length >= 1);
          assert.equal(new Set(types).size, types.length, `duplicates in ${types}`);
          if (cloud === 'gcp' || os === 'macos') assert.equal(types.length, 1, 'one type per size');
          else assert.ok(types.length >= 2, 'spot pools need several types');
          for (const type of types) {
            assert.ok(instanceTypeLooksValid(cloud, type), type);
            assert.equal(archOf(cloud, type), arch, `${type} is not ${arch}`);
            assert.equal(
              vcpusOf(type),
              vcpusOf(types[0]),
              `${type} differs in shape from ${types[0]}`,
            );
          }
        },
      ),
    );
  });

  it('property: sizes grow: small < medium < large < xlarge in vCPUs (bare-metal Macs by table order)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...offeredCombos), ({ cloud, os, arch }) => {
        const vcpus = SIZES.map((size) => vcpusOf(instanceTypes(cloud, os, arch, size)[0]));
        if (os === 'macos') {
          assert.ok(vcpus.every((v) => v === undefined));
          assert.equal(new Set(SIZES.map((s) => instanceTypes(cloud, os, arch, s)[0])).size, 4);
          return;
        }
        for (let i = 1; i < vcpus.length; i++)
          assert.ok((vcpus[i] as number) > (vcpus[i - 1] as number), `${vcpus}`);
      }),
    );
  });

  it('property: overrides replace only their entries and never change the base table', () => {
    const snapshot = JSON.stringify(SIZE_TABLE);
    const typesFor = (cloud: Cloud, arch: Arch) =>
      cloud === 'aws'
        ? fc.array(
            fc.constantFrom(
              ...(arch === 'x64'
                ? ['c7i.large', 'r7i.large', 'm5.large']
                : ['c7g.large', 'r7g.large']),
            ),
            { minLength: 1, maxLength: 3 },
          )
        : fc
            .constantFrom(
              ...(arch === 'x64' ? ['c3-standard-4', 'n2d-standard-2'] : ['c4a-standard-4']),
            )
            .map((t) => [t]);
    const override = fc.constantFrom(...offeredCombos).chain(({ cloud, os, arch }) =>
      fc.record({
        cloud: fc.constant(cloud),
        os: fc.constant(os),
        arch: fc.constant(arch),
        size: fc.constantFrom(...SIZES),
        types: typesFor(cloud, arch),
      }),
    );
    fc.assert(
      fc.property(fc.array(override, { maxLength: 6 }), (entries) => {
        const overrides: SizeOverrides = {};
        const expected = new Map<string, string[]>();
        for (const e of entries) {
          (((overrides[e.cloud] ??= {})[e.os] ??= {})[e.arch] ??= {})[e.size] = e.types;
          expected.set(`${e.cloud}/${e.os}/${e.arch}/${e.size}`, e.types);
        }
        const table = applyOverrides(overrides);
        for (const { cloud, os, arch } of offeredCombos)
          for (const size of SIZES)
            assert.deepEqual(
              instanceTypes(cloud, os, arch, size, table),
              expected.get(`${cloud}/${os}/${arch}/${size}`) ??
                instanceTypes(cloud, os, arch, size),
            );
        assert.equal(JSON.stringify(SIZE_TABLE), snapshot);
      }),
    );
  });
});
