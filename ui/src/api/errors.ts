/** A failed registry call, with the message the registry gave (it says what to do). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message of an error body: the API's `{code, message}` or OAuth2's `{error_description}`. */
export function errorMessage(status: number, body: unknown): string {
  const fields = (body ?? {}) as { message?: unknown; error_description?: unknown };
  if (typeof fields.message === 'string' && fields.message) return fields.message;
  if (typeof fields.error_description === 'string' && fields.error_description)
    return fields.error_description;
  return `the registry answered HTTP ${status} without an explanation.`;
}

/** Sends a request; a network failure becomes an ApiError that says so. */
export async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    // No cookies or HTTP auth: the bearer token is the only credential, and a token
    // endpoint's 401 (`WWW-Authenticate: Basic`) must not pop up the browser's login prompt.
    return await fetch(url, { ...init, credentials: 'omit' });
  } catch (error) {
    throw new ApiError(
      `could not reach the registry (${(error as Error).message}); check that it is running.`,
      0,
    );
  }
}

/** The parsed JSON of a response, or an ApiError carrying the registry's message. */
export async function jsonOf<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): reported by status below.
  }
  if (!response.ok) throw new ApiError(errorMessage(response.status, body), response.status);
  return body as T;
}
