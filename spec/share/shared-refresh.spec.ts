import { Observable, of, throwError } from 'rxjs';
import type { AuthState } from '../../lib';
import type { AuthenticatedState } from '../../lib/auth/auth-state';
import { createClient } from '../../lib/client/create-client';
import { AuthRefreshError, RemoteError, type ScClientError } from '../../lib/errors';
import { tokenRefresh, type RefreshToken } from '../../lib/refresh';
import type { HubMessage, MessagePortLike, TabMessage } from '../../lib/share/messages';
import { HubRefresh, TabRefresh } from '../../lib/share/shared-refresh';
import { serveSharedWorker } from '../../lib/worker';
import { fakeJwt } from '../support/jwt';
import { fakeWebSocket, type FakeWebSocket } from '../support/fake-web-socket';

// The token refresh of a connection held by a shared worker: the worker's engine asks one tab whose client has a
// tokenRefresh() to run its function. The worker (serveSharedWorker) and the tabs (createClient with share: 'shared-worker')
// are real; the page's SharedWorker and its MessagePorts are fakes that carry structured clones a microtask later;
// the test plays the server on a fake WebSocket, in virtual time.

const URL = 'ws://example.test/socketcluster/';
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const inSeconds = (s: number) => Math.floor(NOW / 1000) + s;
const FIRST = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(600) });
const SECOND = fakeJwt({ username: 'ann', iat: inSeconds(540), exp: inSeconds(1200) });
/** When the worker refreshes FIRST: the default margin (60 s) before it expires. */
const DUE = 540_000;

type Scope = Record<string, unknown>;
const scope = globalThis as unknown as Scope;
let saved: Scope;
let connect: ((event: { ports: MessagePortLike[] }) => void) | undefined;

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
  saved = { SharedWorker: scope.SharedWorker, addEventListener: scope.addEventListener };
  scope.SharedWorker = function SharedWorker() {};
  scope.addEventListener = (type: string, listener: typeof connect) => {
    if (type === 'connect') connect = listener;
  };
});

afterEach(() => {
  if (saved.SharedWorker === undefined) delete scope.SharedWorker;
  else scope.SharedWorker = saved.SharedWorker;
  if (saved.addEventListener === undefined) delete scope.addEventListener;
  else scope.addEventListener = saved.addEventListener;
  connect = undefined;
  jest.useRealTimers();
});

/** Two ends of a MessagePort: what one posts reaches the other's listener as a structured clone, a microtask later. */
function messagePorts(): [MessagePortLike, MessagePortLike] {
  const listeners: ((event: { data: unknown }) => void)[] = [];
  const end = (self: number): MessagePortLike => ({
    postMessage: (message) => {
      const data = structuredClone(message);
      void Promise.resolve().then(() => listeners[1 - self]?.({ data }));
    },
    addEventListener: (_type, listener) => (listeners[self] = listener),
    start: () => undefined,
  });
  return [end(0), end(1)];
}

const flush = () => jest.advanceTimersByTimeAsync(0);

function setup() {
  const ws = fakeWebSocket();
  serveSharedWorker({ WebSocket: ws.WebSocket });
  /** A tab's client, sharing the worker's connection; with `tokenRefresh(refresh, options)` when `refresh` is given. */
  const tab = (refresh?: RefreshToken, options?: { margin: number }) => {
    const client = createClient({
      url: URL,
      WebSocket: ws.WebSocket,
      share: 'shared-worker',
      batchWrites: false,
      pingTimeoutDisabled: true, // the fake server sends no pings over these ten minutes
      backoff: { initialDelay: 1000, randomness: 0 },
      worker: () => {
        const [page, worker] = messagePorts();
        connect!({ ports: [worker] });
        return { port: page };
      },
      ...(refresh && { features: [tokenRefresh(refresh, options)] }),
    });
    const auth: AuthState[] = [];
    const errors: ScClientError[] = [];
    client.authState$.subscribe((state) => auth.push(state));
    client.errors$.subscribe((error) => errors.push(error));
    return { client, auth, errors };
  };
  const authenticates = (socket: FakeWebSocket) => socket.packets.filter((p) => p.event === '#authenticate');
  /** Opens the connection, and signs every tab in with FIRST through `first`'s authenticate(). */
  const signIn = async (first: ReturnType<typeof tab>) => {
    first.client.connect();
    await flush();
    const socket = ws.last().handshake();
    const signedIn = first.client.authenticate(FIRST).subscribe();
    await flush();
    socket.receive({ rid: authenticates(socket)[0]!.cid, data: { isAuthenticated: true } });
    await flush();
    signedIn.unsubscribe();
    return socket;
  };
  return { tab, signIn, authenticates };
}

