import { Type, type Static } from '@sinclair/typebox';
import { ValidationError } from '../../errors';
import type { Registry } from '../../registry';
import type { PackageFilter, PackageView } from '../../service/sbom-service';
import { scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { pageOf, paginate } from '../pagination';
import { BucketParams, BuildParams, PageQuery, withErrors } from '../schemas/common';
import { PackagesResponse, type Package } from '../schemas/governance';
import { buildRefOf, presentSbom } from './sboms';

const PackageQuery = Type.Composite([
  PageQuery,
  Type.Object({
    package_name: Type.Optional(Type.String({ maxLength: 512 })),
    package_name_starts_with: Type.Optional(Type.String({ maxLength: 512 })),
    package_version: Type.Optional(Type.String({ maxLength: 512 })),
    'sorting.order_by': Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        description: 'Fields to sort by: name, version, purl, build_name; add " desc" to reverse.',
      }),
    ),
  }),
]);
type PackageQuery = Static<typeof PackageQuery>;

const SORTABLE: Record<string, (p: PackageView) => string> = {
  name: (p) => p.name,
  version: (p) => p.version,
  purl: (p) => p.purl,
  build_name: (p) => p.build.componentType,
  channel_name: (p) => p.channel?.name ?? '',
};

/** Sorts by HCP's `sorting.order_by` ("name", "version desc"…), then by name and version. */
function sorted(items: PackageView[], orderBy: string[] | undefined): PackageView[] {
  const keys = (orderBy ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => {
      const [field, direction = 'asc'] = o.trim().split(/\s+/);
      if (!SORTABLE[field] || !/^(asc|desc)$/i.test(direction)) {
        throw new ValidationError(
          'sorting.order_by',
          `sorting.order_by "${o.trim()}" is not one of ${Object.keys(SORTABLE).join(', ')} (optionally followed by " desc").`,
        );
      }
      return { get: SORTABLE[field], sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
    });
  keys.push({ get: SORTABLE.name, sign: 1 }, { get: SORTABLE.version, sign: 1 });
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const c = k.get(a).localeCompare(k.get(b));
      if (c !== 0) return c * k.sign;
    }
    return 0;
  });
}

const filterOf = (q: PackageQuery): PackageFilter => ({
  name: q.package_name,
  namePrefix: q.package_name_starts_with,
  version: q.package_version,
});

const present = (p: PackageView): Package => ({
  name: p.name,
  version: p.version,
  purl: p.purl,
  build_id: p.build.id,
  build_name: p.build.componentType,
  channel_id: p.channel?.id,
  channel_name: p.channel?.name,
  sboms: p.sboms.map(presentSbom),
});

function answer(items: PackageView[], query: PackageQuery) {
  const page = pageOf(query);
  const all = sorted(items, query['sorting.order_by']);
  const { items: shown, pagination } = paginate(
    all.slice(page.offset, page.offset + page.limit),
    page,
  );
  return { packages: shown.map(present), pagination };
}

/**
 * HCP's ListBuildPackages and ListBucketPackages, read from the build's stored SBOMs.
 * No vulnerability data is attached (`vuln_details` is left out): no source is configured.
 */
export function packageRoutes(app: App, registry: Registry): void {
  app.get(
    `${PACKER_PREFIX}/buckets/:bucket_name/versions/:fingerprint/builds/:build_id/packages`,
    {
      schema: {
        tags: ['sboms'],
        summary: 'The packages a build’s SBOMs list',
        params: BuildParams,
        querystring: PackageQuery,
        response: withErrors({ 200: PackagesResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) =>
      answer(
        await registry.sboms.buildPackages(
          scopeOf(request),
          buildRefOf(request.params),
          filterOf(request.query),
        ),
        request.query,
      ),
  );

  app.get(
    `${PACKER_PREFIX}/buckets/:bucket_name/packages`,
    {
      schema: {
        tags: ['sboms'],
        summary:
          'The packages of the builds each channel of the bucket serves (one entry per channel and build)',
        params: BucketParams,
        querystring: PackageQuery,
        response: withErrors({ 200: PackagesResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) =>
      answer(
        await registry.sboms.bucketPackages(
          scopeOf(request),
          request.params.bucket_name,
          filterOf(request.query),
        ),
        request.query,
      ),
  );
}
