import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// examples/dashboard in a real headless Chromium: the page loads the package's browser bundle (and rxjs) through
// its import map, draws the values the server publishes and shows the connection state; the server then restarts
// on the same port and the page must show `closed`, then `open` again, and keep drawing.
//
// The dashboard's server runs in a child process (support/dashboard-harness.mjs: Jest cannot import ES modules),
// driven over IPC. The browser is the system's Chromium (CHROMIUM_PATH to use another); without it the test fails.
// docs/dashboard.png is written when it does not exist yet, or when UPDATE_SCREENSHOT is set.

const ROOT = join(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(ROOT, 'docs/dashboard.png');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

jest.setTimeout(30_000);

interface Message {
  type: string;
  url?: string;
  message?: string;
}

/** The dashboard's server in a child process. */
class DashboardProcess {
  private readonly messages: Message[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;

  constructor(child: ChildProcess) {
    this.child = child;
    this.exited = once(child, 'exit');
    child.on('message', (message: Message) => {
      this.messages.push(message);
      this.waiters.splice(0).forEach((wake) => wake());
    });
  }

  static start(): DashboardProcess {
    const harness = join(__dirname, 'support/dashboard-harness.mjs');
    return new DashboardProcess(fork(harness, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  /** The next message of `type` (an `error` message rejects), within `ms`. */
  async next(type: string, ms = 10_000): Promise<Message> {
    const end = Date.now() + ms;
    for (;;) {
      const index = this.messages.findIndex((m) => m.type === type || m.type === 'error');
      if (index >= 0) {
        const [message] = this.messages.splice(index, 1);
        if (message!.type === 'error') throw new Error(`dashboard server: ${message!.message}`);
        return message!;
      }
      if (this.child.exitCode !== null) {
        throw new Error(`the dashboard server exited (${this.child.exitCode})`);
      }
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for the dashboard server's "${type}"`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async restart(): Promise<void> {
    this.child.send({ type: 'restart' });
    await this.next('restarted');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

const points = (page: Page) => page.$eval('#chart', (svg) => Number((svg as SVGElement).dataset.points));
const badge = (page: Page) =>
  page.$eval('#badge', (el) => ({ text: el.textContent, className: el.getAttribute('class') }));

describe('examples/dashboard in headless Chromium', () => {
  let server: DashboardProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(() => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium was not found at ${CHROMIUM}. The dashboard test runs the page in a real browser: install ` +
          'Chromium (Debian and Ubuntu: `apt-get install chromium`) or set CHROMIUM_PATH to its executable.',
      );
    }
    if (!existsSync(join(ROOT, 'dist/browser/rx-socketcluster.min.mjs'))) {
      throw new Error('dist/browser/rx-socketcluster.min.mjs is missing: the globalSetup build did not run');
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws live values, shows the connection state, and recovers from a server restart', async () => {
    server = DashboardProcess.start();
    const { url } = await server.next('ready');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
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
    await server.restart();
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
