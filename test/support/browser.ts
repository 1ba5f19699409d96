/**
 * A real browser for the console's tests: Debian's Chromium driven by playwright-core, a page
 * that fails the test on any uncaught page error, and the console's sign-in.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** A browser for the file's tests, closed after them. */
export function browserForTests(): () => Promise<Browser> {
  let browser: Promise<Browser> | undefined;
  after(async () => {
    await (await browser)?.close();
  });
  // Root runs Chromium without its sandbox (it refuses to start as root with it).
  return () => (browser ??= chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }));
}

/** A new page (its own storage: signed out) that records uncaught errors; `errors` must stay empty. */
export async function newPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.setDefaultTimeout(30_000);
  return { page, errors };
}

/** Signs in at `url`'s console with a key pair and waits for the clusters page. */
export async function signIn(page: Page, url: string, keys: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.locator('#access-key-id').fill(keys.accessKeyId);
  await page.locator('#secret-access-key').fill(keys.secretAccessKey);
  await page.getByTestId('sign-in').click();
  await page.getByRole('heading', { name: 'Clusters', level: 1 }).waitFor();
}

/** Asserts the page raised no uncaught error. */
export function noPageErrors(errors: string[]): void {
  assert.deepEqual(errors, []);
}
