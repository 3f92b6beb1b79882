import { Type } from '@sinclair/typebox';
import type {
  EnforcedBlockLink,
  EnforcedBlockVersion as VersionRecord,
} from '../../domain/governance';
import type { Registry } from '../../registry';
import type { BlockDetail, BlockView } from '../../service/enforced-block-service';
import { actorOf, scopeOf } from '../auth';
import { PACKER_PREFIX, type App } from '../app-types';
import { pageOf, paginate } from '../pagination';
import { presentBucket } from '../present';
import {
  BUCKET_NAME,
  BucketParams,
  Labels,
  PageQuery,
  Pagination,
  ScopeParams,
  ULID,
  withErrors,
} from '../schemas/common';
import {
  EnforcedBlock,
  EnforcedBlockBucket,
  EnforcedBlockDetail,
  EnforcedBlockLinkedBucket,
  EnforcedBlockVersion,
  TemplateTypeSchema,
} from '../schemas/governance';

const BLOCK_NAME = '^[A-Za-z0-9_-]{3,36}$';
const VERSION_LABEL = '^[A-Za-z0-9._+-]{1,64}$';

const BlockParams = Type.Composite([
  ScopeParams,
  Type.Object({ enforced_block_id: Type.String({ pattern: ULID, description: 'Block id.' }) }),
]);
const BlockVersionParams = Type.Composite([
  BlockParams,
  Type.Object({
    enforced_block_version_id: Type.String({ pattern: ULID, description: 'Block version id.' }),
  }),
]);

const VersionFields = {
  version: Type.Optional(Type.String({ pattern: VERSION_LABEL, description: 'e.g. v1, 1.2.0.' })),
  block_content: Type.Optional(
    Type.String({ description: 'Provisioner blocks, HCL2 or JSON, as Packer parses them.' }),
  ),
  template_type: Type.Optional(TemplateTypeSchema),
  additional_description: Type.Optional(Type.String({ maxLength: 1024 })),
};

const BlockResponse = Type.Object({ enforced_block: Type.Ref(EnforcedBlock) });
const VersionResponse = Type.Object({ enforced_block_version: Type.Ref(EnforcedBlockVersion) });
const DetailsResponse = Type.Object({ enforced_block_detail: Type.Array(EnforcedBlockDetail) });

function presentVersion(v: VersionRecord): EnforcedBlockVersion {
  return {
    id: v.id,
    enforced_block_id: v.blockId,
    version: v.version,
    block_content: v.blockContent,
    additional_description: v.additionalDescription,
    template_type: v.templateType,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
  };
}

function presentBlock({ block: b, latest }: BlockView): EnforcedBlock {
  return {
    id: b.id,
    name: b.name,
    labels: b.labels,
    location: { organization_id: b.organizationId, project_id: b.projectId },
    resource_name: `packer/project/${b.projectId}/enforced-block/${b.name}`,
    latest_version: latest ? presentVersion(latest) : undefined,
    created_at: b.createdAt,
    updated_at: b.updatedAt,
  };
}

const presentDetail = (d: BlockDetail): EnforcedBlockDetail => ({
  id: d.block.id,
  name: d.block.name,
  version: presentVersion(d.version),
});

const presentLink = (l: EnforcedBlockLink): EnforcedBlockBucket => ({
  id: l.id,
  bucket_id: l.bucketId,
  enforced_block_id: l.blockId,
  enforced_block_version_id: l.blockVersionId,
  created_at: l.createdAt,
});

/**
 * HCP Packer's 12 enforced-block operations. Changing what is enforced needs admin;
 * reading it (Packer's GetEnforcedBlocksByBucket on every build) needs viewer.
 */
