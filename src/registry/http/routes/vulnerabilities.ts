import { Type } from '@sinclair/typebox';
import { UnimplementedError } from '../../errors';
import type { Registry } from '../../registry';
import { scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { BucketParams } from '../schemas/common';
import { ErrorBody } from '../schemas/common';

const NO_SOURCE =
  'no vulnerability source is configured: Ingot stores SBOMs and lists their packages (GET .../packages) but does not match them against vulnerability data, so it cannot say whether any package is vulnerable. Scan the SBOMs (GET .../sboms/{name}) with a scanner such as Grype or Trivy.';

/**
 * HCP's three vulnerability listings answer gRPC Unimplemented (12; HTTP 501, as
 * grpc-gateway maps it): an empty list would claim "no vulnerabilities", which nobody
 * checked. The bucket must still exist, so a typo is NotFound as elsewhere.
 */
export function vulnerabilityRoutes(app: App, registry: Registry): void {
  const error = Type.Ref(ErrorBody);
  for (const [path, summary] of [
    ['/vulnerabilities', 'Vulnerabilities of a bucket (no vulnerability source: Unimplemented)'],
    ['/packages/vulnerability-summary', 'Vulnerable packages by criticality (Unimplemented)'],
    ['/packages/with-vulnerabilities', 'Packages with vulnerabilities (Unimplemented)'],
  ] as const) {
    app.get(
      `${PACKER_PREFIX}/buckets/:bucket_name${path}`,
      {
        schema: {
          tags: ['sboms'],
          summary,
          params: BucketParams,
          querystring: Type.Object({}, { additionalProperties: true }),
          response: { 401: error, 403: error, 404: error, 501: error },
        },
        config: { access: 'viewer' },
      },
      async (request) => {
        await registry.buckets.get(scopeOf(request), request.params.bucket_name);
        throw new UnimplementedError('NO_VULNERABILITY_SOURCE', NO_SOURCE);
      },
    );
  }
}
