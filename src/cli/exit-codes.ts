/**
 * The exit codes of `ingot`: the one table `ingot --help` prints and docs/cli.md shows
 * (test/cli/exit-codes.test.ts holds the two together).
 */
export const EXIT = {
  /** Done (a dry run included). */
  ok: 0,
  /** Failed: the registry refused, a guard stopped it, or the answer was no; stderr says why. */
  failure: 1,
  /** Usage: unknown command or flag, missing argument, invalid flag value; nothing was done. */
  usage: 2,
  /** `channels promote --soak`: nothing has soaked long enough yet; nothing changed. */
  notDue: 3,
  /** `drift`: a stack still runs a revoked version. */
  driftFound: 4,
  /** `channels promote`: the target channel is held (who and why on stderr); nothing changed. */
  held: 5,
} as const;

/** Each code with what it means, in order, for help text and docs. */
export const EXIT_CODE_TABLE: [number, string][] = [
  [EXIT.ok, 'done (a dry run included)'],
  [
    EXIT.failure,
    'failed: the registry refused, a guard stopped it, or the confirmation was declined; stderr says why',
  ],
  [EXIT.usage, 'usage: unknown command or flag, missing argument, invalid flag value'],
  [EXIT.notDue, '`channels promote --soak`: nothing has soaked long enough yet; nothing changed'],
  [EXIT.driftFound, '`drift`: a stack still runs a revoked version'],
  [
    EXIT.held,
    '`channels promote`: the target channel is held (who and why on stderr); nothing changed',
  ],
];

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
