import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

/** The Fastify instance type routes are written against: TypeBox schemas give request types. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export const PACKER_PREFIX =
  '/packer/2023-01-01/organizations/:organization_id/projects/:project_id';
export const INGOT_PREFIX = '/ingot/v1/organizations/:organization_id/projects/:project_id';
