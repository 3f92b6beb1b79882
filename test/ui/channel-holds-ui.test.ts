import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  startTestRegistry,
  type Credentials,
  type TestRegistry,
} from '../helpers/registry-harness';
import { launchChromium, screenshot, watchConsole } from './browser';
import { ORG, PROJECT, seed } from './seed';
import { ensureUiBuilt } from './ui-build';

/**
 * Channel holds in the web console (headless Chromium against a live registry): every
 * role sees a channel's hold — who, since when, until when, why — on the bucket's channel
 * table; a contributor holds and releases open channels through confirmation dialogs, an
 * admin restricted ones too, a viewer neither. Each action goes through the registry's
 * hold API (PUT/DELETE …/channels/{channel}/hold), checked here through the API itself.
 */
describe('channel holds in the web UI (Chromium)', function () {
  this.timeout(60_000);
  let r: TestRegistry;
  let browser: Browser;
  const opened: BrowserContext[] = [];

  const holdOf = async (channel: string) =>
    (await r.ok('GET', `${r.ingot(ORG, PROJECT)}/buckets/runner-ubuntu/channels/${channel}/hold`))
      .hold;

  before(async function () {
    this.timeout(180_000);
    ensureUiBuilt();
    r = await startTestRegistry('sqlite');
    await seed(r);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await r?.close();
  });

  /** A signed-in tab of `creds` on runner-ubuntu's bucket page. */
  async function bucketPageAs(creds: Credentials): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    opened.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems = watchConsole(page);
    await page.goto(`${r.url}/#/${ORG}/${PROJECT}/buckets/runner-ubuntu`);
    await page.getByLabel('Client ID').fill(creds.clientId);
    await page.getByLabel('Client secret').fill(creds.clientSecret);
    await page.getByLabel('Organization').fill(ORG);
    await page.getByLabel('Project', { exact: true }).fill(PROJECT);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'runner-ubuntu' }).waitFor();
    return { page, problems };
  }
  const row = (page: Page, channel: string) => page.locator(`tr[data-channel="${channel}"]`);
  afterEach(async () => {
    for (const context of opened.splice(0)) await context.close();
  });

  it('a contributor holds staging through the dialog; the table shows who, since, until and why', async () => {
    const contributor = await r.principal('contributor', ORG, PROJECT);
    const { page, problems } = await bucketPageAs(contributor);
    assert.match((await row(page, 'staging').textContent()) ?? '', /not held/);
    // prod is restricted: only an admin may hold it (the registry refuses a contributor).
    assert.equal(await row(page, 'prod').getByRole('button', { name: 'Hold prod' }).count(), 0);

    await row(page, 'staging').getByRole('button', { name: 'Hold staging' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Hold staging' }).waitFor();
    assert.match(
      (await dialog.textContent()) ?? '',
      /keeps serving v1 \(ubuntu-1\)\. Every assignment and promotion to it/,
    );
    // No reason, no hold: the confirmation stays disabled.
    assert.equal(await dialog.getByRole('button', { name: 'Hold staging' }).isDisabled(), true);
    await dialog.getByLabel('Reason').fill('rollback: v2 breaks docker-in-docker');
    await dialog.getByLabel('Expires').selectOption('72h');
    await screenshot(page, 'holds-01-dialog', false);
    await dialog.getByRole('button', { name: 'Hold staging' }).click();
    await page.getByRole('status').filter({ hasText: 'is held until' }).waitFor();

    const hold = await holdOf('staging');
    assert.equal(hold.reason, 'rollback: v2 breaks docker-in-docker');
    assert.equal(hold.author_id, contributor.clientId);
    assert.equal(
      Date.parse(hold.expires_at) - Date.parse(hold.created_at),
      72 * 3_600_000,
      'expires 72 h after it was set, by the registry clock',
    );
    const cell = row(page, 'staging').locator('td.held');
    await cell.waitFor();
    const text = (await cell.textContent()) ?? '';
    assert.match(
      text,
      new RegExp(
        `Held by ${contributor.clientId} since .+ until .+: “?rollback: v2 breaks docker-in-docker`,
      ),
    );
    assert.equal(await cell.locator('time').first().getAttribute('datetime'), hold.created_at);
    assert.equal(await cell.locator('time').nth(1).getAttribute('datetime'), hold.expires_at);
    // A held channel offers no assignment.
    assert.equal(
      await row(page, 'staging')
        .getByRole('button', { name: 'Assign a version to staging' })
        .count(),
      0,
    );
    await screenshot(page, 'holds-02-held');
    assert.deepEqual(problems, []);
  });

  it('a viewer sees the hold (set from the CLI with --by) but can neither hold nor release', async () => {
    await r.ok('PUT', `${r.ingot(ORG, PROJECT)}/buckets/runner-ubuntu/channels/dev/hold`, {
      reason: 'incident INC-42',
      held_by: 'octocat',
    });
    const viewer = await r.principal('viewer', ORG, PROJECT);
    const { page, problems } = await bucketPageAs(viewer);
    assert.match(
      (await row(page, 'dev').locator('td.held').textContent()) ?? '',
      /Held by octocat since .+: “?incident INC-42/,
    );
    assert.match((await row(page, 'staging').textContent()) ?? '', /Held by .+rollback: v2/);
    assert.equal(await page.getByRole('button', { name: /^(Hold|Release)/ }).count(), 0);
    assert.deepEqual(problems, []);
  });

  it('releasing asks for confirmation, showing the hold; cancel keeps it, confirm lifts it', async () => {
    const contributor = await r.principal('contributor', ORG, PROJECT);
    const { page, problems } = await bucketPageAs(contributor);
    const release = () =>
      row(page, 'dev').getByRole('button', { name: 'Release the hold on dev' }).click();

    await release();
    const dialog = page.getByRole('dialog');
    assert.match(
      (await dialog.textContent()) ?? '',
      /Held by octocat since .+: “?incident INC-42.*the scheduled one included — may move dev off v2/s,
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await holdOf('dev')).held_by, 'octocat', 'cancel changes nothing');

    await release();
    await screenshot(page, 'holds-03-release', false);
    await dialog.getByRole('button', { name: 'Release dev' }).click();
    await page.getByRole('status').filter({ hasText: 'is released' }).waitFor();
    assert.equal(await holdOf('dev'), undefined);
    await row(page, 'dev').filter({ hasText: 'not held' }).waitFor();
    await row(page, 'dev').getByRole('button', { name: 'Assign a version to dev' }).waitFor();
    assert.deepEqual(problems, []);
  });

  it('an admin holds the restricted prod until released', async () => {
    const { page, problems } = await bucketPageAs(r.admin);
    await row(page, 'prod').getByRole('button', { name: 'Hold prod' }).click();
    const dialog = page.getByRole('dialog');
    assert.match((await dialog.textContent()) ?? '', /Every assignment and promotion to it/);
    await dialog.getByLabel('Reason').fill('freeze for the release');
    await dialog.getByRole('button', { name: 'Hold prod' }).click();
    await page.getByRole('status').filter({ hasText: 'is held: freeze for the release' }).waitFor();
    const hold = await holdOf('prod');
    assert.equal(hold.reason, 'freeze for the release');
    assert.equal(hold.expires_at, undefined, '"Until released" sets no expiry');
    assert.match(
      (await row(page, 'prod').locator('td.held').textContent()) ?? '',
      new RegExp(`Held by ${r.admin.clientId} since .+: “?freeze for the release`),
    );
    // The console never replaces a hold: a held channel offers release, not another hold.
    assert.equal(await row(page, 'prod').getByRole('button', { name: 'Hold prod' }).count(), 0);
    assert.deepEqual(problems, []);
  });
});
