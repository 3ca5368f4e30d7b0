import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { HarnessProcess, ROOT, checkPrerequisites, launchChromium } from './support/browser';

// examples/dashboard in a real headless Chromium: the page loads the package's browser bundle (and rxjs) through
// its import map, draws the values the server publishes and shows the connection state; the server then restarts
// on the same port and the page must show `closed`, then `open` again, and keep drawing.
//
// The dashboard's server runs in a child process (support/dashboard-harness.mjs: Jest cannot import ES modules),
// driven over IPC. The browser is the Chromium that `npm ci` installs with @sparticuz/chromium (CHROMIUM_PATH to
// use another).
// docs/dashboard.png is written when it does not exist yet, or when UPDATE_SCREENSHOT is set.

const SCREENSHOT = join(ROOT, 'docs/dashboard.png');

jest.setTimeout(30_000);

const points = (page: Page) => page.$eval('#chart', (svg) => Number((svg as SVGElement).dataset.points));
const badge = (page: Page) =>
  page.$eval('#badge', (el) => ({ text: el.textContent, className: el.getAttribute('class') }));

describe('examples/dashboard in headless Chromium', () => {
  let server: HarnessProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(() => {
    checkPrerequisites('dashboard', 'dist/browser/rx-socketcluster.min.mjs');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws live values, shows the connection state, and recovers from a server restart', async () => {
    server = new HarnessProcess('dashboard-harness.mjs', 'dashboard server');
    const { url } = await server.next('ready');
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 800, height: 450 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const failedRequests: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
    });

    await page.goto(url!);

    // Values arrive and are drawn; the badge says `open`.
    await page.waitForFunction(() => Number(document.getElementById('chart')!.dataset.points) >= 5, null, {
      timeout: 10_000,
    });
    expect(await badge(page)).toEqual({ text: 'open', className: 'badge open' });
    const segments = await page.$eval('#line', (path) => path.getAttribute('d')?.match(/L/g)?.length ?? 0);
    expect(segments).toBeGreaterThanOrEqual(4);
    const firstSocket = await page.textContent('#detail');
    expect(firstSocket).toMatch(/^socket id \S+$/);

    // Every badge text from now on, in order.
    await page.evaluate(() => {
      const element = document.getElementById('badge')!;
      const seen: string[] = [];
      (window as unknown as { badgeStates: string[] }).badgeStates = seen;
      new MutationObserver(() => seen.push(element.textContent)).observe(element, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });

    // The server stops (the page sees code 1006) and starts again on the same port.
    await server.request('restart', 'restarted');
    await page.waitForFunction(
      () => {
        const seen = (window as unknown as { badgeStates: string[] }).badgeStates;
        const closed = seen.indexOf('closed');
        return closed >= 0 && seen.indexOf('open', closed) > closed;
      },
      null,
      { timeout: 10_000 },
    );
    const states = await page.evaluate(() => (window as unknown as { badgeStates: string[] }).badgeStates);
    expect(states[0]).toBe('closed');
    expect(states).toContain('connecting');
    expect(states[states.length - 1]).toBe('open');
    expect(await badge(page)).toEqual({ text: 'open', className: 'badge open' });
    expect(await page.textContent('#detail')).not.toBe(firstSocket); // a new socket on the new server

    // Values keep coming after the restart.
    const reopened = await points(page);
    await page.waitForFunction(
      (count) => Number(document.getElementById('chart')!.dataset.points) >= count + 5,
      reopened,
      { timeout: 10_000 },
    );

    if (!existsSync(SCREENSHOT) || process.env.UPDATE_SCREENSHOT) {
      await page.waitForTimeout(12_000); // enough of the line to fill most of the chart
      await page.screenshot({ path: SCREENSHOT });
    }
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
  });
});

describe('examples/dashboard with "share across tabs"', () => {
  let server: HarnessProcess | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shares one socket between its tabs once the switch is on', async () => {
    server = new HarnessProcess('dashboard-harness.mjs', 'dashboard server');
    const { url } = await server.next('ready');
    browser = await launchChromium();
    const context = await browser.newContext();
    const first = await context.newPage();
    await first.goto(url!);
    await first.waitForFunction(() => document.getElementById('badge')!.textContent === 'open');
    expect(await first.textContent('#tabs')).toBe('');

    // The switch reloads the page with ?share=1; a second tab opens with it on.
    await Promise.all([first.waitForURL(/share=1/), first.check('#share')]);
    const second = await context.newPage();
    await second.goto(`${url!}?share=1`);
    for (const page of [first, second]) {
      await page.waitForFunction(() => document.getElementById('tabs')!.textContent.endsWith('2 tabs'));
      await page.waitForFunction(() => Number(document.getElementById('chart')!.dataset.points) >= 3);
      expect(await page.isChecked('#share')).toBe(true);
      expect(await page.textContent('#tabs')).toBe('follower · 2 tabs');
    }
    // One socket: both pages show the id of the socket the shared worker holds.
    const ids = await Promise.all([first, second].map((page) => page.textContent('#detail')));
    expect(ids[0]).toMatch(/^socket id \S+$/);
    expect(ids[1]).toBe(ids[0]);
  });
});
