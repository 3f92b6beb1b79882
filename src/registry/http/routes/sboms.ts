import { Type } from '@sinclair/typebox';
import type { Sbom as SbomRecord } from '../../domain/governance';
import type { Registry } from '../../registry';
import { MAX_COMPRESSED_SBOM } from '../../service/sbom-document';
import type { BuildRef } from '../../service/sbom-service';
import { actorOf, scopeOf } from '../auth';
import { INGOT_PREFIX, PACKER_PREFIX, type App } from '../app-types';
import { BuildParams, withErrors, type BuildParams as BuildParamsType } from '../schemas/common';
import { Sbom, SbomFormatSchema } from '../schemas/governance';

const SBOM_PATH = '/buckets/:bucket_name/versions/:fingerprint/builds/:build_id/sboms';
const SbomParams = Type.Composite([
  BuildParams,
  Type.Object({ sbom_name: Type.String({ pattern: '^[A-Za-z0-9._:+-]{1,128}$' }) }),
]);

/** Base64 of the largest compressed SBOM, plus room for the rest of the body. */
const UPLOAD_BODY_LIMIT = Math.ceil((MAX_COMPRESSED_SBOM * 4) / 3) + 64 * 1024;

export const presentSbom = (s: SbomRecord): Sbom => ({ id: s.id, name: s.name, format: s.format });

export const buildRefOf = (p: BuildParamsType): BuildRef => ({
  bucketName: p.bucket_name,
  fingerprint: p.fingerprint,
  buildId: p.build_id,
});

/**
 * HCP's UploadSbom, ListSboms and GetSbom. HCP's GetSbom answers a presigned S3 URL;
 * here `download_url` is an Ingot route that serves the stored JSON to the same
 * bearer token (viewer).
 */
export function sbomRoutes(app: App, registry: Registry): void {
  const tags = ['sboms'];

  app.put(
    `${PACKER_PREFIX}${SBOM_PATH}`,
    {
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: {
        tags,
        summary: `Upload a build’s SBOM (CycloneDX or SPDX JSON, zstd-compressed, base64; at most ${MAX_COMPRESSED_SBOM / 1024 / 1024} MiB compressed, 32 MiB decompressed)`,
        params: BuildParams,
        body: Type.Object(
          {
            compressed_sbom: Type.Optional(Type.String({ format: 'byte' })),
            format: Type.Optional(SbomFormatSchema),
            name: Type.Optional(Type.String({ maxLength: 36 })),
          },
          { additionalProperties: false },
        ),
        response: withErrors({ 200: Type.Object({ sbom: Type.Ref(Sbom) }) }),
      },
      config: { access: 'contributor' },
    },
    async (request) => {
      const sbom = await registry.sboms.upload(
        scopeOf(request),
        actorOf(request),
        buildRefOf(request.params),
        {
          compressed: Buffer.from(request.body.compressed_sbom ?? '', 'base64'),
          format: request.body.format,
          name: request.body.name,
        },
      );
      return { sbom: presentSbom(sbom) };
    },
  );

  app.get(
    `${PACKER_PREFIX}${SBOM_PATH}`,
    {
      schema: {
        tags,
        summary: 'List a build’s SBOMs',
        params: BuildParams,
        response: withErrors({ 200: Type.Object({ sboms: Type.Array(Type.Ref(Sbom)) }) }),
      },
      config: { access: 'viewer' },
    },
    async (request) => ({
      sboms: (await registry.sboms.list(scopeOf(request), buildRefOf(request.params))).map(
        presentSbom,
      ),
    }),
  );

  app.get(
    `${PACKER_PREFIX}${SBOM_PATH}/:sbom_name`,
    {
      schema: {
        tags,
        summary: 'Where to download an SBOM (an Ingot URL that takes the same bearer token)',
        params: SbomParams,
        response: withErrors({ 200: Type.Object({ download_url: Type.String() }) }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const p = request.params;
      const scope = scopeOf(request);
      // Checks it exists, so a wrong name is NotFound here rather than at download.
      await registry.sboms.document(scope, buildRefOf(p), p.sbom_name);
      const path = [
        `/ingot/v1/organizations/${p.organization_id}/projects/${p.project_id}`,
        `/buckets/${p.bucket_name}/versions/${encodeURIComponent(p.fingerprint)}`,
        `/builds/${p.build_id}/sboms/${encodeURIComponent(p.sbom_name)}/document`,
      ].join('');
      return { download_url: `${request.protocol}://${request.host}${path}` };
    },
  );

  app.get(
    `${INGOT_PREFIX}${SBOM_PATH}/:sbom_name/document`,
    {
      schema: {
        tags: ['ingot'],
        summary: 'The SBOM JSON as uploaded (decompressed): what GetSbom’s download_url serves',
        params: SbomParams,
        response: withErrors({ 200: Type.Object({}, { additionalProperties: true }) }),
      },
      config: { access: 'viewer' },
    },
    async (request, reply) => {
      const text = await registry.sboms.document(
        scopeOf(request),
        buildRefOf(request.params),
        request.params.sbom_name,
      );
      return reply
        .type('application/json')
        .serializer((s: string) => s)
        .send(text);
    },
  );
}