/** A refresh function that never answers, and says whether it was stopped. */
function pending() {
  const run = { stopped: false };
  const refresh = jest.fn(
    () =>
      new Observable<string>(() => () => {
        run.stopped = true;
      }),
  );
  return { refresh, run };
}

describe('the token refresh of a shared worker', () => {
  it('runs once, in the one tab that has tokenRefresh(), with one #authenticate for every tab', async () => {
    const { tab, signIn, authenticates } = setup();
    const plain = tab();
    const refreshToken = jest.fn(() => Promise.resolve(SECOND));
    const refreshing = tab(refreshToken);
    await flush();
    const socket = await signIn(plain);
    expect(plain.auth.at(-1)).toMatchObject({ state: 'authenticated', token: FIRST });

    await jest.advanceTimersByTimeAsync(DUE - 1);
    expect(refreshToken).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    expect(refreshToken).toHaveBeenCalledWith({
      state: 'authenticated',
      token: FIRST,
      claims: { username: 'ann', iat: inSeconds(0), exp: inSeconds(600) },
      expiresAt: inSeconds(600) * 1000,
    } satisfies AuthenticatedState);
    const sent = authenticates(socket);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ event: '#authenticate', data: SECOND });

    socket.receive({ rid: sent[1]!.cid, data: { isAuthenticated: true } });
    await flush();
    for (const each of [plain, refreshing]) {
      expect(each.auth.at(-1)).toMatchObject({ state: 'authenticated', token: SECOND });
      expect(each.errors).toEqual([]);
    }
    expect(refreshToken).toHaveBeenCalledTimes(1);
    plain.client.close();
    refreshing.client.close();
    await flush();
    expect(jest.getTimerCount()).toBe(0);
  });

  it("refreshes at the margin of the first tab's tokenRefresh(), which the worker's engine is made with", async () => {
    const { tab, signIn, authenticates } = setup();
    const refreshToken = jest.fn(() => Promise.resolve(SECOND));
    const first = tab(refreshToken, { margin: 120_000 });
    await flush();
    const socket = await signIn(first);

    await jest.advanceTimersByTimeAsync(480_000 - 1);
    expect(refreshToken).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    expect(authenticates(socket).at(-1)).toMatchObject({ event: '#authenticate', data: SECOND });
    first.client.close();
  });

  it('asks another tab that can refresh when the one asked leaves before it answers', async () => {
    const { tab, signIn, authenticates } = setup();
    const leaving = pending();
    const first = tab(leaving.refresh);
    const second = jest.fn(() => of(SECOND));
    const staying = tab(second);
    await flush();
    const socket = await signIn(staying);

    await jest.advanceTimersByTimeAsync(DUE);
    expect(leaving.refresh).toHaveBeenCalledTimes(1);
    expect(second).not.toHaveBeenCalled();
    expect(authenticates(socket)).toHaveLength(1);

    first.client.close();
    await flush();
    expect(leaving.run.stopped).toBe(true);
    expect(second).toHaveBeenCalledTimes(1);
    const sent = authenticates(socket);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ data: SECOND });
    socket.receive({ rid: sent[1]!.cid, data: { isAuthenticated: true } });
    await flush();
    expect(staying.auth.at(-1)).toMatchObject({ state: 'authenticated', token: SECOND });
    expect(staying.errors).toEqual([]);
    staying.client.close();
  });

  it('refreshes nothing, and reports nothing, while no tab that is left can refresh', async () => {
    const { tab, signIn, authenticates } = setup();
    const leaving = pending();
    const plain = tab();
    const first = tab(leaving.refresh);
    await flush();
    const socket = await signIn(plain);

    await jest.advanceTimersByTimeAsync(DUE);
    expect(leaving.refresh).toHaveBeenCalledTimes(1);
    first.client.close();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(authenticates(socket)).toHaveLength(1);
    expect(plain.errors).toEqual([]);
    expect(plain.auth.at(-1)).toMatchObject({ state: 'authenticated', token: FIRST });

    // A tab that can refresh joins later: the request still waiting goes to it.
    const late = jest.fn(() => of(SECOND));
    const joined = tab(late);
    await flush();
    expect(late).toHaveBeenCalledTimes(1);
    expect(authenticates(socket)).toHaveLength(2);
    plain.client.close();
    joined.client.close();
  });

  it("reports a failure of the tab's refresh function to every tab, as a client's own refresh does, and retries", async () => {
    const { tab, signIn, authenticates } = setup();
    let calls = 0;
    const refreshToken = jest.fn(() =>
      ++calls === 1 ? Promise.reject(new Error('auth service down')) : Promise.resolve(SECOND),
    );
    const plain = tab();
    const refreshing = tab(refreshToken);
    await flush();
    const socket = await signIn(plain);

    await jest.advanceTimersByTimeAsync(DUE);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    for (const each of [plain, refreshing]) {
      expect(each.errors).toHaveLength(1);
      expect(each.errors[0]).toBeInstanceOf(AuthRefreshError);
      expect(each.errors[0]).toMatchObject({
        code: 'AUTH_REFRESH_FAILED',
        attempt: 1,
        cause: { message: 'auth service down' },
      });
    }
    expect(authenticates(socket)).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(1000);
    expect(refreshToken).toHaveBeenCalledTimes(2);
    expect(authenticates(socket)).toHaveLength(2);
    plain.client.close();
    refreshing.client.close();
  });
});

