import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from '../../src/registry/storage/database';
import { AwsBackend } from '../../src/scaler/aws-backend';
import { GcpBackend } from '../../src/scaler/gcp-backend';
import { GithubApp } from '../../src/scaler/github-app';
import { ScalerMetrics } from '../../src/scaler/metrics';
import { Scaler, type ScalerLog } from '../../src/scaler/scaler';
import { parseScalerConfig, type ScalerConfig } from '../../src/scaler/scaler-config';
import { buildScalerServer } from '../../src/scaler/scaler-server';
import { ScalerStore } from '../../src/scaler/scaler-store';
import { FakeCompute, FakeGoogleIdentity, SimulatedAws } from './fake-clouds';
import { ACCOUNT, FakeEc2Identity } from './fake-ec2-identity';
import { FakeGithub } from './fake-github';

export const SMALL = ['self-hosted', 'ubuntu', 'x64', 'small', 'prod', 'us-west-2'];
export const LARGE = ['self-hosted', 'ubuntu', 'x64', 'large', 'prod', 'us-west-2'];
export const GCP_MEDIUM = ['self-hosted', 'ubuntu', 'x64', 'medium', 'prod', 'us-west2'];
export const MAC = ['self-hosted', 'macos', 'arm64', 'medium', 'prod', 'us-west-2'];
/** The macOS instances the harness's scaler serves (fixed hosts, not a group). */
export const MAC_INSTANCES = ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'];
export const PROJECT = 'acme-runners';
export const RUNNER_ACCOUNT = 'runner-prod-gcp-medium@acme-runners.iam.gserviceaccount.com';

export interface HarnessOptions {
  max?: { small?: number; large?: number; medium?: number };
  idle?: number;
  timeouts?: { boot?: number; idle?: number };
  /** A database URL; default a fresh SQLite file. */
  database?: string;
}

export const quietLog: ScalerLog & { lines: { level: string; fields: object; message: string }[] } =
  {
    lines: [],
    info(fields, message) {
      this.lines.push({ level: 'info', fields, message });
    },
    warn(fields, message) {
      this.lines.push({ level: 'warn', fields, message });
    },
    error(fields, message) {
      this.lines.push({ level: 'error', fields, message });
    },
  };

/**
 * A whole scaler as deployed — its HTTP server, the GitHub App client, SQLite state,
 * the AWS backend over the SDK (Auto Scaling and SSM simulated with
 * aws-sdk-client-mock) and the GCP backend over a fake compute client — against a fake
 * GitHub that signs webhooks and serves tokens and JIT configs.
 */
export class ScalerHarness {
  readonly github = new FakeGithub();
  readonly aws = new SimulatedAws();
  readonly compute = new FakeCompute();
  readonly identity = new FakeGoogleIdentity();
  readonly ec2Identity = new FakeEc2Identity();
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-scaler-'));
  config!: ScalerConfig;
  scaler!: Scaler;
  metrics!: ScalerMetrics;
  server!: FastifyInstance;
  db!: Database;
  url = '';
  now = new Date();

  constructor(private readonly options: HarnessOptions = {}) {}

  async start(): Promise<this> {
    await this.github.start();
    const max = { small: 10, large: 10, medium: 10, ...this.options.max };
    this.config = parseScalerConfig({
      github: { organization: this.github.organization, apiUrl: this.github.url },
      targets: [
        {
          pool: 'ubuntu-small',
          cloud: 'aws',
          region: 'us-west-2',
          group: 'asg-small',
          labels: SMALL,
          namePrefix: 'prod-ubuntu-small',
          max: max.small,
          idle: this.options.idle ?? 0,
        },
        {
          pool: 'ubuntu-large',
          cloud: 'aws',
          region: 'us-west-2',
          group: 'asg-large',
          labels: LARGE,
          namePrefix: 'prod-ubuntu-large',
          max: max.large,
        },
        {
          pool: 'gcp-medium',
          cloud: 'gcp',
          region: 'us-west2',
          group: 'mig-medium',
          project: PROJECT,
          serviceAccount: RUNNER_ACCOUNT,
          labels: GCP_MEDIUM,
          namePrefix: 'prod-gcp-medium',
          max: max.medium,
        },
      ],
      hosts: [
        {
          pool: 'macos-medium',
          region: 'us-west-2',
          account: ACCOUNT,
          instances: MAC_INSTANCES,
          labels: MAC,
          namePrefix: 'prod-macos-medium',
        },
      ],
      timeouts: { boot: 600, idle: 300, ...this.options.timeouts },
      ssmPrefix: '/ingot/prod/jit',
      audience: 'https://scaler.example.com',
    });
    this.aws.addGroup('asg-small', 0, max.small);
    this.aws.addGroup('asg-large', 0, max.large);
    this.compute.addGroup(PROJECT, 'us-west2', 'mig-medium');
    await this.open();
    return this;
  }

