import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, type RunningRegistry } from '../../src/registry/serve';
import { ensurePackageBuilt } from '../helpers/installed-package';
import { ROOT, type CommandBlock } from './doc-blocks';

/**
 * Runs documentation blocks the way a reader does after docs/getting-started.md: a
 * registry started in the current directory (as `npm start` does: SQLite in
 * .ingot/registry.db, admin credentials in .ingot/admin-credentials.json),
 * `INGOT_CREDENTIALS_FILE` pointing at them, and `ingot` on the PATH (a shim to
 * `node bin/ingot.js`, 0.3 s per call where the TypeScript entry costs 4 s).
 */

export interface SessionResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh directory with a registry serving from it, as after `npm start`. */
export class DocsWorkspace {
  private constructor(
    readonly dir: string,
    readonly running: RunningRegistry,
  ) {}

  static async start(): Promise<DocsWorkspace> {
    // bin/ingot.js runs dist/: never a stale one (`npm ci` has built it already in CI).
    ensurePackageBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-docs-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'home'));
    const shim = path.join(dir, 'bin', 'ingot');
    fs.writeFileSync(
      shim,
      `#!/bin/sh\nexec '${process.execPath}' '${path.join(ROOT, 'bin/ingot.js')}' "$@"\n`,
      { mode: 0o755 },
    );
    const running = await startRegistry(
      {
        host: '127.0.0.1',
        port: 0,
        databaseUrl: path.join(dir, '.ingot/registry.db'),
        credentialsFile: path.join(dir, '.ingot/admin-credentials.json'),
        logLevel: 'silent',
      },
      { logger: false },
    );
    return new DocsWorkspace(dir, running);
  }

  get credentialsFile(): string {
    return path.join(this.dir, '.ingot/admin-credentials.json');
  }

  /** The reader's environment: nothing of the caller's registry settings leaks in. */
  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (!/^(INGOT_|HCP_|TS_NODE_|npm_)/.test(key)) env[key] = value;
    }
    env.PATH = `${path.join(this.dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    env.HOME = path.join(this.dir, 'home');
    env.INGOT_CREDENTIALS_FILE = this.credentialsFile;
    return env;
  }

  /**
   * Runs the blocks in order in one bash session (`set -eo pipefail`): the first failing
   * command stops it, and stderr names the block it was in. Background jobs a block
   * starts are stopped with the session.
   */
  run(blocks: CommandBlock[], timeoutMs = 120_000): Promise<SessionResult> {
    const script = [
      'set -eo pipefail',
      `trap 'status=$?; [ "$status" -eq 0 ] || echo "docs block $__docs_block failed (exit $status)" >&2' EXIT`,
      ...blocks.flatMap((b) => [`__docs_block='${b.file}:${b.line}'`, b.script]),
    ].join('\n');
    const file = path.join(this.dir, 'session.sh');
    fs.writeFileSync(file, `${script}\n`);
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['--noprofile', '--norc', file], {
        cwd: this.dir,
        env: this.env(),
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        stderr += `\nstopped after ${timeoutMs} ms (a block that never ends?)`;
        stopGroup(child.pid);
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        stopGroup(child.pid);
        resolve({ status, stdout, stderr });
      });
    });
  }

  async close(): Promise<void> {
    await this.running.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function stopGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** `bash -n` of a block's script: its syntax error, or null. */
export function syntaxError(block: CommandBlock): string | null {
  try {
    execFileSync('bash', ['-n'], { input: block.script, stdio: ['pipe', 'ignore', 'pipe'] });
    return null;
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error).trim();
  }
}
