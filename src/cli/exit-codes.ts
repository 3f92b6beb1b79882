/**
 * Exit codes scripts can rely on (documented in docs/cli.md): 0 success, 1 failure,
 * and these, for outcomes a scheduled job must tell apart from a failure.
 */
export const EXIT = {
  /** `channels promote --soak`: nothing has soaked long enough yet; nothing changed. */
  notDue: 3,
  /** `drift`: a stack still runs a revoked version. */
  driftFound: 4,
} as const;

/** A failure with its own exit code. */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}
