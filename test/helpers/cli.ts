import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Credentials, TestRegistry } from './registry-harness';

/**
 * Runs the `ingot` CLI as a real process (`node -r ts-node/register src/cli/main.ts`).
 * Asynchronous on purpose: the test registry runs in the test's own process, so a
 * blocking spawn would leave it unable to answer.
 */
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'src/cli/main.ts');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI process: nothing of the caller's registry settings leaks in. */
export function cliEnv(
  registry: TestRegistry | null,
  creds: Credentials | undefined = registry?.admin,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(INGOT_|HCP_)/.test(key)) env[key] = value;
  }
  env.TS_NODE_TRANSPILE_ONLY = 'true';
  if (registry && creds) {
    env.INGOT_REGISTRY_URL = registry.url;
    env.HCP_CLIENT_ID = creds.clientId;
    env.HCP_CLIENT_SECRET = creds.clientSecret;
    env.HCP_ORGANIZATION_ID = 'org-1';
    env.HCP_PROJECT_ID = 'proj-1';
  }
  return env;
}

export function ingot(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register', CLI, ...args], {
      cwd: ROOT,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs a command that must succeed and returns its parsed `--json` output. */
export async function ingotJson<T = any>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const result = await ingot([...args, '--json'], env);
  assert.equal(result.status, 0, `ingot ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Runs a command that must succeed and returns its stdout. */
export async function ingotOk(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const result = await ingot(args, env);
  assert.equal(result.status, 0, `ingot ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** The rows of a table as arrays of cells (split on runs of two or more spaces). */
export function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}
