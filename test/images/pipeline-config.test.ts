import assert from 'node:assert/strict';
import * as pulumi from '@pulumi/pulumi';
import {
  ImagePipelineConfigError,
  loadImagePipelineConfig,
  parseImagePipelineConfig,
} from '../../src/images/pipeline-config';

/** The `images` stack config: defaults by stack, and every problem named with its fix. */
function problems(raw: unknown, stack = 'dev'): string[] {
  try {
    parseImagePipelineConfig(raw, stack);
  } catch (error) {
    assert.ok(error instanceof ImagePipelineConfigError);
    return error.problems;
  }
  assert.fail('the config was accepted');
}

/** The fleet's github stack config, which the runner images' test registers with. */
const github = { organization: 'acme', registrationSecret: { aws: 'ingot/dev/github-runner-app' } };

describe('image pipeline config', () => {
  const aws = { regions: ['us-east-1'] };

  it('gives dev, staging and prod their roles by default', () => {
    const dev = parseImagePipelineConfig({ aws }, 'dev', { github });
    assert.equal(dev.role, 'build');
    assert.equal(dev.channel, 'dev');
    assert.deepEqual(dev.templates, ['ubuntu-base', 'runner-ubuntu']);
    assert.equal(dev.parentChannel, 'dev');
    assert.deepEqual(dev.integrationTest, {
      args: {},
      github: {
        ...github,
        runnerGroup: 'Default',
        url: 'https://github.com',
        apiUrl: 'https://api.github.com',
      },
    });
    assert.equal(dev.runnerMinimumVersion, '2.329.0');
    assert.throws(
      () => parseImagePipelineConfig({ aws }, 'dev'),
      /images\.integrationTest\.github is not set and the stack has no github config/,
    );
    assert.equal(dev.hcpPackerRegistry, true, 'native publishing is the default for cloud builds');

    const staging = parseImagePipelineConfig(undefined, 'staging');
    assert.equal(staging.role, 'promote');
    assert.deepEqual(staging.promoteFrom, { channel: 'dev', minimumSoak: '0s' });
    const prod = parseImagePipelineConfig({}, 'prod');
    assert.deepEqual(prod.promoteFrom, { channel: 'staging', minimumSoak: '24h' });
    const slower = parseImagePipelineConfig({ promoteFrom: { minimumSoak: '3d' } }, 'prod');
    assert.deepEqual(slower.promoteFrom, { channel: 'staging', minimumSoak: '3d' });
  });

  it('lets any stack take any role', () => {
    const canary = parseImagePipelineConfig(
      { role: 'promote', promoteFrom: { channel: 'dev', minimumSoak: '2h' } },
      'canary',
    );
    assert.equal(canary.channel, 'canary');
    const local = parseImagePipelineConfig(
      { role: 'build', templates: ['local-base', 'local-runner'] },
      'laptop',
      { github },
    );
    assert.equal(local.role, 'build');
  });

  it('names each problem, where it is and what to do', () => {
    const found = problems({
      regoins: ['us-east-1'],
      aws: {
        regions: ['us-east', 'us-east-1', 'us-east-1'],
        mac: { hostId: 'h-0123456789abcdef0', hostResourceGroupArn: 'arn:aws:resource-groups:x' },
      },
      gcp: { projectId: 'X', zone: 'europe' },
      templates: ['ubuntu-base', 'runner-macos', 'runner-windows', 'runner-fedora'],
      promoteFrom: { channel: 'dev' },
      integrationTest: { cloud: 'azure' },
      hcpPackerRegistry: 'yes',
    });
    for (const expected of [
      /^images\.regoins is not a setting; use one of role, channel/,
      /^images\.aws\.regions\[0\] is "us-east"; use a region name such as us-east-1\.$/,
      /^images\.aws\.regions lists a region twice\.$/,
      /^images\.aws\.mac sets both hostId and hostResourceGroupArn/,
      /^images\.gcp\.projectId is "X"/,
      /^images\.gcp\.zone is "europe"/,
      /^images\.templates\[3\] is "runner-fedora"; known templates: ubuntu-base, runner-ubuntu/,
      /^images\.promoteFrom applies to role "promote"/,
      /^images\.integrationTest\.cloud is "azure"; use "aws" or "gcp"\.$/,
      /^images\.hcpPackerRegistry must be true or false\.$/,
      /^images\.templates has "runner-windows" but runner-windows needs git_sha256, docker_sha256, powershell_sha256/,
    ])
      assert.ok(
        found.some((p) => expected.test(p)),
        `${expected} in:\n${found.join('\n')}`,
      );
  });

  it('refuses builds that cannot happen with the settings given', () => {
    assert.match(
      problems({ templates: ['ubuntu-base'] }).join('\n'),
      /"ubuntu-base", which builds on aws or gcp; configure images\.aws or images\.gcp/,
    );
    assert.match(
      problems({ aws, templates: ['runner-macos'] }).join('\n'),
      /set images\.aws\.mac\.hostId or images\.aws\.mac\.hostResourceGroupArn/,
    );
    assert.match(
      problems({ gcp: { projectId: 'acme-images' }, templates: ['runner-macos'] }).join('\n'),
      /runner-macos builds only on AWS: configure images\.aws/,
    );
    assert.match(
      problems({ aws, integrationTest: { cloud: 'gcp' } }).join('\n'),
      /images\.integrationTest\.cloud is "gcp" but images\.gcp is not configured/,
    );
  });

  it('refuses promotions that make no sense', () => {
    assert.match(
      problems({}, 'qa').join('\n'),
      /images\.role is not set and stack "qa" has no default/,
    );
    assert.match(
      problems({ role: 'promote' }, 'qa').join('\n'),
      /images\.promoteFrom is required for role "promote"/,
    );
    assert.match(
      problems({ promoteFrom: { channel: 'prod' } }, 'prod').join('\n'),
      /images\.promoteFrom\.channel is "prod", the stack's own channel/,
    );
    assert.match(
      problems({ promoteFrom: { minimumSoak: 'a day' } }, 'prod').join('\n'),
      /images\.promoteFrom\.minimumSoak "a day" is not a duration/,
    );
    assert.match(
      problems({ channel: 'latest' }, 'staging').join('\n'),
      /images\.channel is "latest"/,
    );
  });

  it('reads <project>:images and the secret environments from the stack config', async () => {
    pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs },
      'ingot-images-test',
      'dev',
    );
    pulumi.runtime.setAllConfig(
      {
        'ingot-images-test:images': JSON.stringify({
          aws: { regions: ['eu-west-1'] },
          buildEpoch: '2026-W10',
        }),
        'ingot-images-test:imagesEnvironment': JSON.stringify({
          AWS_ACCESS_KEY_ID: 'AKIA',
          AWS_SECRET_ACCESS_KEY: 'shh',
        }),
        'ingot-images-test:github': JSON.stringify(github),
      },
      ['ingot-images-test:imagesEnvironment'],
    );
    const config = loadImagePipelineConfig(new pulumi.Config('ingot-images-test'), 'dev');
    assert.deepEqual(config.aws?.regions, ['eu-west-1']);
    assert.equal(config.buildEpoch, '2026-W10');
    const environment = pulumi.output(config.environment);
    assert.equal(await pulumi.isSecret(environment), true);
    assert.equal(config.testEnvironment, undefined);
    assert.equal(config.integrationTest && config.integrationTest.github?.organization, 'acme');
  });

  it('refuses before any build: AMI sharing without a KMS key, a runner below the minimum', () => {
    const found = problems({
      aws: {
        regions: ['us-east-1', 'eu-west-1'],
        amiUsers: ['123456789012', '42'],
        kmsKeyId: 'alias/images',
      },
      variables: { 'runner-ubuntu': { runner_version: '2.319.1' } },
      integrationTest: false,
    });
    assert.ok(
      found.includes('images.aws.amiUsers[1] is "42"; use a 12-digit AWS account id.'),
      found.join('\n'),
    );
    assert.ok(found.some((p) => /regionKmsKeyIds has no key for eu-west-1/.test(p)));
    assert.ok(
      found.some((p) =>
        /runner-ubuntu: runner_version 2\.319\.1 is below the minimum 2\.329\.0/.test(p),
      ),
    );
    assert.ok(
      problems({
        aws: {
          regions: ['us-east-1'],
          amiOrgArns: ['arn:aws:organizations::123456789012:organization/o-abcd123456'],
        },
        integrationTest: false,
      }).some((p) =>
        /sets no kmsKeyId: encrypted AMIs can only be shared with a customer managed KMS key/.test(
          p,
        ),
      ),
    );
  });
});
