import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/test-server';
import { checkPrerequisites, launchChromium } from './support/browser';
import { startShareSite, type ShareSite } from './support/share-site';

// One connection for all tabs, in a real headless Chromium against a real socketcluster-server: pages of one
// origin load the package's browser bundle (which loads its sharing chunk) and, in shared-worker mode, its worker
// script; the server counts connections and the frames it receives. The pages' script is in support/share-site.ts
// and is driven through `window.t`.

jest.setTimeout(60_000);

/** What the test reads of a page's `window.t`. */
interface PageT {
  client: { connect(): void };
  share: { mode: string; role: string; tabs: number; tab: string; holder: string } | undefined;
  auth: string;
  /** The signed token of the authenticated state. */
  token: string | undefined;
  /** What the page's refresh function (the `refresh` query) hands out, and the tokens it was called for. */
  nextToken: string | undefined;
  refreshedFrom: string[];
  state: string;
  messages: Record<string, unknown[]>;
  channelStates: Record<string, string>;
  subscribe(channel: string): void;
  unsubscribe(channel: string): void;
  invoke(event: string, data: unknown): Promise<unknown>;
  authenticate(token: string): Promise<{ isAuthenticated: boolean }>;
  answersToMe(): number;
  seen: unknown[];
}
type Window = { t: PageT };

let browser: Browser;
let site: ShareSite;
let server: TestServer;

/** The packets the server received, batches unpacked (pings and unparsable frames left out). */
function packets(): { event?: string; data?: string | { channel?: string } }[] {
  return server.frames.flatMap((frame) => {
    try {
      const parsed = JSON.parse(frame) as unknown;
      return (Array.isArray(parsed) ? parsed : [parsed]) as { event?: string }[];
    } catch {
      return [];
    }
  });
}

/** How many `event` packets the server received (for `channel`, when given: `#unsubscribe` has it as its data). */
function received(event: string, channel?: string): number {
  const about = (data: unknown) =>
    data === channel || (data as { channel?: string } | undefined)?.channel === channel;
  return packets().filter((p) => p.event === event && (channel === undefined || about(p.data))).length;
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for `check` to hold in `page` (it runs there, with `t` its window.t); says what the page had if not. */
async function inPage<A>(
  page: Page,
  check: (t: PageT, arg: A) => boolean,
  arg: A,
  ms = 10_000,
): Promise<void> {
  try {
    await page.waitForFunction(
      ([source, value]) => {
        const t = (window as unknown as Window).t as PageT | undefined;
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the check is the test's own code
        const test = new Function('t', 'arg', `return (${source})(t, arg)`) as (
          t: PageT,
          a: unknown,
        ) => boolean;
        return t !== undefined && test(t, value);
      },
      [check.toString(), arg] as const,
      { timeout: ms, polling: 20 },
    );
  } catch (error) {
    const seen = await run(page, (t) =>
      JSON.stringify({ share: t.share, state: t.state, auth: t.auth, channels: t.channelStates }),
    ).catch(() => 'the page is gone');
    throw new Error(`${check.toString()} (arg ${JSON.stringify(arg)}) did not hold; the page had ${seen}`, {
      cause: error,
    });
  }
}

/** Runs `action` in `page` with its window.t. */
function run<R, A = undefined>(
  page: Page,
  action: (t: PageT, arg: A) => R | Promise<R>,
  arg?: A,
): Promise<R> {
  return page.evaluate<R, readonly [string, A | undefined]>(
    ([source, value]) => {
      const t = (window as unknown as Window).t;
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the action is the test's own code
      return (new Function('t', 'arg', `return (${source})(t, arg)`) as (t: PageT, a: A) => R)(t, value as A);
    },
    [action.toString(), arg],
  );
}

/** Opens `count` pages with `query`, one after the other, each connected and joined. */
async function openPages(
  context: BrowserContext,
  count: number,
  query: Record<string, string>,
): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(site.page({ ws: server.url, name: 'app', ...query }));
    await inPage(page, (t) => t.share !== undefined, undefined);
    await run(page, (t) => t.client.connect());
    await inPage(page, (t) => t.state === 'open' && t.share!.role !== 'joining', undefined);
    pages.push(page);
  }
  return pages;
}

/** Every page holds the connection's tab count `tabs`. */
async function allSee(pages: Page[], tabs: number): Promise<void> {
  for (const page of pages) await inPage(page, (t, n) => t.share!.tabs === n, tabs);
}

/** A token signed by the server, as its own `socket.setAuthToken()` would sign it. */
function sign(payload: object, options: { expiresIn: number }): Promise<string> {
  const ag = server.agServer as unknown as {
    auth: { signToken(payload: object, key: string, options: object): Promise<string> };
    signatureKey: string;
  };
  return ag.auth.signToken(payload, ag.signatureKey, options);
}

