import assert from 'node:assert/strict';
import type { FleetOutputs } from '../src/fleet/fleet-outputs';
import { FleetRegistry } from './fleet/fleet-deploy';
import { resolved, settle } from './fleet/fleet-engine';

/**
 * `src/index.ts` is the program `pulumi up` runs: importing it runs the fleet for the
 * selected stack and its exports are the stack outputs. Modules are cached per mocha
 * process, so this is the only test that imports it (once, for dev); the per-stack tests
 * call `runFleet()` instead.
 */
describe('src/index.ts (the Pulumi program)', function () {
  this.timeout(120_000);
  let fleet: FleetRegistry;

  before(async () => {
    fleet = await FleetRegistry.start();
  });
  after(async () => {
    await fleet?.close();
  });

  it('runs the fleet for the selected stack and exports its outputs', async () => {
    // The fleet builds no images (the image factory, images/, does): dev has no `images`.
    const config = fleet.stackConfig('dev');
    assert.equal(config['ingot-fleet:images'], undefined);
    const engine = fleet.engine('dev', config);
    // `export =` of a CommonJS module: what `require` (and so Pulumi) sees is `default` here.
    // A function: Pulumi calls it and awaits the outputs.
    const { default: main } = (await import('../src/index')) as unknown as {
      default: () => Promise<FleetOutputs>;
    };
    const program = await main();
    assert.deepEqual(Object.keys(program).sort(), ['channel', 'environment', 'images', 'pools']);
    assert.equal(program.environment, 'dev');
    assert.equal(program.channel, 'dev');
    const pools = await resolved(program.pools);
    assert.deepEqual(Object.keys(pools), [
      'ubuntu-small',
      'ubuntu-arm-small',
      'windows-medium',
      'macos-small',
      'gcp-ubuntu-small',
    ]);
    assert.equal(pools['ubuntu-small'].image.version, 'v3');
    await settle();
    assert.ok(engine.resources.some((r) => r.type === 'ingot:fleet:RunnerFleet'));
  });
});
