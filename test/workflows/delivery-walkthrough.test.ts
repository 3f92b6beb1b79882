import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FleetChannelsNotReadyError } from '../../src/fleet/channel-readiness';
import { startFleet } from '../../src/fleet/program';
import { GoldenImage } from '../../src/images/golden-image';
import { CLI_ARGS, cliEnv, ingot, ingotOk } from '../helpers/cli';
import { AWS_REGIONS, FleetRegistry } from '../fleet/fleet-deploy';
import { resetRegistryClients } from '../fleet/fleet-engine';
import { publishRunnerImages, runnerBuilds, RUNNER_BUCKETS, SCOPE } from '../fleet/runner-images';
import { LocalEngine } from '../images/helpers/local-engine';

/**
 * The whole delivery of issue 13 on one machine, as the workflows run it
 * (.github/workflows/images.yml, promote.yml; docs/delivery.md), against one live
 * registry whose clock the test moves (the harness's ManualClock is the registry's only
 * clock: consumer records, assignments, holds and soak queries all read it):
 *
 * empty registry → the fleet refuses to start, naming every gap → image factory `up`
 * (GoldenImage under the engine harness: real `packer build` of Debian's packer 1.6.6,
 * the manifest published by the PublishedVersion provider, `dev` assigned by the
 * ChannelAssignment provider) → dev → staging by scripts/promote.sh → staging fleet `up`
 * (the fleet program; its ChannelImages providers record the stack as consumer) → 24 h →
 * prod promotion counted from the consumer record → prod fleet `up` → a manual rollback
 * holds prod → the next scheduled promotion refuses with the hold's reason.
 *
 * The runner buckets the fleet's AWS/GCP pools use hold cloud builds, which only AWS and
 * GCP can make; they are published over the HCP Packer API as the cloud templates'
 * hcp_packer_registry does (test/fleet/runner-images.ts). The factory's local build is a
 * file-builder template (test/fixtures/packer/delivery) because packer/local's
 * debootstrap build takes minutes; it goes through the same promotions.
 *
 * One registry engine (SQLite), as the fleet and local-pipeline suites: every registry
 * path used here (holds, consumer soak, the unknown consumer stack) runs on both engines
 * in test/registry/channel-holds.test.ts.
 */
