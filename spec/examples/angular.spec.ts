import type { Browser, Page } from 'playwright-core';
import { HarnessProcess, checkPrerequisites, launchChromium } from './support/browser';

// examples/angular in a real headless Chromium, as `npm run example:angular` serves it: the standalone component
// bootstrapped with bootstrapApplication() and zoneless change detection (no zone.js on the page), the package
// loaded through `rx-socketcluster/angular` from the built dist/. The page must show the connection `open`, the
// headlines the server publishes on `news`, and the answer of the server's `sum` procedure to the button.
//
// The example's server runs in a child process (support/angular-harness.mjs: Jest cannot import ES modules); it
// bundles the application with Rollup as it starts, which takes a few seconds. The browser is the Chromium that
// `npm ci` installs with @sparticuz/chromium (CHROMIUM_PATH to use another).

jest.setTimeout(30_000);

/** The text of the connection state (`<strong>` after "Connection:"). */
const connection = (page: Page) => page.textContent('app-root strong');
/** The items of the news list, top first. */
const news = (page: Page) =>
  page.$$eval('app-root ul li', (items) => items.map((li) => li.textContent.trim()));

describe('examples/angular in headless Chromium', () => {
  let server: HarnessProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(() => {
    checkPrerequisites("Angular example's", 'dist/angular.mjs');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the connection open, the news as they arrive, and the answer of the sum procedure', async () => {
    // The harness bundles the application with Rollup as it starts, which takes a few seconds.
    server = new HarnessProcess('angular-harness.mjs', "Angular example's server");
    const { url } = await server.next('ready', 20_000);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const failedRequests: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
    });

    await page.goto(url!);

    // Angular rendered the component, without zone.js, and its news feed opened the connection.
    await page.waitForFunction(
      () => document.querySelector('app-root h1')?.textContent === 'SocketCluster',
      null,
      { timeout: 10_000 },
    );
    expect(await page.evaluate(() => 'Zone' in window)).toBe(false);
    await page.waitForFunction(
      () => document.querySelector('app-root strong')?.textContent === 'open',
      null,
      { timeout: 10_000 },
    );

    // Headlines arrive, newest first; the feed keeps five.
    await page.waitForFunction(() => document.querySelectorAll('app-root ul li').length === 5, null, {
      timeout: 10_000,
    });
    const items = await news(page);
    const numbers = items.map((text) => Number(/\(#(\d+),/.exec(text)?.[1]));
    expect(numbers.every((n) => n > 0)).toBe(true);
    expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
    // ...and keep arriving.
    await page.waitForFunction(
      (newest) => {
        const top = document.querySelector('app-root ul li')?.textContent ?? '';
        return Number(/\(#(\d+),/.exec(top)?.[1]) > newest;
      },
      numbers[0]!,
      { timeout: 5000 },
    );

    // The button invokes `sum` with 2 and 3 on the server.
    expect(await page.textContent('app-root')).not.toContain('The server says');
    await page.click('app-root button');
    await page.waitForFunction(
      () => document.querySelector('app-root')?.textContent.includes('The server says'),
      null,
      { timeout: 5000 },
    );
    expect(await page.textContent('app-root')).toContain('The server says 5.');
    expect(await page.isEnabled('app-root button')).toBe(true);
    expect(await page.$('app-root [role=alert]')).toBeNull();
    expect(await connection(page)).toBe('open');

    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });
});
