import { EMPTY, of, throwError } from 'rxjs';
import type { AuthState } from '../../lib';
import { memoryTokenStore, type TokenStore } from '../../lib/auth/token-store';
import { AckTimeoutError, AuthTokenExpiredError, AuthTokenInvalidError, RemoteError } from '../../lib/errors';
import { tokenRefresh } from '../../lib/refresh';
import { fakeClient } from '../support/fake-client';
import type { FakeWebSocket } from '../support/fake-web-socket';
import { FAKE_TOKEN_KEY as KEY, fakeJwt } from '../support/jwt';

// Authentication through the public API, on a fake WebSocket and jest's fake clock.

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const inSeconds = (s: number) => Math.floor(NOW / 1000) + s;

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
});

afterEach(() => {
  jest.useRealTimers();
});

function authClient(store: TokenStore = memoryTokenStore(), options = {}) {
  const setup = fakeClient({ tokenStore: store, reconnectDelay: () => 10, ...options });
  const states: AuthState[] = [];
  setup.client.authState$.subscribe((s) => states.push(s));
  return { ...setup, store, states };
}

const handshakeToken = (socket: FakeWebSocket) =>
  (socket.packets.find((p) => p.event === '#handshake')!.data as { authToken: string | null }).authToken;

/** Lets promise callbacks (async stores, verifiers) run. */
const flush = () => jest.advanceTimersByTimeAsync(0);

describe('the handshake token', () => {
  it('is loaded from the store, and an accepted one makes the client authenticated with its claims', () => {
    const token = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(3600) });
    const { client, ws, states } = authClient(memoryTokenStore({ [KEY]: token }));
    client.connect();
    const socket = ws.last();
    socket.open();
    expect(handshakeToken(socket)).toBe(token);
    socket.handshake({ isAuthenticated: true });
    expect(states).toEqual([
      { state: 'unauthenticated' },
      {
        state: 'authenticated',
        token,
        claims: { username: 'ann', iat: inSeconds(0), exp: inSeconds(3600) },
        expiresAt: (NOW / 1000 + 3600) * 1000,
      },
    ]);
    client.close();
  });

  it('is never sent once expired: it is removed and reported', () => {
    const token = fakeJwt({ exp: inSeconds(-1) });
    const { client, ws, store, errors } = authClient(memoryTokenStore({ [KEY]: token }));
    client.connect();
    ws.last().open();
    expect(handshakeToken(ws.last())).toBeNull();
    expect(store.load(KEY)).toBeNull();
    expect(errors).toEqual([new AuthTokenExpiredError((NOW / 1000 - 1) * 1000)]);
    client.close();
  });

  it('is not sent when malformed: a typed error, an unauthenticated client, no crash', () => {
    const { client, ws, store, errors, states } = authClient(memoryTokenStore({ [KEY]: 'not-a-jwt' }));
    client.connect();
    ws.last().handshake();
    expect(handshakeToken(ws.last())).toBeNull();
    expect(store.load(KEY)).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AuthTokenInvalidError);
    expect(errors[0]).toMatchObject({ source: 'store' });
    expect(states.at(-1)).toEqual({ state: 'unauthenticated' });
    expect(client.state.state).toBe('open');
    client.close();
  });

  it('shows why the server refused it in the open state', () => {
    const { client, ws } = authClient(memoryTokenStore({ [KEY]: fakeJwt({ username: 'ann' }) }));
    client.connect();
    ws.last().handshake({
      isAuthenticated: false,
      authError: { name: 'AuthTokenNotBeforeError', message: 'jwt not active', isBadToken: false },
    });
    expect(client.state).toMatchObject({
      state: 'open',
      isAuthenticated: false,
      authError: { remoteName: 'AuthTokenNotBeforeError' },
    });
    client.close();
  });

  it('is removed from the store when the server calls it a bad token, and kept for other refusals', () => {
    const token = fakeJwt({ username: 'ann' });
    for (const [isBadToken, kept] of [
      [true, null],
      [false, token],
    ] as const) {
      const { client, ws, store } = authClient(memoryTokenStore({ [KEY]: token }));
      client.connect();
      ws.last().handshake({
        isAuthenticated: false,
        authError: {
          name: isBadToken ? 'AuthTokenInvalidError' : 'AuthTokenNotBeforeError',
          message: 'no',
          isBadToken,
        },
      });
      expect(store.load(KEY)).toBe(kept);
      expect(client.authState).toEqual({ state: 'unauthenticated' });
      client.close();
    }
  });

  it('waits for an async store, and a failing store fails the attempt with 4003 and a TokenStoreError', async () => {
    const token = fakeJwt({ username: 'ann' });
    let fail = true;
    const store: TokenStore = {
      load: () => (fail ? Promise.reject(new Error('disk gone')) : Promise.resolve(token)),
      save: () => Promise.resolve(),
      remove: () => Promise.resolve(),
    };
    const { client, ws, errors } = authClient(store);
    client.connect();
    await flush();
    expect(ws.sockets).toHaveLength(0);
    expect(client.state).toMatchObject({ state: 'closed', code: 4003, retryIn: 10 });
    expect(errors).toMatchObject([{ code: 'TOKEN_STORE_FAILED', operation: 'load' }]);
    fail = false;
    await jest.advanceTimersByTimeAsync(10);
    ws.last().open();
    expect(handshakeToken(ws.last())).toBe(token);
    client.close();
  });
});