const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3_600_000;
const LOCAL_BUCKET = 'delivery-local';
const TEMPLATE = 'test/fixtures/packer/delivery';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** scripts/promote.sh as the workflow's step runs it (the CLI from source). */
function promoteScript(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'scripts/promote.sh'), ...args], {
      cwd: ROOT,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The prod promotion's arguments: what staging's fleet `consumer` has run for 24 h. */
const prodAfterSoak = (consumer: string) => [
  '--from',
  'staging',
  '--to',
  'prod',
  '--soak',
  '24h',
  '--soak-consumer',
  consumer,
];

describe('delivery walk-through: empty registry to prod, rollback hold', function () {
  this.timeout(300_000);
  let fleet: FleetRegistry;
  let workDir: string;
  let env: NodeJS.ProcessEnv;
  let localFingerprint: string;

  before(async () => {
    fleet = await FleetRegistry.start('empty');
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingot-delivery-'));
    env = {
      ...cliEnv(fleet.registry),
      HCP_ORGANIZATION_ID: SCOPE.org,
      HCP_PROJECT_ID: SCOPE.project,
      INGOT: [process.execPath, ...CLI_ARGS].join(' '),
      GITHUB_OUTPUT: path.join(workDir, 'github-output'),
    };
  });
  after(async () => {
    fs.rmSync(workDir, { recursive: true, force: true });
    await fleet?.close();
    LocalEngine.forgetPending();
  });

  const base = () => fleet.registry.packer(SCOPE.org, SCOPE.project);
  const serves = async (bucket: string, channel: string): Promise<string | null> => {
    const res = await fleet.registry.api('GET', `${base()}/buckets/${bucket}/channels/${channel}`);
    if (res.status === 404) return null;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.channel.version?.fingerprint ?? null;
  };
  const everyBucket = () => [...RUNNER_BUCKETS, LOCAL_BUCKET];
  /** What each bucket's channel serves (one at a time: the harness refreshes expired tokens per call). */
  const channelsOf = async (channel: string) => {
    const served: Record<string, string | null> = {};
    for (const bucket of everyBucket()) served[bucket] = await serves(bucket, channel);
    return served;
  };

  /**
   * What scripts/promote.sh does per bucket (`ingot channels promote`, exit 3 "not due",
   * 5 "held"), in-process: the script itself, a CLI process per bucket at about 2 s of
   * CPU each, runs once below, for the hourly run that meets the hold.
   */
  async function promote(args: string[]): Promise<Run> {
    const lines: string[] = [];
    let failed = false;
    for (const bucket of everyBucket()) {
      const run = await ingot(['channels', 'promote', bucket, ...args], env);
      const text = (run.stdout + run.stderr).trim().replace(/^ingot: /, '');
      if (run.status === 0) lines.push(`${bucket}: ${text}`);
      else if (run.status === 3) lines.push(`${bucket}: not due: ${text}`);
      else if (run.status === 5) lines.push(`${bucket}: HELD: ${text}`);
      else failed = true;
    }
    return { status: failed ? 1 : 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
  }

  /** `pulumi up` of a fleet stack: the program under the engine harness, against the registry. */
  async function fleetUp(stack: 'staging' | 'prod') {
    const engineHarness = fleet.engine(stack, fleet.stackConfig(stack));
    await resetRegistryClients(fleet.registry);
    const outputs = await startFleet();
    const images = await new Promise<Record<string, { fingerprint: string }>>((resolve) =>
      outputs.images.apply((v) => resolve(v as Record<string, { fingerprint: string }>)),
    );
    return { engine: engineHarness, images };
  }

  it('on the empty registry the staging fleet stops before creating anything, naming every gap', async () => {
    const engineHarness = fleet.engine('staging', fleet.stackConfig('staging'));
    await resetRegistryClients(fleet.registry);
    const error = await startFleet().then(
      () => assert.fail('the staging fleet started on an empty registry'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof FleetChannelsNotReadyError, String(error));
    assert.deepEqual(
      error.gaps.map((g) => g.fix),
      RUNNER_BUCKETS.map((b) => `ingot channels promote ${b} --from dev --to staging`),
    );
    assert.deepEqual(
      engineHarness.resources.filter((r) => r.type !== 'pulumi:pulumi:StackReference'),
      [],
    );
  });

  it('the image factory builds with packer 1.6.6, publishes the manifest and assigns dev', async () => {
    // The factory stack's registry settings: its contributor credentials as secret config.
    const config = {
      'ingot:registryClientId': fleet.registry.admin.clientId,
      'ingot:registryClientSecret': fleet.registry.admin.clientSecret,
    };
    const factory = new LocalEngine('ingot-images', 'dev', config).install();
    const image = new GoldenImage('images-delivery-local', {
      templateDir: TEMPLATE,
      bucket: LOCAL_BUCKET,
      description: 'walk-through image (file builder)',
      sources: ['file.x64'],
      variables: { build_epoch: '2026-W09' },
      channel: 'dev',
      commit: 'walkthrough',
      workDir,
      root: ROOT,
      registry: { url: fleet.registry.url, organizationId: SCOPE.org, projectId: SCOPE.project },
    });
    const assigned = await factory.settled('images-delivery-local-dev', 60_000);
    const build = factory.find('images-delivery-local-build')!;
    assert.match(build.inputs.create, /'packer' build -machine-readable/);
    assert.match(build.output!.stdout, /::ingot-manifest::/);
    localFingerprint = await new Promise((resolve) => image.fingerprint.apply(resolve));
    assert.equal(assigned.state!.assignedFingerprint, localFingerprint);
    const version = (
      await fleet.registry.ok(
        'GET',
        `${base()}/buckets/${LOCAL_BUCKET}/versions/${localFingerprint}`,
      )
    ).version;
    assert.equal(version.builds[0].component_type, 'file.x64');
    const artifact = version.builds[0].artifacts[0];
    assert.equal(artifact.region, 'local');
    assert.match(
      fs.readFileSync(artifact.external_identifier, 'utf8'),
      new RegExp(`fingerprint=${localFingerprint}\\nbuild_epoch=2026-W09`),
      'the image Packer wrote, stamped by its shell-local provisioner',
    );
    assert.equal(version.builds[0].labels.build_epoch, '2026-W09');

    // The cloud templates' builds of the runner buckets, as Packer publishes them.
    for (const bucket of RUNNER_BUCKETS) {
      await publishRunnerImages(
        fleet.registry,
        bucket,
        `${bucket}-w09`,
        runnerBuilds(bucket, AWS_REGIONS),
      );
      await ingotOk(['channels', 'set', bucket, 'dev', '--version', `${bucket}-w09`], env);
    }
    assert.deepEqual(await channelsOf('dev'), {
      'runner-ubuntu': 'runner-ubuntu-w09',
      'runner-windows': 'runner-windows-w09',
      'runner-macos': 'runner-macos-w09',
      [LOCAL_BUCKET]: localFingerprint,
    });
  });

  it('promote.yml: dev → staging for every bucket, then the staging fleet up records its consumers', async () => {
    const run = await promote(['--from', 'dev', '--to', 'staging']);
    assert.equal(run.status, 0, run.stderr);
    for (const bucket of everyBucket())
      assert.match(run.stdout, new RegExp(`^${bucket}: Promoted .* to "staging"`, 'm'));
    assert.deepEqual(await channelsOf('staging'), await channelsOf('dev'));

    const { images } = await fleetUp('staging');
    for (const bucket of RUNNER_BUCKETS) assert.equal(images[bucket].fingerprint, `${bucket}-w09`);
    const consumers = await fleet.registry.ok(
      'GET',
      `${fleet.registry.ingot(SCOPE.org, SCOPE.project)}/buckets/runner-ubuntu/versions/runner-ubuntu-w09/consumers`,
    );
    assert.ok(
      consumers.consumers.some(
        (c: { pulumi_project: string; stack: string }) =>
          c.pulumi_project === 'ingot-fleet' && c.stack === 'staging',
      ),
      JSON.stringify(consumers),
    );
  });

  it('before 24 h on the staging fleet, prod is not due and nothing moves', async () => {
    fleet.registry.clock.advance(23 * HOUR);
    const run = await ingot(
      ['channels', 'promote', 'runner-ubuntu', ...prodAfterSoak('ingot-fleet/staging')],
      env,
    );
    assert.equal(run.status, 3, run.stderr);
    assert.match(
      run.stderr,
      /nothing to promote: in bucket "runner-ubuntu", stack ingot-fleet\/staging has run no valid version of channel "staging" for at least 24h yet; "prod" is unchanged\. Wait/,
    );
    assert.equal(await serves('runner-ubuntu', 'prod'), null);
  });

  it('a soak consumer stack that does not exist is refused, naming the stacks that do', async () => {
    const run = await ingot(
      ['channels', 'promote', 'runner-ubuntu', ...prodAfterSoak('ingot-fleet/stagin')],
      env,
    );
    assert.equal(run.status, 1, run.stderr);
    assert.match(
      run.stderr,
      /consumer stack "ingot-fleet\/stagin" does not exist; .*the stacks that did are ingot-fleet\/staging: name one of them as the soak's consumer \(--soak-consumer\)/,
    );
    assert.equal(await serves('runner-ubuntu', 'prod'), null);
  });

  it('24 h after the staging fleet started, the scheduled prod promotion moves what it ran, then the prod fleet up', async () => {
    fleet.registry.clock.advance(HOUR);
    const run = await promote([...prodAfterSoak('ingot-fleet/staging')]);
    assert.equal(run.status, 0, run.stderr);
    for (const bucket of RUNNER_BUCKETS)
      assert.match(run.stdout, new RegExp(`^${bucket}: Promoted .* to "prod"`, 'm'));
    // The factory's local image is assigned to staging but no staging machine runs it.
    assert.match(run.stdout, new RegExp(`^${LOCAL_BUCKET}: not due: `, 'm'));
    assert.equal(await serves(LOCAL_BUCKET, 'prod'), null);

    const { images, engine: prod } = await fleetUp('prod');
    for (const bucket of RUNNER_BUCKETS) assert.equal(images[bucket].fingerprint, `${bucket}-w09`);
    assert.ok(prod.ofType('aws:autoscaling/group:Group').length > 0, 'the prod pools exist');
  });

  it('a manual rollback holds prod; the next scheduled promotion refuses with the hold reason', async () => {
    // A fix reaches staging, and the staging fleet runs it for a day.
    await publishRunnerImages(
      fleet.registry,
      'runner-ubuntu',
      'runner-ubuntu-w10',
      runnerBuilds('runner-ubuntu', AWS_REGIONS),
    );
    await ingotOk(
      ['channels', 'set', 'runner-ubuntu', 'dev', '--version', 'runner-ubuntu-w10'],
      env,
    );
    await ingotOk(
      ['channels', 'promote', 'runner-ubuntu', '--from', 'dev', '--to', 'staging'],
      env,
    );
    await fleetUp('staging');
    fleet.registry.clock.advance(25 * HOUR);

    // promote.yml's rollback job: prod back to w09 and held, in one request.
    const held = await ingotOk(
      [
        'channels',
        'hold',
        'runner-ubuntu',
        'prod',
        '--version',
        'runner-ubuntu-w09',
        '--reason',
        'rollback: w10 breaks docker-in-docker',
        '--by',
        'octocat',
      ],
      env,
    );
    assert.match(held, /held by octocat on v1 .*: rollback: w10 breaks docker-in-docker\./);
    const before = await channelsOf('prod');

    // The next hourly run, as promote.yml's prod job runs it for the bucket that is due
    // by its soak: refused by the hold.
    const run = await promoteScript(
      [...prodAfterSoak('ingot-fleet/staging'), '--bucket', 'runner-ubuntu'],
      env,
    );
    assert.equal(run.status, 0, 'a held channel is reported and skipped, not a failed run');
    assert.equal(fs.readFileSync(env.GITHUB_OUTPUT as string, 'utf8'), 'promoted=\n');
    assert.match(
      run.stdout,
      /^runner-ubuntu: HELD: not promoted: channel "prod" of bucket "runner-ubuntu" is held by octocat since \S+: rollback: w10 breaks docker-in-docker; "prod" is unchanged\. Release it with `ingot channels release runner-ubuntu prod`/m,
    );
    assert.deepEqual(await channelsOf('prod'), before);
    assert.equal(before['runner-ubuntu'], 'runner-ubuntu-w09');
  });

  it('a promotion to the held channel, by hand, exits 5 naming who, why and the release command', async () => {
    const run = await ingot(
      ['channels', 'promote', 'runner-ubuntu', '--from', 'staging', '--to', 'prod'],
      env,
    );
    assert.equal(run.status, 5, run.stderr);
    assert.match(
      run.stderr,
      /held by octocat since .*: rollback: w10 breaks docker-in-docker; "prod" is unchanged\. Release it with `ingot channels release runner-ubuntu prod` once that is resolved\./,
    );
    assert.equal(await serves('runner-ubuntu', 'prod'), 'runner-ubuntu-w09');

    const listed = await ingotOk(['channels', 'ls', 'runner-ubuntu'], env);
    assert.match(listed, /octocat/);
    await ingotOk(['channels', 'release', 'runner-ubuntu', 'prod'], env);
    const released = await ingot(
      ['channels', 'promote', 'runner-ubuntu', '--from', 'staging', '--to', 'prod'],
      env,
    );
    assert.equal(released.status, 0, released.stderr);
    assert.equal(await serves('runner-ubuntu', 'prod'), 'runner-ubuntu-w10');
  });
});
