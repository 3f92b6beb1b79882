import assert from 'node:assert/strict';
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { imagePipeline } from '../../src/images/image-pipeline';
import { parseImagePipelineConfig } from '../../src/images/pipeline-config';
import type { RegisteredResource } from '../helpers/pulumi-mocks';
import { waitForRegistration } from './helpers/wait';

/**
 * The pipeline under Pulumi mocks: which stack builds and which promotes, parents before
 * children while independent templates go in parallel, and what reaches Packer.
 */
const ROOT = path.resolve(__dirname, '../..');
const SHA = 'a'.repeat(64);

const baseBuilds = [
  { component_type: 'amazon-ebs.base-x64', region: 'us-east-1', id: 'ami-0aaa0000000000001' },
  { component_type: 'amazon-ebs.base-arm64', region: 'us-east-1', id: 'ami-0bbb0000000000002' },
  {
    component_type: 'googlecompute.base',
    region: 'global',
    id: 'projects/acme-images/global/images/ubuntu-base-1',
  },
].map((b) => ({
  id: b.component_type,
  platform: b.component_type.startsWith('google') ? 'gcp' : 'aws',
  component_type: b.component_type,
  status: 'BUILD_DONE',
  labels: {},
  artifacts: [{ external_identifier: b.id, region: b.region }],
}));

/** Mocks that record registrations in order and can hold one resource back. */
function mocks(stack: string, hold?: { name: string; until: Promise<void> }, preview = false) {
  const registered: RegisteredResource[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: async (a) => {
        registered.push({ type: a.type, name: a.name, inputs: a.inputs });
        if (hold && a.name === hold.name) await hold.until;
        // A preview of new resources knows their inputs only, as the engine's does.
        if (preview) return { id: '', state: a.inputs };
        const extra = a.type.endsWith(':ChannelImages')
          ? { versionFingerprint: 'base-fp', versionName: 'v1', builds: baseBuilds }
          : a.type.endsWith(':RegistryImage')
            ? { externalIdentifier: 'ami-0ccc0000000000003' }
            : a.type === 'command:local:Command'
              ? { stdout: '::ingot-manifest::\n{"builds": []}\n' }
              : a.type === 'random:index/randomId:RandomId'
                ? { hex: '0a1b2c3d' }
                : {};
        return { id: `${a.name}-id`, state: { ...a.inputs, ...extra } };
      },
      call: (a) => a.inputs,
    },
    'ingot-fleet',
    stack,
    preview,
  );
  return registered;
}

/** The fleet's github stack config: the runner images' test registers like the fleet. */
const github = { organization: 'acme', registrationSecret: { aws: 'ingot/dev/github-runner-app' } };

const cloudConfig = {
  templates: ['ubuntu-base', 'runner-ubuntu', 'runner-windows'],
  aws: { regions: ['us-east-1', 'eu-west-1'] },
  gcp: { projectId: 'acme-images', zone: 'europe-west1-b' },
  variables: {
    'runner-windows': { git_sha256: SHA, docker_sha256: SHA, powershell_sha256: SHA },
  },
  integrationTest: { args: { repository: 'acme/ci-smoke' } },
};

