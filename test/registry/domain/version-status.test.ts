import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BUILD_STATUSES,
  type Build,
  type BuildStatus,
  type Version,
} from '../../../src/registry/domain/model';
import {
  isAssignable,
  isRevoked,
  versionStatus,
} from '../../../src/registry/domain/version-status';

/** Any instant a Date can hold, to the millisecond. */
const instant = fc.date({ noInvalidDate: true });

/** Instants RFC 3339 can write (four-digit years), as the API accepts them. */
const rfc3339Instant = fc.date({
  noInvalidDate: true,
  min: new Date('0000-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
});

const revocation = fc.record({
  revocationMessage: fc.string(),
  revocationAuthor: fc.string({ minLength: 1 }),
  revocationType: fc.constantFrom('MANUAL' as const, 'INHERITED' as const),
  revocationRollback: fc.boolean(),
});

function version(overrides: Partial<Version> = {}): Version {
  return {
    id: 'v-id',
    bucketId: 'b-id',
    fingerprint: 'fp',
    nameSeq: null,
    templateType: 'HCL2',
    authorId: 'author',
    complete: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    revokeAt: null,
    revocationMessage: null,
    revocationAuthor: null,
    revocationType: null,
    revocationInheritedFrom: null,
    revocationRollback: true,
    revocationDescendants: true,
    ...overrides,
  };
}

function build(status: BuildStatus, index: number): Build {
  return {
    id: `build-${index}`,
    versionId: 'v-id',
    platform: 'aws',
    componentType: 'amazon-ebs.runner',
    packerRunUuid: '',
    sourceExternalIdentifier: '',
    parentVersionId: null,
    parentChannelId: null,
    status,
    labels: {},
    metadata: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    artifacts: [],
  };
}

const buildStatus = fc.constantFrom(...BUILD_STATUSES);
const builds = fc
  .array(buildStatus, { maxLength: 6 })
  .map((statuses) => statuses.map((s, i) => build(s, i)));

/** A version with any revocation (or none), completeness and builds. */
const anyVersion = fc
  .record({
    complete: fc.boolean(),
    revokeAt: fc.option(instant, { nil: null }),
    revocation,
  })
  .map(({ complete, revokeAt, revocation: r }) =>
    version({
      complete,
      nameSeq: complete ? 1 : null,
      ...(revokeAt ? { revokeAt: revokeAt.toISOString(), ...r } : {}),
    }),
  );

describe('version status (domain)', () => {
  it('a revocation is in effect exactly from revoke_at on: REVOKED iff now >= revoke_at', () => {
    fc.assert(
      fc.property(
        instant,
        instant,
        revocation,
        builds,
        fc.boolean(),
        (at, now, r, bs, complete) => {
          const v = version({ complete, revokeAt: at.toISOString(), ...r });
          const due = now.getTime() >= at.getTime();
          assert.equal(isRevoked(v, now), due);
          assert.equal(
            versionStatus(v, bs, now),
            due ? 'VERSION_REVOKED' : 'VERSION_REVOCATION_SCHEDULED',
          );
        },
      ),
    );
  });

  it('flips from SCHEDULED to REVOKED at the very millisecond of revoke_at', () => {
    fc.assert(
      fc.property(rfc3339Instant, revocation, (at, r) => {
        const v = version({ complete: true, nameSeq: 1, revokeAt: at.toISOString(), ...r });
        const before = new Date(at.getTime() - 1);
        assert.equal(versionStatus(v, [], before), 'VERSION_REVOCATION_SCHEDULED');
        assert.equal(isAssignable(v, before), true);
        assert.equal(versionStatus(v, [], at), 'VERSION_REVOKED');
        assert.equal(isAssignable(v, at), false);
      }),
    );
  });

  it('reads revoke_at written with an offset or without milliseconds as the same instant', () => {
    fc.assert(
      fc.property(
        fc.date({
          noInvalidDate: true,
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
        }),
        fc.integer({ min: -12, max: 14 }),
        (at, offsetHours) => {
          const whole = new Date(Math.floor(at.getTime() / 1000) * 1000);
          const local = new Date(whole.getTime() + offsetHours * 3_600_000);
          const sign = offsetHours < 0 ? '-' : '+';
          const hh = String(Math.abs(offsetHours)).padStart(2, '0');
          const text = `${local.toISOString().slice(0, 19)}${sign}${hh}:00`;
          const v = version({ complete: true, revokeAt: text });
          assert.equal(isRevoked(v, whole), true);
          assert.equal(isRevoked(v, new Date(whole.getTime() - 1)), false);
        },
      ),
    );
  });

  it('a complete version without revocation is ACTIVE, whatever its builds and the time', () => {
    fc.assert(
      fc.property(builds, instant, (bs, now) => {
        const v = version({ complete: true, nameSeq: 3 });
        assert.equal(versionStatus(v, bs, now), 'VERSION_ACTIVE');
        assert.equal(isRevoked(v, now), false);
        assert.equal(isAssignable(v, now), true);
      }),
    );
  });

  it('an incomplete version is never assignable, revoked or not', () => {
    fc.assert(
      fc.property(anyVersion, instant, (v, now) => {
        const incomplete = { ...v, complete: false, nameSeq: null };
        assert.equal(isAssignable(incomplete, now), false);
      }),
    );
  });

  it('isAssignable is exactly "complete and not revoked", and agrees with the status', () => {
    fc.assert(
      fc.property(anyVersion, builds, instant, (v, bs, now) => {
        assert.equal(isAssignable(v, now), v.complete && !isRevoked(v, now));
        const status = versionStatus(v, bs, now);
        assert.equal(isRevoked(v, now), status === 'VERSION_REVOKED');
        if (v.complete) {
          assert.equal(
            isAssignable(v, now),
            status === 'VERSION_ACTIVE' || status === 'VERSION_REVOCATION_SCHEDULED',
          );
        }
      }),
    );
  });

  it('time only moves a version forward: once REVOKED it stays REVOKED', () => {
    fc.assert(
      fc.property(anyVersion, builds, instant, instant, (v, bs, a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        if (versionStatus(v, bs, early) === 'VERSION_REVOKED') {
          assert.equal(versionStatus(v, bs, late), 'VERSION_REVOKED');
        }
        if (isRevoked(v, early)) assert.equal(isRevoked(v, late), true);
      }),
    );
  });

  it('without revocation, an incomplete version reports what its builds say', () => {
    fc.assert(
      fc.property(builds, instant, (bs, now) => {
        const status = versionStatus(version(), bs, now);
        const statuses = bs.map((b) => b.status);
        let expected: string;
        if (
          statuses.length === 0 ||
          statuses.includes('BUILD_RUNNING') ||
          statuses.includes('BUILD_UNSET')
        ) {
          expected = 'VERSION_RUNNING';
        } else if (statuses.every((s) => s === 'BUILD_FAILED')) {
          expected = 'VERSION_FAILED';
        } else if (statuses.every((s) => s === 'BUILD_CANCELLED')) {
          expected = 'VERSION_CANCELLED';
        } else {
          expected = 'VERSION_INCOMPLETE';
        }
        assert.equal(status, expected);
      }),
    );
  });

  it('examples: no builds is RUNNING; all failed is FAILED; done but not complete is INCOMPLETE', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    assert.equal(versionStatus(version(), [], now), 'VERSION_RUNNING');
    assert.equal(
      versionStatus(version(), [build('BUILD_FAILED', 0), build('BUILD_FAILED', 1)], now),
      'VERSION_FAILED',
    );
    assert.equal(versionStatus(version(), [build('BUILD_CANCELLED', 0)], now), 'VERSION_CANCELLED');
    assert.equal(
      versionStatus(version(), [build('BUILD_DONE', 0), build('BUILD_FAILED', 1)], now),
      'VERSION_INCOMPLETE',
    );
    assert.equal(
      versionStatus(version(), [build('BUILD_DONE', 0), build('BUILD_RUNNING', 1)], now),
      'VERSION_RUNNING',
    );
  });
});
