import { filter, firstValueFrom, timeout } from 'rxjs';
import {
  AuthTokenExpiredError,
  AuthTokenInvalidError,
  RemoteError,
  memoryTokenStore,
  type AuthenticatedState,
  type AuthState,
  type Client,
  type ClientOptions,
  type TokenStore,
} from '../../lib/node';
import { tokenRefresh } from '../../lib/refresh';
import { jwtVerifier } from '../../lib/verify';
import { Harness, ag, open, packets, storeWith, tokenKey, type Packet } from '../support/harness';
import { type ServerSocket, type TestServer, type TestServerOptions } from '../support/test-server';
import { until, waitForState } from '../support/wait';

// Authentication against a real socketcluster-server v20 in this process (authKey 'test-only-secret'): tokens set
// by the server, sent in the handshake, passed to authenticate(), removed by either side, expired, refreshed and
// verified. No error the client reports may quote a token.

const harness = new Harness();
const start = (setup?: TestServerOptions) => harness.start(setup);
const stop = (server: TestServer) => harness.stop(server);
const errorsOf = (client: Client) => harness.errorsOf(client);
/** Every signed token a test made or saw, for the leak check. */
const tokens = new Set<string>();

afterEach(async () => {
  const errors = await harness.closeAll((running) => {
    for (const server of running) for (const packet of packets(server)) collectTokens(packet);
  });
  // Security: no diagnostic quotes a token (nor its signature).
  const reported = errors.map((e) => `${e.name}: ${e.message} / ${String(e.cause)}`);
  const secrets = [...tokens].flatMap((t) =>
    [t, t.split('.')[2]].filter((s): s is string => !!s && s.length > 8),
  );
  tokens.clear();
  expect(reported.filter((text) => secrets.some((secret) => text.includes(secret)))).toEqual([]);
});

/** Stops the server and starts a new one on the same port; resolves once `client` is open on it. */
async function restart(
  server: TestServer,
  client: Client,
  setup: TestServerOptions = {},
): Promise<TestServer> {
  const port = server.port;
  for (const packet of packets(server)) collectTokens(packet);
  await stop(server);
  await waitForState(client.state$, (s) => s.state === 'closed');
  const next = await start({ ...setup, port });
  await waitForState(client.state$, (s) => s.state === 'open');
  return next;
}

/** A token signed by the server's auth engine (with `key`, the server's own by default). */
async function sign(
  server: TestServer,
  payload: object,
  options?: object,
  key = ag(server).signatureKey,
): Promise<string> {
  const token = await ag(server).auth.signToken(payload, key, options);
  tokens.add(token);
  return token;
}

/** A client of `server` that retries quickly; its `errors$` is recorded and the tokens it holds collected. */
function connect(server: TestServer, options: Partial<ClientOptions> = {}): Client {
  const client = harness.connect(server, options);
  client.authState$.subscribe((s) => {
    if (s.state === 'authenticated') tokens.add(s.token);
  });
  return client;
}

function recordAuth(client: Client): AuthState[] {
  const states: AuthState[] = [];
  client.authState$.subscribe((s) => states.push(s));
  return states;
}

/** Asks the server to sign `payload` and send it with `#setAuthToken` (the harness's `login` procedure). */
async function login(client: Client, payload: object, options?: object): Promise<void> {
  await firstValueFrom(client.invoke('login', { payload, options }));
}

function waitForAuth(client: Client, match: (s: AuthState) => boolean, ms = 3000): Promise<AuthState> {
  return firstValueFrom(client.authState$.pipe(filter(match), timeout(ms)));
}

const isAuthenticated = (s: AuthState) => s.state === 'authenticated';
const isUnauthenticated = (s: AuthState) => s.state === 'unauthenticated';

/** The token of an authenticated state. */
function tokenOf(state: AuthState): string {
  if (state.state !== 'authenticated') throw new Error(`not authenticated: ${state.state}`);
  return state.token;
}