  private async open(): Promise<void> {
    this.db = await openDatabase(this.options.database ?? path.join(this.dir, 'scaler.db'));
    const store = new ScalerStore(this.db);
    await store.migrate();
    this.metrics = new ScalerMetrics();
    const secrets = this.github.secrets();
    this.scaler = new Scaler({
      config: this.config,
      installationId: secrets.installationId,
      store,
      github: new GithubApp(this.config.github, secrets, this.metrics, {
        attempts: 4,
        baseDelayMs: 5,
        maxDelayMs: 50,
      }),
      backends: {
        aws: new AwsBackend({
          ssmPrefix: this.config.ssmPrefix,
          lifecycleHook: this.config.lifecycleHook,
        }),
        gcp: new GcpBackend(this.compute, {
          audience: this.config.audience as string,
          certs: this.identity.certs,
        }),
      },
      metrics: this.metrics,
      log: quietLog,
      clock: () => this.now,
      identityCertificates: this.ec2Identity.certificates,
    });
    this.server = buildScalerServer({
      scaler: this.scaler,
      metrics: this.metrics,
      webhookSecret: secrets.webhookSecret,
      healthy: async () => void (await this.db.reader.query('SELECT 1')),
      logLevel: 'silent',
    });
    this.url = await this.server.listen({ host: '127.0.0.1', port: 0 });
  }

  /** Stops the scaler process (mid-pass work is abandoned) and starts a new one on the same state. */
  async restart(): Promise<void> {
    await this.server.close();
    await this.db.close();
    await this.open();
  }

  async stop(): Promise<void> {
    await this.scaler.settle();
    await this.server.close();
    await this.db.close();
    await this.github.stop();
    this.aws.restore();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  /** Runs the periodic pass over every target and waits for it. */
  async tick(): Promise<void> {
    this.scaler.triggerAll();
    await this.scaler.settle();
  }

  /** An AWS instance boots: reads its own parameter (then deletes it) and starts its runner with it. */
  bootAws(instanceId: string) {
    const config = this.aws.readParameterAs(instanceId, `/ingot/prod/jit/${instanceId}`);
    return this.github.useJitConfig(config);
  }

  gcpToken(vmId: string, overrides: Partial<{ email: string; audience: string }> = {}) {
    const vm = this.compute.groups
      .get(`${PROJECT}/us-west2/mig-medium`)!
      .vms.find((v) => v.id === vmId)!;
    return this.identity.token({
      audience: overrides.audience ?? 'https://scaler.example.com',
      email: overrides.email ?? RUNNER_ACCOUNT,
      project: PROJECT,
      zone: vm.zone,
      instanceId: vm.id,
      instanceName: vm.name,
    });
  }

  async fetchJit(token: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}/jit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: await res.json() };
  }

  /** A macOS instance asks for its next runner's configuration (`POST /jit/aws`). */
  async fetchHostJit(body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}/jit/aws`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  /** A GCP VM boots and fetches its configuration with its identity token. */
  async bootGcp(vmId: string) {
    this.compute.boot(PROJECT, 'us-west2', 'mig-medium', vmId);
    const { status, body } = await this.fetchJit(this.gcpToken(vmId));
    if (status !== 200) throw new Error(`/jit answered ${status}: ${JSON.stringify(body)}`);
    return this.github.useJitConfig(body.encoded_jit_config);
  }

  asg(name: string) {
    return this.aws.groups.get(name)!;
  }

  mig() {
    return this.compute.groups.get(`${PROJECT}/us-west2/mig-medium`)!;
  }

  async queue(id: number, labels: string[]) {
    return this.github.sendWorkflowJob(this.url, 'queued', { id, labels });
  }
}
