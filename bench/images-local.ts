/**
 * `npm run bench:images-local`: the local image pipeline end to end (packer/local:
 * local-base from a debootstrap'ed Debian root file system, local-runner on top, the
 * integration test booting the fleet's boot script), as `pulumi up` runs it
 * (test/images/helpers/local-engine.ts), twice in the same run:
 *
 * - cold: an empty cache (XDG_CACHE_HOME in a fresh directory), so debootstrap runs and
 *   every package is downloaded — what a new CI machine pays;
 * - cached: the same cache again (the root file system tarball and the apt archives),
 *   with a new build epoch so that both images are really rebuilt.
 *
 * Prints wall time per step and the cached run against the cold baseline. Needs root,
 * debootstrap and Debian's apt mirror, like the e2e test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { imagePipeline } from '../src/images/image-pipeline';
import { parseImagePipelineConfig } from '../src/images/pipeline-config';
import { LOCAL_ARCH } from '../src/images/template-catalog';
import { startRegistry } from '../src/registry/serve';
import { appKeyPair, startFakeGitHub, type FakeGitHub } from '../test/images/helpers/fake-github';
import { LocalEngine } from '../test/images/helpers/local-engine';

const ROOT = path.resolve(__dirname, '..');
const pad = (s: string | number, n: number) => String(s).padStart(n);

async function run(github: FakeGitHub, workDir: string, epoch: string) {
  const config = parseImagePipelineConfig(
    {
      templates: ['local-base', 'local-runner'],
      workDir,
      buildEpoch: epoch,
      variables: {
        'local-runner': {
          runner_download_url: github.runnerDownloadUrl,
          [`runner_sha256_${LOCAL_ARCH}`]: github.runnerSha256,
        },
      },
      integrationTest: {
        github: {
          organization: github.organization,
          url: github.url,
          apiUrl: github.url,
          registrationSecret: { aws: github.secretName },
        },
        args: {
          'aws-endpoint': github.url,
          repository: 'acme/ci-smoke',
          workflow: 'smoke.yml',
          attempts: '600',
          interval: '1',
        },
      },
    },
    'dev',
    {
      root: ROOT,
      testEnvironment: { GITHUB_TOKEN: 'test-token', INGOT_TEST_GITHUB_API: github.url },
    },
  );
  const engine = new LocalEngine('ingot-bench', 'dev').install();
  const start = performance.now();
  imagePipeline(config);
  await engine.settled('images-local-runner-dev', 60 * 60_000);
  const total = performance.now() - start;
  const spent = (name: string) => {
    const r = engine.find(name);
    return r?.finished && r.started ? r.finished - r.started : 0;
  };
  return {
    total,
    base: spent('images-local-base-build'),
    runner: spent('images-local-runner-build'),
    baseTest: spent('images-local-base-integration-test'),
    runnerTest: spent('images-local-runner-integration-test'),
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-bench-images-'));
  const credentialsFile = path.join(dir, 'admin.json');
  const running = await startRegistry(
    {
      host: '127.0.0.1',
      port: 0,
      databaseUrl: path.join(dir, 'r.db'),
      credentialsFile,
      logLevel: 'silent',
    },
    { logger: false },
  );
  const github = await startFakeGitHub({
    runnerVersion: '2.330.0',
    appId: '1',
    installationId: '2',
    ...appKeyPair(),
  });
  const cache = process.env.XDG_CACHE_HOME;
  try {
    const creds = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as {
      client_id: string;
      client_secret: string;
    };
    Object.assign(process.env, {
      INGOT_REGISTRY_URL: running.url,
      HCP_CLIENT_ID: creds.client_id,
      HCP_CLIENT_SECRET: creds.client_secret,
      HCP_ORGANIZATION_ID: 'bench',
      HCP_PROJECT_ID: 'images',
      XDG_CACHE_HOME: path.join(dir, 'cache'),
    });
    const cold = await run(github, path.join(dir, 'work'), 'bench-cold');
    const cached = await run(github, path.join(dir, 'work'), 'bench-cached');
    console.log(
      'Local image pipeline end to end (debootstrap + real scripts + fleet boot script)\n',
    );
    console.log(
      `${'step'.padEnd(36)}${pad('cold s', 10)}${pad('cached s', 10)}${pad('cached/cold', 13)}`,
    );
    for (const [name, key] of [
      ['local-base build (rootfs + scripts)', 'base'],
      ['local-base integration test', 'baseTest'],
      ['local-runner build (scripts)', 'runner'],
      ['local-runner integration test (boot)', 'runnerTest'],
      ['whole pipeline (wall clock)', 'total'],
    ] as const)
      console.log(
        `${name.padEnd(36)}${pad((cold[key] / 1000).toFixed(1), 10)}${pad((cached[key] / 1000).toFixed(1), 10)}${pad(`${(cached[key] / cold[key]).toFixed(2)}×`, 13)}`,
      );
  } finally {
    if (cache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = cache;
    await github.close();
    await running.close();
    LocalEngine.forgetPending();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
