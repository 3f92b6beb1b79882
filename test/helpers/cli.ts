import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runIngot } from './cli-in-process';
import type { Credentials, TestRegistry } from './registry-harness';
import { testTokenCache } from './token-cache-dir';

/**
 * Runs the `ingot` CLI, in the test's process or as a real one.
 * Asynchronous on purpose: the test registry runs in the test's own process, so a
 * blocking spawn would leave it unable to answer.
 */
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'src/cli/main.ts');

/**
 * Node arguments that run a TypeScript entry point from source, as the suite itself runs
 * (the type check is `npm test`'s tsc run). About 2 s of CPU per process, mostly loading
 * the TypeScript compiler: spawn only where the process itself is under test.
 */
export const TS_RUN = ['--require', 'ts-node/register/transpile-only'];

/** `node …` arguments that start the CLI from source. */
export const CLI_ARGS = [...TS_RUN, CLI];

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a CLI process: nothing of the caller's registry settings leaks in,
 * and tokens are cached as a user's are, in a directory of the test run.
 */
export function cliEnv(
  registry: TestRegistry | null,
  creds: Credentials | undefined = registry?.admin,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(INGOT_|HCP_)/.test(key)) env[key] = value;
  }
  env.TS_NODE_TRANSPILE_ONLY = 'true';
  env.INGOT_TOKEN_CACHE = testTokenCache();
  if (registry && creds) {
    env.INGOT_REGISTRY_URL = registry.url;
    env.HCP_CLIENT_ID = creds.clientId;
    env.HCP_CLIENT_SECRET = creds.clientSecret;
    env.HCP_ORGANIZATION_ID = 'org-1';
    env.HCP_PROJECT_ID = 'proj-1';
  }
  return env;
}

/** Runs `ingot <args>` and resolves with its exit status and output. */
export type CliRunner = (args: string[], env: NodeJS.ProcessEnv) => Promise<CliResult>;

/** `ingot` as a real process: start-up, exit status and streams as a user sees them. */
export const spawnIngot: CliRunner = (args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });

/** The helpers every CLI suite uses, over one way of running the CLI. */
export function cliRunners(run: CliRunner) {
  /** Runs a command that must succeed and returns its parsed `--json` output. */
  async function ingotJson<T = any>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
    const result = await run([...args, '--json'], env);
    assert.equal(result.status, 0, `ingot ${args.join(' ')} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }
  /** Runs a command that must succeed and returns its stdout. */
  async function ingotOk(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const result = await run(args, env);
    assert.equal(result.status, 0, `ingot ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }
  return { ingot: run, ingotJson, ingotOk };
}

/**
 * The command suites run the CLI in-process through bin/ingot.js's own entry point
 * (`runCli`, with its own streams and environment): each command is the same run
 * without a node start-up of about 2 s of CPU under ts-node. The process-level
 * behaviour is covered by the suites that use `processCli`.
 */
export const { ingot, ingotJson, ingotOk } = cliRunners((args, env) => runIngot(args, { env }));

/** The same helpers, each command a real `ingot` process. */
export const processCli = cliRunners(spawnIngot);

/** The rows of a table as arrays of cells (split on runs of two or more spaces). */
export function rows(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}