/** A round trip: every frame the client sent before it has been handled by the server, and vice versa. */
async function roundTrip(client: Client): Promise<void> {
  await expect(firstValueFrom(client.invoke('echo', 'ping'))).resolves.toBe('ping');
}

function collectTokens(packet: Packet): void {
  const data = packet.data as { authToken?: unknown } | string | undefined;
  if (packet.event === '#authenticate' && typeof data === 'string') tokens.add(data);
  if (packet.event === '#handshake' && typeof data === 'object' && typeof data.authToken === 'string') {
    tokens.add(data.authToken);
  }
}

function events(server: TestServer): string[] {
  return packets(server).flatMap((p) => (p.event ? [p.event] : []));
}

function handshakeToken(server: TestServer): unknown {
  return (packets(server).find((p) => p.event === '#handshake')?.data as { authToken?: unknown } | undefined)
    ?.authToken;
}

/** The server-side socket of the client's current connection. */
function serverSocket(server: TestServer): ServerSocket {
  const socket: ServerSocket = server.sockets.at(-1);
  if (!socket) throw new Error('no server socket');
  return socket;
}

/** Waits for the next whole second when less than `room` ms remain in the current one. */
async function awayFromSecondBoundary(room = 300): Promise<void> {
  const left = 1000 - (Date.now() % 1000);
  if (left < room) await new Promise((resolve) => setTimeout(resolve, left + 10));
}

/** Records, per inbound `#subscribe`, `<channel> <authState of the socket>` as the server saw it. */
function recordSubscribes(server: TestServer): string[] {
  const seen: string[] = [];
  server.agServer.setMiddleware(server.agServer.MIDDLEWARE_INBOUND, async (stream) => {
    for await (const action of stream) {
      if (action.type === action.SUBSCRIBE)
        seen.push(`${action.channel as string} ${action.socket.authState as string}`);
      action.allow();
    }
  });
  return seen;
}