/** A call through `page`'s client: once answered, the hub has handled every command the page sent before it. */
async function barrier(page: Page): Promise<void> {
  expect(await run(page, (t) => t.invoke('echo', 'barrier'))).toBe('barrier');
}

beforeAll(async () => {
  checkPrerequisites('sharing', 'dist/browser/rx-socketcluster.worker.min.mjs');
  [browser, site] = await Promise.all([launchChromium(), startShareSite()]);
});

afterAll(async () => {
  await browser.close();
  await site.close();
});

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.stop();
});

/**
 * The matrix of the issue for one mode: one connection for four pages, one `#subscribe` for two pages that both
 * get every publish, an answer to the calling page only, the channel held until its last page leaves, one
 * `#authenticate` for every page. Returns the pages, authenticated, with none holding a channel.
 */
async function matrix(context: BrowserContext, query: Record<string, string>, mode: string): Promise<Page[]> {
  const pages = await openPages(context, 4, query);
  await allSee(pages, 4);
  expect(server.sockets).toHaveLength(1);
  expect(server.agServer.clientsCount).toBe(1);
  for (const page of pages) expect((await run(page, (t) => t.share))!.mode).toBe(mode);

  // Two pages on one channel: one #subscribe; both receive every publish.
  const [one, two, three, four] = pages as [Page, Page, Page, Page];
  for (const page of [one, two]) {
    await run(page, (t) => t.subscribe('news'));
    await inPage(page, (t) => t.channelStates.news === 'subscribed', undefined);
  }
  expect(received('#subscribe', 'news')).toBe(1);
  for (let n = 0; n < 3; n++) await server.agServer.exchange.transmitPublish('news', { n });
  const expected = [{ n: 0 }, { n: 1 }, { n: 2 }];
  for (const page of [one, two]) {
    await inPage(page, (t) => t.messages.news!.length >= 3, undefined);
    expect(await run(page, (t) => t.messages.news)).toEqual(expected);
  }

  // An invoke from page 4 is answered to page 4 only.
  expect(await run(four, (t) => t.invoke('echo', 'from page 4'))).toBe('from page 4');
  expect(await run(four, (t) => t.answersToMe())).toBe(1);
  for (const page of [one, two, three]) expect(await run(page, (t) => t.answersToMe())).toBe(0);

  // The server's subscription lasts until the last page leaves.
  await run(one, (t) => t.unsubscribe('news'));
  await barrier(one);
  expect(received('#unsubscribe', 'news')).toBe(0);
  await server.agServer.exchange.transmitPublish('news', { n: 3 });
  await inPage(two, (t) => t.messages.news!.length === 4, undefined);
  await run(two, (t) => t.unsubscribe('news'));
  await barrier(two);
  expect(received('#unsubscribe', 'news')).toBe(1);

  // A login in page 1 authenticates every page, with one #authenticate.
  const auth = server.agServer as unknown as {
    auth: { signToken(payload: object, key: string): Promise<string> };
    signatureKey: string;
  };
  const token = await auth.auth.signToken({ user: 'ada' }, auth.signatureKey);
  expect(await run(one, (t, signed) => t.authenticate(signed), token)).toEqual({ isAuthenticated: true });
  for (const page of pages) await inPage(page, (t) => t.auth === 'authenticated', undefined);
  expect(received('#authenticate')).toBe(1);

  // A page that goes without a word (no `bye`: a page never says one) is noticed, and its channel released.
  await run(three, (t) => t.subscribe('solo'));
  await inPage(three, (t) => t.channelStates.solo === 'subscribed', undefined);
  await three.close();
  await until(() => received('#unsubscribe', 'solo') === 1);
  await allSee([one, two, four], 3);
  return [one, two, four];
}

