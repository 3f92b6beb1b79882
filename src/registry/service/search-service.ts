import type { Build, Scope } from '../domain/model';
import type { Page } from '../storage/listing';
import type { RegistryContext } from './context';
import { versionViews, type VersionView } from './views';

export interface ExternalArtifactMatch {
  version: VersionView;
  build: Build;
}

/** Which bucket, version and build hold an image: the policy pack's question. */
export class SearchService {
  constructor(private readonly ctx: RegistryContext) {}

  async externalArtifact(
    scope: Scope,
    query: { externalIdentifier: string; platform?: string; region?: string },
    page: Page,
  ): Promise<ExternalArtifactMatch[]> {
    const { ctx } = this;
    const ex = ctx.db.reader;
    const now = ctx.clock.now();
    const buildIds = await ctx.builds.buildIdsByExternalIdentifier(ex, query.externalIdentifier);
    const builds = (await ctx.builds.findBuildsByIds(ex, buildIds)).filter(
      (b) =>
        (!query.platform || b.platform === query.platform) &&
        (!query.region ||
          b.artifacts.some(
            (a) => a.externalIdentifier === query.externalIdentifier && a.region === query.region,
          )),
    );
    const versions = await ctx.versions.findVersionsByIds(
      ex,
      builds.map((b) => b.versionId),
    );
    const buckets = await ctx.buckets.findBucketsByIds(
      ex,
      [...versions.values()].map((v) => v.bucketId),
    );
    const matches: ExternalArtifactMatch[] = [];
    for (const build of builds) {
      const version = versions.get(build.versionId);
      const bucket = version ? buckets.get(version.bucketId) : undefined;
      if (!version || !bucket) continue;
      if (bucket.organizationId !== scope.organizationId || bucket.projectId !== scope.projectId)
        continue;
      const [view] = await versionViews(ctx, ex, bucket, [version], now);
      matches.push({ version: view, build });
    }
    matches.sort((a, b) => b.version.version.createdAt.localeCompare(a.version.version.createdAt));
    return matches.slice(page.offset, page.offset + page.limit);
  }
}