describe('HubRefresh and TabRefresh', () => {
  const state: AuthenticatedState = { state: 'authenticated', token: FIRST, claims: {} };

  /** A hub's refresh wired to tabs by structured clones, synchronously. */
  function wire(tabs: Record<string, RefreshToken>) {
    const runners = new Map(Object.entries(tabs).map(([id, fn]) => [id, new TabRefresh(id, fn)]));
    const asked: HubMessage[] = [];
    const hub: HubRefresh = new HubRefresh((id, message) => {
      asked.push(message);
      runners
        .get(id)
        ?.run(structuredClone(message) as Extract<HubMessage, { t: 'refresh' }>, (answer: TabMessage) =>
          hub.answer(structuredClone(answer) as Extract<TabMessage, { t: 'refreshed' }>),
        );
    });
    for (const id of runners.keys()) hub.join(id, true);
    return { hub, asked, runners };
  }

  it('rebuilds a typed error of the tab as the same class', async () => {
    const { hub } = wire({
      one: () => throwError(() => new RemoteError('no', 'Denied', {})),
    });
    const failure = await new Promise<unknown>((resolve) =>
      (hub.refresh(state) as Observable<string>).subscribe({ error: resolve }),
    );
    expect(failure).toBeInstanceOf(RemoteError);
    expect(failure).toMatchObject({ message: 'no', remoteName: 'Denied' });
  });

  it('withdraws a request the engine drops, and stops it in the tab', () => {
    const { refresh, run } = pending();
    const { hub, asked } = wire({ one: refresh });
    const request = (hub.refresh(state) as Observable<string>).subscribe();
    expect(refresh).toHaveBeenCalledTimes(1);
    request.unsubscribe();
    expect(asked).toEqual([
      { t: 'refresh', to: 'one', id: 1, state },
      { t: 'refresh', to: 'one', id: 1 },
    ]);
    expect(run.stopped).toBe(true);
  });

  it('fails when the tab answers with something other than a token', async () => {
    const { hub } = wire({ one: () => of(42 as unknown as string) });
    const failure = await new Promise<Error>((resolve) =>
      (hub.refresh(state) as Observable<string>).subscribe({ error: resolve }),
    );
    expect(failure).toMatchObject({ name: 'TypeError', message: 'The refresh function produced no token' });
  });
});
