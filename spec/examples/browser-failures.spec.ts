import type { Browser, Page } from 'playwright-core';
import { HarnessProcess, checkPrerequisites, launchChromium } from './support/browser';
import { closedPort } from '../support/ports';

// What a failed connection looks like in a real browser: Chromium gives a page no cause for a WebSocket that fails
// (its console does), so the closed state must say so rather than say nothing. The page is the dashboard's, whose
// import map loads the package's browser bundle; the test creates its own clients in it.

jest.setTimeout(30_000);

interface Failure {
  code: number | undefined;
  reason: string | undefined;
  errorCode: string | undefined;
  phase: string | undefined;
  retryIn: number | undefined;
  reports: string[];
}

/**
 * A client in the page for `url`; resolves with its first closed state that carries an error. The page's code is
 * a string: it imports the bundle through the page's import map, which the test's compiled code cannot do.
 */
async function failureIn(page: Page, url: string): Promise<Failure> {
  const script = `(async () => {
    const { createClient } = await import('rx-socketcluster');
    const client = createClient({ url: ${JSON.stringify(url)}, reconnectDelay: () => 60000 });
    const reports = [];
    client.errors$.subscribe((error) => reports.push(error.code));
    return new Promise((resolve) => {
      client.state$.subscribe((state) => {
        if (state.state !== 'closed' || !state.error) return;
        const { code, reason, retryIn, error } = state;
        resolve({ code, reason, errorCode: error.code, phase: error.phase, retryIn, reports });
        client.close();
      });
      client.connect();
    });
  })()`;
  return page.evaluate<Failure>(script);
}

const HIDDEN =
  'Socket hung up before it opened; the WebSocket gave no cause (a browser shows it in its console only)';

describe('a failed connection in headless Chromium', () => {
  let server: HarnessProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    checkPrerequisites('browser failures', 'dist/browser/rx-socketcluster.min.mjs');
    server = new HarnessProcess('dashboard-harness.mjs', 'dashboard server');
    const { url } = await server.next('ready');
    origin = new URL(url!).host;
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(url!);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('says the browser hides the cause when nothing listens, and reports it once', async () => {
    const port = await closedPort();
    const failure = await failureIn(page, `ws://127.0.0.1:${port}/socketcluster/`);
    expect(failure).toEqual({
      code: 1006,
      reason: HIDDEN,
      errorCode: 'CONNECTION_CLOSED',
      phase: 'connectAbort',
      retryIn: 60_000,
      reports: ['CONNECTION_CLOSED'],
    });
  });

  it('says the same for a wrong path, which the browser refuses without telling the page the HTTP status', async () => {
    const failure = await failureIn(page, `ws://${origin}/socketclustr/`);
    expect(failure).toMatchObject({ code: 1006, reason: HIDDEN, errorCode: 'CONNECTION_CLOSED' });
  });
});
