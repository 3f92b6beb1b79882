import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AnalyzerClient } from '@pulumi/pulumi/proto/analyzer_grpc_pb';
import * as proto from '@pulumi/pulumi/proto/analyzer_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';

/**
 * The engine's side of a policy pack, for tests: starts the pack as the Pulumi CLI does
 * (`pulumi-analyzer-policy` runs @pulumi/pulumi's `run-policy-pack` in the pack's
 * directory with the engine address and `.`), reads the port it prints and speaks the
 * Analyzer gRPC protocol to it.
 */
const RUN_POLICY_PACK = require.resolve('@pulumi/pulumi/cmd/run-policy-pack');
const LEVELS = ['advisory', 'mandatory', 'disabled', 'remediate'] as const;

export interface Diagnostic {
  policy: string;
  level: (typeof LEVELS)[number];
  message: string;
}

export interface ResourceToAnalyze {
  type: string;
  name: string;
  props: Record<string, unknown>;
  provider?: { type: string; props: Record<string, unknown> };
}

export class PolicyPackProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: AnalyzerClient,
    readonly stderr: () => string,
  ) {}

  /** Starts the pack in `dir` with `env` (the environment `pulumi` would pass on). */
  static async start(dir: string, env: NodeJS.ProcessEnv): Promise<PolicyPackProcess> {
    const child = spawn(process.execPath, [RUN_POLICY_PACK, '127.0.0.1:1', '.'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk) => {
        stdout += chunk;
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', (code) =>
        reject(
          new Error(
            `the policy pack in ${dir} exited (${code}) before serving:\n${stderr}${stdout}`,
          ),
        ),
      );
    });
    const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new PolicyPackProcess(child, client, () => stderr);
  }

  async stop(): Promise<void> {
    this.client.close();
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill();
    await exited;
  }

  info(): Promise<proto.AnalyzerInfo> {
    return new Promise((resolve, reject) =>
      this.client.getAnalyzerInfo(new Empty(), (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  /** Sends a policy pack config, as `--policy-pack-config` does. */
  configure(
    config: Record<string, { enforcementLevel?: (typeof LEVELS)[number]; [key: string]: unknown }>,
  ): Promise<void> {
    const request = new proto.ConfigureAnalyzerRequest();
    for (const [policy, { enforcementLevel, ...properties }] of Object.entries(config)) {
      const entry = new proto.PolicyConfig();
      entry.setEnforcementlevel(
        LEVELS.indexOf(enforcementLevel ?? 'advisory') as proto.EnforcementLevel,
      );
      entry.setProperties(Struct.fromJavaScript(properties as never));
      request.getPolicyconfigMap().set(policy, entry);
    }
    return new Promise((resolve, reject) =>
      this.client.configure(request, (error) => (error ? reject(error) : resolve())),
    );
  }

  analyze(resource: ResourceToAnalyze): Promise<Diagnostic[]> {
    const request = new proto.AnalyzeRequest();
    request.setType(resource.type);
    request.setName(resource.name);
    request.setUrn(`urn:pulumi:dev::fleet::${resource.type}::${resource.name}`);
    request.setProperties(Struct.fromJavaScript(resource.props as never));
    request.setOptions(new proto.AnalyzerResourceOptions());
    if (resource.provider) {
      const provider = new proto.AnalyzerProviderResource();
      provider.setType(resource.provider.type);
      provider.setName('default');
      provider.setUrn(`urn:pulumi:dev::fleet::${resource.provider.type}::default`);
      provider.setProperties(Struct.fromJavaScript(resource.provider.props as never));
      request.setProvider(provider);
    }
    return new Promise((resolve, reject) =>
      this.client.analyze(request, (error, response) =>
        error
          ? reject(error)
          : resolve(
              response.getDiagnosticsList().map((d) => ({
                policy: d.getPolicyname(),
                level: LEVELS[d.getEnforcementlevel()],
                message: d.getMessage(),
              })),
            ),
      ),
    );
  }
}

/** The environment of the pack: the test's, without ts-node settings meant for mocha. */
export function packEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('TS_NODE_')),
  );
  return { ...env, ...overrides };
}

export const SOURCE_PACK = path.resolve(__dirname, '..', '..', 'src', 'policy');
