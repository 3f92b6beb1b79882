import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { installPackage, ROOT, run, type InstalledPackage } from '../helpers/installed-package';

interface Probe {
  exports: string[];
  registered: string[];
  loaded: string[];
  main: string;
}

const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};

/** Modules no library entry may load: the registry server, databases, cloud SDKs, the CLI. */
const HEAVY_DEPENDENCIES =
  /\/node_modules\/(better-sqlite3|pg|pg-pool|fastify|@fastify|@aws-sdk|@google-cloud|@octokit|@pulumi\/(aws|gcp|command|random)|prom-client|pino|commander)\//;
/**
 * Parts of the package no library entry may load (paths under its dist/): the fleet
 * program, the CLI, the image pipeline, the scaler and the registry server. Durations and
 * their validation error are plain functions the providers share with the registry.
 */
const PROGRAM_MODULES =
  /^(index\.js|fleet\/|cli\/|images\/|scaler\/|config\/|registry\/(?!(duration|errors)\.js$))/;

/**
 * The package as another project gets it: `npm pack` of this repository (what a tarball
 * or git URL install unpacks), unpacked into a project's node_modules. The entry points
 * of package.json `exports` load there without running a fleet or starting a server.
 */
describe('the ingot package (npm pack, installed in another project)', function () {
  this.timeout(120_000);
  let installed: InstalledPackage;

  before(async function () {
    // A stale dist/ is rebuilt first (minutes on a loaded machine; none after `npm ci`).
    this.timeout(15 * 60_000);
    installed = await installPackage();
  });
  after(() => installed?.remove());

  const probe = async (specifier: string, mocks: boolean): Promise<Probe> => {
    const args = [path.join(__dirname, 'probe-entry.js'), specifier, ...(mocks ? ['--mocks'] : [])];
    // A policy pack started on import would keep the process alive: the timeout catches it.
    const { stdout } = await run(process.execPath, args, {
      cwd: installed.app,
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as Probe;
  };

  /** What an entry loaded beyond the library, its own modules as paths under dist/. */
  const lighter = (probe: Probe) => {
    const dist = path.join(installed.packageDir, 'dist') + path.sep;
    const own = probe.loaded.filter((f) => f.startsWith(dist)).map((f) => f.slice(dist.length));
    // The installed copy answered, not this checkout (which a package may import by name).
    assert.ok(own.length > 0, `nothing was loaded from ${dist}`);
    assert.deepEqual(
      probe.loaded.filter((f) => f.startsWith(path.join(ROOT, 'dist'))),
      [],
    );
    return {
      heavy: probe.loaded.filter((file) => HEAVY_DEPENDENCIES.test(file)),
      program: own.filter((file) => PROGRAM_MODULES.test(file)),
    };
  };

  it('packs dist/ and bin/, without tests, sources, source maps or other build outputs', () => {
    const files = installed.pack.files.map((f) => f.path);
    assert.equal(installed.pack.name, PACKAGE.name);
    for (const expected of [
      'package.json',
      'README.md',
      'bin/ingot.js',
      'dist/cli/main.js',
      'dist/provider/index.js',
      'dist/provider/index.d.ts',
      'dist/ui/index.html',
      // Built on install (the package's install script).
      'native/binding.gyp',
      'native/shm-view.c',
      'native/build.js',
    ])
      assert.ok(files.includes(expected), `${expected} is packed`);
    const unwanted = files.filter((f) =>
      /^(test|src|examples|docs|bench|scripts|ui|images|packer|deploy)\/|\.map$|^dist\/(policy-pack|scaler-bundle)\//.test(
        f,
      ),
    );
    assert.deepEqual(unwanted, []);
    // Every file package.json points at ships.
    const targets = [
      ...Object.values(PACKAGE.bin),
      ...Object.values(PACKAGE.exports).flatMap((t) =>
        typeof t === 'string' ? [t] : [t.types, t.default],
      ),
      ...Object.values(PACKAGE.typesVersions['*']).flat(),
    ]
      .filter((t) => !t.includes('*'))
      .map((t) => t.replace(/^\.\//, ''));
    assert.deepEqual(
      targets.filter((t) => !files.includes(t)),
      [],
    );
  });

  it('ingot/providers: the four resources, registering nothing, without server or cloud SDKs', async () => {
    const result = await probe('ingot/providers', true);
    for (const name of ['ChannelAssignment', 'ChannelImages', 'PublishedVersion', 'RegistryImage'])
      assert.ok(result.exports.includes(name), `exports ${name}`);
    assert.deepEqual(result.registered, []);
    assert.deepEqual(lighter(result), { heavy: [], program: [] });
    assert.ok(!result.loaded.some((f) => f.includes('/node_modules/@pulumi/policy/')));
    // The fleet program is not the package's main: there is no `ingot` to import at all.
    assert.equal(result.main, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('ingot/client: the registry client without Pulumi, server or cloud SDKs', async () => {
    const result = await probe('ingot/client', false);
    for (const name of [
      'RegistryClient',
      'resolveVersion',
      'publishVersion',
      'RegistryClientError',
    ])
      assert.ok(result.exports.includes(name), `exports ${name}`);
    assert.deepEqual(lighter(result), { heavy: [], program: [] });
    assert.ok(!result.loaded.some((f) => f.includes('/node_modules/@pulumi/')));
  });

  it('ingot/policy: the policies, without starting the pack (its gRPC server)', async () => {
    const result = await probe('ingot/policy', true);
    for (const name of ['ingotImagePolicies', 'prohibitedRevokedImages', 'ImageLookups'])
      assert.ok(result.exports.includes(name), `exports ${name}`);
    assert.deepEqual(lighter(result), { heavy: [], program: [] });
    assert.ok(!result.loaded.includes(path.join(installed.packageDir, 'dist/policy/index.js')));
    assert.deepEqual(result.registered, []);
  });

  it('the installed `ingot` command runs', async () => {
    const bin = path.join(installed.packageDir, PACKAGE.bin.ingot);
    const { stdout } = await run(process.execPath, [bin, '--help'], { cwd: installed.app });
    assert.match(stdout, /Usage: ingot/);
    assert.match(stdout, /registry/);
  });
});
