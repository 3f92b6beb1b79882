import { Type } from '@sinclair/typebox';
import type { Principal } from '../../auth/principal-store';
import type { Registry } from '../../registry';
import type { App } from '../app-types';
import { withErrors } from '../schemas/common';

const RevokeRequest = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'The access token to revoke (RFC 7009 section 2.1).',
    }),
    token_type_hint: Type.Optional(
      Type.String({
        maxLength: 100,
        description: 'Accepted and ignored: the registry issues access tokens only.',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * `POST /oauth2/revoke`: RFC 7009 token revocation, at the path and with the request
 * (`token`, `token_type_hint`, form-encoded or JSON) OAuth2 client libraries send, next to
 * `/oauth2/token`. The caller authenticates with its bearer token like on every other
 * Ingot route (RFC 7009 leaves the client authentication method to the server), and may
 * revoke its own token (any principal, a `metrics` scraper too) or one of a principal it
 * manages. As RFC 7009 section 2.2 says, an
 * unknown or expired token answers 200: the caller's goal, a token that no longer works,
 * holds. The revocation reaches every registry process through the database's change
 * marker (AuthService.changeCredentials).
 */
export function tokenRevocationRoutes(app: App, registry: Registry): void {
  app.post(
    '/oauth2/revoke',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Revoke an access token (RFC 7009): the caller’s own, or one of a principal it manages',
        body: RevokeRequest,
        response: withErrors({ 200: Type.Object({}) }),
      },
      config: { access: 'own-credentials', formBody: true },
    },
    async (request) => {
      const principal = request.principal as Principal;
      const revoked = await registry.auth.revokeToken(request.body.token, {
        clientId: principal.clientId,
        roles: principal.roles,
      });
      request.log.info({ client_id: principal.clientId, revoked }, 'token revocation');
      return {};
    },
  );
}
