import { createAppAuth } from '@octokit/auth-app';
import { request as baseRequest } from '@octokit/request';
import { RequestError } from '@octokit/request-error';
import { ScalerError } from './errors';
import type { ScalerMetrics } from './metrics';
import type { ScalerGithub, ScalerSecrets } from './scaler-config';

/** A self-hosted runner as GitHub's REST API returns it (`GET /orgs/{org}/actions/runners/{id}`). */
export interface GithubRunner {
  id: number;
  name: string;
  status: 'online' | 'offline';
  busy: boolean;
}

/** What the scaler asks of GitHub; `GithubApp` implements it over REST. */
export interface RunnerRegistry {
  /** A single-use JIT configuration for one runner (`generate-jitconfig`). */
  generateJitConfig(input: {
    name: string;
    labels: string[];
  }): Promise<{ runner: GithubRunner; encodedJitConfig: string }>;
  /** The runner, or `null` once GitHub removed it (an ephemeral runner after its job). */
  getRunner(id: number): Promise<GithubRunner | null>;
  /** Removes a runner; `false` when GitHub refuses because it is running a job. */
  deleteRunner(id: number): Promise<boolean>;
}

export interface RetryPolicy {
  attempts: number;
  /** First delay in ms; doubles each attempt, plus jitter; `retry-after` wins. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

const HEADERS = { 'x-github-api-version': '2022-11-28' };

/**
 * The GitHub App's view of the organization's runners. Installation tokens come from
 * `@octokit/auth-app` (a JWT signed with the App key, exchanged at
 * `POST /app/installations/{id}/access_tokens` and cached until shortly before they
 * expire); only this process holds the key. Rate limits (429, or 403 with
 * `x-ratelimit-remaining: 0`), 5xx and connection errors are retried with exponential
 * backoff, honouring `retry-after` and `x-ratelimit-reset`, and counted in the metrics.
 */
export class GithubApp implements RunnerRegistry {
  private readonly request: typeof baseRequest;
  private groupId: number | undefined;

  constructor(
    private readonly github: ScalerGithub,
    secrets: ScalerSecrets,
    private readonly metrics: ScalerMetrics,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    const request = baseRequest.defaults({ baseUrl: github.apiUrl, headers: HEADERS });
    const auth = createAppAuth({
      appId: secrets.appId,
      privateKey: secrets.privateKey,
      installationId: secrets.installationId,
      request,
    });
    this.request = request.defaults({ request: { hook: auth.hook } });
  }

  async generateJitConfig(input: { name: string; labels: string[] }) {
    const runner_group_id = await this.runnerGroupId();
    const route = 'POST /orgs/{org}/actions/runners/generate-jitconfig';
    const body = { org: this.github.organization, name: input.name, labels: input.labels };
    let response;
    try {
      response = await this.call(route, { ...body, runner_group_id, work_folder: '_work' });
    } catch (error) {
      // A runner of that name exists: a config minted before a crash, never delivered.
      // Remove it (it cannot be running a job: its config never reached an instance).
      if (!(error instanceof RequestError) || error.status !== 409) throw error;
      const existing = await this.findRunner(input.name);
      if (existing) await this.deleteRunner(existing.id);
      response = await this.call(route, { ...body, runner_group_id, work_folder: '_work' });
    }
    const data = response.data as { runner: GithubRunner; encoded_jit_config: string };
    return { runner: data.runner, encodedJitConfig: data.encoded_jit_config };
  }

  async getRunner(id: number): Promise<GithubRunner | null> {
    try {
      const response = await this.call('GET /orgs/{org}/actions/runners/{runner_id}', {
        org: this.github.organization,
        runner_id: id,
      });
      return response.data as GithubRunner;
    } catch (error) {
      if (error instanceof RequestError && error.status === 404) return null;
      throw error;
    }
  }

  async deleteRunner(id: number): Promise<boolean> {
    try {
      await this.call('DELETE /orgs/{org}/actions/runners/{runner_id}', {
        org: this.github.organization,
        runner_id: id,
      });
      return true;
    } catch (error) {
      if (error instanceof RequestError && error.status === 404) return true;
      // GitHub answers 422 "Runner … is still running a job" for a busy runner.
      if (error instanceof RequestError && error.status === 422) return false;
      throw error;
    }
  }

  private async findRunner(name: string): Promise<GithubRunner | undefined> {
    const response = await this.call('GET /orgs/{org}/actions/runners', {
      org: this.github.organization,
      name,
      per_page: 100,
    });
    return (response.data as { runners: GithubRunner[] }).runners.find((r) => r.name === name);
  }

  /** The id of the configured runner group (generate-jitconfig requires one), looked up once. */
  private async runnerGroupId(): Promise<number> {
    if (this.groupId !== undefined) return this.groupId;
    for (let page = 1; ; page++) {
      const response = await this.call('GET /orgs/{org}/actions/runner-groups', {
        org: this.github.organization,
        per_page: 100,
        page,
      });
      const groups = (response.data as { runner_groups: { id: number; name: string }[] })
        .runner_groups;
      const group = groups.find((g) => g.name === this.github.runnerGroup);
      if (group) return (this.groupId = group.id);
      if (groups.length < 100)
        throw new ScalerError(
          'BAD_REQUEST',
          `runner group "${this.github.runnerGroup}" does not exist in ${this.github.organization}; create it or set github.runnerGroup.`,
        );
    }
  }

  private async call(route: string, params: Record<string, unknown>) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.request(route, params);
      } catch (error) {
        const delay = this.retryDelay(error, attempt);
        const status = error instanceof RequestError ? String(error.status) : 'network';
        if (delay === undefined) {
          this.metrics.githubErrors.inc({ status });
          if (error instanceof RequestError && error.status === 401)
            throw new ScalerError(
              'UNKNOWN_INSTALLATION',
              `GitHub refused the App's credentials (${error.message}); check app_id, installation_id and private_key.`,
            );
          throw error;
        }
        this.metrics.githubRetries.inc({ status });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Milliseconds to wait before retrying, or `undefined` when the error is final. */
  private retryDelay(error: unknown, attempt: number): number | undefined {
    if (attempt >= this.retry.attempts) return undefined;
    const backoff = Math.min(
      this.retry.maxDelayMs,
      this.retry.baseDelayMs * 2 ** (attempt - 1) * (1 + Math.random() / 2),
    );
    if (!(error instanceof RequestError)) return backoff;
    const headers = (error.response?.headers ?? {}) as Record<string, string | undefined>;
    const limited =
      error.status === 429 || (error.status === 403 && headers['x-ratelimit-remaining'] === '0');
    if (!limited && error.status < 500) return undefined;
    if (headers['retry-after'])
      return Math.min(this.retry.maxDelayMs, Number(headers['retry-after']) * 1000);
    if (limited && headers['x-ratelimit-reset'])
      return Math.min(
        this.retry.maxDelayMs,
        Math.max(0, Number(headers['x-ratelimit-reset']) * 1000 - Date.now()),
      );
    return backoff;
  }
}