describe('server-set tokens', () => {
  it('#setAuthToken right behind the handshake reply wins, and is stored', () => {
    const { client, ws, store } = authClient();
    const token = fakeJwt({ username: 'bob' });
    client.connect();
    const socket = ws.last();
    socket.open();
    // Both frames in the same read, as when the server sets the token in its connection handler.
    socket.receive({
      rid: socket.handshakeCid,
      data: { id: 's', pingTimeout: 30_000, isAuthenticated: false },
    });
    socket.receive({ event: '#setAuthToken', data: { token } });
    expect(client.authState).toMatchObject({ state: 'authenticated', token, claims: { username: 'bob' } });
    expect(store.load(KEY)).toBe(token);
    client.close();
  });

  it('answers #setAuthToken and #removeAuthToken sent as invokes', () => {
    const { client, ws, store } = authClient();
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#setAuthToken', data: { token: fakeJwt({ username: 'bob' }) }, cid: 5 });
    expect(socket.packets.at(-1)).toEqual({ rid: 5 });
    socket.receive({ event: '#removeAuthToken', cid: 6 });
    expect(socket.packets.at(-1)).toEqual({ rid: 6 });
    expect(store.load(KEY)).toBeNull();
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    client.close();
  });

  it('refuses a #setAuthToken without a usable token, and reports it without quoting the token', () => {
    const { client, ws, store, errors } = authClient();
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#setAuthToken', data: {}, cid: 1 });
    socket.receive({ event: '#setAuthToken', data: { token: 'secret-garbage' }, cid: 2 });
    expect(socket.packets.filter((p) => p.rid !== undefined)).toEqual([
      {
        rid: 1,
        error: { name: 'InvalidMessageError', message: 'No token data provided by #setAuthToken event' },
      },
      { rid: 2, error: { name: 'AuthTokenInvalidError', message: 'The client could not use the token' } },
    ]);
    expect(socket.packets.at(-1)).toEqual({ event: '#removeAuthToken' });
    expect(store.load(KEY)).toBeNull();
    expect(errors.map((e) => e.code)).toEqual(['PROTOCOL_ERROR', 'AUTH_TOKEN_INVALID']);
    expect(JSON.stringify(errors.map((e) => [e.message, String((e as Error).cause)]))).not.toContain(
      'secret-garbage',
    );
    client.close();
  });

  it('lets waitForAuth channels subscribe once a token is set mid-session', () => {
    const { client, ws } = authClient();
    client.channel('private', { waitForAuth: true }).subscribe();
    const socket = (client.connect(), ws.last().handshake());
    expect(socket.packets.filter((p) => p.event === '#subscribe')).toEqual([]);
    socket.receive({ event: '#setAuthToken', data: { token: fakeJwt({ username: 'bob' }) } });
    expect(socket.packets.filter((p) => p.event === '#subscribe')).toMatchObject([
      { data: { channel: 'private', waitForAuth: true } },
    ]);
    client.close();
  });
});

