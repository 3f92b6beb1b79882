/**
 * Typed registry errors. Each class carries a stable `reason` (machine-readable, never
 * changes) and a gRPC-style status; `http/error-handler.ts` is the one place that maps
 * them to HTTP responses in HCP's `{code, message, details}` shape.
 */

/** gRPC status codes, as HCP Packer puts them in the `code` field of an error body. */
export enum GrpcCode {
  InvalidArgument = 3,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  Unauthenticated = 16,
}

export abstract class RegistryError extends Error {
  abstract readonly grpcCode: GrpcCode;
  /** Stable, upper-snake identifier of the error; clients may switch on it. */
  readonly reason: string;
  /** Extra machine-readable context (field name, resource name...). Never secrets. */
  readonly metadata: Record<string, string>;

  constructor(reason: string, message: string, metadata: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.reason = reason;
    this.metadata = metadata;
  }
}

/** The request is malformed: a field is missing, has the wrong type or is out of range. */
export class ValidationError extends RegistryError {
  readonly grpcCode = GrpcCode.InvalidArgument;
  constructor(field: string, message: string) {
    super('INVALID_ARGUMENT', message, { field });
  }
}

export class NotFoundError extends RegistryError {
  readonly grpcCode = GrpcCode.NotFound;
  constructor(kind: string, name: string, hint = '') {
    super(
      `${kind.toUpperCase().replace(/\s+/g, '_')}_NOT_FOUND`,
      `${kind} "${name}" does not exist${hint ? `; ${hint}` : '.'}`,
      { kind, name },
    );
  }
}

export class AlreadyExistsError extends RegistryError {
  readonly grpcCode = GrpcCode.AlreadyExists;
  constructor(kind: string, name: string, hint: string) {
    super(
      `${kind.toUpperCase().replace(/\s+/g, '_')}_ALREADY_EXISTS`,
      `${kind} "${name}" already exists; ${hint}`,
      {
        kind,
        name,
      },
    );
  }
}

/** The request is well-formed but the current state forbids it (a conflict). */
export class ConflictError extends RegistryError {
  readonly grpcCode = GrpcCode.FailedPrecondition;
}

/**
 * HCP answers GetVersion for an unknown fingerprint with Aborted, not NotFound, and
 * Packer (internal/hcp/registry/types.bucket.go, initializeVersion) creates the version
 * only on that code.
 */
export class AbortedError extends RegistryError {
  readonly grpcCode = GrpcCode.Aborted;
}

export class UnauthenticatedError extends RegistryError {
  readonly grpcCode = GrpcCode.Unauthenticated;
  constructor(message: string) {
    super('UNAUTHENTICATED', message);
  }
}

export class PermissionDeniedError extends RegistryError {
  readonly grpcCode = GrpcCode.PermissionDenied;
  constructor(message: string) {
    super('PERMISSION_DENIED', message);
  }
}

/** The operation exists in HCP's API but this registry cannot answer it (as gRPC's Unimplemented). */
export class UnimplementedError extends RegistryError {
  readonly grpcCode = GrpcCode.Unimplemented;
  constructor(reason: string, message: string) {
    super(reason, message);
  }
}

/**
 * A dependency (the database) is briefly unavailable: the request did not take effect
 * and may be retried after `retryAfterSeconds` (sent as `Retry-After`).
 */
export class UnavailableError extends RegistryError {
  readonly grpcCode = GrpcCode.Unavailable;
  constructor(
    reason: string,
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(reason, message, { retryable: 'true' });
  }
}

/**
 * HTTP status for each gRPC code, as grpc-gateway (which fronts HCP's API) maps them:
 * runtime/errors.go HTTPStatusFromCode. FailedPrecondition is 400 there, not 412 or 409.
 */
export const HTTP_STATUS: Record<GrpcCode, number> = {
  [GrpcCode.InvalidArgument]: 400,
  [GrpcCode.NotFound]: 404,
  [GrpcCode.AlreadyExists]: 409,
  [GrpcCode.PermissionDenied]: 403,
  [GrpcCode.ResourceExhausted]: 429,
  [GrpcCode.FailedPrecondition]: 400,
  [GrpcCode.Aborted]: 409,
  [GrpcCode.Unimplemented]: 501,
  [GrpcCode.Internal]: 500,
  [GrpcCode.Unavailable]: 503,
  [GrpcCode.Unauthenticated]: 401,
};