describe('server-set tokens', () => {
  it('login: #setAuthToken makes the client authenticated with the claims, and the store holds the token', async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    const states = recordAuth(client);
    await open(client);
    await login(client, { username: 'ann', role: 'admin' });
    const socket = serverSocket(server);
    const token = socket.signedAuthToken as string;
    expect(typeof token).toBe('string');
    const { iat, exp } = socket.authToken as { iat: number; exp: number };
    expect(client.authState).toEqual({
      state: 'authenticated',
      token,
      claims: { username: 'ann', role: 'admin', iat, exp },
      expiresAt: exp * 1000,
    });
    expect(exp - iat).toBe(86_400); // the server's default expiry
    expect(store.load(tokenKey(server))).toBe(token);
    expect(socket.authState).toBe('authenticated');
    expect(states.map((s) => s.state)).toEqual(['unauthenticated', 'authenticated']);
    expect(errorsOf(client)).toEqual([]);
  });

  it('the stored token goes into the handshake after a server restart, and keeps the socket authenticated', async () => {
    let server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    const states = recordAuth(client);
    await open(client);
    await login(client, { username: 'ann' });
    const token = tokenOf(client.authState);
    const firstId = serverSocket(server).id as string;

    server = await restart(server, client);
    const socket = serverSocket(server);
    expect(socket.id).not.toBe(firstId);
    expect(handshakeToken(server)).toBe(token);
    expect(client.state).toMatchObject({ state: 'open', isAuthenticated: true });
    expect(socket.authState).toBe('authenticated');
    expect(socket.signedAuthToken).toBe(token);
    expect(socket.authToken).toMatchObject({ username: 'ann' });
    // Authenticated all along: a lost connection does not sign the client out.
    expect(states.map((s) => s.state)).toEqual(['unauthenticated', 'authenticated']);
    expect(client.authState).toMatchObject({ state: 'authenticated', token });
    expect(store.load(tokenKey(server))).toBe(token);
    await roundTrip(client);
    expect(events(server)).not.toContain('#removeAuthToken');
    expect(harness.problemsAcrossRestart(client)).toEqual([]);
  });

  it('wins the race with the handshake: a token set in the connection handler, 10 times out of 10', async () => {
    const server = await start({ onConnection: (socket) => void socket.setAuthToken({ username: 'early' }) });
    for (let i = 0; i < 10; i++) {
      const store = memoryTokenStore();
      const client = connect(server, { tokenStore: store });
      const connected = server.nextConnection();
      await open(client);
      const socket = await connected;
      await waitForAuth(client, isAuthenticated);
      await roundTrip(client); // whatever the server sent before the answer has been handled by now
      expect(socket.authState).toBe('authenticated');
      expect(client.authState).toMatchObject({
        state: 'authenticated',
        token: socket.signedAuthToken,
        claims: { username: 'early' },
      });
      expect(store.load(tokenKey(server))).toBe(socket.signedAuthToken);
      expect(errorsOf(client)).toEqual([]);
      client.close();
    }
    expect(server.sockets).toHaveLength(10);
  });

  it('server-side socket.deauthenticate(): the client follows and clears the store', async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    await open(client);
    await login(client, { username: 'ann' });
    const socket = serverSocket(server);
    void socket.deauthenticate();
    await waitForAuth(client, isUnauthenticated);
    expect(store.load(tokenKey(server))).toBeNull();
    expect(socket.authState).toBe('unauthenticated');
    await roundTrip(client);
    expect(events(server)).not.toContain('#removeAuthToken'); // nothing to tell the server back
    expect(client.state.state).toBe('open');
    expect(errorsOf(client)).toEqual([]);
  });

  it('a token with a short expiry is removed by the server, and authState$ follows', async () => {
    const server = await start({ options: { pingInterval: 100, pingTimeout: 1000 } });
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    const states = recordAuth(client);
    await open(client);
    // jsonwebtoken's `exp` is the signing second + 1: keep well inside a second, so it has not passed on arrival.
    await awayFromSecondBoundary();
    await login(client, { username: 'ann' }, { expiresIn: 1 });
    const { expiresAt } = client.authState as { expiresAt: number };
    expect(expiresAt).toBeGreaterThan(Date.now());
    await waitForAuth(client, isUnauthenticated, 2500);
    // The server noticed on a pong after `exp`.
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(store.load(tokenKey(server))).toBeNull();
    expect(serverSocket(server).authState).toBe('unauthenticated');
    expect(states.map((s) => s.state)).toEqual(['unauthenticated', 'authenticated', 'unauthenticated']);
    expect(client.state.state).toBe('open');
    expect(errorsOf(client)).toEqual([]);
  });
});

