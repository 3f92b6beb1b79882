/**
 * Errors of the registry client. Each says what was asked, of which registry, what
 * came back, and what to do; `reason` is the registry's stable reason when it gave one.
 */
export class RegistryClientError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 when no response came back. */
    readonly status: number,
    /** The registry's stable reason (`BUCKET_NOT_FOUND`...), or a client-side one. */
    readonly reason: string,
    /** What the registry's error body said besides (gRPC code, metadata) and what was asked. */
    readonly detail: ErrorDetail = {},
  ) {
    super(message);
    // Set by hand, not from `new.target`: these classes are serialized into Pulumi
    // dynamic providers, where class syntax is rewritten — and `Error.call(this, m)`
    // there leaves `this.message` empty, so the engine would show no reason.
    this.message = message;
    this.name = 'RegistryClientError';
  }
}

export interface ErrorDetail {
  /** The gRPC code of the error body (5 NotFound, 10 Aborted...). */
  code?: number;
  /** `details[0].metadata`: Ingot names the resource (`kind`, `name`) or field. */
  metadata?: Record<string, string>;
  /** What was asked: `get version "x" of bucket "y"`. */
  operation?: string;
  /** The registry's own message, without the client's framing. */
  registryMessage?: string;
  /** Where it was asked. */
  registryUrl?: string;
  organizationId?: string;
  projectId?: string;
  /** A 429's Retry-After, in seconds: how long the registry asked the caller to wait. */
  retryAfterSeconds?: number;
}

/** Bad or missing credentials, or a role that may not do what was asked. */
export class RegistryAuthError extends RegistryClientError {
  constructor(message: string, status: number, reason: string, detail: ErrorDetail = {}) {
    super(message, status, reason, detail);
    this.name = 'RegistryAuthError';
  }
}

/** The registry could not be reached or kept failing after every retry. */
export class RegistryUnavailableError extends RegistryClientError {
  constructor(message: string, status: number, reason: string, detail: ErrorDetail = {}) {
    super(message, status, reason, detail);
    this.name = 'RegistryUnavailableError';
  }
}

/** The client's own configuration is incomplete or invalid (every problem listed). */
export class ClientConfigError extends Error {
  constructor(readonly problems: string[]) {
    const message = `registry client configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
    super(message);
    this.message = message; // see RegistryClientError
    this.name = 'ClientConfigError';
  }
}

/** A resolved version is revoked: using its image is refused. */
export class RevokedVersionError extends RegistryClientError {
  constructor(message: string) {
    super(message, 0, 'VERSION_REVOKED');
    this.name = 'RevokedVersionError';
  }
}

/**
 * The error as a registry client error, or null. Duck-typed rather than `instanceof`:
 * a serialized dynamic provider carries its own copy of these classes.
 */
export function asRegistryError(error: unknown): RegistryClientError | null {
  const e = error as Partial<RegistryClientError> | null;
  return e && typeof e.status === 'number' && typeof e.reason === 'string'
    ? (e as RegistryClientError)
    : null;
}

/**
 * Whether the registry said the thing asked for does not exist: 404, or gRPC code 10
 * (Aborted), which HCP Packer answers for an unknown version fingerprint and Packer's own
 * client branches on (hashicorp/packer internal/hcp/registry: `CheckErrorCode(err, codes.Aborted)`).
 */
export function isNotFound(error: unknown): boolean {
  const known = asRegistryError(error);
  if (!known || known.reason === 'WRONG_URL') return false;
  return known.status === 404 || (known.status === 409 && known.detail?.code === 10);
}
