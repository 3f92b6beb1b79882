import assert from 'node:assert/strict';
import { GcpRunnerPool } from '../../src/fleet/gcp/gcp-runner-pool';
import type { PoolConfig } from '../../src/config/fleet-config';
import { resolved, settle, type FleetEngine, type Recorded } from './fleet-engine';
import {
  componentEngine,
  fakeImages,
  gcpNetwork,
  GITHUB,
  poolConfig,
  providersFor,
} from './pool-fixtures';

async function build(pool: PoolConfig): Promise<FleetEngine> {
  const engine = componentEngine();
  const runners = new GcpRunnerPool(pool.name, {
    pool,
    project: 'acme-runners-test',
    environment: 'prod',
    images: fakeImages(),
    github: GITHUB,
    providers: providersFor('gcp', pool.regions),
    networks: Object.fromEntries(pool.regions.map((r) => [r, gcpNetwork(r)])),
  });
  await resolved(runners.groups.map((g) => g.names));
  await settle();
  return engine;
}

const named = (engine: FleetEngine, name: string): Recorded => {
  const found = engine.resources.find((r) => r.name === name);
  assert.ok(found, `no resource ${name}`);
  return found;
};

describe('GcpRunnerPool', () => {
  let engine: FleetEngine;
  const pool = poolConfig({
    cloud: 'gcp',
    os: 'ubuntu',
    name: 'lin',
    size: 'medium',
    min: 1,
    desired: 2,
    max: 7,
  });
  before(async () => (engine = await build(pool)));

  it("instance template: registry image, shielded VM, no external IP, the pool's service account, bash startup script", () => {
    for (const region of pool.regions) {
      const t = named(engine, `lin-${region}-template`).inputs;
      assert.equal(t.region, region);
      assert.equal(t.machineType, 'n2-standard-4');
      assert.deepEqual(t.disks, [
        {
          boot: true,
          autoDelete: true,
          sourceImage: 'projects/ingot-images/global/images/runner-x64-v7',
          diskSizeGb: pool.diskSizeGb,
          diskType: 'pd-balanced',
        },
      ]);
      assert.deepEqual(t.shieldedInstanceConfig, {
        enableSecureBoot: true,
        enableVtpm: true,
        enableIntegrityMonitoring: true,
      });
      assert.deepEqual(t.networkInterfaces, [{ ...gcpNetwork(region), accessConfigs: [] }]);
      assert.equal(
        t.serviceAccount.email,
        'runner-prod-lin@acme-runners-test.iam.gserviceaccount.com',
      );
      assert.match(t.metadata['startup-script'], /^#!\/bin\/bash\n/);
      assert.equal(t.metadata['windows-startup-script-ps1'], undefined);
      assert.equal(t.metadata['block-project-ssh-keys'], 'true');
      assert.ok(t.namePrefix.length <= 37 && t.namePrefix.endsWith('-'), t.namePrefix);
    }
  });

  it('regional managed instance group: proactive rolling update that never drops below size; autoscaler bounded by min and max', () => {
    for (const region of pool.regions) {
      const mig = named(engine, `lin-${region}-mig`).inputs;
      assert.equal(mig.region, region);
      assert.equal(mig.targetSize, 2);
      assert.match(mig.versions[0].instanceTemplate, /instanceTemplates\/prod-lin-.*\?uniqueId=1$/);
      assert.deepEqual(
        [
          mig.updatePolicy.type,
          mig.updatePolicy.minimalAction,
          mig.updatePolicy.maxSurgeFixed,
          mig.updatePolicy.maxUnavailableFixed,
        ],
        ['PROACTIVE', 'REPLACE', 3, 0],
      );
      // The old template is deleted only once every VM runs the new one.
      assert.deepEqual([mig.waitForInstances, mig.waitForInstancesStatus], [true, 'UPDATED']);
      const autoscaler = named(engine, `lin-${region}-autoscaler`).inputs;
      assert.equal(autoscaler.region, region);
      assert.match(
        autoscaler.target,
        new RegExp(`/regions/${region}/instanceGroupManagers/${mig.name}$`),
      );
      assert.deepEqual(
        [autoscaler.autoscalingPolicy.minReplicas, autoscaler.autoscalingPolicy.maxReplicas],
        [1, 7],
      );
    }
  });

  it('service account: dedicated per stack and pool, allowed to read only its registration secret', () => {
    const accounts = engine.ofType('gcp:serviceaccount/account:Account');
    assert.deepEqual(
      accounts.map((a) => [a.inputs.accountId, a.inputs.project]),
      [['runner-prod-lin', 'acme-runners-test']],
    );
    const members = engine.ofType('gcp:secretmanager/secretIamMember:SecretIamMember');
    assert.deepEqual(
      members.map((m) => [m.inputs.secretId, m.inputs.role, m.inputs.member, m.inputs.project]),
      [
        [
          'ingot-test-github-app',
          'roles/secretmanager.secretAccessor',
          'serviceAccount:runner-prod-lin@acme-runners-test.iam.gserviceaccount.com',
          'acme-runners-test',
        ],
      ],
    );
    assert.equal(
      engine.resources.filter((r) => /IamMember|IamBinding|IamPolicy/.test(r.type)).length,
      1,
    );
  });

  it('Windows: windows-startup-script-ps1, short VM names; externalIp adds an access config', async () => {
    const win = await build(
      poolConfig({
        cloud: 'gcp',
        os: 'windows',
        name: 'windows-large-pool',
        size: 'large',
        regions: ['europe-west4'],
        externalIp: true,
      }),
    );
    const t = named(win, 'windows-large-pool-europe-west4-template').inputs;
    assert.match(t.metadata['windows-startup-script-ps1'], /Stop-Computer -Force/);
    assert.equal(t.metadata['startup-script'], undefined);
    assert.deepEqual(t.networkInterfaces[0].accessConfigs, [{ networkTier: 'PREMIUM' }]);
    const mig = named(win, 'windows-large-pool-europe-west4-mig').inputs;
    assert.ok(mig.baseInstanceName.length <= 10, mig.baseInstanceName);
    const account = win.ofType('gcp:serviceaccount/account:Account')[0].inputs.accountId;
    assert.match(account, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
  });

  it('host maintenance per machine series: N2 live-migrates, Arm T2A terminates (no live migration)', async () => {
    const lin = named(engine, `lin-${pool.regions[0]}-template`).inputs;
    assert.equal(lin.machineType, 'n2-standard-4');
    assert.deepEqual(lin.scheduling, { onHostMaintenance: 'MIGRATE', automaticRestart: true });
    const arm = await build(
      poolConfig({ cloud: 'gcp', os: 'ubuntu', arch: 'arm64', name: 'arm', regions: ['us-west2'] }),
    );
    const t = named(arm, 'arm-us-west2-template').inputs;
    assert.match(t.machineType, /^t2a-/);
    assert.deepEqual(t.scheduling, { onHostMaintenance: 'TERMINATE', automaticRestart: true });
  });

  it('spot: Spot VMs, terminated on maintenance, not restarted, deleted on preemption so the group makes a fresh runner', async () => {
    const spot = await build(
      poolConfig({ cloud: 'gcp', os: 'ubuntu', name: 'cheap', spot: true, regions: ['us-west2'] }),
    );
    const t = named(spot, 'cheap-us-west2-template').inputs;
    assert.deepEqual(t.scheduling, {
      provisioningModel: 'SPOT',
      preemptible: true,
      onHostMaintenance: 'TERMINATE',
      automaticRestart: false,
      instanceTerminationAction: 'DELETE',
    });
  });
});
