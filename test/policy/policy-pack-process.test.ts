import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { buildPolicyPack } from '../../src/policy/build-pack';
import { packEnv, PolicyPackProcess, SOURCE_PACK, type ResourceToAnalyze } from './analyzer-engine';
import { ami, usePolicyRegistry } from './policy-fixture';
import { UNKNOWN_STRING } from './policy-test-utils';

const AWS = { type: 'pulumi:providers:aws', props: { region: 'us-east-1' } };
const instance = (image: string): ResourceToAnalyze => ({
  type: 'aws:ec2/instance:Instance',
  name: 'web',
  props: { ami: image, instanceType: 't3.micro' },
  provider: AWS,
});

/**
 * The pack as `pulumi preview --policy-pack` runs it: its own process, started the way
 * the CLI starts it, spoken to over gRPC. This is what proves the pieces the unit
 * tests cannot: package.json and PulumiPolicy.yaml, the entry point, dependency
 * resolution from the repository root, ts-node's type check, the config schema and
 * Pulumi's handling of the policies' results.
 */
describe('the policy pack as Pulumi runs it', () => {
  const fixture = usePolicyRegistry();

  it('has one version in package.json and PulumiPolicy.yaml', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(SOURCE_PACK, 'package.json'), 'utf8'));
    const project = yaml.load(
      fs.readFileSync(path.join(SOURCE_PACK, 'PulumiPolicy.yaml'), 'utf8'),
    ) as Record<string, unknown>;
    assert.equal(project.version, pkg.version);
    assert.equal(project.runtime, 'nodejs');
    assert.equal(project.main, pkg.main);
  });

  describe('from src/policy (pulumi preview --policy-pack src/policy)', () => {
    let pack: PolicyPackProcess;
    before(async function () {
      // ts-node type-checks the pack at start, as under the CLI: seconds, not milliseconds.
      this.timeout(120_000);
      pack = await PolicyPackProcess.start(SOURCE_PACK, packEnv());
    });
    after(async () => {
      await pack?.stop();
    });

    it('describes four configurable policies at their default levels', async () => {
      const info = await pack.info();
      assert.equal(info.getName(), 'ingot-images');
      assert.equal(info.getVersion(), '0.1.0');
      assert.ok(info.getSupportsconfig());
      const policies = Object.fromEntries(
        info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]),
      );
      assert.deepEqual(policies, {
        'prohibited-revoked-images': 1,
        'discouraged-scheduled-revocation-images': 0,
        'required-tracked-images': 0,
        'discouraged-outdated-images': 0,
      });
      const schema = info.getPoliciesList()[0].getConfigschema()?.getProperties()?.toJavaScript();
      assert.deepEqual(Object.keys(schema ?? {}).sort(), [
        'failClosed',
        'organization',
        'project',
        'registryUrl',
      ]);
    });

    it('stops a revoked image with a mandatory violation', async () => {
      const diagnostics = await pack.analyze(instance(ami('fp-revoked')));
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      assert.equal(diagnostics[0].policy, 'prohibited-revoked-images');
      assert.equal(diagnostics[0].level, 'mandatory');
      // Pulumi shows the policy's description, then the message.
      const [description, message] = diagnostics[0].message.split('\n');
      assert.match(description, /^Prohibits images of revoked versions/);
      assert.match(
        message,
        /^aws:ec2\/instance:Instance "web" uses image ami-\w+ in us-east-1 .* revoked at /,
      );
    });

    it('passes the current image and says nothing about unknown ones during preview', async () => {
      assert.deepEqual(await pack.analyze(instance(ami('fp-current'))), []);
      assert.deepEqual(await pack.analyze(instance(UNKNOWN_STRING)), []);
    });

    it('follows the policy pack config (required-tracked-images made mandatory)', async () => {
      await pack.configure({ 'required-tracked-images': { enforcementLevel: 'mandatory' } });
      const diagnostics = await pack.analyze(instance('ami-0123456789abcdef0'));
      assert.deepEqual(
        diagnostics.map((d) => [d.policy, d.level]),
        [['required-tracked-images', 'mandatory']],
      );
    });

    it('says nothing about resources that take no image', async () => {
      assert.deepEqual(
        await pack.analyze({
          type: 'aws:s3/bucket:Bucket',
          name: 'logs',
          props: { bucket: 'logs' },
        }),
        [],
      );
    });
  });

  describe('built for publishing (src/policy/build-pack.ts)', () => {
    let dir: string;
    let pack: PolicyPackProcess;
    before(async function () {
      this.timeout(120_000);
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-policy-pack-'));
      buildPolicyPack(dir);
      // What `npm install` gives the unpacked pack in Pulumi Cloud.
      fs.symlinkSync(
        path.resolve(__dirname, '..', '..', 'node_modules'),
        path.join(dir, 'node_modules'),
      );
      pack = await PolicyPackProcess.start(dir, packEnv());
    });
    after(async () => {
      await pack?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('is JavaScript with its own package.json, depending on the policy SDK only', () => {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      assert.equal(pkg.main, 'policy/index.js');
      assert.deepEqual(Object.keys(pkg.dependencies), ['@pulumi/policy', '@pulumi/pulumi']);
      const project = yaml.load(
        fs.readFileSync(path.join(dir, 'PulumiPolicy.yaml'), 'utf8'),
      ) as Record<string, unknown>;
      assert.equal(project.main, 'policy/index.js');
      assert.equal(project.version, pkg.version);
    });

    it('packs what it needs (what `pulumi policy publish` uploads)', () => {
      const output = execFileSync('npm', ['pack', '--dry-run', '--json'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const files = (JSON.parse(output) as { files: { path: string }[] }[])[0].files.map(
        (f) => f.path,
      );
      for (const file of [
        'package.json',
        'PulumiPolicy.yaml',
        'policy/index.js',
        'client/registry-client.js',
      ])
        assert.ok(files.includes(file), `${file} missing from ${files.join(', ')}`);
      assert.ok(!files.some((f) => f.endsWith('.ts')), files.join(', '));
    });

    it('runs and stops a revoked image', async () => {
      const info = await pack.info();
      assert.equal(info.getName(), 'ingot-images');
      const diagnostics = await pack.analyze(instance(ami('fp-revoked')));
      assert.deepEqual(
        diagnostics.map((d) => [d.policy, d.level]),
        [['prohibited-revoked-images', 'mandatory']],
      );
    });
  });

  // Keeps `fixture` referenced: the env it sets is what the packs inherit.
  after(() => assert.ok(fixture.registry()));
});
