import { jsonOf, send } from './errors';

export interface Token {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** OAuth2 client credentials, as every API client of the registry signs in. */
export async function requestToken(clientId: string, clientSecret: string): Promise<Token> {
  const response = await send('/oauth2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  const body = await jsonOf<{ access_token: string; expires_in: number }>(response);
  return { accessToken: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
}
