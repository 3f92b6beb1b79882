import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import requireFromString from 'require-from-string';
import yaml from 'js-yaml';
import { CHANNEL_IMAGES_TYPE } from '../../src/provider/channel-images';
import { valueOf } from '../helpers/pulumi-mocks';
import { installPackage, ROOT, run, type InstalledPackage } from '../helpers/installed-package';
import { imageId, startTestRegistry, type TestRegistry } from '../helpers/registry-harness';

const EXAMPLE = path.join(ROOT, 'examples', 'channel-images');
const PROJECT = (
  yaml.load(fs.readFileSync(path.join(EXAMPLE, 'Pulumi.yaml'), 'utf8')) as { name: string }
).name;
const TSC = require.resolve('typescript/bin/tsc');
const ENV_KEYS = [
  'INGOT_REGISTRY_URL',
  'HCP_API_ADDRESS',
  'HCP_CLIENT_ID',
  'HCP_CLIENT_SECRET',
  'HCP_ORGANIZATION_ID',
  'HCP_PROJECT_ID',
  'INGOT_CREDENTIALS_FILE',
];

/**
 * examples/channel-images is a Pulumi project of an adopter's: it depends on the package,
 * not on this repository's sources. Here it is copied next to the packed package (as
 * `npm install` of the tarball leaves it), type-checked against the package's declarations
 * and run under Pulumi's mocks. The mocks act as the engine does for a dynamic resource:
 * the provider serialized into `__provider` is loaded from the project's directory (where
 * the engine's dynamic provider host runs), configured from the stack config, and its
 * `check` and `create` answer from a live registry (SQLite: the engines are the subject of
 * test/provider and test/registry, the package is the subject here).
 */
describe('examples/channel-images against the built package', function () {
  this.timeout(60_000);
  let installed: InstalledPackage;
  let registry: TestRegistry;
  /** The example compiled with its own tsconfig into bin/ (as `tsc` in the project would). */
  let compiled: Promise<string>;
  const saved: Record<string, string | undefined> = {};

  /** tsc in the project: its diagnostics, empty when it type-checks. */
  const tsc = async (...args: string[]): Promise<string> => {
    try {
      await run(process.execPath, [TSC, '-p', installed.app, ...args], { cwd: installed.app });
      return '';
    } catch (error) {
      const { stdout, stderr, message } = error as { stdout?: string; stderr?: string } & Error;
      return `${stdout ?? ''}${stderr ?? ''}` || message;
    }
  };

  before(async function () {
    this.timeout(15 * 60_000);
    for (const key of ENV_KEYS) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    installed = await installPackage();
    for (const file of fs.readdirSync(EXAMPLE))
      if (!['node_modules', 'bin'].includes(file))
        fs.copyFileSync(path.join(EXAMPLE, file), path.join(installed.app, file));
    compiled = tsc();
    registry = await startTestRegistry('sqlite');
    await registry.publish('runner-ubuntu', 'tmpl-1', [
      { platform: 'aws', regions: ['us-east-1', 'eu-west-1'] },
      { platform: 'gcp', regions: ['us-central1'] },
    ]);
    await registry.ok('POST', `${registry.packer()}/buckets/runner-ubuntu/channels`, {
      name: 'prod',
      version_fingerprint: 'tmpl-1',
    });
  });
  after(async () => {
    for (const key of ENV_KEYS) if (saved[key] !== undefined) process.env[key] = saved[key];
    await compiled;
    await registry?.close();
    installed?.remove();
  });

  it('type-checks and compiles with its tsconfig (node16: package.json exports and types)', async function () {
    this.timeout(5 * 60_000);
    assert.equal(await compiled, '');
    assert.ok(fs.existsSync(path.join(installed.app, 'bin', 'index.js')));
  });

  it('type-checks with the `node` resolution of `pulumi new typescript` (typesVersions)', async function () {
    this.timeout(5 * 60_000);
    assert.equal(await tsc('--noEmit', '--module', 'commonjs', '--moduleResolution', 'node10'), '');
  });

  it('runs under Pulumi mocks, its provider resolving the channel from a live registry', async function () {
    this.timeout(5 * 60_000);
    const stackConfig: Record<string, string> = {
      'ingot:registryUrl': registry.url,
      'ingot:organizationId': 'org-1',
      'ingot:projectId': 'proj-1',
      'ingot:registryClientId': registry.admin.clientId,
      'ingot:registryClientSecret': registry.admin.clientSecret,
      [`${PROJECT}:bucket`]: 'runner-ubuntu',
      [`${PROJECT}:channel`]: 'prod',
      [`${PROJECT}:regions`]: JSON.stringify(['us-east-1', 'eu-west-1']),
    };
    const providers: string[] = [];
    pulumi.runtime.setMocks(
      {
        newResource: async (args) => {
          assert.equal(args.type, CHANNEL_IMAGES_TYPE);
          const { __provider: text, ...inputs } = args.inputs as Record<string, unknown>;
          providers.push(text as string);
          const provider = (
            requireFromString(text as string, path.join(installed.app, '__provider.js')) as {
              handler: () => Required<pulumi.dynamic.ResourceProvider>;
            }
          ).handler();
          await provider.configure({
            config: { get: (key: string) => stackConfig[key] },
          } as unknown as pulumi.dynamic.ConfigureRequest);
          const checked = await provider.check({}, inputs);
          assert.deepEqual(checked.failures ?? [], []);
          const { id, outs } = await provider.create(checked.inputs);
          return { id, state: outs };
        },
        call: (args) => args.inputs,
      },
      PROJECT,
      'dev',
      false,
    );
    pulumi.runtime.setAllConfig(stackConfig, ['ingot:registryClientSecret']);

    // The program compiled by tsc (Pulumi runs index.ts through ts-node: the same code).
    assert.equal(await compiled, '');
    const program = (await import(path.join(installed.app, 'bin', 'index.js'))) as {
      version: pulumi.Output<string>;
      amis: Record<string, pulumi.Output<string>>;
    };
    assert.equal(await valueOf(program.version), 'v1');
    assert.deepEqual(Object.keys(program.amis), ['us-east-1', 'eu-west-1']);
    for (const region of ['us-east-1', 'eu-west-1'])
      assert.equal(await valueOf(program.amis[region]), imageId('aws', 'tmpl-1', region));

    // The provider was serialized as a package's code (required by its exported paths), not
    // copied by value as this repository's own sources are: what an adopter's state holds.
    assert.equal(providers.length, 1);
    assert.match(providers[0], /require\("ingot\/dist\/[\w/-]+\.js"\)/);
    assert.ok(!providers[0].includes(registry.admin.clientSecret));

    // The registry recorded the example's stack as a consumer, read with `ingot/client`.
    // Resolved as the project would: from here, `ingot/client` is this checkout itself.
    const fromApp = createRequire(path.join(installed.app, 'index.js'));
    const client = (await import(
      fromApp.resolve('ingot/client')
    )) as typeof import('../../src/client/index');
    const consumers = await new client.RegistryClient({
      registryUrl: registry.url,
      organizationId: 'org-1',
      projectId: 'proj-1',
      clientId: registry.admin.clientId,
      clientSecret: registry.admin.clientSecret,
    }).consumers('runner-ubuntu');
    assert.deepEqual(
      consumers.map((c) => [c.pulumi_project, c.stack]),
      [[PROJECT, 'dev']],
    );
  });
});