export function enforcedBlockRoutes(app: App, registry: Registry): void {
  const blocks = `${PACKER_PREFIX}/enforced_blocks`;
  const block = `${blocks}/:enforced_block_id`;
  const versions = `${block}/versions`;
  const version = `${versions}/:enforced_block_version_id`;
  const tags = ['enforced blocks'];
  const service = registry.enforcedBlocks;

  app.put(
    blocks,
    {
      schema: {
        tags,
        summary: 'Create an enforced block with its first version',
        params: ScopeParams,
        body: Type.Object(
          {
            name: Type.Optional(
              Type.String({ pattern: BLOCK_NAME, description: '3–36 of [A-Za-z0-9_-].' }),
            ),
            labels: Type.Optional(Labels),
            ...VersionFields,
          },
          { additionalProperties: false },
        ),
        response: withErrors({ 200: BlockResponse }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const b = request.body;
      const view = await service.create(scopeOf(request), actorOf(request), {
        name: b.name,
        labels: b.labels,
        version: b.version,
        blockContent: b.block_content,
        templateType: b.template_type,
        additionalDescription: b.additional_description,
      });
      return { enforced_block: presentBlock(view) };
    },
  );

  app.get(
    blocks,
    {
      schema: {
        tags,
        summary: 'List the project’s enforced blocks',
        params: ScopeParams,
        querystring: PageQuery,
        response: withErrors({
          200: Type.Object({
            enforced_blocks: Type.Array(Type.Ref(EnforcedBlock)),
            pagination: Pagination,
          }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const page = pageOf(request.query);
      const { items, pagination } = paginate(await service.list(scopeOf(request), page), page);
      return { enforced_blocks: items.map(presentBlock), pagination };
    },
  );

  app.get(
    `${blocks}/bucket/:bucket_name`,
    {
      schema: {
        tags,
        summary:
          'The enforced blocks linked to a bucket, each at its linked version (Packer reads this on every build)',
        params: BucketParams,
        response: withErrors({ 200: DetailsResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) => ({
      enforced_block_detail: (
        await service.byBucket(scopeOf(request), request.params.bucket_name)
      ).map(presentDetail),
    }),
  );

  app.get(
    block,
    {
      schema: {
        tags,
        summary: 'Get an enforced block and its latest version',
        params: BlockParams,
        response: withErrors({ 200: BlockResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) => ({
      enforced_block: presentBlock(
        await service.get(scopeOf(request), request.params.enforced_block_id),
      ),
    }),
  );

  app.patch(
    block,
    {
      schema: {
        tags,
        summary: 'Rename an enforced block or change its labels',
        params: BlockParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ pattern: BLOCK_NAME })),
            labels: Type.Optional(Labels),
            update_mask: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: withErrors({ 200: BlockResponse }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const view = await service.update(
        scopeOf(request),
        actorOf(request),
        request.params.enforced_block_id,
        {
          name: request.body.name,
          labels: request.body.labels,
          updateMask: request.body.update_mask,
        },
      );
      return { enforced_block: presentBlock(view) };
    },
  );

  app.delete(
    block,
    {
      schema: {
        tags,
        summary: 'Delete an enforced block, its versions and its bucket links',
        params: BlockParams,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      await service.delete(scopeOf(request), actorOf(request), request.params.enforced_block_id);
      return {};
    },
  );

  app.put(
    versions,
    {
      schema: {
        tags,
        summary: 'Add a version to an enforced block',
        params: BlockParams,
        body: Type.Object(VersionFields, { additionalProperties: false }),
        response: withErrors({ 200: VersionResponse }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const b = request.body;
      const created = await service.createVersion(
        scopeOf(request),
        actorOf(request),
        request.params.enforced_block_id,
        {
          version: b.version,
          blockContent: b.block_content,
          templateType: b.template_type,
          additionalDescription: b.additional_description,
        },
      );
      return { enforced_block_version: presentVersion(created) };
    },
  );

  app.get(
    versions,
    {
      schema: {
        tags,
        summary: 'List an enforced block’s versions, newest first',
        params: BlockParams,
        response: withErrors({ 200: DetailsResponse }),
      },
      config: { access: 'viewer' },
    },
    async (request) => ({
      enforced_block_detail: (
        await service.versions(scopeOf(request), request.params.enforced_block_id)
      ).map(presentDetail),
    }),
  );

  app.patch(
    version,
    {
      schema: {
        tags,
        summary: 'Change a block version’s description (its content is immutable)',
        params: BlockVersionParams,
        body: Type.Object(
          {
            additional_description: Type.Optional(Type.String({ maxLength: 1024 })),
            update_mask: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: withErrors({ 200: VersionResponse }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const updated = await service.updateVersion(
        scopeOf(request),
        actorOf(request),
        request.params.enforced_block_id,
        request.params.enforced_block_version_id,
        {
          additionalDescription: request.body.additional_description,
          updateMask: request.body.update_mask,
        },
      );
      return { enforced_block_version: presentVersion(updated) };
    },
  );

  app.delete(
    version,
    {
      schema: {
        tags,
        summary: 'Delete a block version (refused while buckets are linked to it)',
        params: BlockVersionParams,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      await service.deleteVersion(
        scopeOf(request),
        actorOf(request),
        request.params.enforced_block_id,
        request.params.enforced_block_version_id,
      );
      return {};
    },
  );

  app.post(
    `${version}/buckets`,
    {
      schema: {
        tags,
        summary:
          'Set the buckets this block version is enforced on (others of the block move here)',
        params: BlockVersionParams,
        body: Type.Object(
          {
            bucket_names: Type.Union([
              Type.Array(Type.String({ pattern: BUCKET_NAME }), { maxItems: 1000 }),
              Type.Null(),
            ]),
          },
          { additionalProperties: false },
        ),
        response: withErrors({
          200: Type.Object({ enforced_block_buckets: Type.Array(EnforcedBlockBucket) }),
        }),
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const links = await service.manageLinks(
        scopeOf(request),
        actorOf(request),
        request.params.enforced_block_id,
        request.params.enforced_block_version_id,
        request.body.bucket_names ?? [],
      );
      return { enforced_block_buckets: links.map(presentLink) };
    },
  );

  app.get(
    `${version}/buckets`,
    {
      schema: {
        tags,
        summary: 'The buckets a block version is enforced on',
        params: BlockVersionParams,
        response: withErrors({
          200: Type.Object({ linked_buckets: Type.Array(EnforcedBlockLinkedBucket) }),
        }),
      },
      config: { access: 'viewer' },
    },
    async (request) => {
      const scope = scopeOf(request);
      const views = await service.linkedBuckets(
        scope,
        request.params.enforced_block_id,
        request.params.enforced_block_version_id,
      );
      const linked = [];
      for (const { link, bucket } of views) {
        linked.push({
          id: link.id,
          bucket: presentBucket(await registry.buckets.get(scope, bucket.name)),
          enforced_block_id: link.blockId,
          enforced_block_version_id: link.blockVersionId,
          created_at: link.createdAt,
        });
      }
      return { linked_buckets: linked };
    },
  );
}
