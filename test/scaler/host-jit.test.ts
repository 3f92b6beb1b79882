import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { verifyIdentityDocument } from '../../src/scaler/aws-identity';
import {
  AWS_IDENTITY_CERTIFICATES,
  identityCertificate,
} from '../../src/scaler/aws-identity-certificates';
import { createPostgresDatabase, ENGINES } from '../helpers/registry-harness';
import { ACCOUNT } from './fake-ec2-identity';
import { MAC, MAC_INSTANCES, ScalerHarness } from './scaler-harness';

const [MAC_A, MAC_B] = MAC_INSTANCES;

/**
 * macOS instances get their runners' JIT configurations from the scaler with their
 * signed EC2 instance identity document (verified as AWS documents it, verify-iid.html:
 * SHA256 with RSA over the document, the region's RSA certificate), one runner at a time,
 * against a fake GitHub serving generate-jitconfig and runners.
 */
for (const engine of ENGINES)
  describe(`scaler: macOS instances fetch JIT configurations with their identity document [${engine}]`, function () {
    let h: ScalerHarness;
    let drop: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      let database: string | undefined;
      if (engine === 'postgres') ({ url: database, drop } = await createPostgresDatabase());
      h = await new ScalerHarness({ database }).start();
    });
    afterEach(async () => {
      await h.stop();
      await drop?.();
      drop = undefined;
    });

    it('issues one configuration per runner: the next only once the previous runner finished its job', async () => {
      const first = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const runner = h.github.useJitConfig(first.body.encoded_jit_config);
      assert.equal(runner.name, `prod-macos-medium-${MAC_A}-1`);
      assert.deepEqual(runner.labels.map((l) => l.name).sort(), [...MAC].sort());

      // While that runner lives (idle, then busy), the instance — or a job that copied its
      // identity document — gets no second runner.
      const again = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'CONFIG_ALREADY_ISSUED');
      h.github.startJob(runner);
      assert.equal((await h.fetchHostJit(h.ec2Identity.identity(MAC_A))).status, 409);

      // The ephemeral runner ends with its job (GitHub removes it): the loop asks again.
      h.github.finishJob(runner);
      const next = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      assert.equal(next.status, 200);
      assert.equal(
        h.github.useJitConfig(next.body.encoded_jit_config).name,
        `prod-macos-medium-${MAC_A}-2`,
      );
      // Another instance of the pool is served independently.
      assert.equal((await h.fetchHostJit(h.ec2Identity.identity(MAC_B))).status, 200);
      const metrics = await h.metrics.registry.metrics();
      assert.match(
        metrics,
        /ingot_scaler_host_configs_total\{pool="macos-medium",region="us-west-2",outcome="issued"\} 3/,
      );
    });

    it('survives a restart: the issued runner is remembered, so a restarted scaler still refuses a second one', async () => {
      const first = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      h.github.useJitConfig(first.body.encoded_jit_config);
      await h.restart();
      assert.equal((await h.fetchHostJit(h.ec2Identity.identity(MAC_A))).status, 409);
    });

    it('replaces a configuration whose runner never came online within the boot timeout', async () => {
      const first = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      assert.equal(first.status, 200);
      // Not used (the host rebooted mid-boot): still refused before the timeout…
      assert.equal((await h.fetchHostJit(h.ec2Identity.identity(MAC_A))).status, 409);
      h.advance(h.config.timeouts.boot + 1);
      const second = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      assert.equal(second.status, 200);
      // …and the unused runner was removed from GitHub.
      assert.equal(h.github.runnerByName(`prod-macos-medium-${MAC_A}-1`), undefined);
      h.github.useJitConfig(second.body.encoded_jit_config);
    });

    it('refuses forged, tampered, foreign and unknown identities (401/403), issuing nothing', async () => {
      const runnersBefore = h.github.runners.size;
      const good = h.ec2Identity.identity(MAC_A);
      const tampered = {
        document: good.document.replace(MAC_A, MAC_B),
        signature: good.signature,
      };
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forged = {
        document: good.document,
        signature: crypto.sign('sha256', Buffer.from(good.document), privateKey).toString('base64'),
      };
      for (const [what, body] of [
        ['tampered document', tampered],
        ['signed by another key', forged],
        ['no signature', { document: good.document }],
        ['not JSON', 'document=x'],
        ['region without a certificate', h.ec2Identity.identity(MAC_A, 'mars-north-1')],
      ] as const) {
        const res = await h.fetchHostJit(body);
        assert.equal(res.status, 401, what);
        assert.equal(res.body.code, 'UNAUTHENTICATED_INSTANCE', what);
      }
      for (const [what, body] of [
        ['an instance of no pool', h.ec2Identity.identity('i-0ffffffffffffffff')],
        ['another account', h.ec2Identity.identity(MAC_A, 'us-west-2', '210987654321')],
        ['another region', h.ec2Identity.identity(MAC_A, 'us-east-1')],
      ] as const) {
        const res = await h.fetchHostJit(body);
        assert.equal(res.status, 403, what);
        assert.equal(res.body.code, 'UNKNOWN_INSTANCE', what);
      }
      assert.equal(h.github.runners.size, runnersBefore);
      assert.ok(ACCOUNT);
    });

    it('a GitHub outage while minting is a 503 and leaves the instance free to ask again', async () => {
      h.github.failNext('generate-jitconfig', 500, 4);
      const failed = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      assert.equal(failed.status, 503);
      assert.equal(failed.body.code, 'INTERNAL');
      const retried = await h.fetchHostJit(h.ec2Identity.identity(MAC_A));
      assert.equal(retried.status, 200);
      assert.equal(
        h.github.useJitConfig(retried.body.encoded_jit_config).name,
        `prod-macos-medium-${MAC_A}-1`,
      );
    });

    for (const hostsOnly of [false, true])
      it(`forgets the runner record of an instance removed from the configuration, a day on; keeps the configured ones${hostsOnly ? ' (a scaler serving only macOS hosts: no pass, the tick prunes)' : ''}`, async () => {
        if (hostsOnly) {
          h.config = { ...h.config, targets: [] };
          await h.restart();
        }
        for (const id of MAC_INSTANCES) {
          const res = await h.fetchHostJit(h.ec2Identity.identity(id));
          assert.equal(res.status, 200, JSON.stringify(res.body));
          h.github.startJob(h.github.useJitConfig(res.body.encoded_jit_config));
        }
        const recorded = async () =>
          (
            await h.db.reader.query<{ instance_id: string }>(
              'SELECT instance_id FROM scaler_hosts ORDER BY instance_id',
            )
          ).map((r) => r.instance_id);
        assert.deepEqual(await recorded(), [...MAC_INSTANCES].sort());

        // MAC_A leaves the pool: the scaler is restarted on the new configuration.
        h.config = { ...h.config, hosts: [{ ...h.config.hosts[0], instances: [MAC_B] }] };
        await h.restart();
        assert.equal((await h.fetchHostJit(h.ec2Identity.identity(MAC_A))).status, 403);
        // Another process may still serve MAC_A on the old configuration: not at once.
        await h.tick();
        assert.deepEqual(await recorded(), [...MAC_INSTANCES].sort());
        h.advance(86_400 + 1);
        await h.tick();
        assert.deepEqual(await recorded(), [MAC_B], 'MAC_A forgotten; MAC_B, configured, kept');
        // MAC_B's guard still holds: its runner is mid-job.
        const again = await h.fetchHostJit(h.ec2Identity.identity(MAC_B));
        assert.equal(again.status, 409);
        assert.equal(again.body.code, 'CONFIG_ALREADY_ISSUED');
      });
  });

describe("AWS's instance identity certificates", () => {
  it('hold an RSA certificate (SHA256 with RSA, AWS as subject) for every commercial region the fleet uses', () => {
    for (const region of [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'eu-west-1',
      'eu-central-1',
      'ap-southeast-2',
    ]) {
      const pem = identityCertificate(region);
      assert.ok(pem, region);
      const cert = new crypto.X509Certificate(pem);
      assert.equal(cert.publicKey.asymmetricKeyType, 'rsa', region);
      assert.match(cert.subject, /Amazon/, region);
    }
    for (const pem of Object.keys(AWS_IDENTITY_CERTIFICATES).map(identityCertificate))
      assert.doesNotThrow(() => new crypto.X509Certificate(pem as string));
    assert.equal(identityCertificate('constructor'), undefined);
  });

  it("refuses a document signed by anyone but the region's AWS certificate", () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const document = JSON.stringify({ accountId: ACCOUNT, instanceId: MAC_A, region: 'us-west-2' });
    const signature = crypto.sign('sha256', Buffer.from(document), privateKey).toString('base64');
    assert.throws(
      () => verifyIdentityDocument(document, signature),
      /does not verify against AWS's certificate/,
    );
  });
});
