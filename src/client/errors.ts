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
  ) {
    super(message);
    // Set by hand, not from `new.target`: these classes are serialized into Pulumi
    // dynamic providers, where class syntax is rewritten — and `Error.call(this, m)`
    // there leaves `this.message` empty, so the engine would show no reason.
    this.message = message;
    this.name = 'RegistryClientError';
  }
}

/** Bad or missing credentials, or a role that may not do what was asked. */
export class RegistryAuthError extends RegistryClientError {
  constructor(message: string, status: number, reason: string) {
    super(message, status, reason);
    this.name = 'RegistryAuthError';
  }
}

/** The registry could not be reached or kept failing after every retry. */
export class RegistryUnavailableError extends RegistryClientError {
  constructor(message: string, status: number, reason: string) {
    super(message, status, reason);
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