describe('image pipeline under mocks: which stack does what', () => {
  it('dev builds: parent before child, independent templates in parallel', async () => {
    let release: () => void = () => undefined;
    const until = new Promise<void>((resolve) => (release = resolve));
    const registered = mocks('dev', { name: 'images-ubuntu-base-dev', until });
    imagePipeline(parseImagePipelineConfig(cloudConfig, 'dev', { root: ROOT, github }));

    await waitForRegistration(registered, 'images-ubuntu-base-dev');
    const windows = await waitForRegistration(registered, 'images-runner-windows-build');
    assert.ok(windows, 'runner-windows does not wait for ubuntu-base');
    const names = () => registered.map((r) => r.name);
    assert.ok(
      !names().includes('images-runner-ubuntu-parent-images'),
      'the child waits for its parent',
    );
    assert.ok(!names().includes('images-runner-ubuntu-build'));

    release();
    const parent = await waitForRegistration(registered, 'images-runner-ubuntu-parent-images');
    assert.deepEqual([parent.inputs.bucket, parent.inputs.channel], ['ubuntu-base', 'dev']);
    assert.ok(
      names().indexOf('images-ubuntu-base-dev') <
        names().indexOf('images-runner-ubuntu-parent-images'),
    );

    const build = await waitForRegistration(registered, 'images-runner-ubuntu-build');
    const create = build.inputs.create as string;
    assert.match(create, /'packer' init \./, 'modern templates get packer init');
    assert.match(
      create,
      /-only='amazon-ebs\.runner-arm64,amazon-ebs\.runner-x64,googlecompute\.runner'/,
    );
    // The template reads its parent itself (hcp-packer-version/-artifact data sources):
    // it gets the bucket, the channel and the clouds being built.
    for (const v of [
      `aws_regions=["us-east-1","eu-west-1"]`,
      'parent_bucket=ubuntu-base',
      'parent_channel=dev',
      'clouds=["aws","gcp"]',
      'gcp_project_id=acme-images',
      'gcp_zone=europe-west1-b',
      'name_suffix=0a1b2c3d',
    ])
      assert.ok(create.includes(`-var '${v}'`), `${v} in ${create}`);
    assert.doesNotMatch(create, /source_ami/);

    for (const arch of ['x64', 'arm64']) {
      const testImage = await waitForRegistration(
        registered,
        `images-runner-ubuntu-test-image-amazon-ebs-runner-${arch}`,
      );
      assert.deepEqual(
        [testImage.inputs.platform, testImage.inputs.region, testImage.inputs.componentType],
        ['aws', 'us-east-1', `amazon-ebs.runner-${arch}`],
      );
    }
    const test = await waitForRegistration(registered, 'images-runner-ubuntu-integration-test');
    assert.equal(
      test.inputs.create.match(
        /--mode 'aws' --smoke 'runner' --image 'ami-0ccc0000000000003' --region 'us-east-1'/g,
      ).length,
      2,
      'x64 and arm64 both boot',
    );
    assert.match(test.inputs.create, /--runner-prefix 'ingot-test-runner-ubuntu-[a-z0-9-]+-arm64'/);
    assert.match(test.inputs.create, /--organization 'acme'/);
    assert.match(test.inputs.create, /--repository 'acme\/ci-smoke'/);
    const dev = await waitForRegistration(registered, 'images-runner-ubuntu-dev');
    assert.equal(dev.inputs.channel, 'dev');
    assert.equal(
      registered.filter((r) => r.type === 'command:local:Command' && r.name.endsWith('-build'))
        .length,
      3,
    );
  });

  it('staging promotes what dev holds, at once; it builds nothing', async () => {
    const registered = mocks('staging');
    imagePipeline(parseImagePipelineConfig(cloudConfig, 'staging', { root: ROOT }));
    for (const t of cloudConfig.templates) {
      const promotion = await waitForRegistration(registered, `images-${t}-staging`);
      assert.equal(promotion.type, 'pulumi-nodejs:dynamic/ingot:ChannelAssignment');
      assert.deepEqual(promotion.inputs.promoteFrom, { channel: 'dev', minimumSoak: '0s' });
      assert.equal(promotion.inputs.versionFingerprint, undefined);
    }
    assert.equal(registered.filter((r) => r.type.startsWith('command:')).length, 0);
  });

  it('prod promotes only what staging has held for 24 h', async () => {
    const registered = mocks('prod');
    imagePipeline(
      parseImagePipelineConfig({ templates: ['ubuntu-base', 'runner-ubuntu'] }, 'prod', {
        root: ROOT,
      }),
    );
    for (const t of ['ubuntu-base', 'runner-ubuntu']) {
      const promotion = await waitForRegistration(registered, `images-${t}-prod`);
      assert.deepEqual(promotion.inputs.promoteFrom, { channel: 'staging', minimumSoak: '24h' });
    }
    assert.equal(registered.filter((r) => r.type.startsWith('command:')).length, 0);
  });

  it('publishes natively to HCP Packer only when asked, and keeps credentials secret', async () => {
    const registered = mocks('dev');
    imagePipeline(
      parseImagePipelineConfig(
        {
          templates: ['ubuntu-base'],
          aws: { regions: ['us-east-1'] },
          hcpPackerRegistry: true,
          integrationTest: false,
        },
        'dev',
        { root: ROOT, environment: pulumi.secret({ AWS_SECRET_ACCESS_KEY: 'shh' }) },
      ),
    );
    const build = await waitForRegistration(registered, 'images-ubuntu-base-build');
    assert.match(
      build.inputs.create,
      /HCP_PACKER_REGISTRY=on\nexport HCP_PACKER_BUILD_FINGERPRINT='[0-9a-f]{32}'\n/,
    );
    assert.equal(
      build.inputs.environment['4dabf18193072939515e22adb298388d'],
      '1b47061264138c4ac30d75fd1eb44270',
    );
    assert.ok(!build.inputs.create.includes('shh'));
    const dev = await waitForRegistration(registered, 'images-ubuntu-base-dev');
    assert.equal(dev.inputs.channel, 'dev', 'without a test, dev follows the publish');
    assert.equal(
      registered.find((r) => r.name.endsWith('-integration-test')),
      undefined,
    );
  });

  it('a preview of a first build looks up nothing that does not exist yet', async () => {
    const unknown = (v: unknown) =>
      v === '04da6b54-80e4-46f7-96ec-b56ff0331ba9' ||
      (typeof v === 'object' && v !== null && '__pulumiUnknown' in v);
    const registered = mocks('dev', undefined, true);
    imagePipeline(
      parseImagePipelineConfig({ aws: { regions: ['us-east-1'] } }, 'dev', { root: ROOT, github }),
    );
    const parent = await waitForRegistration(registered, 'images-runner-ubuntu-parent-images');
    assert.ok(unknown(parent.inputs.channel), 'the parent channel is read once the parent is done');
    const image = await waitForRegistration(
      registered,
      'images-ubuntu-base-test-image-amazon-ebs-base-x64',
    );
    assert.ok(
      unknown(image.inputs.versionFingerprint),
      'the new version is looked up once published',
    );
    const dev = await waitForRegistration(registered, 'images-ubuntu-base-dev');
    assert.match(
      dev.inputs.versionFingerprint,
      /^[0-9a-f]{32}$/,
      'the preview shows the fingerprint dev will get',
    );
  });
});
