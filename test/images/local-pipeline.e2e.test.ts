import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { integrationTestCommand, ingotCli } from '../../src/images/integration-test';
import { imagePipeline } from '../../src/images/image-pipeline';
import { parseImagePipelineConfig } from '../../src/images/pipeline-config';
import { LOCAL_ARCH } from '../../src/images/template-catalog';
import { publishedVersionProvider } from '../../src/provider/published-version';
import {
  registryImageProvider,
  type RegistryImageInputs,
  type RegistryImageOutputs,
} from '../../src/provider/registry-image';
import { useRegistryEnv } from '../helpers/provider-env';
import { startTestRegistry, type TestRegistry } from '../helpers/registry-harness';
import { appKeyPair, startFakeGitHub, type FakeGitHub } from './helpers/fake-github';
import { LocalEngine, runCommand } from './helpers/local-engine';

/**
 * The local pipeline end to end, as `pulumi up` runs it (LocalEngine: the Command texts
 * GoldenImage hands the engine, the serialized dynamic providers) against a live
 * registry, with Debian's real `packer` and real provisioning: local-base is a
 * `debootstrap --variant=minbase bookworm` root file system (cached under
 * ~/.cache/ingot) provisioned by ubuntu-base's own scripts, local-runner is that image
 * provisioned by runner-ubuntu's (git, the runner from a local download whose checksum
 * is pinned here, Docker, the AWS CLI), and the integration test boots local-runner in a
 * chroot with the fleet's own boot script, which reads its GitHub App from a local
 * Secrets Manager with the image's AWS CLI, registers an ephemeral runner with
 * --disableupdate and runs a smoke job (test/images/helpers/fake-github.ts). The builds
 * run once and every case below uses them. One registry engine: the registry paths
 * themselves run on both engines in test/registry and test/provider.
 */
const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3_600_000;
const TEMPLATES = ['local-base', 'local-runner'];
const RUNNER_VERSION = '2.330.0';
/** SHA-256 of the runner package made from test/fixtures/actions-runner (reproducible tar). */
const RUNNER_PACKAGE_SHA256 = '1d8751dabaa2588f83cf309cc016268bb56d0ed575f06cf4c9f2c7ae7252e02c';
const SOURCE = `file.${LOCAL_ARCH}`;