describe("share: 'auto' in headless Chromium", () => {
  it('shares one connection through the shared worker', async () => {
    const context = await browser.newContext();
    try {
      const pages = await matrix(context, { share: 'auto' }, 'shared-worker');
      for (const page of pages) {
        expect(await run(page, (t) => t.share)).toMatchObject({ role: 'follower', holder: 'worker' });
      }
      expect(server.sockets).toHaveLength(1);
    } finally {
      await context.close();
    }
  });

  it('elects a leader tab without SharedWorker, which hands over within 3 s when it closes', async () => {
    const context = await browser.newContext();
    try {
      const [one, two, four] = (await matrix(context, { share: 'auto', noWorker: '1' }, 'leader-tab')) as [
        Page,
        Page,
        Page,
      ];
      expect(await run(one, (t) => t.share!.role)).toBe('leader');
      for (const page of [two, four]) {
        await run(page, (t) => t.subscribe('handover'));
        await inPage(page, (t) => t.channelStates.handover === 'subscribed', undefined);
      }
      expect(received('#subscribe', 'handover')).toBe(1);

      // The leader page closes: another page holds the connection, with the channel subscribed again and the token
      // kept (sent in the new handshake).
      const closedAt = Date.now();
      await one.close();
      await until(() => server.sockets.length === 2 && received('#subscribe', 'handover') === 2, 3000);
      const handover = Date.now() - closedAt;
      expect(handover).toBeLessThan(3000);
      expect(server.sockets[1].authState).toBe('authenticated');
      const roles = await Promise.all([two, four].map((page) => run(page, (t) => t.share!.role)));
      expect(roles.sort()).toEqual(['follower', 'leader']);
      await server.agServer.exchange.transmitPublish('handover', { after: true });
      for (const page of [two, four]) {
        await inPage(page, (t) => t.messages.handover!.length === 1, undefined);
        expect(await run(page, (t) => t.auth)).toBe('authenticated');
      }
      await allSee([two, four], 2);
    } finally {
      await context.close();
    }
  });

  it('refreshes the token once for every page, in the one page whose client has tokenRefresh()', async () => {
    const context = await browser.newContext();
    try {
      // The first page gives the shared worker its options, its refresh margin (1 s) included.
      const [refreshing, plain] = [
        ...(await openPages(context, 1, { share: 'auto', refresh: '1000' })),
        ...(await openPages(context, 1, { share: 'auto' })),
      ] as [Page, Page];
      await allSee([refreshing, plain], 2);
      expect(await run(plain, (t) => t.share!.mode)).toBe('shared-worker');
      const first = await sign({ user: 'ada' }, { expiresIn: 3 });
      const second = await sign({ user: 'ada', renewed: true }, { expiresIn: 60 });
      await run(refreshing, (t, token) => void (t.nextToken = token), second);

      // Signed in from the page that cannot refresh: the worker asks the other page, about 1 s before exp.
      expect(await run(plain, (t, token) => t.authenticate(token), first)).toEqual({ isAuthenticated: true });
      for (const page of [plain, refreshing])
        await inPage(page, (t, token) => t.token === token, second, 5000);
      expect(await run(refreshing, (t) => t.refreshedFrom)).toEqual([first]);
      expect(received('#authenticate')).toBe(2);
      expect(server.sockets).toHaveLength(1);
      expect(server.sockets[0].authToken).toMatchObject({ user: 'ada', renewed: true });
    } finally {
      await context.close();
    }
  });

  it("gives a second browser context its own connection; share: 'off' connects each page", async () => {
    const first = await browser.newContext();
    const second = await browser.newContext();
    try {
      await openPages(first, 2, { share: 'auto' });
      expect(server.sockets).toHaveLength(1);
      const [other] = await openPages(second, 1, { share: 'auto' });
      expect(server.sockets).toHaveLength(2);
      expect(await run(other!, (t) => t.share)).toMatchObject({ mode: 'shared-worker', tabs: 1 });

      const alone = await openPages(first, 2, { share: 'off' });
      expect(server.sockets).toHaveLength(4);
      for (const page of alone) {
        expect(await run(page, (t) => t.share)).toEqual({
          mode: 'off',
          role: 'alone',
          tabs: 1,
          tab: '',
          holder: '',
        });
        await run(page, (t) => t.subscribe('own'));
        await inPage(page, (t) => t.channelStates.own === 'subscribed', undefined);
      }
      expect(received('#subscribe', 'own')).toBe(2);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("survives a server restart with one reconnect, every page's channels back", async () => {
    const context = await browser.newContext();
    try {
      const pages = await openPages(context, 4, { share: 'auto' });
      await allSee(pages, 4);
      for (const [i, page] of pages.entries()) {
        await run(page, (t, channel) => t.subscribe(channel), `c${i}`);
        await inPage(page, (t, channel) => t.channelStates[channel] === 'subscribed', `c${i}`);
      }
      expect(server.sockets).toHaveLength(1);

      const { port } = server;
      await server.stop();
      for (const page of pages) await inPage(page, (t) => t.state !== 'open', undefined);
      server = await startTestServer({ port });
      for (const [i, page] of pages.entries()) {
        await inPage(
          page,
          (t, channel) => t.state === 'open' && t.channelStates[channel] === 'subscribed',
          `c${i}`,
        );
      }
      for (let i = 0; i < 4; i++) expect(received('#subscribe', `c${i}`)).toBe(1);
      for (let i = 0; i < 4; i++) await server.agServer.exchange.transmitPublish(`c${i}`, i);
      for (const [i, page] of pages.entries()) {
        await inPage(page, (t, channel) => t.messages[channel]!.length === 1, `c${i}`);
      }
      expect(server.sockets).toHaveLength(1);
    } finally {
      await context.close();
    }
  });
});