describe('ordering of sign-outs and server-set tokens', () => {
  it('does not send the token when deauthenticate() runs before the socket opens', () => {
    const { client, ws } = authClient(memoryTokenStore({ [KEY]: fakeJwt({ username: 'ann' }) }));
    client.connect();
    client.deauthenticate();
    ws.last().open();
    expect(handshakeToken(ws.last())).toBeNull();
    client.close();
  });

  it('signs the socket out when deauthenticate() runs while the handshake carries the token', () => {
    const { client, ws, store } = authClient(memoryTokenStore({ [KEY]: fakeJwt({ username: 'ann' }) }));
    client.connect();
    const socket = ws.last();
    socket.open();
    expect(handshakeToken(socket)).not.toBeNull();
    client.deauthenticate();
    socket.handshake({ isAuthenticated: true });
    expect(client.authState.state).toBe('unauthenticated');
    expect(socket.packets.at(-1)).toEqual({ event: '#removeAuthToken' });
    expect(store.load(KEY)).toBeNull();
    client.close();
  });

  it('lets a #removeAuthToken win over a #setAuthToken still being verified, and answers the superseded call', async () => {
    const verifyToken = () =>
      new Promise<{ username: string }>((resolve) => setTimeout(() => resolve({ username: 'ann' }), 10));
    const { client, ws, store } = authClient(undefined, { verifyToken });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#setAuthToken', data: { token: fakeJwt({ username: 'ann' }) }, cid: 3 });
    socket.receive({ event: '#removeAuthToken' });
    await jest.advanceTimersByTimeAsync(10);
    expect(client.authState.state).toBe('unauthenticated');
    expect(store.load(KEY)).toBeNull();
    expect(socket.packets.filter((p) => p.rid === 3)).toEqual([
      { rid: 3, error: { name: 'AuthError', message: 'A later auth change superseded the token' } },
    ]);
    client.close();
  });

  it('ends on the newer of two server-set tokens whatever the order their checks finish in', async () => {
    const older = fakeJwt({ username: 'old' });
    const newer = fakeJwt({ username: 'new' });
    const verifyToken = (token: string) =>
      new Promise<{ username: string }>((resolve) =>
        setTimeout(() => resolve({ username: token === older ? 'old' : 'new' }), token === older ? 20 : 5),
      );
    const { client, ws, store } = authClient(undefined, { verifyToken });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#setAuthToken', data: { token: older } });
    socket.receive({ event: '#setAuthToken', data: { token: newer } });
    await jest.advanceTimersByTimeAsync(25);
    expect(client.authState).toMatchObject({ state: 'authenticated', token: newer });
    expect(store.load(KEY)).toBe(newer);
    client.close();
  });
});

