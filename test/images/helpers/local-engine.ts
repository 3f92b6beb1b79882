import * as pulumi from '@pulumi/pulumi';
import * as debuggable from '@pulumi/pulumi/runtime/debuggable';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { loadSerializedProvider } from '../../helpers/pulumi-mocks';

/**
 * A stand-in for `pulumi up` without the CLI: Pulumi mocks whose `newResource` does
 * what the engine would for the resources the image pipeline uses. A
 * `command:local:Command` runs its `create` text with its interpreter and environment
 * (as the command provider does); a dynamic resource loads its serialized provider and
 * runs `configure`, `check` and `create` (as the dynamic provider host does);
 * components are recorded. A resource that fails is recorded and never completes, so
 * nothing that depends on it is created — as when the engine stops at a failed step.
 */
export interface EngineResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
  state?: Record<string, any>;
  error?: Error;
  /** stdout/stderr of a command. */
  output?: { stdout: string; stderr: string };
  /** When the engine started and finished creating it (performance.now() ms). */
  started?: number;
  finished?: number;
}

const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** Unwraps secret values the mocks hand over in their wire form. */
export function plain(value: any): any {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    if (value[SECRET_SIG] === '1b47061264138c4ac30d75fd1eb44270') return plain(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** Runs a command's `create` the way @pulumi/command 1.x does: interpreter + text, env merged. */
export function runCommand(
  inputs: Record<string, any>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const [program, ...args] = (inputs.interpreter as string[] | undefined) ?? ['/bin/sh', '-c'];
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args, inputs.create as string], {
      cwd: (inputs.dir as string | undefined) ?? process.cwd(),
      env: { ...env, ...(plain(inputs.environment) ?? {}) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export class LocalEngine {
  readonly resources: EngineResource[] = [];

  constructor(
    readonly project = 'ingot-images-test',
    readonly stack = 'dev',
    private readonly config: Record<string, string> = {},
  ) {}

  /** Installs the mocks; call before constructing the program's resources. */
  install(): this {
    pulumi.runtime.setMocks(
      {
        newResource: (args) => this.newResource(args.type, args.name, args.inputs, args.custom),
        call: (args) => args.inputs,
      },
      this.project,
      this.stack,
      false,
    );
    return this;
  }

  private async newResource(
    type: string,
    name: string,
    inputs: Record<string, any>,
    custom?: boolean,
  ): Promise<{ id: string; state: Record<string, any> }> {
    const resource: EngineResource = {
      type,
      name,
      inputs: plain(inputs),
      started: performance.now(),
    };
    this.resources.push(resource);
    try {
      let state: Record<string, any>;
      if (type === 'command:local:Command') {
        const result = await runCommand(resource.inputs);
        resource.output = { stdout: result.stdout, stderr: result.stderr };
        if (result.status !== 0)
          throw new Error(`command ${name} exited with ${result.status}:\n${result.stderr}`);
        state = { ...resource.inputs, stdout: result.stdout, stderr: result.stderr };
      } else if (type.startsWith('pulumi-nodejs:dynamic')) {
        const { __provider: text, ...rest } = resource.inputs;
        const provider = loadSerializedProvider(text as string) as Required<
          ReturnType<typeof loadSerializedProvider>
        >;
        await provider.configure({ config: { get: (k: string) => this.config[k] } as never });
        const checked = await provider.check({}, rest);
        if (checked.failures?.length)
          throw new Error(
            `${name}: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join('; ')}`,
          );
        state = { ...(await provider.create(checked.inputs)).outs };
      } else if (custom === false) {
        state = {};
      } else {
        throw new Error(`the local engine cannot create a ${type}`);
      }
      resource.finished = performance.now();
      resource.state = state;
      return { id: `${name}-id`, state };
    } catch (error) {
      resource.error = error as Error;
      return new Promise(() => undefined);
    }
  }

  /**
   * Resources after a failed one stay pending by design (as the engine stops there).
   * Pulumi lists pending promises at process exit as leaks; forget ours so that its
   * warning reports only real ones.
   */
  static forgetPending(): void {
    // @internal in the SDK (absent from its typings), exported at run time.
    (debuggable as unknown as { leakedPromises: () => unknown }).leakedPromises();
  }

  find(name: string): EngineResource | undefined {
    return this.resources.find((r) => r.name === name);
  }

  /** Waits until `name` is created (its state) or failed (throws its error). */
  async done(name: string, limit = 30_000): Promise<EngineResource> {
    for (let waited = 0; waited < limit; waited += 20) {
      const found = this.find(name);
      if (found?.error) throw found.error;
      if (found?.state) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`resource ${name} was neither created nor failed`);
  }

  /**
   * Waits until `name` is created, or until any resource failed (the engine stops at the
   * first failure, so `name` would never come): throws that resource's error.
   */
  async settled(name: string, limit = 30_000): Promise<EngineResource> {
    for (let waited = 0; waited < limit; waited += 50) {
      const failed = this.resources.find((r) => r.error);
      if (failed) throw new Error(`${failed.name}: ${failed.error!.message}`);
      const found = this.find(name);
      if (found?.state) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`resource ${name} was neither created nor failed`);
  }

  /** Waits until `name` failed, and returns its error. */
  async failure(name: string, limit = 30_000): Promise<Error> {
    for (let waited = 0; waited < limit; waited += 20) {
      const found = this.find(name);
      if (found?.error) return found.error;
      if (found?.state) throw new Error(`resource ${name} was created, not failed`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`resource ${name} neither failed nor was created`);
  }
}
