import { AsyncLocalStorage } from 'node:async_hooks';
import readline from 'node:readline';

/** Where a CLI run reads and writes: the process, or a test's buffers. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const PROCESS_IO: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
};

const current = new AsyncLocalStorage<CliIo>();

/** The io of the run in progress (the process outside of `withIo`). */
export function io(): CliIo {
  return current.getStore() ?? PROCESS_IO;
}

/** Runs `fn` with `target` as the io every command of it uses. */
export function withIo<T>(target: CliIo, fn: () => Promise<T>): Promise<T> {
  return current.run(target, fn);
}

/** Whether a person is at the keyboard: both stdin and stderr are terminals. */
export function interactive(): boolean {
  const { stdin, stderr } = io();
  return Boolean(stdin.isTTY && stderr.isTTY);
}

/** Asks a yes/no question on stderr and reads the answer from stdin (default: no). */
export async function confirm(question: string): Promise<boolean> {
  const { stdin, stderr } = io();
  const rl = readline.createInterface({ input: stdin, terminal: false });
  stderr.write(`${question} [y/N] `);
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
