import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { GoldenImage, type GoldenImageArgs } from '../../src/images/golden-image';
import { recordResources, valueOf, type RegisteredResource } from '../helpers/pulumi-mocks';
import { waitForRegistration } from './helpers/wait';

/**
 * GoldenImage under Pulumi mocks: what it registers, that its trigger (the content hash)
 * follows the template, its scripts and its variables and nothing else, and that it
 * checks its arguments before registering anything.
 */
const ROOT = path.resolve(__dirname, '../..');
const SECRET = '4dabf18193072939515e22adb298388d';

/** A copy of packer/local plus a shared script, in a fresh directory (a "repository"). */
function fixture(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-golden-'));
  fs.cpSync(path.join(ROOT, 'packer/local'), path.join(root, 'packer/local'), { recursive: true });
  fs.mkdirSync(path.join(root, 'packer/scripts'), { recursive: true });
  fs.writeFileSync(path.join(root, 'packer/scripts/shared.sh'), '#!/bin/sh\necho shared\n');
  fs.writeFileSync(path.join(root, 'packer/scripts/unrelated.sh'), '#!/bin/sh\necho other\n');
  return root;
}

/** What a build step prints last: the manifest, after its marker (packer-command.ts). */
const BUILT = '==> Builds finished.\n::ingot-manifest::\n{"builds": []}\n';
const commandOutput = (r: { type: string }) =>
  r.type === 'command:local:Command' ? { stdout: BUILT } : undefined;

