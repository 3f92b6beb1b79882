import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (scripts/ensure-chromium.sh installs it; Playwright's downloads cannot). */
export const CHROMIUM = '/usr/bin/chromium';

export const SCREENSHOTS = path.resolve(__dirname, '../../test-artifacts/ui');

/** One headless Chromium; Playwright gives each launch a fresh temporary profile. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run scripts/ensure-chromium.sh (npm test runs it) to install Debian's chromium package.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves the whole page (or, for a modal dialog, the window) as test-artifacts/ui/<name>.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}

/**
 * Evaluates a JavaScript expression in the page. Given as text because this test code is
 * type-checked as Node code, without the DOM's types.
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate<T>(expression);
}

/**
 * Collects what would tell a user's browser console that the page is broken: uncaught
 * errors and console errors (a Content-Security-Policy refusal is one). Failed requests
 * the test provokes on purpose (a wrong secret's 401) are the registry's to report.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console: ${message.text()}`);
  });
  return problems;
}
