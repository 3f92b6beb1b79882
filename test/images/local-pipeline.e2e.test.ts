import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  registryImageProvider,
  type RegistryImageInputs,
  type RegistryImageOutputs,
} from '../../src/provider/registry-image';
import { imagePipeline } from '../../src/images/image-pipeline';
import { parseImagePipelineConfig } from '../../src/images/pipeline-config';
import { useRegistryEnv } from '../helpers/provider-env';
import { describeEachEngine, type TestRegistry } from '../helpers/registry-harness';
import { LocalEngine, runCommand } from './helpers/local-engine';

/**
 * The local pipeline end to end, with Debian's real `packer` (scripts/ensure-packer.sh)
 * and a live registry: each "stack run" is the image pipeline program under
 * LocalEngine, which runs exactly the Command text GoldenImage hands the engine and the
 * serialized dynamic providers, as `pulumi up` would.
 */
const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3_600_000;
const TEMPLATES = ['local-base', 'local-runner'];

describeEachEngine(
  'local image pipeline end to end (packer build, publish, promote, revoke)',
  (registry) => {
    useRegistryEnv(registry);
    let workDir: string;
    before(() => (workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-images-e2e-'))));
    after(() => {
      fs.rmSync(workDir, { recursive: true, force: true });
      LocalEngine.forgetPending();
    });

    const api = (r: TestRegistry, suffix: string) => `${r.packer()}/buckets/${suffix}`;
    const channel = async (bucket: string, name: string) =>
      (await registry().ok('GET', api(registry(), `${bucket}/channels/${name}`))).channel;
    const version = async (bucket: string, fingerprint: string) =>
      (await registry().ok('GET', api(registry(), `${bucket}/versions/${fingerprint}`))).version;

    /** One `pulumi up` of the images program on a stack. */
    async function run(stack: string, images: Record<string, unknown>, last: string) {
      const config = parseImagePipelineConfig({ templates: TEMPLATES, workDir, ...images }, stack, {
        root: ROOT,
      });
      const engine = new LocalEngine('ingot-images', stack).install();
      imagePipeline(config);
      return { engine, last: await engine.done(last).catch((e: Error) => e) };
    }

    const fingerprints: Record<string, string[]> = { 'local-base': [], 'local-runner': [] };

    it('dev builds with packer, publishes with ancestry, tests, and assigns dev', async function () {
      this.timeout(120_000);
      const { engine, last } = await run(
        'dev',
        { buildEpoch: '2026-W09' },
        'images-local-runner-dev',
      );
      assert.ok(!(last instanceof Error), String(last));

      // Exactly the command the engine was given: packer build on packer/local, no init
      // (no required_plugins), every variable as -var; running it again is idempotent.
      const build = engine.find('images-local-base-build')!;
      assert.match(build.inputs.create, /packer' build -machine-readable -color=false -force/);
      assert.doesNotMatch(build.inputs.create, /packer' init/);
      assert.match(build.inputs.create, /cd '.*\/packer\/local'/);
      assert.deepEqual(build.inputs.interpreter, ['/bin/bash', '-c']);
      assert.match(
        build.output!.stdout,
        /ingot: builds finished: file\.(x64|arm64) file\.(x64|arm64)/,
      );
      const again = await runCommand(build.inputs);
      assert.equal(again.status, 0, again.stderr);

      for (const bucket of TEMPLATES) {
        const dev = await channel(bucket, 'dev');
        assert.equal(dev.version.name, 'v1');
        fingerprints[bucket].push(dev.version.fingerprint);
        assert.equal(dev.version.builds.length, 2);
        for (const b of dev.version.builds) {
          assert.equal(b.platform, 'file');
          assert.equal(b.artifacts[0].region, 'local');
          assert.ok(
            fs.existsSync(b.artifacts[0].external_identifier),
            'the artifact is the image file',
          );
          assert.equal(b.labels.build_epoch, '2026-W09');
          assert.equal(b.labels.os_version, '24.04');
          assert.match(b.labels.content_hash, /^[0-9a-f]{24}$/);
          assert.ok(dev.version.fingerprint.startsWith(b.labels.content_hash));
        }
      }
      const runner = await version('local-runner', fingerprints['local-runner'][0]);
      assert.equal(runner.builds[0].labels.runner_version, '2.319.1');
      const base = await version('local-base', fingerprints['local-base'][0]);
      assert.equal(runner.builds[0].parent_version_id, base.id);
      const ancestry = await registry().ok(
        'GET',
        api(registry(), 'local-runner/ancestry?type=ANCESTRY_TYPE_PARENTS'),
      );
      assert.equal(ancestry.relations[0].parent.bucket_name, 'local-base');
      assert.equal(ancestry.relations[0].parent.channel_name, 'dev');
      assert.equal(ancestry.relations[0].status, 'UP_TO_DATE');

      const test = engine.find('images-local-runner-integration-test')!;
      assert.match(test.inputs.create, /--mode 'local' --smoke 'runner'/);
      assert.match(test.output!.stdout, /smoke job passed/);
    });

    it('resolves the image through RegistryImage and records the consumer', async () => {
      const inputs: RegistryImageInputs = {
        bucket: 'local-runner',
        channel: 'dev',
        platform: 'file',
        region: 'local',
        componentType: 'file.arm64',
        consumer: { project: 'fleet', stack: 'dev', urn: 'urn:pulumi:dev::fleet::x::pool' },
      };
      const checked = (await registryImageProvider.check!({} as RegistryImageInputs, inputs))
        .inputs as RegistryImageOutputs;
      assert.match(checked.externalIdentifier, /local-runner-arm64\.tar\.gz$/);
      await registryImageProvider.create!(checked);
      const consumers = await registry().ok(
        'GET',
        `${registry().ingot()}/buckets/local-runner/versions/${checked.versionFingerprint}/consumers`,
      );
      assert.ok(consumers.consumers.some((c: { stack: string }) => c.stack === 'dev'));
    });

    it('staging promotes at once; prod only what staging has held for 24 h', async function () {
      this.timeout(60_000);
      const staging = await run('staging', {}, 'images-local-runner-staging');
      assert.ok(!(staging.last instanceof Error), String(staging.last));
      assert.equal(
        staging.engine.resources.filter((r) => r.type === 'command:local:Command').length,
        0,
      );
      assert.equal((await channel('local-runner', 'staging')).version.name, 'v1');

      registry().clock.advance(HOUR);
      const early = await run('prod', {}, 'images-local-runner-prod');
      assert.match(String(early.last), /nothing to promote to "prod" yet/);

      registry().clock.advance(24 * HOUR);
      const due = await run('prod', {}, 'images-local-runner-prod');
      assert.ok(!(due.last instanceof Error), String(due.last));
      for (const bucket of TEMPLATES)
        assert.equal((await channel(bucket, 'prod')).version.name, 'v1');
    });

    it('a new build epoch rebuilds parent then child; promotion follows with its soak', async function () {
      this.timeout(120_000);
      const dev = await run('dev', { buildEpoch: '2026-W10' }, 'images-local-runner-dev');
      assert.ok(!(dev.last instanceof Error), String(dev.last));
      for (const bucket of TEMPLATES) {
        const current = await channel(bucket, 'dev');
        assert.equal(current.version.name, 'v2');
        fingerprints[bucket].push(current.version.fingerprint);
      }
      const base = await version('local-base', fingerprints['local-base'][1]);
      const runner = await version('local-runner', fingerprints['local-runner'][1]);
      assert.equal(runner.builds[0].parent_version_id, base.id, 'built from the new parent');

      await run('staging', {}, 'images-local-runner-staging');
      const held = await run('prod', {}, 'images-local-runner-prod');
      assert.ok(!(held.last instanceof Error), String(held.last));
      assert.equal((await channel('local-runner', 'prod')).version.name, 'v1', 'v2 has not soaked');
      registry().clock.advance(25 * HOUR);
      await run('prod', {}, 'images-local-runner-prod');
      assert.equal((await channel('local-runner', 'prod')).version.name, 'v2');
    });

    it('revoking the parent revokes the child and rolls every channel back', async () => {
      const r = registry();
      await r.ok('PATCH', api(r, `local-base/versions/${fingerprints['local-base'][1]}`), {
        revoke_in: '0s',
        revocation_message: 'CVE in the base layer',
      });
      const child = await version('local-runner', fingerprints['local-runner'][1]);
      assert.equal(child.status, 'VERSION_REVOKED');
      assert.equal(child.revocation_inherited_from.bucket_name, 'local-base');
      for (const bucket of TEMPLATES)
        for (const name of ['dev', 'staging', 'prod'])
          assert.equal((await channel(bucket, name)).version.name, 'v1', `${bucket}/${name}`);

      const pinned = await registryImageProvider.check!({} as RegistryImageInputs, {
        bucket: 'local-runner',
        versionFingerprint: fingerprints['local-runner'][1],
        platform: 'file',
        region: 'local',
      });
      assert.match(
        pinned.failures?.[0].reason ?? '',
        /revoked.*inherited from local-base.*CVE in the base layer/,
      );
    });
  },
);
