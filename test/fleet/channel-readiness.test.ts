import assert from 'node:assert/strict';
import { CHANNELS_NOT_READY, FleetChannelsNotReadyError } from '../../src/fleet/channel-readiness';
import { startFleet } from '../../src/fleet/program';
import { AWS_REGIONS, FleetRegistry } from './fleet-deploy';
import { resetRegistryClients, resolved, settle } from './fleet-engine';
import { pointChannel, publishRunnerImages, runnerBuilds } from './runner-images';
import { stackFileConfig } from './stack-files';

/**
 * Bootstrap from nothing: the fleet program (`startFleet`, what `src/index.ts` exports)
 * against a live registry that starts empty. A pool whose channel serves no version stops
 * the program before any resource is registered, with every gap and its fix at once.
 */
describe('fleet bootstrap: channels checked before anything is created', function () {
  this.timeout(60_000);
  let fleet: FleetRegistry;

  before(async () => {
    fleet = await FleetRegistry.start('empty');
  });
  after(async () => {
    await fleet?.close();
  });

  async function refused(
    stack: string,
    values?: Record<string, string>,
    stacks?: Record<string, Record<string, unknown>>,
  ) {
    const engine = fleet.engine(stack, fleet.stackConfig(stack, values), undefined, stacks);
    await resetRegistryClients(fleet.registry);
    const error = await startFleet().then(
      () => assert.fail(`the ${stack} fleet started on channels without versions`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof FleetChannelsNotReadyError, String(error));
    assert.equal(error.code, CHANNELS_NOT_READY);
    const created = engine.resources.filter((r) => r.type !== 'pulumi:pulumi:StackReference');
    assert.deepEqual(created, [], 'nothing is created');
    return error;
  }

  it('on an empty registry, staging lists every bucket of its pools with the promotion that fixes it', async () => {
    const error = await refused('staging');
    assert.deepEqual(
      error.gaps.map((g) => [g.bucket, g.problem, g.fix]),
      ['runner-ubuntu', 'runner-windows', 'runner-macos'].map((b) => [
        b,
        `bucket "${b}" does not exist`,
        `ingot channels promote ${b} --from dev --to staging`,
      ]),
    );
    assert.match(
      error.message,
      /^the fleet ingot-fleet\/staging cannot start: 3 image channel\(s\) have no version, so nothing was created:\n {2}- bucket "runner-ubuntu" does not exist; fix: ingot channels promote runner-ubuntu --from dev --to staging\n/,
    );
  });

  it('dev names the image factory, and what it does not build, from its StackReference outputs', async () => {
    for (const bucket of ['runner-ubuntu', 'runner-windows']) {
      await publishRunnerImages(
        fleet.registry,
        bucket,
        `${bucket}-1`,
        runnerBuilds(bucket, AWS_REGIONS),
      );
    }
    await pointChannel(fleet.registry, 'runner-ubuntu', 'dev', 'runner-ubuntu-1');
    // runner-windows exists, but its `dev` channel was never assigned.
    await pointChannel(fleet.registry, 'runner-windows', 'staging', 'runner-windows-1');
    const values = {
      ...stackFileConfig('dev'),
      'ingot-fleet:imageFactory': JSON.stringify({ stack: 'acme/ingot-images/dev' }),
    };
    const error = await refused('dev', values, {
      'acme/ingot-images/dev': {
        channel: 'dev',
        buckets: ['ubuntu-base', 'runner-ubuntu', 'runner-macos'],
      },
    });
    assert.deepEqual(
      error.gaps.map((g) => [g.problem, g.fix]),
      [
        [
          'bucket "runner-windows" has no channel "dev"',
          'add runner-windows to images.templates of the image factory (images/Pulumi.<stack>.yaml), then pulumi up -C images -s acme/ingot-images/dev',
        ],
        ['bucket "runner-macos" does not exist', 'pulumi up -C images -s acme/ingot-images/dev'],
      ],
    );
  });

  it('prod waits for the soak: the fix is the 24 h promotion', async () => {
    const error = await refused('prod');
    assert.deepEqual(
      error.gaps.map((g) => g.fix),
      ['runner-ubuntu', 'runner-windows', 'runner-macos'].map(
        (b) => `ingot channels promote ${b} --from staging --to prod --soak 24h`,
      ),
    );
  });

  it('once every channel serves a version, the fleet starts', async () => {
    await publishRunnerImages(
      fleet.registry,
      'runner-macos',
      'runner-macos-1',
      runnerBuilds('runner-macos', AWS_REGIONS),
    );
    for (const bucket of ['runner-ubuntu', 'runner-windows', 'runner-macos'])
      await pointChannel(fleet.registry, bucket, 'dev', `${bucket}-1`);
    const engine = fleet.engine('dev', fleet.stackConfig('dev'));
    await resetRegistryClients(fleet.registry);
    const outputs = await startFleet();
    assert.equal(outputs.channel, 'dev');
    assert.equal((await resolved(outputs.pools))['ubuntu-small'].image.version, 'v1');
    await settle();
    assert.ok(engine.resources.some((r) => r.type === 'ingot:fleet:RunnerFleet'));
  });
});
