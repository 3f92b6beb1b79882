import assert from 'node:assert/strict';
import { AwsBackend } from '../../src/scaler/aws-backend';
import type { CloudBackend } from '../../src/scaler/cloud-backend';
import { GcpBackend } from '../../src/scaler/gcp-backend';
import { parseScalerConfig, type ScalerTarget } from '../../src/scaler/scaler-config';
import { FakeCompute, FakeGoogleIdentity, SimulatedAws } from './fake-clouds';

interface ContractHarness {
  backend: CloudBackend;
  target: ScalerTarget;
  /** Instances launched by the cloud finish booting (AWS: lifecycle completed; GCP: CREATING done). */
  settle(): Promise<void>;
  close(): void;
}

/** The one contract every cloud backend must keep (see `CloudBackend`). */
function cloudContract(name: string, make: () => ContractHarness): void {
  describe(`cloud contract: ${name}`, () => {
    let h: ContractHarness;
    beforeEach(() => (h = make()));
    afterEach(() => h.close());

    it('setDesired grows the group, and describe reports its size and new instances', async () => {
      await h.backend.setDesired(h.target, 3);
      const state = await h.backend.describe(h.target);
      assert.equal(state.desired, 3);
      assert.equal(state.instances.length, 3);
      assert.ok(
        state.instances.every((i) => i.state === 'pending'),
        'new instances await their configuration',
      );
      await h.settle();
      assert.ok((await h.backend.describe(h.target)).instances.every((i) => i.state === 'running'));
    });

    it('terminate removes exactly that instance and lowers the size by one (no replacement)', async () => {
      await h.backend.setDesired(h.target, 3);
      await h.settle();
      const before = await h.backend.describe(h.target);
      const victim = before.instances[1].id;
      await h.backend.terminate(h.target, victim);
      const after = await h.backend.describe(h.target);
      assert.equal(after.desired, 2);
      assert.deepEqual(
        after.instances.map((i) => i.id),
        before.instances.filter((i) => i.id !== victim).map((i) => i.id),
      );
    });

    it('terminate of an instance already gone changes nothing', async () => {
      await h.backend.setDesired(h.target, 1);
      const [only] = (await h.backend.describe(h.target)).instances;
      await h.backend.terminate(h.target, only.id);
      await h.backend.terminate(h.target, only.id);
      assert.equal((await h.backend.describe(h.target)).desired, 0);
    });

    it('delivers configuration push or pull, never both', () => {
      assert.notEqual(Boolean(h.backend.deliverConfig), Boolean(h.backend.authenticateInstance));
    });
  });
}

const targets = parseScalerConfig({
  github: { organization: 'acme' },
  targets: [
    {
      pool: 'ubuntu-small',
      cloud: 'aws',
      region: 'us-west-2',
      group: 'asg',
      labels: ['self-hosted', 'us-west-2'],
      max: 5,
    },
    {
      pool: 'ubuntu-small',
      cloud: 'gcp',
      region: 'us-west2',
      group: 'mig',
      project: 'p',
      serviceAccount: 'sa@p.iam.gserviceaccount.com',
      labels: ['self-hosted', 'us-west2'],
      max: 5,
    },
  ],
  audience: 'https://scaler',
}).targets;

cloudContract('AWS Auto Scaling (SDK v3, aws-sdk-client-mock)', () => {
  const aws = new SimulatedAws();
  aws.addGroup('asg', 0, 5);
  const backend = new AwsBackend({ ssmPrefix: '/ingot/jit', lifecycleHook: 'ingot-runner-launch' });
  return {
    backend,
    target: targets[0],
    settle: async () => {
      for (const i of aws.group('asg').instances)
        await backend.deliverConfig(targets[0], i.id, 'config');
    },
    close: () => aws.restore(),
  };
});

cloudContract('GCP managed instance groups (fake compute client)', () => {
  const compute = new FakeCompute();
  compute.addGroup('p', 'us-west2', 'mig');
  const identity = new FakeGoogleIdentity();
  return {
    backend: new GcpBackend(compute, { audience: 'https://scaler', certs: identity.certs }),
    target: targets[1],
    settle: async () => {
      for (const vm of compute.groups.get('p/us-west2/mig')!.vms)
        compute.boot('p', 'us-west2', 'mig', vm.id);
    },
    close: () => undefined,
  };
});
