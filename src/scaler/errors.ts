/**
 * Typed scaler errors with stable codes; `httpStatus` is the one place that maps them to
 * HTTP statuses. 5xx bodies stay generic (details go to the log).
 */
export type ScalerErrorCode =
  | 'BAD_SIGNATURE'
  | 'BAD_REQUEST'
  | 'UNKNOWN_INSTALLATION'
  | 'UNAUTHENTICATED_INSTANCE'
  | 'UNKNOWN_INSTANCE'
  | 'CONFIG_ALREADY_ISSUED'
  | 'GITHUB_UNAVAILABLE'
  | 'CLOUD_UNAVAILABLE';

export class ScalerError extends Error {
  constructor(
    readonly code: ScalerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScalerError';
  }
}

const STATUS: Record<ScalerErrorCode, number> = {
  BAD_SIGNATURE: 401,
  BAD_REQUEST: 400,
  UNKNOWN_INSTALLATION: 403,
  UNAUTHENTICATED_INSTANCE: 401,
  UNKNOWN_INSTANCE: 403,
  CONFIG_ALREADY_ISSUED: 409,
  GITHUB_UNAVAILABLE: 503,
  CLOUD_UNAVAILABLE: 503,
};

/** The HTTP status of any error: a `ScalerError`'s own, else 500. */
export function httpStatus(error: unknown): number {
  return error instanceof ScalerError ? STATUS[error.code] : 500;
}

/** The response body of an error: its code and message, or a generic one for 5xx. */
export function errorBody(error: unknown): { code: string; message: string } {
  const status = httpStatus(error);
  if (status >= 500 || !(error instanceof ScalerError))
    return { code: 'INTERNAL', message: 'the scaler could not handle this request; see its log.' };
  return { code: error.code, message: error.message };
}
