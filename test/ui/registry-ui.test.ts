import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  imageId,
  startTestRegistry,
  type Credentials,
  type TestRegistry,
} from '../helpers/registry-harness';
import { inPage, launchChromium, screenshot, watchConsole } from './browser';
import { ORG, PROJECT, seed } from './seed';
import { ensureUiBuilt } from './ui-build';

/**
 * The web UI in headless Chromium against a live registry: what a person signing in with
 * a principal's credentials sees and can do. One browser for the file; the tests run in
 * order on one page, as a user's session would.
 */
describe('registry web UI (Chromium)', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  const channelOf = async (bucket: string, channel: string) =>
    (await r.ok('GET', `${r.packer(ORG, PROJECT)}/buckets/${bucket}/channels/${channel}`)).channel
      .version?.fingerprint;
  const statusOf = async (fingerprint: string) =>
    (await r.ok('GET', `${r.packer(ORG, PROJECT)}/buckets/runner-ubuntu/versions/${fingerprint}`))
      .version.status;
  const channelRow = (name: string) => page.locator(`tr[data-channel="${name}"]`);
  const dialog = () => page.getByRole('dialog');

  async function openContext(): Promise<{
    context: BrowserContext;
    page: Page;
    problems: string[];
  }> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return { context, page, problems: watchConsole(page) };
  }

  async function signIn(on: Page, creds: Credentials, secret = creds.clientSecret) {
    await on.getByLabel('Client ID').fill(creds.clientId);
    await on.getByLabel('Client secret').fill(secret);
    await on.getByLabel('Organization').fill(ORG);
    await on.getByLabel('Project', { exact: true }).fill(PROJECT);
    await on.getByRole('button', { name: 'Sign in' }).click();
  }

  async function openVersion(name: string) {
    await page.goto(`${r.url}/#/${ORG}/${PROJECT}/buckets/runner-ubuntu`);
    await page.getByRole('link', { name, exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: `runner-ubuntu ${name}` }).waitFor();
  }

  before(async function () {
    this.timeout(180_000);
    ensureUiBuilt();
    r = await startTestRegistry('sqlite');
    await seed(r);
    browser = await launchChromium();
    ({ context, page, problems } = await openContext());
  });

  after(async () => {
    await browser?.close();
    await r?.close();
  });

  it('signs in with client id and secret, showing the registry’s refusal of a wrong secret', async () => {
    await page.goto(r.url);
    await page.getByRole('heading', { name: 'Ingot image registry' }).waitFor();
    await screenshot(page, '01-sign-in');

    await signIn(page, r.admin, 'not-the-secret');
    const refusal = await page.getByRole('alert').textContent();
    assert.match(refusal ?? '', /invalid client credentials: check client_id and client_secret/);

    await signIn(page, r.admin);
    await page.getByRole('heading', { level: 1, name: 'Buckets' }).waitFor();
    await page.getByRole('row', { name: /runner-ubuntu/ }).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 3);
    assert.match((await page.locator('header').textContent()) ?? '', /Signed in as.*admin/);
    // The token is the tab's: in sessionStorage, never localStorage, and never the secret.
    const stored = await inPage<{ session: string; local: number }>(
      page,
      "({ session: sessionStorage.getItem('ingot.session') ?? '', local: localStorage.length })",
    );
    assert.match(stored.session, /"token":"ingot_at_/);
    assert.ok(!stored.session.includes(r.admin.clientSecret));
    assert.equal(stored.local, 0);
    await screenshot(page, '02-buckets');
  });

  it('filters and sorts the bucket list', async () => {
    await page.getByLabel('Filter').fill('ubuntu');
    await page.getByText('1 of 3 buckets').waitFor();
    await page.getByLabel('Filter').fill('');
    await page.getByLabel('Show').selectOption('scheduled');
    await page.getByText('1 of 3 buckets').waitFor();
    assert.match((await page.locator('tbody tr').textContent()) ?? '', /runner-windows/);
    await page.getByLabel('Show').selectOption('out-of-date');
    await page.getByText('2 of 3 buckets').waitFor();
    await page.getByLabel('Show').selectOption('all');
    await page.getByLabel('Sort by').selectOption('versions');
    assert.deepEqual(await page.locator('tbody th[scope=row]').allTextContents(), [
      'runner-base',
      'runner-ubuntu',
      'runner-windows',
    ]);
  });

  it('navigates bucket → version → builds with their image ids', async () => {
    await page.getByRole('link', { name: 'runner-ubuntu', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'runner-ubuntu' }).waitFor();
    await channelRow('dev').filter({ hasText: 'v2' }).waitFor();
    await channelRow('prod').filter({ hasText: 'restricted' }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    for (const expected of [
      'GitHub Actions runner, Ubuntu 24.04',
      'os=ubuntu',
      'ubuntu-1',
      'runner-base/v1', // built from
      'out of date', // runner-base's stable moved on to v2
      'fleet / dev',
      'urn:pulumi:prod::fleet::aws:ec2/launchTemplate:LaunchTemplate::runners',
    ])
      assert.ok(text.includes(expected), `the bucket page shows ${expected}`);
    await page.getByText('Assignment history of dev (2)').click();
    await screenshot(page, '03-bucket');

    await page
      .getByRole('region', { name: 'Versions' })
      .getByRole('link', { name: 'v2', exact: true })
      .click();
    await page.getByRole('heading', { level: 1, name: 'runner-ubuntu v2' }).waitFor();
    const builds = page.getByRole('region', { name: 'Builds' });
    await builds.getByRole('heading', { name: /aws · amazon-ebs\.runner/ }).waitFor();
    const images = (await builds.textContent()) ?? '';
    for (const [platform, region] of [
      ['aws', 'us-east-1'],
      ['aws', 'eu-west-1'],
      ['gcp', 'global'],
    ])
      assert.ok(images.includes(imageId(platform, 'ubuntu-2', region)), `${platform} ${region}`);
    assert.ok(images.includes('git_sha=ubuntu-2-sha'));
    assert.ok(((await page.locator('main').textContent()) ?? '').includes('runner-base/v1'));
    await screenshot(page, '04-version');
  });

  it('assigns a version to a channel, and rolls a channel back to an earlier assignment', async () => {
    await page.goto(`${r.url}/#/${ORG}/${PROJECT}/buckets/runner-ubuntu`);
    await page.getByRole('button', { name: 'Assign a version to staging' }).click();
    await dialog().getByLabel('Version').selectOption('ubuntu-2');
    await dialog().getByRole('button', { name: 'Assign' }).click();
    await page
      .getByText('Channel “staging” of bucket “runner-ubuntu” now serves v2 (ubuntu-2).')
      .waitFor();
    await channelRow('staging').filter({ hasText: 'v2' }).waitFor();
    assert.equal(await channelOf('runner-ubuntu', 'staging'), 'ubuntu-2');

    await page.getByText('Assignment history of staging (2)').click();
    await page.getByRole('button', { name: 'Roll back staging to v1' }).click();
    await dialog().getByRole('button', { name: 'Roll back to v1' }).click();
    await page.getByText('Channel “staging” rolled back to v1 (ubuntu-1).').waitFor();
    await channelRow('staging').filter({ hasText: 'v1' }).waitFor();
    assert.equal(await channelOf('runner-ubuntu', 'staging'), 'ubuntu-1');
  });

  it('revokes with rollback after showing the channels and consumers it reaches; the channel moves back', async () => {
    await openVersion('v2');
    await page.getByRole('button', { name: 'Revoke…' }).click();
    const revoke = dialog();
    await revoke.getByText('fleet / dev').waitFor();
    const affected = (await revoke.textContent()) ?? '';
    // Where dev goes, said as it will happen: back to v1, which it served before.
    assert.match(affected, /dev: rolls back to v1 \(ubuntu-1\)/);
    assert.ok(!/staging:|prod:/.test(affected), 'channels not serving v2 are not listed');
    await revoke.getByLabel(/^Reason/).fill('CVE-2026-0001 in openssl');
    await screenshot(page, '05-revoke-dialog', false);
    await revoke.getByRole('button', { name: 'Revoke v2 now' }).click();
    await page
      .getByText(
        /Revoked v2 \(ubuntu-2\) of bucket “runner-ubuntu”\. Channel “dev” rolled back to v1/,
      )
      .waitFor();
    await page
      .getByRole('region', { name: 'Revoked' })
      .getByText('CVE-2026-0001 in openssl')
      .waitFor();
    assert.equal(await statusOf('ubuntu-2'), 'VERSION_REVOKED');
    assert.equal(await channelOf('runner-ubuntu', 'dev'), 'ubuntu-1');
    await screenshot(page, '06-version-revoked');

    await page.getByRole('link', { name: 'runner-ubuntu', exact: true }).click();
    await channelRow('dev').filter({ hasText: 'v1' }).waitFor();
  });

  it('restores the revoked version', async () => {
    await openVersion('v2');
    await page.getByRole('button', { name: 'Restore…' }).click();
    await dialog().getByRole('button', { name: 'Restore v2' }).click();
    await page.getByText(/^Restored v2 \(ubuntu-2\)\./).waitFor();
    await page.locator('.facts').getByText('active', { exact: true }).waitFor();
    assert.equal(await statusOf('ubuntu-2'), 'VERSION_ACTIVE');
  });

  it('schedules a revocation at a chosen time and cancels it', async () => {
    await openVersion('v1');
    await page.getByRole('button', { name: 'Revoke…' }).click();
    await dialog().getByLabel('At a chosen time').check();
    await dialog().getByLabel('Revoke at (your local time)').fill('2099-01-01T09:00');
    await dialog().getByRole('button', { name: 'Schedule revocation of v1' }).click();
    await page.getByText(/^Revocation of v1 \(ubuntu-1\) scheduled for/).waitFor();
    await page.getByRole('region', { name: 'Revocation scheduled' }).waitFor();
    const version = (
      await r.ok('GET', `${r.packer(ORG, PROJECT)}/buckets/runner-ubuntu/versions/ubuntu-1`)
    ).version;
    assert.equal(version.status, 'VERSION_REVOCATION_SCHEDULED');
    assert.equal(new Date(version.revoke_at).getFullYear(), 2099);

    await page.getByRole('button', { name: 'Cancel scheduled revocation…' }).click();
    await dialog().getByRole('button', { name: 'Cancel the revocation' }).click();
    await page.getByText('The scheduled revocation of v1 (ubuntu-1) is cancelled.').waitFor();
    assert.equal(await statusOf('ubuntu-1'), 'VERSION_ACTIVE');
  });

  it('opens the revoke dialog from the keyboard, naming the descendants; Escape closes it and returns focus', async () => {
    await page.goto(`${r.url}/#/${ORG}/${PROJECT}/buckets/runner-base/versions/base-1`);
    await page.getByRole('heading', { level: 1, name: 'runner-base v1' }).waitFor();
    const button = page.getByRole('button', { name: 'Revoke…' });
    await button.focus();
    await page.keyboard.press('Enter');
    const revoke = dialog();
    for (const child of ['runner-ubuntu/v1', 'runner-ubuntu/v2'])
      await revoke.getByRole('link', { name: child }).waitFor();
    assert.ok(await revoke.getByLabel(/^Also revoke the versions built from it/).isChecked());
    assert.match((await revoke.textContent()) ?? '', /No channel serves it/);
    assert.ok(
      await inPage(page, "document.querySelector('dialog').contains(document.activeElement)"),
    );
    await page.keyboard.press('Escape');
    await revoke.waitFor({ state: 'detached' });
    assert.equal(await inPage(page, 'document.activeElement.textContent'), 'Revoke…');
    assert.equal(await statusOf('ubuntu-1'), 'VERSION_ACTIVE', 'nothing was revoked');
  });

  it('shows a build’s packages (from its SBOMs) and the bucket’s enforced blocks', async () => {
    const packer = r.packer(ORG, PROJECT);
    const version = (await r.ok('GET', `${packer}/buckets/runner-ubuntu/versions/ubuntu-2`))
      .version;
    const aws = version.builds.find((b: { platform: string }) => b.platform === 'aws');
    // As Packer's hcp-sbom upload sends it: the JSON zstd-compressed, base64-encoded.
    const sbom = fs.readFileSync(path.resolve(__dirname, '../fixtures/sbom/cyclonedx.json'));
    await r.ok('PUT', `${packer}/buckets/runner-ubuntu/versions/ubuntu-2/builds/${aws.id}/sboms`, {
      compressed_sbom: execFileSync('zstd', ['-q', '-c'], { input: sbom }).toString('base64'),
      format: 'CYCLONEDX',
      name: 'os-packages',
    });
    const { enforced_block: block } = await r.ok('PUT', `${packer}/enforced_blocks`, {
      name: 'security-agent',
      version: 'v3',
      block_content: 'provisioner "shell" {\n  inline = ["install-agent"]\n}\n',
      additional_description: 'installs the security agent',
    });
    await r.ok(
      'POST',
      `${packer}/enforced_blocks/${block.id}/versions/${block.latest_version.id}/buckets`,
      { bucket_names: ['runner-ubuntu'] },
    );

    await page.goto(`${r.url}/#/${ORG}/${PROJECT}/buckets/runner-ubuntu`);
    const enforced = page.getByRole('region', { name: 'Enforced blocks' });
    await enforced.getByRole('heading', { name: /security-agent · v3/ }).waitFor();
    assert.match((await enforced.textContent()) ?? '', /install-agent/);
    assert.match((await enforced.textContent()) ?? '', /installs the security agent/);

    await openVersion('v2');
    const table = page.locator(`table[data-packages="${aws.id}"]`);
    await table.waitFor();
    assert.match(
      (await table.locator('caption').textContent()) ?? '',
      /Packages \(4, from SBOMs os-packages\)/,
    );
    const cells = await table.locator('tbody tr td:first-child').allTextContents();
    assert.deepEqual(cells, ['actions-runner', 'curl', 'Newtonsoft.Json', 'openssl']);
    const gcp = version.builds.find((b: { platform: string }) => b.platform === 'gcp');
    assert.match(
      (await page.getByRole('article', { name: new RegExp(gcp.component_type) }).textContent()) ??
        '',
      /No SBOM uploaded/,
    );
    await screenshot(page, '06b-packages');
    assert.deepEqual(problems, []);
  });

  it('shows a viewer everything but no write actions', async () => {
    const viewer = await r.principal('viewer', ORG, PROJECT);
    const own = await openContext();
    try {
      await own.page.goto(r.url);
      await signIn(own.page, viewer);
      await own.page.getByRole('row', { name: /runner-ubuntu/ }).waitFor();
      assert.match((await own.page.locator('header').textContent()) ?? '', /viewer/);
      await own.page.getByRole('link', { name: 'runner-ubuntu', exact: true }).click();
      await own.page.locator('tr[data-channel="dev"]').waitFor();
      for (const summary of await own.page.locator('details summary').all()) await summary.click();
      await own.page
        .getByRole('region', { name: 'Versions' })
        .getByRole('link', { name: 'v1', exact: true })
        .click();
      await own.page.getByRole('region', { name: 'Builds' }).waitFor();
      await screenshot(own.page, '07-viewer-version');
      assert.equal(await own.page.getByRole('button').count(), 1, 'only "Sign out"');
      await own.page.goBack();
      await own.page.locator('tr[data-channel="dev"]').waitFor();
      assert.deepEqual(await own.page.getByRole('button').allTextContents(), ['Sign out']);
      assert.deepEqual(own.problems, []);
    } finally {
      await own.context.close();
    }
  });

  it('signs out, forgetting the token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();
    assert.equal(await inPage(page, "sessionStorage.getItem('ingot.session')"), null);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
