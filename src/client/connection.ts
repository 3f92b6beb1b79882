import fs from 'node:fs';
import { ClientConfigError } from './errors';

/** Where and as whom the client talks to a registry (Ingot or HCP Packer). */
export interface Connection {
  /** Base URL, e.g. http://127.0.0.1:8080 or https://api.cloud.hashicorp.com. */
  registryUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  organizationId: string;
  projectId: string;
  /** Per-request timeout. @default 10000 */
  timeoutMs: number;
  /** Retries after the first attempt on 429, 5xx and connection errors. @default 3 */
  maxRetries: number;
  /**
   * Total time for one call, token, retries and waits included: a registry that accepts
   * connections and never answers fails within it. @default 30000 (or timeoutMs if longer)
   */
  deadlineMs: number;
  /** Where the registry URL came from (`--registry`, `INGOT_REGISTRY_URL`, `credentials file F`), for messages. */
  registryUrlSource?: string;
}

export type ConnectionOptions = Partial<Connection> & { credentialsFile?: string };

const HCP_AUTH_URL = 'https://auth.idp.hashicorp.com/oauth2/token';
const SCOPE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The scheme hcp-sdk-go uses for HCP_API_ADDRESS under HCP_API_TLS (config/env.go's
 * tlsConfigForSetting: unset is TLS, "disabled" plain text, "insecure" TLS without
 * certificate checks, anything else an error).
 */
function hcpApiTls(setting: string | undefined): { scheme: string } | { problem: string } {
  if (setting === undefined) return { scheme: 'https' };
  if (setting === 'disabled') return { scheme: 'http' };
  if (setting === 'insecure')
    return {
      problem:
        "HCP_API_TLS=insecure (TLS without certificate checks) is not supported: trust the registry's certificate with NODE_EXTRA_CA_CERTS=<ca.pem> and unset HCP_API_TLS.",
    };
  return {
    problem: `HCP_API_TLS "${setting}" is not a TLS setting: unset it for TLS, or set it to "disabled" for a plain-HTTP registry.`,
  };
}

/**
 * The base URL without trailing slashes, or a problem. A host alone is accepted only from
 * HCP_API_ADDRESS, which HashiCorp's SDK (hcp-sdk-go config/env.go) reads as a host name
 * spoken to over TLS unless `HCP_API_TLS=disabled`; anywhere else `127.0.0.1:8080` is
 * refused rather than guessed (an https guess at a plain-http registry ends in an SSL
 * error that says nothing about the URL).
 */
function normaliseUrl(
  value: string,
  source: string,
  apiTls: string | undefined,
): { url: string } | { problem: string } {
  const trimmed = value.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  let url = trimmed;
  if (!scheme) {
    if (source !== 'HCP_API_ADDRESS') {
      return {
        problem: `registry URL "${value}" (${source}) has no scheme: write http://${trimmed.replace(/\/+$/, '')} (or https://… when the registry is behind TLS).`,
      };
    }
    const tls = hcpApiTls(apiTls);
    if ('problem' in tls) return tls;
    url = `${tls.scheme}://${trimmed}`;
  } else if (scheme !== 'http' && scheme !== 'https') {
    return {
      problem: `registry URL "${value}" (${source}) must start with http:// or https://, e.g. http://127.0.0.1:8080.`,
    };
  }
  url = url.replace(/\/+$/, '');
  try {
    new URL(url);
  } catch {
    return {
      problem: `registry URL "${value}" (${source}) is not a URL, e.g. http://127.0.0.1:8080.`,
    };
  }
  return { url };
}

/**
 * Resolves a connection from explicit options, then the environment
 * (`INGOT_REGISTRY_URL` or `HCP_API_ADDRESS`, `HCP_CLIENT_ID`, `HCP_CLIENT_SECRET`,
 * `HCP_ORGANIZATION_ID`, `HCP_PROJECT_ID`, `HCP_AUTH_URL`), then the credentials file
 * `ingot registry serve` writes (`INGOT_CREDENTIALS_FILE`); a file given as an option
 * ranks above the environment. Reports every problem at once.
 */