describe('local image pipeline end to end (debootstrap, real scripts, fleet boot script)', function () {
  this.timeout(30 * 60_000);
  let registry: TestRegistry;
  let github: FakeGitHub;
  let workDir: string;
  before(async () => {
    registry = await startTestRegistry('sqlite');
    const keys = appKeyPair();
    github = await startFakeGitHub({
      runnerVersion: RUNNER_VERSION,
      appId: '4242',
      installationId: '77',
      ...keys,
    });
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-images-e2e-'));
  });
  after(async () => {
    fs.rmSync(workDir, { recursive: true, force: true });
    await github?.close();
    await registry?.close();
    LocalEngine.forgetPending();
  });
  useRegistryEnv(() => registry);

  const api = (suffix: string) => `${registry.packer()}/buckets/${suffix}`;
  const channel = async (bucket: string, name: string) =>
    (await registry.ok('GET', api(`${bucket}/channels/${name}`))).channel;
  const version = async (bucket: string, fingerprint: string) =>
    (await registry.ok('GET', api(`${bucket}/versions/${fingerprint}`))).version;

  function config(stack: string, images: Record<string, unknown> = {}) {
    return parseImagePipelineConfig(
      {
        templates: TEMPLATES,
        workDir,
        variables: {
          'local-runner': {
            runner_download_url: github.runnerDownloadUrl,
            [`runner_sha256_${LOCAL_ARCH}`]: RUNNER_PACKAGE_SHA256,
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
            attempts: '240',
            interval: '1',
          },
        },
        ...images,
      },
      stack,
      {
        root: ROOT,
        testEnvironment: { GITHUB_TOKEN: 'test-token', INGOT_TEST_GITHUB_API: github.url },
      },
    );
  }

  /** One `pulumi up` of the images program on a stack. */
  async function run(stack: string, images: Record<string, unknown>, last: string) {
    const engine = new LocalEngine('ingot-images', stack).install();
    imagePipeline(config(stack, images));
    return { engine, last: await engine.settled(last, 30 * 60_000).catch((e: Error) => e) };
  }

  const fingerprints: Record<string, string> = {};
  let dev: Awaited<ReturnType<typeof run>>;

  it('serves the runner package whose checksum the template pins', () => {
    assert.equal(github.runnerSha256, RUNNER_PACKAGE_SHA256);
  });

  it('dev builds both images from the real scripts, publishes them with the parent link, tests and assigns dev', async () => {
    dev = await run('dev', { buildEpoch: '2026-W09' }, 'images-local-runner-dev');
    const failed = dev.engine.resources.find((r) => r.error);
    assert.ok(!(dev.last instanceof Error), `${failed?.name}: ${failed?.error?.message}`);

    const build = dev.engine.find('images-local-base-build')!;
    assert.match(build.inputs.create, /packer' build -machine-readable -color=false -force/);
    // Packer's full log of each build holds every script's output, as it ran.
    const log = (name: string) => {
      const stdout = dev.engine.find(name)!.output!.stdout;
      const file = /full log: (\S+)/.exec(stdout)![1];
      return fs.readFileSync(file, 'utf8').replace(/%!\(PACKER_COMMA\)/g, ',');
    };
    const baseLog = log('images-local-base-build');
    for (const script of [
      'patch',
      'configure-apt',
      'harden',
      'install-monitoring-agent',
      'cleanup',
    ])
      assert.ok(
        baseLog.includes(`[local-base/${LOCAL_ARCH}] ==> packer/scripts/linux/${script}.sh`),
        `local-base ran ${script}.sh`,
      );
    assert.match(baseLog, /configure-apt\.sh: apt: daily timers masked/);
    const runnerLog = log('images-local-runner-build');
    for (const script of ['install-git', 'install-runner', 'install-docker', 'install-aws-cli'])
      assert.match(runnerLog, new RegExp(`==> packer/scripts/(linux|common)/${script}\\.sh`));
    assert.match(runnerLog, /record-versions\.sh: +"runner_version": "2\.330\.0"/);

    for (const bucket of TEMPLATES) {
      const current = await channel(bucket, 'dev');
      assert.equal(current.version.name, 'v1');
      fingerprints[bucket] = current.version.fingerprint;
      const [b] = current.version.builds;
      assert.equal(b.component_type, SOURCE);
      assert.equal(b.platform, 'file');
      assert.equal(b.artifacts[0].region, 'local');
      assert.ok(
        fs.existsSync(b.artifacts[0].external_identifier),
        'the artifact is the image file',
      );
      assert.equal(b.labels.os_version, '12', 'the label is what record-versions.sh found');
      assert.equal(b.labels.build_epoch, '2026-W09');
    }
    const runner = await version('local-runner', fingerprints['local-runner']);
    const base = await version('local-base', fingerprints['local-base']);
    assert.equal(runner.builds[0].labels.runner_version, RUNNER_VERSION);
    assert.equal(runner.builds[0].parent_version_id, base.id);
    const published = dev.engine.find('images-local-runner-version')!.state!;
    assert.deepEqual(Object.keys(published.images), [`file/local/${SOURCE}`]);

    // The test booted the image with the fleet's boot script: a registered, ephemeral,
    // non-updating runner ran the smoke job with the image's own tools.
    const test = dev.engine.find('images-local-runner-integration-test')!;
    assert.match(test.inputs.create, /--mode 'local' --smoke 'runner'/);
    assert.match(test.inputs.create, /--disableupdate/, 'the user data is the fleet boot script');
    assert.match(test.output!.stdout, /smoke job passed/);
    const [smoke] = github.runs;
    assert.equal(smoke.conclusion, 'success');
    assert.match(smoke.log!, /git version .*\n.*git-lfs.*\nDocker version .*\naws-cli\/2\./);
    assert.ok(github.requests.includes('POST /app/installations/77/access_tokens'));
    assert.ok(github.requests.includes('POST /'), 'the secret came from Secrets Manager');
    assert.deepEqual(github.runners, [], 'the ephemeral runner is gone after its job');
  });

  it('keeps the manifest in the build step output, so publishing needs no local file', async () => {
    const build = dev.engine.find('images-local-base-build')!;
    const published = dev.engine.find('images-local-base-version')!;
    assert.equal(published.inputs.manifestPath, undefined);
    assert.equal(JSON.parse(published.inputs.manifest).builds[0].name, LOCAL_ARCH);
    assert.ok(build.output!.stdout.includes(published.inputs.manifest));
  });

  it('ships images without the build scaffolding (policy-rc.d, dpkg unsafe-io, build apt config, scripts)', async () => {
    for (const bucket of TEMPLATES) {
      const image = (await version(bucket, fingerprints[bucket])).builds[0].artifacts[0]
        .external_identifier as string;
      const files = execFileSync('tar', ['-tf', image], { maxBuffer: 256 * 1024 * 1024 })
        .toString()
        .split('\n');
      for (const scaffold of [
        './usr/sbin/policy-rc.d',
        './etc/dpkg/dpkg.cfg.d/ingot-build-unsafe-io',
        './etc/apt/apt.conf.d/99ingot-build',
        './tmp/ingot-provision/',
      ])
        assert.ok(!files.includes(scaffold), `${bucket} ships ${scaffold}`);
      assert.ok(files.includes('./etc/dpkg/dpkg.cfg.d/'), `${bucket} is a Debian root`);
    }
  });

  it('resolves the image through RegistryImage and records the consumer', async () => {
    const inputs: RegistryImageInputs = {
      bucket: 'local-runner',
      channel: 'dev',
      platform: 'file',
      region: 'local',
      componentType: SOURCE,
      consumer: { project: 'fleet', stack: 'dev', urn: 'urn:pulumi:dev::fleet::x::pool' },
    };
    const checked = (await registryImageProvider.check!({} as RegistryImageInputs, inputs))
      .inputs as RegistryImageOutputs;
    assert.match(checked.externalIdentifier, new RegExp(`local-runner-${LOCAL_ARCH}\\.tar$`));
    await registryImageProvider.create!(checked);
    const consumers = await registry.ok(
      'GET',
      `${registry.ingot()}/buckets/local-runner/versions/${checked.versionFingerprint}/consumers`,
    );
    assert.ok(consumers.consumers.some((c: { stack: string }) => c.stack === 'dev'));
  });

  it('staging promotes at once; prod only what staging has held for 24 h', async () => {
    const staging = await run('staging', {}, 'images-local-runner-staging');
    assert.ok(!(staging.last instanceof Error), String(staging.last));
    assert.equal(
      staging.engine.resources.filter((r) => r.type === 'command:local:Command').length,
      0,
    );
    registry.clock.advance(HOUR);
    const early = await run('prod', {}, 'images-local-runner-prod');
    assert.match(String(early.last), /nothing to promote to "prod" yet/);
    registry.clock.advance(24 * HOUR);
    const due = await run('prod', {}, 'images-local-runner-prod');
    assert.ok(!(due.last instanceof Error), String(due.last));
    for (const bucket of TEMPLATES)
      assert.equal((await channel(bucket, 'prod')).version.name, 'v1');
  });

  it('a failing integration test revokes the version at once, naming the failed check', async () => {
    // A second version of the runner image (the same artifact under a new fingerprint),
    // tested by the exact command GoldenImage runs: the image's build info names another
    // version, a check that fails before any machine work. (A failing smoke job is the
    // same path: test/images/integration-test-script.test.ts.)
    const manifest = dev.engine.find('images-local-runner-version')!.inputs.manifest as string;
    const fingerprint = `${fingerprints['local-runner']}-broken`;
    await publishedVersionProvider.create!({ bucket: 'local-runner', fingerprint, manifest });
    const image = (await version('local-runner', fingerprint)).builds[0].artifacts[0]
      .external_identifier as string;
    const config = dev.engine.find('images-local-runner-integration-test')!.inputs;
    const text = integrationTestCommand({
      script: path.join(ROOT, 'scripts/image-integration-test.sh'),
      mode: 'local',
      smoke: 'runner',
      targets: [{ componentType: SOURCE, image }],
      region: 'local',
      bucket: 'local-runner',
      fingerprint,
      runner: {
        os: 'ubuntu',
        organization: github.organization,
        runnerGroup: 'Default',
        githubUrl: github.url,
        apiUrl: github.url,
        secret: { cloud: 'aws', region: 'us-east-1', name: github.secretName },
      },
      args: {
        'aws-endpoint': github.url,
        organization: github.organization,
        repository: 'acme/ci-smoke',
        workflow: 'smoke.yml',
        attempts: '240',
        interval: '1',
      },
      cli: ingotCli(ROOT),
    });
    const result = await runCommand({ ...config, create: text });
    assert.notEqual(result.status, 0);
    const revoked = await version('local-runner', fingerprint);
    assert.equal(revoked.status, 'VERSION_REVOKED');
    assert.match(
      revoked.revocation_message,
      /^integration test failed: .*local-runner-x64\.tar was built for another version than .*-broken$/,
    );
    assert.equal(
      (await channel('local-runner', 'dev')).version.fingerprint,
      fingerprints['local-runner'],
    );
    const latest = await channel('local-runner', 'latest');
    assert.notEqual(latest.version?.fingerprint, fingerprint, 'a revoked version is never latest');
  });

  it('revoking the parent revokes the child and rolls every channel back', async () => {
    await registry.ok('PATCH', api(`local-base/versions/${fingerprints['local-base']}`), {
      revoke_in: '0s',
      revocation_message: 'CVE in the base layer',
    });
    const child = await version('local-runner', fingerprints['local-runner']);
    assert.equal(child.status, 'VERSION_REVOKED');
    assert.equal(child.revocation_inherited_from.bucket_name, 'local-base');
    const pinned = await registryImageProvider.check!({} as RegistryImageInputs, {
      bucket: 'local-runner',
      versionFingerprint: fingerprints['local-runner'],
      platform: 'file',
      region: 'local',
    });
    assert.match(
      pinned.failures?.[0].reason ?? '',
      /revoked.*inherited from local-base.*CVE in the base layer/,
    );
  });
});
