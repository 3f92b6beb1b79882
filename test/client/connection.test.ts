import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConnection, type Connection } from '../../src/client/connection';
import { ClientConfigError } from '../../src/client/errors';

const SECRET = 'ingot_cs_Zk3v9QpL0sEcReT';

/** A complete environment for a local Ingot registry. */
const ENV: NodeJS.ProcessEnv = {
  INGOT_REGISTRY_URL: 'http://127.0.0.1:8080',
  HCP_CLIENT_ID: 'ingot_ci_env',
  HCP_CLIENT_SECRET: SECRET,
  HCP_ORGANIZATION_ID: 'org-1',
  HCP_PROJECT_ID: 'proj-1',
};

function configError(fn: () => unknown): ClientConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ClientConfigError, String(error));
    return error;
  }
  assert.fail('expected a ClientConfigError');
}

describe('resolveConnection', () => {
  let dir: string;
  const writeFile = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const credentials = (content: Record<string, string>) =>
    writeFile('credentials.json', JSON.stringify(content));

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-connection-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a local registry from the environment, with its own token URL and the defaults', () => {
    assert.deepEqual(resolveConnection({}, ENV), {
      registryUrl: 'http://127.0.0.1:8080',
      tokenUrl: 'http://127.0.0.1:8080/oauth2/token',
      clientId: 'ingot_ci_env',
      clientSecret: SECRET,
      organizationId: 'org-1',
      projectId: 'proj-1',
      timeoutMs: 10_000,
      maxRetries: 3,
      deadlineMs: 30_000,
      registryUrlSource: 'INGOT_REGISTRY_URL',
    } satisfies Connection);
  });

  it('takes explicit options over the environment, and the environment over the credentials file', () => {
    const file = credentials({
      url: 'http://file.example:1',
      client_id: 'ingot_ci_file',
      client_secret: 'ingot_cs_file',
    });
    const env = { ...ENV, INGOT_CREDENTIALS_FILE: file };

    const fromEnv = resolveConnection({}, env);
    assert.equal(fromEnv.registryUrl, 'http://127.0.0.1:8080');
    assert.equal(fromEnv.clientId, 'ingot_ci_env');
    assert.equal(fromEnv.clientSecret, SECRET);

    const explicit = resolveConnection(
      {
        registryUrl: 'http://opt.example:3',
        clientId: 'ingot_ci_opt',
        clientSecret: 'ingot_cs_opt',
        organizationId: 'org-opt',
        projectId: 'proj-opt',
        timeoutMs: 500,
        maxRetries: 0,
      },
      env,
    );
    assert.deepEqual(
      [
        explicit.registryUrl,
        explicit.clientId,
        explicit.clientSecret,
        explicit.organizationId,
        explicit.projectId,
        explicit.timeoutMs,
        explicit.maxRetries,
      ],
      ['http://opt.example:3', 'ingot_ci_opt', 'ingot_cs_opt', 'org-opt', 'proj-opt', 500, 0],
    );

    // Without the environment's values, the file fills in; options still win field by field.
    const fromFile = resolveConnection(
      { clientId: 'ingot_ci_opt' },
      { INGOT_CREDENTIALS_FILE: file, HCP_ORGANIZATION_ID: 'org-1', HCP_PROJECT_ID: 'proj-1' },
    );
    assert.equal(fromFile.registryUrl, 'http://file.example:1');
    assert.equal(fromFile.tokenUrl, 'http://file.example:1/oauth2/token');
    assert.equal(fromFile.clientId, 'ingot_ci_opt');
    assert.equal(fromFile.clientSecret, 'ingot_cs_file');
  });

  it('an explicit credentialsFile option is used instead of INGOT_CREDENTIALS_FILE', () => {
    const chosen = credentials({
      url: 'http://chosen.example',
      client_id: 'ingot_ci_chosen',
      client_secret: 'ingot_cs_chosen',
    });
    const connection = resolveConnection(
      { credentialsFile: chosen },
      {
        INGOT_CREDENTIALS_FILE: path.join(dir, 'missing.json'),
        HCP_ORGANIZATION_ID: 'org-1',
        HCP_PROJECT_ID: 'proj-1',
      },
    );
    assert.equal(connection.registryUrl, 'http://chosen.example');
    assert.equal(connection.clientId, 'ingot_ci_chosen');
  });

  it('an explicit credentialsFile outranks the environment (a file named by the user is meant)', () => {
    const chosen = credentials({
      url: 'http://chosen.example',
      client_id: 'ingot_ci_chosen',
      client_secret: 'ingot_cs_chosen',
    });
    const env = {
      INGOT_REGISTRY_URL: 'http://env.example',
      HCP_CLIENT_ID: 'ingot_ci_env',
      HCP_CLIENT_SECRET: 'ingot_cs_env',
      HCP_ORGANIZATION_ID: 'org-1',
      HCP_PROJECT_ID: 'proj-1',
    };
    const explicit = resolveConnection({ credentialsFile: chosen }, env);
    assert.deepEqual(
      [explicit.registryUrl, explicit.clientId, explicit.clientSecret],
      ['http://chosen.example', 'ingot_ci_chosen', 'ingot_cs_chosen'],
    );
    const fromEnv = resolveConnection({}, { ...env, INGOT_CREDENTIALS_FILE: chosen });
    assert.deepEqual(
      [fromEnv.registryUrl, fromEnv.clientId],
      ['http://env.example', 'ingot_ci_env'],
    );
  });

  it('INGOT_REGISTRY_URL wins over HCP_API_ADDRESS', () => {
    const connection = resolveConnection(
      {},
      { ...ENV, HCP_API_ADDRESS: 'api.cloud.hashicorp.com' },
    );
    assert.equal(connection.registryUrl, 'http://127.0.0.1:8080');
  });

  it('HCP_API_ADDRESS without a scheme becomes https://…, and an HCP host gets HCP’s token URL', () => {
    const { INGOT_REGISTRY_URL: _unused, ...env } = ENV;
    const connection = resolveConnection(
      {},
      { ...env, HCP_API_ADDRESS: 'api.cloud.hashicorp.com' },
    );
    assert.equal(connection.registryUrl, 'https://api.cloud.hashicorp.com');
    assert.equal(connection.tokenUrl, 'https://auth.idp.hashicorp.com/oauth2/token');
  });

  it('HCP_API_TLS=disabled makes HCP_API_ADDRESS plain HTTP, as hcp-sdk-go config/env.go reads it', () => {
    const { INGOT_REGISTRY_URL: _unused, ...env } = ENV;
    const plain = resolveConnection(
      {},
      { ...env, HCP_API_ADDRESS: '127.0.0.1:8080', HCP_API_TLS: 'disabled' },
    );
    assert.equal(plain.registryUrl, 'http://127.0.0.1:8080');
    assert.equal(plain.tokenUrl, 'http://127.0.0.1:8080/oauth2/token');
    const insecure = configError(() =>
      resolveConnection({}, { ...env, HCP_API_ADDRESS: 'reg.internal', HCP_API_TLS: 'insecure' }),
    );
    assert.match(insecure.message, /NODE_EXTRA_CA_CERTS/);
    const typo = configError(() =>
      resolveConnection({}, { ...env, HCP_API_ADDRESS: 'reg.internal', HCP_API_TLS: 'off' }),
    );
    assert.match(typo.message, /HCP_API_TLS "off" is not a TLS setting.*"disabled"/);
    assert.equal(
      resolveConnection({}, { ...ENV, HCP_API_TLS: 'bogus' }).registryUrl,
      'http://127.0.0.1:8080',
      'only a bare HCP_API_ADDRESS reads HCP_API_TLS',
    );
  });

  it('only hosts under cloud.hashicorp.com count as HCP', () => {
    const tokenUrlOf = (registryUrl: string) => resolveConnection({ registryUrl }, ENV).tokenUrl;
    assert.equal(
      tokenUrlOf('https://cloud.hashicorp.com'),
      'https://auth.idp.hashicorp.com/oauth2/token',
    );
    assert.equal(
      tokenUrlOf('https://API.Cloud.HashiCorp.com'),
      'https://auth.idp.hashicorp.com/oauth2/token',
    );
    assert.equal(
      tokenUrlOf('https://notcloud.hashicorp.com'),
      'https://notcloud.hashicorp.com/oauth2/token',
    );
    assert.equal(
      tokenUrlOf('https://cloud.hashicorp.com.example.org'),
      'https://cloud.hashicorp.com.example.org/oauth2/token',
    );
  });

  it('HCP_AUTH_URL is the auth base, as hcp-sdk-go config/with.go reads it; the tokenUrl option wins', () => {
    assert.equal(
      resolveConnection({}, { ...ENV, HCP_AUTH_URL: 'https://idp.example/' }).tokenUrl,
      'https://idp.example/oauth2/token',
    );
    assert.equal(
      resolveConnection(
        { tokenUrl: 'https://opt.example/token' },
        { ...ENV, HCP_AUTH_URL: 'https://idp.example/token' },
      ).tokenUrl,
      'https://opt.example/token',
    );
  });

  it('drops trailing slashes and keeps an explicit scheme', () => {
    assert.equal(
      resolveConnection({ registryUrl: 'http://localhost:8080///' }, ENV).registryUrl,
      'http://localhost:8080',
    );
  });

  it('refuses a registry URL without a scheme (only HCP_API_ADDRESS is a bare host), naming where it came from', () => {
    const flag = configError(() =>
      resolveConnection({ registryUrl: 'localhost:8080/', registryUrlSource: '--registry' }, ENV),
    );
    assert.match(
      flag.problems[0],
      /^registry URL "localhost:8080\/" \(--registry\) has no scheme: write http:\/\/localhost:8080 \(or https:\/\/… when the registry is behind TLS\)\.$/,
    );
    const fromEnv = configError(() =>
      resolveConnection({}, { ...ENV, INGOT_REGISTRY_URL: '127.0.0.1:8080' }),
    );
    assert.match(fromEnv.problems[0], /"127\.0\.0\.1:8080" \(INGOT_REGISTRY_URL\) has no scheme/);
    const { INGOT_REGISTRY_URL: _unused, ...env } = ENV;
    const file = credentials({ url: '127.0.0.1:9000', client_id: 'c', client_secret: 's' });
    const fromFile = configError(() => resolveConnection({ credentialsFile: file }, env));
    assert.match(fromFile.problems[0], new RegExp(`\\(credentials file ${file}\\) has no scheme`));
    const ftp = configError(() => resolveConnection({ registryUrl: 'ftp://x' }, ENV));
    assert.match(ftp.problems[0], /must start with http:\/\/ or https:\/\//);
  });

  it('reports every missing setting at once, naming the variable to set', () => {
    const error = configError(() => resolveConnection({}, {}));
    assert.equal(error.problems.length, 5);
    assert.match(error.problems[0], /no registry: set INGOT_REGISTRY_URL \(or HCP_API_ADDRESS\)/);
    assert.match(error.problems[1], /no client id: set HCP_CLIENT_ID/);
    assert.match(error.problems[2], /no client secret: set HCP_CLIENT_SECRET/);
    assert.match(error.problems[3], /no organization: set HCP_ORGANIZATION_ID/);
    assert.match(error.problems[4], /no project: set HCP_PROJECT_ID/);
    for (const problem of error.problems) assert.ok(error.message.includes(problem), error.message);
  });

  it('reports every invalid value at once, and never the secret', () => {
    const error = configError(() =>
      resolveConnection(
        {
          registryUrl: 'http://exa mple',
          organizationId: 'org 1!',
          projectId: 'p'.repeat(65),
          timeoutMs: 0,
          maxRetries: 1.5,
        },
        ENV,
      ),
    );
    assert.equal(error.problems.length, 5);
    assert.match(
      error.problems[0],
      /registry URL "http:\/\/exa mple" \(registry URL option\) is not a URL/,
    );
    assert.match(
      error.problems[1],
      /organization id "org 1!" \(organization option\) is invalid: use 1–64 letters/,
    );
    assert.match(error.problems[2], /project id "p+" \(project option\) is invalid/);
    assert.match(error.problems[3], /timeoutMs must be positive, got 0/);
    assert.match(error.problems[4], /maxRetries must be a whole number ≥ 0, got 1.5/);
    assert.ok(!error.message.includes(SECRET), error.message);
    assert.ok(!JSON.stringify(error.problems).includes(SECRET));
  });

  it('deadlineMs bounds a whole call: at least timeoutMs, and 30 s or timeoutMs by default', () => {
    assert.equal(resolveConnection({ timeoutMs: 60_000 }, ENV).deadlineMs, 60_000);
    assert.equal(resolveConnection({ timeoutMs: 500, deadlineMs: 2_000 }, ENV).deadlineMs, 2_000);
    const error = configError(() => resolveConnection({ timeoutMs: 500, deadlineMs: 100 }, ENV));
    assert.deepEqual(error.problems, [
      "deadlineMs must be at least timeoutMs (500), got 100: it bounds a call's attempts together.",
    ]);
  });

  it('a credentials file that cannot be read is a problem naming the file, reported with the others', () => {
    const missing = path.join(dir, 'missing.json');
    const error = configError(() => resolveConnection({}, { INGOT_CREDENTIALS_FILE: missing }));
    assert.match(error.problems[0], /credentials file .*missing\.json cannot be read/);
    assert.ok(error.problems.length > 1, 'the other problems are reported too');
  });

  it('a credentials file that is not JSON does not leak its content (the secret) into the message', () => {
    // Unquoted secret: JSON.parse's own message would quote the text around the error.
    const broken = writeFile(
      'broken.json',
      `{"url": "http://127.0.0.1:8080", "client_id": "ingot_ci_x", "client_secret": ${SECRET}}`,
    );
    const error = configError(() =>
      resolveConnection({}, { ...ENV, INGOT_CREDENTIALS_FILE: broken }),
    );
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0], /broken\.json cannot be read as JSON/);
    assert.ok(!error.message.includes('ingot_cs_'), error.message);

    // A file holding just a (short) secret.
    const raw = writeFile('raw.json', 'hunter2');
    const rawError = configError(() =>
      resolveConnection({}, { ...ENV, INGOT_CREDENTIALS_FILE: raw }),
    );
    assert.ok(!rawError.message.includes('hunter2'), rawError.message);
  });

  it('a credentials file holding JSON that is not an object is a problem, not a crash', () => {
    for (const content of ['null', '[]', '"ingot_cs_x"', '42']) {
      const file = writeFile('odd.json', content);
      const error = configError(() =>
        resolveConnection({}, { ...ENV, INGOT_CREDENTIALS_FILE: file }),
      );
      assert.deepEqual(error.problems, [
        `credentials file ${file} cannot be read as JSON: it is not a JSON object.`,
      ]);
    }
  });
});