describe('authenticate()', () => {
  it('with a valid server-signed token: the server accepts it, the client is authenticated and stores it', async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    await open(client);
    const token = await sign(server, { username: 'bob' }, { expiresIn: 60 });
    await expect(firstValueFrom(client.authenticate(token))).resolves.toEqual({ isAuthenticated: true });
    expect(client.authState).toMatchObject({ state: 'authenticated', token, claims: { username: 'bob' } });
    expect(store.load(tokenKey(server))).toBe(token);
    const socket = serverSocket(server);
    expect(socket.authState).toBe('authenticated');
    expect(socket.signedAuthToken).toBe(token);
    expect(packets(server).filter((p) => p.event === '#authenticate')).toEqual([
      { event: '#authenticate', data: token, cid: expect.any(Number) },
    ]);
    expect(errorsOf(client)).toEqual([]);
  });

  it('with a token signed with another key: RemoteError AuthTokenInvalidError, unauthenticated, nothing stored', async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    await open(client);
    const forged = await sign(server, { username: 'mallory' }, undefined, 'not-the-server-key');
    const error = await firstValueFrom(client.authenticate(forged)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ remoteName: 'AuthTokenInvalidError', details: { isBadToken: true } });
    expect(`${(error as Error).message} ${JSON.stringify((error as RemoteError).details)}`).not.toContain(
      forged,
    );
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(store.load(tokenKey(server))).toBeNull();
    expect(serverSocket(server).authState).toBe('unauthenticated');
    await roundTrip(client);
    expect(client.state.state).toBe('open');
  });

  it('with a token signed with another key while signed in: signed out by the server, the store cleared', async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    await open(client);
    await login(client, { username: 'ann' });
    const forged = await sign(server, { username: 'mallory' }, undefined, 'not-the-server-key');
    await expect(firstValueFrom(client.authenticate(forged))).rejects.toMatchObject({
      code: 'REMOTE_ERROR',
      remoteName: 'AuthTokenInvalidError',
    });
    await roundTrip(client); // the server's #removeAuthToken has arrived
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(store.load(tokenKey(server))).toBeNull();
    expect(serverSocket(server).authState).toBe('unauthenticated');
  });

  it('deauthenticate(): the server sees #removeAuthToken, the socket is unauthenticated, the store empty', async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store });
    const states = recordAuth(client);
    await open(client);
    await login(client, { username: 'ann' });
    const socket = serverSocket(server);
    expect(socket.authState).toBe('authenticated');
    client.deauthenticate();
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(store.load(tokenKey(server))).toBeNull();
    await roundTrip(client);
    expect(events(server).filter((e) => e === '#removeAuthToken')).toHaveLength(1);
    expect(socket.authState).toBe('unauthenticated');
    expect(socket.signedAuthToken).toBeNull();
    expect(states.map((s) => s.state)).toEqual(['unauthenticated', 'authenticated', 'unauthenticated']);
    expect(errorsOf(client)).toEqual([]);
  });
});

describe('stored tokens', () => {
  it('an expired one is not sent: the server sees authToken null, the client reports AuthTokenExpiredError', async () => {
    const server = await start();
    const exp = Math.floor(Date.now() / 1000) - 10;
    const expired = await sign(server, { username: 'ann', exp });
    const store = storeWith(server, expired);
    const client = connect(server, { tokenStore: store });
    await open(client);
    expect(handshakeToken(server)).toBeNull();
    expect(client.state).toMatchObject({ state: 'open', isAuthenticated: false });
    expect(errorsOf(client)).toEqual([new AuthTokenExpiredError(exp * 1000)]);
    expect(errorsOf(client)[0]).toBeInstanceOf(AuthTokenExpiredError);
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(store.load(tokenKey(server))).toBeNull();
    expect(serverSocket(server).authState).toBe('unauthenticated');
  });

  it('a malformed one gives AuthTokenInvalidError on errors$, an unauthenticated client and a working connection', async () => {
    const server = await start();
    const malformed = 'eyJhbGciOiJIUzI1NiJ9.not-json-at-all.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    tokens.add(malformed);
    const store = storeWith(server, malformed);
    const client = connect(server, { tokenStore: store });
    await open(client);
    expect(handshakeToken(server)).toBeNull();
    expect(errorsOf(client)).toHaveLength(1);
    expect(errorsOf(client)[0]).toBeInstanceOf(AuthTokenInvalidError);
    expect(errorsOf(client)[0]).toMatchObject({ code: 'AUTH_TOKEN_INVALID', source: 'store' });
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(store.load(tokenKey(server))).toBeNull();
    await roundTrip(client);
    // And a login still works on that connection.
    await login(client, { username: 'ann' });
    expect(client.authState).toMatchObject({ state: 'authenticated', claims: { username: 'ann' } });
  });

  it('a custom async store works end to end: login, then the stored token in the handshake after a restart', async () => {
    let server = await start();
    const saved = new Map<string, string>();
    const log: string[] = [];
    const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 15));
    const store: TokenStore = {
      load: (key) => (log.push(`load ${key}`), later(saved.get(key) ?? null)),
      save: (key, token) => (
        log.push(`save ${key}`),
        later(undefined).then(() => void saved.set(key, token))
      ),
      remove: (key) => (log.push(`remove ${key}`), later(undefined).then(() => void saved.delete(key))),
    };
    const client = connect(server, { tokenStore: store });
    await open(client);
    expect(handshakeToken(server)).toBeNull();
    await login(client, { username: 'ann' });
    const token = tokenOf(client.authState);
    await until(() => saved.get(tokenKey(server)) === token);

    server = await restart(server, client);
    expect(handshakeToken(server)).toBe(token);
    expect(serverSocket(server).authState).toBe('authenticated');
    expect(client.authState).toMatchObject({ state: 'authenticated', token });
    const key = tokenKey(server);
    // One load per connection attempt (several while the server was down), and the one save of the login.
    expect(log.slice(0, 2)).toEqual([`load ${key}`, `save ${key}`]);
    expect(new Set(log.slice(2))).toEqual(new Set([`load ${key}`]));
    expect(harness.problemsAcrossRestart(client)).toEqual([]);
  });
});

