import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { Reply, Send } from './packer-replay';

/**
 * Packer's and Terraform's HCP client as hashicorp/hcp-sdk-go builds it from the
 * environment (config/env.go `FromEnv`): `HCP_API_ADDRESS` is a host:port spoken to over
 * TLS unless `HCP_API_TLS=disabled`, the token comes from `HCP_AUTH_URL` + "/oauth2/token"
 * (config/with.go `WithAuth`), and `SSL_CERT_FILE` adds to the roots Go trusts. Tests drive
 * the Packer replay through it with the variables a document or a pipeline exports.
 */

/** hcp-sdk-go's tlsConfigForSetting: unset verifies, `insecure` skips, `disabled` is plain. */
export function tlsSetting(
  value: string | undefined,
  name: string,
): 'verify' | 'insecure' | 'disabled' {
  if (value === undefined) return 'verify';
  assert.ok(value === 'insecure' || value === 'disabled', `${name}=${value} is not a TLS setting`);
  return value;
}

export type Dial = { host: string; port: number } | undefined;

/** One request as Go's net/http makes it: the address from the variables, the roots Go trusts. */
function request(
  url: URL,
  setting: 'verify' | 'insecure' | 'disabled',
  caFile: string | undefined,
  dial: Dial,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  const plain = setting === 'disabled';
  assert.equal(url.protocol, plain ? 'http:' : 'https:', `${url} under the TLS setting ${setting}`);
  const options: https.RequestOptions = {
    method,
    // A connection to the documented host:port lands on the test's registry (a shared
    // machine cannot own 8080 or 8443); the name checked and sent is the documented one.
    host: dial?.host ?? url.hostname,
    port: dial?.port ?? url.port,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, host: url.host },
    agent: false,
  };
  if (!plain) {
    options.servername = url.hostname;
    options.rejectUnauthorized = setting === 'verify';
    // Go's crypto/x509 adds SSL_CERT_FILE to the system roots.
    if (caFile) options.ca = [...tls.rootCertificates, fs.readFileSync(caFile, 'utf8')];
  }
  return new Promise((resolve, reject) => {
    const req = (plain ? http : https).request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The SDK's client over the variables: a client-credentials token, then bearer calls. */
export function sdkSend(vars: Record<string, string>, dial: Dial): Send {
  const apiTls = tlsSetting(vars.HCP_API_TLS, 'HCP_API_TLS');
  const authTls = tlsSetting(vars.HCP_AUTH_TLS, 'HCP_AUTH_TLS');
  const api = `${apiTls === 'disabled' ? 'http' : 'https'}://${vars.HCP_API_ADDRESS}`;
  let token: string | undefined;
  return async (method, urlPath, body) => {
    if (!token) {
      const res = await request(
        new URL(`${vars.HCP_AUTH_URL.replace(/\/+$/, '')}/oauth2/token`),
        authTls,
        vars.SSL_CERT_FILE,
        dial,
        'POST',
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: vars.HCP_CLIENT_ID,
          client_secret: vars.HCP_CLIENT_SECRET,
        }).toString(),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      token = (res.body as { access_token: string }).access_token;
    }
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return request(
      new URL(`${api}${urlPath}`),
      apiTls,
      vars.SSL_CERT_FILE,
      dial,
      method,
      headers,
      body,
    );
  };
}
