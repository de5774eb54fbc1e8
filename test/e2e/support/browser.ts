import { isDeepStrictEqual } from 'node:util';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests write their screenshots (gitignored). */
export const TEST_OUTPUT = resolve('test-output');

/** Headless Chromium with no network of its own: no background requests, no GPU, no sandbox (CI containers). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A new page on the dashboard at `hash` (e.g. `#/measures/II.1.3`), signed in with `key` as a user
 * does (the key typed into the sign-in form); resolves once the role badge shows. `watch` gets the
 * page before it loads, for request or response listeners.
 */
export async function openSignedIn(
  browser: Browser,
  origin: string,
  key: string,
  options: { hash?: string; viewport?: { width: number; height: number }; timezoneId?: string; watch?: (page: Page) => void } = {},
): Promise<Page> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1366, height: 900 }, timezoneId: options.timezoneId });
  options.watch?.(page);
  await page.goto(`${origin}/dashboard/${options.hash ?? ''}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('role').waitFor();
  return page;
}

/** Moves within the app as a link or a typed address does (no reload). */
export const goToHash = (page: Page, hash: string): Promise<string> => page.evaluate((h) => (window.location.hash = h), hash);

/** Builds the dashboard when its sources changed since the last build (or it was never built). */
export function buildDashboard(): void {
  const result = spawnSync(process.execPath, ['scripts/build-dashboard.mjs'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build:dashboard failed:\n${result.stdout}\n${result.stderr}`);
}

export function screenshotPath(dir: string, name: string): string {
  const folder = join(TEST_OUTPUT, dir);
  mkdirSync(folder, { recursive: true });
  return join(folder, `${name}.png`);
}

/**
 * Reads until the value deep-equals `expected` (the page re-renders after the api answers), then
 * returns; at the timeout it returns the last value read, for the caller's expect to show it.
 */
export async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDeepStrictEqual(value, expected) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
