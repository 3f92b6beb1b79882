import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestRegistry, type TestRegistry } from '../../helpers/registry-harness';

/**
 * Every operation of HCP Packer's packer/2023-01-01 service, as hashicorp/hcp-sdk-go's
 * generated client lists them (clients/cloud-packer-service/stable/2023-01-01/client/
 * packer_service; extracted into the fixture with the commit it came from).
 */
const SPEC = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../fixtures/hcp-packer/operations.json'), 'utf8'),
) as { operations: { id: string; method: string; path: string }[] };

/** Terraform Cloud run-task configuration: not served (the policy pack is the equivalent). */
const RUN_TASKS = new Set([
  'PackerService_GetRegistryTFCRunTaskAPI',
  'PackerService_GetRunTaskConfig',
  'PackerService_RegenerateTFCRunTaskHmacKey',
  'PackerService_UpdateRunTaskConfig',
]);

describe('/openapi.json covers the HCP Packer 2023-01-01 service', function () {
  this.timeout(60_000);
  let registry: TestRegistry;
  let documented: Set<string>;

  before(async () => {
    registry = await startTestRegistry('sqlite');
    const doc = await registry.ok('GET', '/openapi.json');
    documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
        ([route, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${route}`),
      ),
    );
  });
  after(async () => registry?.close());

  it('the fixture is the whole service: 52 operations, 4 of them run tasks', () => {
    assert.equal(SPEC.operations.length, 52);
    assert.equal(SPEC.operations.filter((o) => RUN_TASKS.has(o.id)).length, 4);
  });

  it('lists every operation but the four run-task ones, at HCP’s method and path', () => {
    const missing = SPEC.operations
      .filter((o) => !RUN_TASKS.has(o.id) && !documented.has(`${o.method} ${o.path}`))
      .map((o) => `${o.id} (${o.method} ${o.path})`);
    assert.deepEqual(missing, []);
  });

  it('serves no run-task route, so a run-task call is a 404 naming the route', async () => {
    for (const o of SPEC.operations.filter((x) => RUN_TASKS.has(x.id))) {
      assert.ok(!documented.has(`${o.method} ${o.path}`), o.id);
    }
    const res = await registry.api('GET', `${registry.packer()}/runtasks/config`);
    assert.equal(res.status, 404);
    assert.match(res.body.message, /no route for GET/);
  });
});