describe('GoldenImage under mocks', () => {
  let registered: RegisteredResource[];
  let root: string;
  let counter = 0;
  before(() => {
    registered = recordResources(commandOutput);
    root = fixture();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const args = (overrides: Partial<GoldenImageArgs> = {}): GoldenImageArgs => ({
    templateDir: 'packer/local',
    sources: ['file.x64', 'file.arm64'],
    scripts: ['packer/scripts/shared.sh'],
    variables: { layer: 'base' },
    commit: 'abc123',
    root,
    ...overrides,
  });

  /** The trigger of a fresh GoldenImage over the fixture as it is now. */
  async function trigger(overrides: Partial<GoldenImageArgs> = {}): Promise<string> {
    const name = `img-${++counter}`;
    new GoldenImage(name, args({ bucket: 'local-base', ...overrides }));
    const build = await waitForRegistration(registered, `${name}-build`);
    return build.inputs.triggers[0] as string;
  }

  it('registers the build, the version, and the channel, named after the component', async () => {
    const image = new GoldenImage(
      'local-base',
      args({ environment: { AWS_SECRET_ACCESS_KEY: 'shh' } }),
    );
    const build = await waitForRegistration(registered, 'local-base-build');
    assert.equal(build.type, 'command:local:Command');
    assert.deepEqual(build.inputs.interpreter, ['/bin/bash', '-c']);
    // The update step prints the previous build's manifest from PULUMI_COMMAND_STDOUT.
    assert.equal(build.inputs.addPreviousOutputInEnv, true);
    const create = build.inputs.create as string;
    assert.match(
      create,
      /^set -euo pipefail\nexport CHECKPOINT_DISABLE=1 HCP_PACKER_REGISTRY=off\n/,
    );
    assert.match(create, /'packer' build -machine-readable -color=false -force/);
    assert.doesNotMatch(create, /packer' init/, 'packer/local has no required_plugins');
    assert.match(create, /-only='file\.arm64,file\.x64'/);
    const fingerprint = await valueOf(image.fingerprint);
    assert.match(fingerprint, /^[0-9a-f]{32}$/, 'the content hash alone, never the commit');
    for (const v of [
      'bucket=local-base',
      `fingerprint=${fingerprint}`,
      'git_commit=abc123',
      'layer=base',
    ])
      assert.ok(create.includes(`-var '${v}'`), `${v} in ${create}`);
    assert.ok(
      create.includes(
        `-var 'manifest_path=${root}/.ingot/images/local-base/${fingerprint}/packer-manifest.json'`,
      ),
    );
    assert.match(create, /\| bash '.*\/packer\/tools\/packer-log\.sh'/);
    assert.equal(build.inputs.triggers[0], await valueOf(image.contentHash));
    assert.match(build.inputs.update, /is unchanged/);
    assert.equal(
      build.inputs.environment[SECRET],
      '1b47061264138c4ac30d75fd1eb44270',
      'credentials travel as a secret',
    );

    const version = await waitForRegistration(registered, 'local-base-version');
    assert.equal(version.type, 'pulumi-nodejs:dynamic/ingot:PublishedVersion');
    assert.equal(version.inputs.fingerprint, fingerprint);
    assert.deepEqual(version.inputs.expectBuilds, ['file.x64', 'file.arm64']);
    assert.equal(
      version.inputs.manifestPath,
      undefined,
      'the manifest comes from the build output',
    );
    assert.deepEqual(version.inputs.buildLabels, {
      content_hash: fingerprint.slice(0, 24),
      git_commit: 'abc123',
    });
    assert.ok(!version.inputs.__provider.includes('shh'));
    const assignment = await waitForRegistration(registered, 'local-base-dev');
    assert.equal(assignment.inputs.channel, 'dev');
    assert.equal(assignment.inputs.versionFingerprint, fingerprint);
  });

  it('triggers follow the template, its scripts and variables, and nothing else', async () => {
    const first = await trigger();
    assert.equal(await trigger(), first, 'unchanged: no rebuild');
    assert.equal(
      await trigger({ commit: 'f00dfeed1234' }),
      first,
      'another commit (or a depth-1 clone, where every file "last changed" at HEAD): no rebuild',
    );
    assert.notEqual(
      await trigger({ variables: { layer: 'base', build_epoch: '2026-W11' } }),
      first,
      'a new build epoch (the next ISO week) rebuilds',
    );
    assert.equal(
      await trigger({ environment: { AWS_ACCESS_KEY_ID: 'rotated' } }),
      first,
      'credentials are not hashed',
    );
    fs.appendFileSync(path.join(root, 'packer/scripts/unrelated.sh'), 'echo more\n');
    assert.equal(await trigger(), first, 'a script the template does not use');
    fs.writeFileSync(path.join(root, 'packer/local/packer-manifest.json'), '{}');
    assert.equal(await trigger(), first, 'Packer output left in the template directory');

    fs.appendFileSync(path.join(root, 'packer/scripts/shared.sh'), 'echo changed\n');
    const script = await trigger();
    assert.notEqual(script, first, 'a changed shared script rebuilds');
    fs.appendFileSync(path.join(root, 'packer/local/scripts/build-image.sh'), '# changed\n');
    const template = await trigger();
    assert.notEqual(template, script, 'a changed template script rebuilds');
    assert.notEqual(
      await trigger({ variables: { layer: 'runner' } }),
      template,
      'a changed variable rebuilds',
    );
    assert.notEqual(await trigger({ sources: ['file.x64'] }), template, 'other sources rebuild');

    const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-golden-moved-'));
    fs.cpSync(root, moved, { recursive: true });
    try {
      assert.equal(
        await trigger({ root: moved }),
        template,
        'another checkout directory: same hash',
      );
    } finally {
      fs.rmSync(moved, { recursive: true, force: true });
    }
  });

  it('reads the parent from its channel and passes its artifacts as variables', async () => {
    const byName = recordResources((r) =>
      r.type === 'command:local:Command'
        ? commandOutput(r)
        : r.type.endsWith(':ChannelImages')
          ? {
              versionFingerprint: 'base-fp',
              versionName: 'v3',
              builds: ['x64', 'arm64'].map((arch) => ({
                id: arch,
                platform: 'file',
                component_type: `file.${arch}`,
                status: 'BUILD_DONE',
                labels: {},
                artifacts: [
                  { external_identifier: `/images/base-${arch}.tar.gz`, region: 'local' },
                ],
              })),
            }
          : r.type.endsWith(':RegistryImage')
            ? { externalIdentifier: '/images/runner-x64.tar.gz' }
            : undefined,
    );
    new GoldenImage(
      'local-runner',
      args({
        variables: { layer: 'runner' },
        parent: {
          bucket: 'local-base',
          channel: 'dev',
          images: ['x64', 'arm64'].map((arch) => ({
            variable: `parent_image_${arch}`,
            platform: 'file',
            region: 'local',
            componentType: `file.${arch}`,
          })),
        },
        integrationTest: {
          mode: 'local',
          smoke: 'runner',
          platform: 'file',
          region: 'local',
          componentTypes: ['file.x64', 'file.arm64'],
          runner: {
            os: 'ubuntu',
            organization: 'acme',
            runnerGroup: 'Default',
            githubUrl: 'https://github.com',
            apiUrl: 'https://api.github.com',
            secret: { cloud: 'aws', region: 'us-east-1', name: 'ingot/app' },
          },
        },
      }),
    );
    const parent = await waitForRegistration(byName, 'local-runner-parent-images');
    assert.deepEqual([parent.inputs.bucket, parent.inputs.channel], ['local-base', 'dev']);
    const build = await waitForRegistration(byName, 'local-runner-build');
    assert.ok(build.inputs.create.includes(`-var 'parent_image_arm64=/images/base-arm64.tar.gz'`));
    const version = await waitForRegistration(byName, 'local-runner-version');
    assert.deepEqual(version.inputs.parent, { bucket: 'local-base', channel: 'dev' });
    // The test image is a child of the component used by a sibling: it must still register.
    for (const arch of ['x64', 'arm64']) {
      const image = await waitForRegistration(byName, `local-runner-test-image-file-${arch}`);
      assert.equal(image.inputs.componentType, `file.${arch}`);
    }
    const test = await waitForRegistration(byName, 'local-runner-integration-test');
    assert.equal(
      test.inputs.create.match(
        /image-integration-test\.sh' --mode 'local' --smoke 'runner' --image /g,
      ).length,
      2,
      'every architecture boots',
    );
    registered = byName;
  });

  it('assigns the channel only after the integration test passed', async () => {
    let pass: () => void = () => undefined;
    const passed = new Promise<void>((resolve) => (pass = resolve));
    const order: string[] = [];
    pulumi.runtime.setMocks(
      {
        newResource: async (a) => {
          if (a.name.endsWith('-integration-test')) await passed;
          order.push(a.name);
          return {
            id: `${a.name}-id`,
            state: { ...a.inputs, externalIdentifier: '/x.tar.gz', stdout: BUILT },
          };
        },
        call: (a) => a.inputs,
      },
      'ingot-test',
      'dev',
    );
    new GoldenImage(
      'gated',
      args({
        bucket: 'local-base',
        integrationTest: {
          mode: 'local',
          smoke: 'base',
          platform: 'file',
          region: 'local',
          componentTypes: ['file.x64'],
        },
      }),
    );
    for (let i = 0; i < 50 && !order.includes('gated-version'); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(order.includes('gated-version'));
    assert.ok(!order.includes('gated-dev'), 'dev waits for the test');
    pass();
    for (let i = 0; i < 50 && !order.includes('gated-dev'); i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(order.indexOf('gated-dev') > order.indexOf('gated-integration-test'));
    registered = recordResources(commandOutput);
  });

  it('checks its arguments first, naming each and the fix', () => {
    const bad = () =>
      new GoldenImage(
        'bad',
        args({
          bucket: 'x',
          channel: 'latest',
          sources: ['file.x64', 'amazon-ebs.nope', 'noType'],
          scripts: ['packer/scripts/missing.sh'],
          variables: { layer: 'base', fingerprint: 'mine', undeclared: 'x' },
          integrationTest: {
            mode: 'ssh' as never,
            smoke: 'runner',
            platform: 'file',
            region: '',
            componentTypes: [],
          },
        }),
      );
    assert.throws(bad, (error: Error) => {
      for (const expected of [
        /GoldenImage "bad" has invalid arguments/,
        /bucket is "x"; use 3-36 letters/,
        /channel is "latest"/,
        /sources has "amazon-ebs.nope", which the template does not declare; it declares file\.x64, file\.arm64/,
        /sources has "noType"; write sources as type\.name/,
        /scripts has "packer\/scripts\/missing\.sh", which does not exist/,
        /variables sets "fingerprint", which the pipeline fills in itself/,
        /variables sets "undeclared", which the template does not declare/,
        /integrationTest\.mode is "ssh"/,
        /integrationTest\.region is required/,
        /integrationTest\.componentTypes is empty/,
        /integrationTest\.runner is required for smoke "runner"/,
      ])
        assert.match(error.message, expected);
      return true;
    });
    assert.throws(
      () => new GoldenImage('nodir', args({ templateDir: 'packer/none' })),
      /templateDir "packer\/none" is not a directory/,
    );
  });
});