describe('refresh', () => {
  it('tokenRefresh() gets a new server-signed token before expiry; the socket stays authenticated across it', async () => {
    const server = await start({ options: { pingInterval: 100, pingTimeout: 1000 } });
    const deauthentications: unknown[] = [];
    void (async () => {
      for await (const event of server.agServer.listener('deauthentication')) deauthentications.push(event);
    })();
    const asked: string[] = [];
    const askedAt: number[] = [];
    const refreshed: string[] = [];
    const renew = async (current: AuthenticatedState) => {
      askedAt.push(Date.now());
      asked.push(current.token);
      const token = await sign(
        server,
        { username: current.claims.username, refreshed: refreshed.length + 1 },
        { expiresIn: 3 },
      );
      refreshed.push(token);
      return token;
    };
    const store = memoryTokenStore();
    const client = connect(server, {
      tokenStore: store,
      features: [tokenRefresh(renew, { margin: 1500 })],
    });
    const states = recordAuth(client);
    await open(client);
    await awayFromSecondBoundary();
    await login(client, { username: 'ann' }, { expiresIn: 2 });
    const first = client.authState as Extract<AuthState, { state: 'authenticated' }>;
    const renewed = await waitForAuth(client, (s) => isAuthenticated(s) && s.token !== first.token, 2500);
    expect(asked).toEqual([first.token]);
    // The margin (1.5 s) is capped at half the token's 2 s life: the refresh runs 1 s before `exp`.
    expect(askedAt[0]).toBeGreaterThanOrEqual(first.expiresAt! - 1000 - 5);
    expect(askedAt[0]).toBeLessThan(first.expiresAt! - 500);
    expect(tokenOf(renewed)).toBe(refreshed[0]);
    expect(renewed).toMatchObject({ claims: { username: 'ann', refreshed: 1 } });
    const socket = serverSocket(server);
    expect(socket.signedAuthToken).toBe(refreshed[0]);
    expect(packets(server).filter((p) => p.event === '#authenticate')).toEqual([
      { event: '#authenticate', data: refreshed[0], cid: expect.any(Number) },
    ]);
    expect(store.load(tokenKey(server))).toBe(refreshed[0]);

    // Past the first token's expiry (the server checks it on every pong): still signed in, on both sides.
    await new Promise((resolve) => setTimeout(resolve, first.expiresAt! + 300 - Date.now()));
    expect(socket.authState).toBe('authenticated');
    expect(deauthentications).toEqual([]);
    expect(events(server)).not.toContain('#removeAuthToken');
    expect(states.slice(1).every(isAuthenticated)).toBe(true);
    expect(errorsOf(client)).toEqual([]);
  });
});

