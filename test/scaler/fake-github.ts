import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake GitHub for the scaler's tests, speaking GitHub's wire formats:
 * - `POST /app/installations/{id}/access_tokens` checks the App's RS256 JWT (iss = App
 *   id, iat/exp) against the App's public key and answers 201
 *   `{token, expires_at, permissions, repository_selection}` (docs.github.com, "Create an
 *   installation access token for an app"); unknown installations get 404.
 * - `GET /orgs/{org}/actions/runner-groups`, `POST …/runners/generate-jitconfig` (201
 *   `{runner, encoded_jit_config}`, 422 without `runner_group_id`, 409 for a taken
 *   name), `GET …/runners`, `GET|DELETE …/runners/{id}` (DELETE of a busy runner: 422),
 *   all requiring an installation token (docs.github.com/rest/actions/self-hosted-runners).
 * - `encoded_jit_config` is what actions/runner's `run.sh --jitconfig` decodes
 *   (src/Runner.Listener/Runner.cs): base64 of a JSON map from file name (`.runner`,
 *   `.credentials`, `.credentials_rsaparams`) to base64 file content.
 * - `sendWorkflowJob` delivers `workflow_job` webhooks as GitHub does: the payload shape
 *   of GitHub's webhook docs and octokit/webhooks'
 *   payload-examples/api.github.com/workflow_job/queued.payload.json, headers
 *   `X-GitHub-Event`, `X-GitHub-Delivery`, `X-GitHub-Hook-ID`,
 *   `X-GitHub-Hook-Installation-Target-*`, and `X-Hub-Signature-256: sha256=<HMAC-SHA256
 *   of the body with the webhook secret>` ("Validating webhook deliveries").
 */
export interface FakeRunner {
  id: number;
  name: string;
  os: string;
  status: 'online' | 'offline';
  busy: boolean;
  labels: { id: number; name: string; type: 'read-only' | 'custom' }[];
  runner_group_id: number;
  /** The decoded JIT config handed out for it. */
  jit: Record<string, string>;
}

/** One App key per test process: RSA key generation costs a noticeable fraction of a second. */
let appKeys: crypto.KeyPairKeyObjectResult | undefined;

export class FakeGithub {
  readonly appId = '123456';
  readonly installationId = '7890123';
  readonly organization = 'acme';
  readonly webhookSecret = 'whsec-test-secret';
  readonly privateKey: string;
  private readonly publicKey: crypto.KeyObject;
  readonly runners = new Map<number, FakeRunner>();
  readonly tokens = new Map<string, number>();
  readonly requests: { method: string; path: string; body: any }[] = [];
  /** Statuses (with headers) to answer the next requests matching a path fragment with. */
  private readonly failures: { match: string; status: number; headers: Record<string, string> }[] =
    [];
  private nextRunnerId = 1000;
  private server?: http.Server;
  url = '';

  constructor() {
    const pair = (appKeys ??= crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }));
    this.privateKey = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    this.publicKey = pair.publicKey;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => this.route(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  secrets() {
    return {
      appId: this.appId,
      installationId: this.installationId,
      privateKey: this.privateKey,
      webhookSecret: this.webhookSecret,
    };
  }

  failNext(match: string, status: number, times = 1, headers: Record<string, string> = {}): void {
    for (let i = 0; i < times; i++) this.failures.push({ match, status, headers });
  }

  runnerByName(name: string): FakeRunner | undefined {
    return [...this.runners.values()].find((r) => r.name === name);
  }

  /** What `run.sh --jitconfig` does first: decode the config, then connect (runner online). */
  useJitConfig(encoded: string): FakeRunner {
    const files = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<
      string,
      string
    >;
    const settings = JSON.parse(Buffer.from(files['.runner'], 'base64').toString('utf8'));
    const runner = this.runners.get(settings.agentId);
    if (!runner)
      throw new Error(
        `the JIT config names runner ${settings.agentId}, which GitHub does not know`,
      );
    if (runner.status === 'online') throw new Error(`JIT config of ${runner.name} used twice`);
    runner.status = 'online';
    return runner;
  }

  /** A runner takes a job; an ephemeral (JIT) runner is removed by GitHub when it ends. */
  startJob(runner: FakeRunner): void {
    runner.busy = true;
  }

  finishJob(runner: FakeRunner): void {
    this.runners.delete(runner.id);
  }

  // ---- webhooks ----

  payload(
    action: string,
    job: { id: number; labels: string[]; runnerName?: string | null },
    extra: Record<string, unknown> = {},
  ) {
    const status =
      action === 'completed' ? 'completed' : action === 'in_progress' ? 'in_progress' : 'queued';
    return {
      action,
      workflow_job: {
        id: job.id,
        run_id: 2202229078,
        run_url: `https://api.github.com/repos/${this.organization}/app/actions/runs/2202229078`,
        run_attempt: 1,
        node_id: 'MDExOldvcmtmbG93UnVuMjg5NzgyNDUx',
        head_sha: '3484a3fb816e0859fd6e1cea078d76385ff50625',
        url: `https://api.github.com/repos/${this.organization}/app/actions/jobs/${job.id}`,
        html_url: `https://github.com/${this.organization}/app/runs/${job.id}`,
        status,
        conclusion: action === 'completed' ? (extra.conclusion ?? 'success') : null,
        started_at: '2021-09-13T02:21:13Z',
        completed_at: action === 'completed' ? '2021-09-13T02:25:13Z' : null,
        name: 'build',
        steps: [],
        check_run_url: `https://api.github.com/repos/${this.organization}/app/check-runs/${job.id}`,
        labels: job.labels,
        runner_id: job.runnerName ? 5 : null,
        runner_name: job.runnerName ?? null,
        runner_group_id: job.runnerName ? 1 : null,
        runner_group_name: job.runnerName ? 'Default' : null,
        workflow_name: 'CI',
        head_branch: 'main',
      },
      repository: {
        id: 186853002,
        name: 'app',
        full_name: `${this.organization}/app`,
        private: true,
        owner: { login: this.organization, id: 38302899, type: 'Organization' },
      },
      organization: { login: this.organization, id: 38302899 },
      sender: { login: 'octocat', id: 21031067, type: 'User' },
      installation: {
        id: Number(this.installationId),
        node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMzQ1Njk5Ng==',
      },
    };
  }

  /** Signs and posts a delivery as GitHub does; returns the status and body. */
  async deliver(
    url: string,
    body: string,
    options: { event?: string; delivery?: string; secret?: string; signature?: string | null } = {},
  ): Promise<{ status: number; body: any; delivery: string }> {
    const delivery = options.delivery ?? crypto.randomUUID();
    const signature =
      options.signature === undefined
        ? `sha256=${crypto
            .createHmac('sha256', options.secret ?? this.webhookSecret)
            .update(body)
            .digest('hex')}`
        : options.signature;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/2d5e4d4',
      'x-github-event': options.event ?? 'workflow_job',
      'x-github-delivery': delivery,
      'x-github-hook-id': '292430182',
      'x-github-hook-installation-target-id': '79929171',
      'x-github-hook-installation-target-type': 'integration',
    };
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    const res = await fetch(`${url}/webhook`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, delivery };
  }

  sendWorkflowJob(
    url: string,
    action: string,
    job: { id: number; labels: string[]; runnerName?: string | null },
    options: { delivery?: string; conclusion?: string } = {},
  ) {
    const body = JSON.stringify(this.payload(action, job, { conclusion: options.conclusion }));
    return this.deliver(url, body, { delivery: options.delivery });
  }

  // ---- REST ----

  private send(
    res: http.ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  private error(
    res: http.ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
  ) {
    this.send(
      res,
      status,
      { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
      headers,
    );
  }

  private verifyJwt(token: string): boolean {
    const [header, payload, signature] = token.split('.');
    if (!signature) return false;
    const ok = crypto.verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const now = Math.floor(Date.now() / 1000);
    return ok && String(claims.iss) === this.appId && claims.exp > now && claims.iat <= now + 60;
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.error(res, 400, 'Problems parsing JSON');
    }
    this.requests.push({ method: req.method ?? '', path, body });
    const failure = this.failures.findIndex((f) => path.includes(f.match));
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return this.error(
        res,
        f.status,
        f.status === 429 ? 'API rate limit exceeded' : 'Server Error',
        f.headers,
      );
    }
    const auth = req.headers.authorization ?? '';
    const tokenMatch = /^(?:token|bearer) (.+)$/i.exec(auth);
    let m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (m && req.method === 'POST') {
      if (!tokenMatch || !this.verifyJwt(tokenMatch[1]))
        return this.error(res, 401, 'A JSON web token could not be decoded');
      if (m[1] !== this.installationId) return this.error(res, 404, 'Not Found');
      const token = `ghs_${crypto.randomBytes(18).toString('hex')}`;
      this.tokens.set(token, Date.now() + 3_600_000);
      return this.send(res, 201, {
        token,
        expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
        permissions: { organization_self_hosted_runners: 'write', metadata: 'read' },
        repository_selection: 'all',
      });
    }
    if (!tokenMatch || !this.tokens.has(tokenMatch[1]))
      return this.error(res, 401, 'Bad credentials');
    const org = `/orgs/${this.organization}/actions`;
    if (path === `${org}/runner-groups` && req.method === 'GET')
      return this.send(res, 200, {
        total_count: 1,
        runner_groups: [
          {
            id: 1,
            name: 'Default',
            visibility: 'all',
            default: true,
            runners_url: `${this.url}${org}/runner-groups/1/runners`,
            inherited: false,
            allows_public_repositories: false,
            restricted_to_workflows: false,
            selected_workflows: [],
            workflow_restrictions_read_only: false,
          },
        ],
      });
    if (path === `${org}/runners/generate-jitconfig` && req.method === 'POST') {
      if (typeof body?.runner_group_id !== 'number')
        return this.error(
          res,
          422,
          'Invalid input: object is missing required key: runner_group_id.',
        );
      if (!Array.isArray(body.labels) || body.labels.length === 0 || body.labels.length > 100)
        return this.error(res, 422, 'Invalid input: labels must have between 1 and 100 items.');
      if (this.runnerByName(body.name))
        return this.error(
          res,
          409,
          `Already exists - A runner with the name ${body.name} already exists.`,
        );
      const id = this.nextRunnerId++;
      const jit = {
        '.runner': Buffer.from(
          JSON.stringify({
            agentId: id,
            agentName: body.name,
            poolId: 1,
            serverUrl: 'https://pipelines.actions.githubusercontent.com/x',
            gitHubUrl: `https://github.com/${this.organization}`,
            workFolder: body.work_folder ?? '_work',
            ephemeral: true,
          }),
        ).toString('base64'),
        '.credentials': Buffer.from(
          JSON.stringify({
            scheme: 'OAuth',
            data: {
              clientId: crypto.randomUUID(),
              authorizationUrl:
                'https://pipelines.actions.githubusercontent.com/x/_apis/oauth2/token',
            },
          }),
        ).toString('base64'),
        '.credentials_rsaparams': Buffer.from(
          JSON.stringify({
            d: 'x',
            dp: 'x',
            dq: 'x',
            exponent: 'AQAB',
            inverseQ: 'x',
            modulus: 'x',
            p: 'x',
            q: 'x',
          }),
        ).toString('base64'),
      };
      const runner: FakeRunner = {
        id,
        name: body.name,
        os: 'unknown',
        status: 'offline',
        busy: false,
        labels: (body.labels as string[]).map((name, i) => ({
          id: i + 1,
          name,
          type: name === 'self-hosted' ? 'read-only' : 'custom',
        })),
        runner_group_id: body.runner_group_id,
        jit,
      };
      this.runners.set(id, runner);
      const { jit: _, runner_group_id: __, ...shown } = runner;
      return this.send(res, 201, {
        runner: shown,
        encoded_jit_config: Buffer.from(JSON.stringify(jit)).toString('base64'),
      });
    }
    if (path === `${org}/runners` && req.method === 'GET') {
      const name = url.searchParams.get('name');
      const list = [...this.runners.values()]
        .filter((r) => !name || r.name === name)
        .map(({ jit: _, runner_group_id: __, ...r }) => r);
      return this.send(res, 200, { total_count: list.length, runners: list });
    }
    m = new RegExp(`^${org}/runners/(\\d+)$`).exec(path);
    if (m) {
      const runner = this.runners.get(Number(m[1]));
      if (!runner) return this.error(res, 404, 'Not Found');
      if (req.method === 'GET') {
        const { jit: _, runner_group_id: __, ...shown } = runner;
        return this.send(res, 200, shown);
      }
      if (req.method === 'DELETE') {
        if (runner.busy)
          return this.error(
            res,
            422,
            `Bad request - Runner "${runner.name}" is still running a job"`,
          );
        this.runners.delete(runner.id);
        res.writeHead(204);
        return res.end();
      }
    }
    return this.error(res, 404, 'Not Found');
  }
}