describe('authenticate()', () => {
  const token = fakeJwt({ username: 'ann' });

  it('stores the token only when the server accepts it', () => {
    const { client, ws, store } = authClient();
    client.connect();
    const socket = ws.last().handshake();
    const answers: unknown[] = [];
    client.authenticate(token).subscribe((a) => answers.push(a));
    const request = socket.packets.at(-1)!;
    expect(request).toEqual({ event: '#authenticate', data: token, cid: expect.any(Number) });
    socket.receive({
      rid: request.cid,
      data: { isAuthenticated: false, authError: { name: 'Blocked', message: 'not now' } },
    });
    expect(store.load(KEY)).toBeNull();
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    client.authenticate(token).subscribe((a) => answers.push(a));
    socket.receive({ rid: socket.packets.at(-1)!.cid, data: { isAuthenticated: true, authError: null } });
    expect(store.load(KEY)).toBe(token);
    expect(client.authState).toMatchObject({ state: 'authenticated', token });
    expect(answers).toEqual([
      { isAuthenticated: false, authError: new RemoteError('not now', 'Blocked', {}) },
      { isAuthenticated: true },
    ]);
    client.close();
  });

  it('errors with the server error for a rejected token, and leaves the state alone on a timeout', () => {
    const { client, ws } = authClient(undefined, { ackTimeout: 1000 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#setAuthToken', data: { token } });
    const errors: unknown[] = [];
    client.authenticate(token).subscribe({ error: (e) => errors.push(e) });
    jest.advanceTimersByTime(1000);
    expect(errors[0]).toBeInstanceOf(AckTimeoutError);
    expect(client.authState.state).toBe('authenticated');
    client.authenticate(token).subscribe({ error: (e) => errors.push(e) });
    socket.receive({
      rid: socket.packets.at(-1)!.cid,
      error: { name: 'AuthTokenInvalidError', message: 'invalid token', isBadToken: true },
    });
    expect(errors[1]).toMatchObject({ code: 'REMOTE_ERROR', remoteName: 'AuthTokenInvalidError' });
    expect(client.authState.state).toBe('unauthenticated');
    client.close();
  });

  it('sends nothing for a token that is not a JWT, and throws TypeError for no token', () => {
    const { client, ws } = authClient();
    client.connect();
    const socket = ws.last().handshake();
    let error: unknown;
    client.authenticate('nope').subscribe({ error: (e) => (error = e) });
    expect(error).toBeInstanceOf(AuthTokenInvalidError);
    expect(socket.packets.map((p) => p.event)).toEqual(['#handshake']);
    expect(() => client.authenticate('')).toThrow(TypeError);
    client.close();
  });
});

describe('deauthenticate()', () => {
  it('tells the server, clears the store and becomes unauthenticated', () => {
    const token = fakeJwt({ username: 'ann' });
    const { client, ws, store, states } = authClient(memoryTokenStore({ [KEY]: token }));
    client.connect();
    const socket = ws.last().handshake({ isAuthenticated: true });
    client.deauthenticate();
    expect(socket.packets.at(-1)).toEqual({ event: '#removeAuthToken' });
    expect(store.load(KEY)).toBeNull();
    expect(states.map((s) => s.state)).toEqual(['unauthenticated', 'authenticated', 'unauthenticated']);
    client.close();
  });
});

describe('token stores', () => {
  it('run writes in order, so a slow save cannot bring back a removed token', async () => {
    const saved: (string | null)[] = [];
    let value: string | null = null;
    const store: TokenStore = {
      load: () => value,
      save: async (_key, token) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        value = token;
        saved.push(token);
      },
      remove: () => {
        value = null;
        saved.push(null);
      },
    };
    const { client, ws } = authClient(store);
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#setAuthToken', data: { token: fakeJwt({ username: 'ann' }) } });
    socket.receive({ event: '#removeAuthToken' });
    await jest.advanceTimersByTimeAsync(60);
    expect(saved).toEqual([expect.any(String), null]);
    expect(value).toBeNull();
    client.close();
  });
});

describe('verification', () => {
  it('uses the claims of a verified token and refuses one that fails', async () => {
    const good = fakeJwt({ username: 'ann' }, 'Z29vZA');
    const verifyToken = jest.fn((token: string) =>
      token === good
        ? Promise.resolve({ username: 'ann', verified: true })
        : Promise.reject(new Error('bad signature')),
    );
    const { client, ws, store, errors } = authClient(undefined, { verifyToken });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#setAuthToken', data: { token: fakeJwt({ username: 'eve' }, 'ZXZl') } });
    await flush();
    expect(client.authState.state).toBe('unauthenticated');
    expect(errors).toMatchObject([{ code: 'AUTH_TOKEN_INVALID', source: 'server' }]);
    expect(store.load(KEY)).toBeNull();
    socket.receive({ event: '#setAuthToken', data: { token: good } });
    await flush();
    expect(client.authState).toMatchObject({
      state: 'authenticated',
      claims: { username: 'ann', verified: true },
    });
    client.close();
  });
});

describe('refresh', () => {
  it('authenticates with a new token `margin` before expiry, retrying failures with the client backoff', async () => {
    const first = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(600) });
    const second = fakeJwt({ username: 'ann', iat: inSeconds(540), exp: inSeconds(1200) });
    let calls = 0;
    const refreshToken = jest.fn(() =>
      ++calls === 1 ? throwError(() => new Error('auth service down')) : of(second),
    );
    const { client, ws, errors, store } = authClient(memoryTokenStore({ [KEY]: first }), {
      pingTimeoutDisabled: true, // the fake server sends no pings over these ten minutes
      features: [tokenRefresh(refreshToken, { margin: 60_000 })],
      backoff: { initialDelay: 1000, randomness: 0 },
    });
    client.connect();
    const socket = ws.last().handshake({ isAuthenticated: true });
    await jest.advanceTimersByTimeAsync(539_999);
    expect(refreshToken).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    expect(errors).toMatchObject([{ code: 'AUTH_REFRESH_FAILED', attempt: 1 }]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(refreshToken).toHaveBeenCalledTimes(2);
    const request = socket.packets.at(-1)!;
    expect(request).toMatchObject({ event: '#authenticate', data: second });
    socket.receive({ rid: request.cid, data: { isAuthenticated: true, authError: null } });
    expect(client.authState).toMatchObject({ state: 'authenticated', token: second });
    expect(store.load(KEY)).toBe(second);
    client.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('reports a refreshed token the server refuses, and ends unauthenticated', async () => {
    const first = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(600) });
    const second = fakeJwt({ username: 'ann', iat: inSeconds(540), exp: inSeconds(1200) });
    const { client, ws, errors } = authClient(memoryTokenStore({ [KEY]: first }), {
      pingTimeoutDisabled: true,
      features: [tokenRefresh(() => of(second))],
    });
    client.connect();
    const socket = ws.last().handshake({ isAuthenticated: true });
    await jest.advanceTimersByTimeAsync(540_000);
    const request = socket.packets.at(-1)!;
    socket.receive({
      rid: request.cid,
      error: { name: 'AuthTokenInvalidError', message: 'invalid signature', isBadToken: true },
    });
    expect(errors).toMatchObject([
      { code: 'AUTH_REFRESH_FAILED', attempt: 1, cause: { remoteName: 'AuthTokenInvalidError' } },
    ]);
    expect(client.authState.state).toBe('unauthenticated');
    client.close();
  });

  it('treats a refresh that ends without a token as a failure, and retries it', async () => {
    const first = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(600) });
    const refreshToken = jest.fn(() => EMPTY);
    const { client, ws, errors } = authClient(memoryTokenStore({ [KEY]: first }), {
      pingTimeoutDisabled: true,
      features: [tokenRefresh(refreshToken)],
      backoff: { initialDelay: 1000, randomness: 0 },
    });
    client.connect();
    ws.last().handshake({ isAuthenticated: true });
    await jest.advanceTimersByTimeAsync(541_000);
    expect(refreshToken).toHaveBeenCalledTimes(2);
    expect(errors.map((e) => e.code)).toEqual(['AUTH_REFRESH_FAILED', 'AUTH_REFRESH_FAILED']);
    client.close();
  });

  it('forgets a refreshed token once accepted, so a later sign-out by the server sticks across reconnects', async () => {
    const first = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(600) });
    const second = fakeJwt({ username: 'ann', iat: inSeconds(540), exp: inSeconds(1200) });
    const { client, ws } = authClient(memoryTokenStore({ [KEY]: first }), {
      pingTimeoutDisabled: true,
      features: [tokenRefresh(() => of(second))],
    });
    client.connect();
    const socket = ws.last().handshake({ isAuthenticated: true });
    await jest.advanceTimersByTimeAsync(540_000);
    socket.receive({ rid: socket.packets.at(-1)!.cid, data: { isAuthenticated: true } });
    socket.receive({ event: '#removeAuthToken' });
    socket.serverClose(1006);
    await jest.advanceTimersByTimeAsync(10);
    ws.last().open();
    expect(handshakeToken(ws.last())).toBeNull();
    client.close();
  });

  it('sends the newest token when it reconnects while a refresh waits for the server', async () => {
    const first = fakeJwt({ username: 'ann', iat: inSeconds(0), exp: inSeconds(600) });
    const second = fakeJwt({ username: 'ann', iat: inSeconds(540), exp: inSeconds(1200) });
    const { client, ws, store } = authClient(memoryTokenStore({ [KEY]: first }), {
      pingTimeoutDisabled: true,
      features: [tokenRefresh(() => Promise.resolve(second))],
    });
    client.connect();
    ws.last().handshake({ isAuthenticated: true });
    await jest.advanceTimersByTimeAsync(540_000);
    ws.last().serverClose(1006); // the #authenticate in flight fails with the connection
    await jest.advanceTimersByTimeAsync(10);
    const next = ws.last();
    next.open();
    expect(handshakeToken(next)).toBe(second);
    next.handshake({ isAuthenticated: true });
    expect(store.load(KEY)).toBe(second);
    expect(client.authState).toMatchObject({ state: 'authenticated', token: second });
    client.close();
  });
});
