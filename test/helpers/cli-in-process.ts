import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/program';
import type { CliResult } from './cli';

export interface InProcessOptions {
  /** Environment of the run (see cliEnv). */
  env: NodeJS.ProcessEnv;
  /** What a person types, line by line. */
  stdin?: string;
  /** Run as if stdin and stderr were a terminal. */
  tty?: boolean;
}

/**
 * Runs `ingot <args>` inside the test process through the same entry point as
 * bin/ingot.js (`runCli`), with its own stdout, stderr, stdin and environment: a real
 * run without a node start-up per command (about 2 s of CPU each under ts-node).
 */
export async function runIngot(args: string[], options: InProcessOptions): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(Readable.from(options.stdin === undefined ? [] : [options.stdin]), {
    isTTY: Boolean(options.tty),
  });
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: Boolean(options.tty) },
    stdin,
    env: options.env,
  };
  const status = await runCli(args, io);
  return { status, stdout, stderr };
}