describe('waitForAuth channels', () => {
  it('subscribe only after login, and again after a restart once the handshake token is accepted', async () => {
    let server = await start();
    let seen = recordSubscribes(server);
    const client = connect(server, { tokenStore: memoryTokenStore() });
    const received: unknown[] = [];
    client.channel('private', { waitForAuth: true }).subscribe((m) => received.push(m));
    await open(client);
    await roundTrip(client);
    expect(client.channelState('private')).toBe('pending');
    expect(events(server)).not.toContain('#subscribe');

    await login(client, { username: 'ann' });
    await until(() => client.channelState('private') === 'subscribed');
    expect(seen).toEqual(['private authenticated']);
    await server.agServer.exchange.transmitPublish('private', 'one');
    await until(() => received.length === 1);

    const port = server.port;
    await stop(server);
    await waitForState(client.state$, (s) => s.state === 'closed');
    expect(client.channelState('private')).toBe('pending');
    server = await start({ port });
    seen = recordSubscribes(server);
    await until(() => client.channelState('private') === 'subscribed');
    expect(events(server)).toEqual(['#handshake', '#subscribe']);
    expect(handshakeToken(server)).toBe(tokenOf(client.authState));
    expect(seen).toEqual(['private authenticated']);
    await server.agServer.exchange.transmitPublish('private', 'two');
    await until(() => received.length === 2);
    expect(received).toEqual(['one', 'two']);
    expect(harness.problemsAcrossRestart(client)).toEqual([]);
  });
});

describe('verifyToken with jwtVerifier', () => {
  it("accepts the server's tokens and trusts their verified claims", async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store, verifyToken: jwtVerifier('test-only-secret') });
    await open(client);
    await login(client, { username: 'ann' });
    const state = await waitForAuth(client, isAuthenticated);
    const socket = serverSocket(server);
    expect(state).toMatchObject({ token: socket.signedAuthToken, claims: { username: 'ann' } });
    expect(store.load(tokenKey(server))).toBe(socket.signedAuthToken);
    // authenticate() verifies too.
    const token = await sign(server, { username: 'bob' }, { expiresIn: 60 });
    await expect(firstValueFrom(client.authenticate(token))).resolves.toEqual({ isAuthenticated: true });
    expect(client.authState).toMatchObject({ token, claims: { username: 'bob' } });
    expect(errorsOf(client)).toEqual([]);
  });

  it('refuses a token it cannot verify: reported, not used or stored, and #removeAuthToken sent', async () => {
    const server = await start();
    const store = memoryTokenStore();
    const client = connect(server, { tokenStore: store, verifyToken: jwtVerifier('another-secret') });
    const states = recordAuth(client);
    await open(client);
    await login(client, { username: 'ann' });
    const token = serverSocket(server).signedAuthToken as string;
    tokens.add(token);
    await until(() => errorsOf(client).length > 0);
    expect(errorsOf(client)).toHaveLength(1);
    expect(errorsOf(client)[0]).toBeInstanceOf(AuthTokenInvalidError);
    expect(errorsOf(client)[0]).toMatchObject({
      source: 'server',
      cause: expect.objectContaining({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }),
    });
    await until(() => events(server).includes('#removeAuthToken'));
    await roundTrip(client);
    expect(serverSocket(server).authState).toBe('unauthenticated');
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(states).toEqual([{ state: 'unauthenticated' }]);
    expect(store.load(tokenKey(server))).toBeNull();
  });

  it('does not send a stored token it cannot verify', async () => {
    const server = await start();
    const token = await sign(server, { username: 'ann' }, { expiresIn: 60 });
    const store = storeWith(server, token);
    const client = connect(server, { tokenStore: store, verifyToken: jwtVerifier('another-secret') });
    await open(client);
    expect(handshakeToken(server)).toBeNull();
    expect(errorsOf(client)).toMatchObject([{ code: 'AUTH_TOKEN_INVALID', source: 'store' }]);
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(store.load(tokenKey(server))).toBeNull();
  });
});