export function resolveConnection(
  options: ConnectionOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const problems: string[] = [];
  const file = options.credentialsFile ?? env.INGOT_CREDENTIALS_FILE;
  let fromFile: { url?: string; client_id?: string; client_secret?: string } = {};
  if (file) {
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new SyntaxError();
      fromFile = parsed;
    } catch (error) {
      // JSON.parse's message quotes the text around the error: maybe part of the secret.
      const why =
        error instanceof SyntaxError ? 'it is not a JSON object' : (error as Error).message;
      problems.push(`credentials file ${file} cannot be read as JSON: ${why}.`);
    }
  }
  // A file named explicitly outranks the environment; one from INGOT_CREDENTIALS_FILE does not.
  const explicitFile = options.credentialsFile !== undefined;
  const pick = (
    option: string | undefined,
    fromEnv: string | undefined,
    inFile: string | undefined,
  ) => option ?? (explicitFile ? (inFile ?? fromEnv) : (fromEnv ?? inFile));
  const envUrlName =
    env.INGOT_REGISTRY_URL !== undefined ? 'INGOT_REGISTRY_URL' : 'HCP_API_ADDRESS';
  const rawUrl = pick(
    options.registryUrl,
    env.INGOT_REGISTRY_URL ?? env.HCP_API_ADDRESS,
    fromFile.url,
  );
  const urlSource =
    options.registryUrl !== undefined
      ? (options.registryUrlSource ?? 'registry URL option')
      : rawUrl === fromFile.url &&
          (explicitFile || (env.INGOT_REGISTRY_URL ?? env.HCP_API_ADDRESS) === undefined)
        ? `credentials file ${file}`
        : envUrlName;
  const clientId = pick(options.clientId, env.HCP_CLIENT_ID, fromFile.client_id) ?? '';
  const clientSecret =
    pick(options.clientSecret, env.HCP_CLIENT_SECRET, fromFile.client_secret) ?? '';
  const organizationId = options.organizationId ?? env.HCP_ORGANIZATION_ID ?? '';
  const projectId = options.projectId ?? env.HCP_PROJECT_ID ?? '';
  const orgSource =
    options.organizationId !== undefined ? 'organization option' : 'HCP_ORGANIZATION_ID';
  const projectSource = options.projectId !== undefined ? 'project option' : 'HCP_PROJECT_ID';

  let registryUrl = '';
  if (!rawUrl) {
    problems.push(
      'no registry: set INGOT_REGISTRY_URL (or HCP_API_ADDRESS), or INGOT_CREDENTIALS_FILE.',
    );
  } else {
    const normalised = normaliseUrl(rawUrl, urlSource, env.HCP_API_TLS);
    if ('problem' in normalised) problems.push(normalised.problem);
    else registryUrl = normalised.url;
  }
  if (!clientId) problems.push('no client id: set HCP_CLIENT_ID (or INGOT_CREDENTIALS_FILE).');
  if (!clientSecret)
    problems.push('no client secret: set HCP_CLIENT_SECRET (or INGOT_CREDENTIALS_FILE).');
  if (!SCOPE_ID.test(organizationId)) {
    problems.push(
      organizationId
        ? `organization id "${organizationId}" (${orgSource}) is invalid: use 1–64 letters, digits, ".", "_" or "-".`
        : 'no organization: set HCP_ORGANIZATION_ID.',
    );
  }
  if (!SCOPE_ID.test(projectId)) {
    problems.push(
      projectId
        ? `project id "${projectId}" (${projectSource}) is invalid: use 1–64 letters, digits, ".", "_" or "-".`
        : 'no project: set HCP_PROJECT_ID.',
    );
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRetries = options.maxRetries ?? 3;
  const deadlineMs = options.deadlineMs ?? Math.max(30_000, timeoutMs);
  if (!(timeoutMs > 0)) problems.push(`timeoutMs must be positive, got ${timeoutMs}.`);
  if (!Number.isInteger(maxRetries) || maxRetries < 0)
    problems.push(`maxRetries must be a whole number ≥ 0, got ${maxRetries}.`);
  if (!(deadlineMs >= timeoutMs))
    problems.push(
      `deadlineMs must be at least timeoutMs (${timeoutMs}), got ${deadlineMs}: it bounds a call's attempts together.`,
    );
  if (problems.length > 0) throw new ClientConfigError(problems);

  const isHcp = /(^|\.)cloud\.hashicorp\.com$/i.test(new URL(registryUrl).hostname);
  const tokenUrl =
    options.tokenUrl ??
    // hcp-sdk-go config/with.go WithAuth: the token endpoint is HCP_AUTH_URL + "/oauth2/token".
    (env.HCP_AUTH_URL !== undefined
      ? `${env.HCP_AUTH_URL.trim().replace(/\/+$/, '')}/oauth2/token`
      : isHcp
        ? HCP_AUTH_URL
        : `${registryUrl}/oauth2/token`);
  return {
    registryUrl,
    tokenUrl,
    clientId,
    clientSecret,
    organizationId,
    projectId,
    timeoutMs,
    maxRetries,
    deadlineMs,
    registryUrlSource: urlSource,
  };
}
