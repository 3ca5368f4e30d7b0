import { map, NEVER, of, take, timer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  AckTimeoutError,
  ChannelKickOutError,
  ChannelSubscribeError,
  memoryTokenStore,
  RemoteError,
  type AuthState,
  type Client,
  type ConnectionState,
} from '../../lib';
import { msgpackCodec } from '../../lib/codec/msgpack';
import { createFakeServer, type FakeServer, type FakeServerOptions } from '../../lib/testing';

// rx-socketcluster/testing through a real client, on jest's fake timers: every frame of the fake wire is an action
// of asyncScheduler with delay 0, which jest's fake timers run 1 ms later when it is set while timers run. So
// `flush()` advances 10 ms: enough for a few round trips, far below any timeout the tests set.

const flush = () => jest.advanceTimersByTimeAsync(10);
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

/** The values `source` emitted so far, and its error. */
function watch<T>(source: Observable<T>) {
  const seen = { values: [] as T[], error: undefined as unknown, completed: false };
  source.subscribe({
    next: (value) => seen.values.push(value),
    error: (error: unknown) => (seen.error = error),
    complete: () => (seen.completed = true),
  });
  return seen;
}

const isOpen = (state: ConnectionState) => state.state === 'open';
/** Fixed reconnect delays: 100 ms, then 200, 400... */
const BACKOFF = { initialDelay: 100, randomness: 0, multiplier: 2 };

let server: FakeServer;

function start(options?: FakeServerOptions, clientOptions?: Parameters<FakeServer['createClient']>[0]) {
  server = createFakeServer(options);
  const client = server.createClient({ backoff: BACKOFF, ...clientOptions });
  return client;
}

async function connected(client: Client): Promise<void> {
  client.connect();
  await flush();
  expect(client.state.state).toBe('open');
}

beforeEach(() => jest.useFakeTimers({ now: 0 }));
afterEach(async () => {
  server.close();
  await flush();
  expect(jest.getTimerCount()).toBe(0);
  jest.useRealTimers();
});

describe('a test that reads like HttpTestingController', () => {
  /** The service under test: a profile loaded over RPC. */
  const loadName = (client: Client) =>
    client.invoke<{ name: string }>('profile', { id: 7 }).pipe(map((p) => p.name));

  it('takes the call, answers it, and verifies nothing else was sent', async () => {
    const client = start();
    const name = watch(loadName(client));
    await flush();

    const call = server.expectInvoke('profile');
    expect(call.data).toEqual({ id: 7 });
    call.respond({ name: 'ann' });
    await flush();

    expect(name.values).toEqual(['ann']);
    server.verify();
  });
});

describe('handshake', () => {
  it('opens without a token: a socket id, the ping timeout, not authenticated', async () => {
    const client = start();
    await connected(client);
    expect(client.state).toMatchObject({ id: 'socket-1', pingTimeout: 30_000, isAuthenticated: false });
    expect(server.sockets.map((s) => s.id)).toEqual(['socket-1']);
    expect(server.lastSocket()).toMatchObject({ state: 'open', isAuthenticated: false });
    expect(server.received).toEqual([]);
  });

  it('accepts a token it signed: both sides authenticated, with its claims', async () => {
    server = createFakeServer();
    const token = server.signToken({ username: 'ann' }, { expiresIn: 3600 });
    const client = server.createClient({
      authTokenKey: 'token',
      tokenStore: memoryTokenStore({ token }),
    });
    await connected(client);
    expect(client.state).toMatchObject({ isAuthenticated: true });
    expect(client.authState).toMatchObject({ state: 'authenticated', token, claims: { username: 'ann' } });
    expect(server.lastSocket().authToken).toEqual({ username: 'ann', iat: 0, exp: 3600 });
  });

  it('refuses a forged token as a real server does, and removes it', async () => {
    server = createFakeServer();
    const token = server.signToken({ username: 'ann' });
    const store = memoryTokenStore({ token: `${token.slice(0, -2)}xx` });
    const client = server.createClient({ authTokenKey: 'token', tokenStore: store });
    await connected(client);
    const state = client.state as Extract<ConnectionState, { state: 'open' }>;
    expect(state.isAuthenticated).toBe(false);
    expect(state.authError).toMatchObject({
      remoteName: 'AuthTokenInvalidError',
      message: 'invalid signature',
      details: { isBadToken: true },
    });
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(server.lastSocket().isAuthenticated).toBe(false);
    expect(await store.load('token')).toBeNull();
  });

  it('refuses every token after refuseTokens(), as a server whose key changed', async () => {
    server = createFakeServer();
    const token = server.signToken({ username: 'ann' });
    server.refuseTokens();
    const client = server.createClient({ authTokenKey: 'token', tokenStore: memoryTokenStore({ token }) });
    await connected(client);
    expect(client.state).toMatchObject({
      isAuthenticated: false,
      authError: { remoteName: 'AuthTokenInvalidError', message: 'invalid signature' },
    });
  });

  it('refuses handshakes with an error and its close code; the client does not retry at 4500+', async () => {
    const client = start();
    server.refuseHandshakes({ name: 'NoEntry', message: 'go away', statusCode: 4501 });
    client.connect();
    await flush();
    expect(client.state).toMatchObject({
      state: 'closed',
      code: 4501,
      error: expect.objectContaining({ name: 'HandshakeError', statusCode: 4501 }),
    });
    expect(client.state).not.toHaveProperty('retryAt');
    server.acceptHandshakes();
    client.connect();
    await flush();
    expect(client.state.state).toBe('open');
  });
});

describe('procedures', () => {
  it('answers with a value, a function, a Promise and an Observable', async () => {
    const client = start();
    server.answer('value', 42);
    server.answer('sum', ({ a, b }: { a: number; b: number }) => a + b);
    server.answer('later', () => Promise.resolve('done'));
    server.answer('stream', () => of('first', 'second'));
    server.answer('whoami', (_data: unknown, socket) => socket.id);
    const results = [
      watch(client.invoke('value')),
      watch(client.invoke('sum', { a: 1, b: 2 })),
      watch(client.invoke('later')),
      watch(client.invoke('stream')),
      watch(client.invoke('whoami')),
    ];
    await flush();
    expect(results.map((r) => r.values)).toEqual([[42], [3], ['done'], ['first'], ['socket-1']]);
    server.verify();
  });

  it('fails a call with the name, message and extra fields thrown', async () => {
    const client = start();
    server.answer('save', () => {
      // A plain object, as the wire carries errors, is accepted as well as an Error.
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the kit's documented input
      throw { name: 'ValidationError', message: 'name is required', field: 'name' };
    });
    server.answer('update', () => {
      throw Object.assign(new Error('stale'), { name: 'ConflictError', version: 3 });
    });
    const update = watch(client.invoke('update', {}));
    const result = watch(client.invoke('save', {}));
    await flush();
    expect(result.error).toBeInstanceOf(RemoteError);
    expect(result.error).toMatchObject({
      remoteName: 'ValidationError',
      message: 'name is required',
      details: { field: 'name' },
    });
    expect(update.error).toMatchObject({
      remoteName: 'ConflictError',
      message: 'stale',
      details: { version: 3 },
    });
  });

  it('leaves a call answered by NEVER, or by nobody, to the ack timeout', async () => {
    const client = start({}, { ackTimeout: 1000 });
    server.answer('slow', () => NEVER);
    const slow = watch(client.invoke('slow'));
    const unknown = watch(client.invoke('nobody'));
    await advance(999);
    expect(slow.error).toBeUndefined();
    await advance(1);
    expect(slow.error).toBeInstanceOf(AckTimeoutError);
    expect(unknown.error).toBeInstanceOf(AckTimeoutError);
    expect(() => server.verify()).toThrow(/invokes: 'nobody' from socket-1 with no data/);
  });

  it('expectInvoke takes calls oldest first; fail() fails one; a taken call never fails verify()', async () => {
    const client = start();
    const first = watch(client.invoke('get', 1));
    const second = watch(client.invoke('get', 2));
    await flush();
    const a = server.expectInvoke('get');
    const b = server.expectInvoke('get');
    expect([a.data, b.data]).toEqual([1, 2]);
    b.fail({ name: 'NotFound', message: 'no 2', id: 2 });
    a.respond('one');
    a.respond('ignored');
    await flush();
    expect(first.values).toEqual(['one']);
    expect(second.error).toMatchObject({ remoteName: 'NotFound', details: { id: 2 } });
    expect(() => server.expectInvoke('get')).toThrow("Expected an invoke of 'get'; invokes waiting: none");
    server.verify();
  });

  it('lists what is waiting when the expected call is not there', async () => {
    const client = start();
    watch(client.invoke('other', { x: 1 }));
    await flush();
    expect(() => server.expectInvoke('get')).toThrow(
      `Expected an invoke of 'get'; invokes waiting: 'other' from socket-1 with {"x":1}`,
    );
    expect(() => server.verify()).toThrow(/invokes: 'other'/);
  });

  it('whenInvoked waits for a call that has not arrived yet', async () => {
    const client = start();
    const call = server.whenInvoked('get');
    watch(client.invoke('get', 'x'));
    await flush();
    await expect(call).resolves.toMatchObject({ procedure: 'get', data: 'x' });
  });
});

describe('events', () => {
  it('records transmits for expectTransmit, and verify() fails on one nobody expected', async () => {
    const client = start();
    client.transmit('hello', { n: 1 });
    client.transmit('stray');
    await flush();
    expect(server.expectTransmit('hello')).toEqual({ n: 1 });
    expect(() => server.expectTransmit('hello')).toThrow(/transmits received: 'stray'/);
    expect(() => server.verify()).toThrow(/transmits: 'stray' from socket-1/);
    expect(server.expectTransmit('stray')).toBeUndefined();
    server.verify();
  });

  it('pushes events to every socket (server.emit) or to one (socket.emit)', async () => {
    const one = start();
    const two = server.createClient();
    const heardByOne = watch(one.receiver('notice'));
    const heardByTwo = watch(two.receiver('notice'));
    await connected(one);
    await connected(two);
    server.emit('notice', 'all');
    server.sockets[1]!.emit('notice', 'two only');
    await flush();
    expect(heardByOne.values).toEqual(['all']);
    expect(heardByTwo.values).toEqual(['all', 'two only']);
  });

  it("invokes the client's procedure and resolves with its answer or rejects with its error", async () => {
    const client = start();
    client.procedure<number, number>('double').subscribe((request) => {
      if (request.data < 0) request.error({ name: 'Negative', message: 'no', value: request.data });
      else request.end(request.data * 2);
    });
    await connected(client);
    const socket = server.lastSocket();
    const doubled = expect(socket.invoke('double', 21)).resolves.toBe(42);
    const refused = expect(socket.invoke('double', -1)).rejects.toMatchObject({
      name: 'Negative',
      message: 'no',
      value: -1,
    });
    await flush();
    await doubled;
    await refused;
  });

  it('rejects a server invoke after its ack timeout, and when the connection ends', async () => {
    const client = start({ ackTimeout: 500 });
    client.procedure('ignored').subscribe(() => undefined);
    await connected(client);
    const timedOut = expect(server.lastSocket().invoke('ignored')).rejects.toMatchObject({
      name: 'TimeoutError',
      message: 'Event response for ignored event timed out',
    });
    await advance(500);
    await timedOut;
    const aborted = expect(server.lastSocket().invoke('ignored')).rejects.toMatchObject({
      name: 'BadConnectionError',
      code: 4100,
    });
    server.lastSocket().close(4100);
    await aborted;
  });
});

describe('channels', () => {
  it('delivers server publishes and client publishes to every subscriber, the publisher first', async () => {
    const client = start();
    const other = server.createClient();
    const mine = watch(client.channel('news'));
    const theirs = watch(other.channel('news'));
    await connected(client);
    await connected(other);
    expect(server.expectSubscribe('news').socket.id).toBe('socket-1');
    expect(server.lastSocket().subscriptions).toEqual(['news']);

    server.publish('news', 'from server');
    const ack = watch(client.publish('news', 'from client'));
    await flush();
    expect(mine.values).toEqual(['from server', 'from client']);
    expect(theirs.values).toEqual(['from server', 'from client']);
    expect(ack.completed).toBe(true);
  });

  it('refuses a subscription with the error given', async () => {
    const client = start();
    server.refuseSubscribe('secret', { name: 'Forbidden', message: 'not for you' });
    const channel = watch(client.channel('secret'));
    await connected(client);
    expect(channel.error).toBeInstanceOf(ChannelSubscribeError);
    expect(channel.error).toMatchObject({ channel: 'secret', remote: { remoteName: 'Forbidden' } });
    expect(server.lastSocket().subscriptions).toEqual([]);
  });

  it('kicks a socket out of a channel', async () => {
    const client = start();
    const channel = watch(client.channel('room'));
    await connected(client);
    server.lastSocket().kickOut('room', 'bye');
    await flush();
    expect(channel.error).toBeInstanceOf(ChannelKickOutError);
    expect(channel.error).toMatchObject({ channel: 'room', kickOutMessage: 'bye' });
    expect(server.lastSocket().subscriptions).toEqual([]);
  });

  it('waitForAuth: the client asks once authenticated', async () => {
    const client = start();
    watch(client.channel('private', { waitForAuth: true }));
    await connected(client);
    expect(server.lastSocket().subscriptions).toEqual([]);
    server.lastSocket().setAuthToken({ username: 'ann' });
    await flush();
    expect(server.expectSubscribe('private').socket.isAuthenticated).toBe(true);
    // Without expiresIn, a day: socketcluster-server's authDefaultExpiry.
    expect(server.lastSocket().authToken).toEqual({ username: 'ann', iat: 0, exp: 86_400 });
    expect(server.lastSocket().subscriptions).toEqual(['private']);
  });

  it('enforceWaitForAuth refuses a waitForAuth subscription from a socket the server deauthenticated', async () => {
    const client = start({ enforceWaitForAuth: true });
    await connected(client);
    const socket = server.lastSocket();
    socket.setAuthToken({ username: 'ann' });
    await flush();
    // The server drops the token while its #removeAuthToken is on the wire: the client still asks.
    server.delayFrames(50);
    socket.removeAuthToken();
    watch(client.channel('private', { waitForAuth: true }));
    await advance(100);
    expect(server.expectSubscribe('private')).toMatchObject({ socket, accepted: false });
    expect(socket.subscriptions).toEqual([]);
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    // Refused while unauthenticated, the channel waits for the next authentication.
    expect(client.channelState('private')).toBe('pending');
    server.delayFrames(0);
  });

  it('re-subscribes after a restart, highest priority first', async () => {
    const client = start();
    watch(client.channel('low', { priority: 1 }));
    watch(client.channel('high', { priority: 10 }));
    watch(client.channel('mid', { priority: 5 }));
    await connected(client);
    server.restart();
    await flush();
    expect(client.state).toMatchObject({ state: 'closed', code: 1006, retryIn: 100 });
    await advance(100);
    expect(client.state).toMatchObject({ state: 'open', id: 'socket-2' });
    const socket = server.lastSocket();
    expect(socket.received.map((p) => (p as { data: { channel: string } }).data.channel)).toEqual([
      'high',
      'mid',
      'low',
    ]);
    expect(socket.subscriptions).toEqual(['high', 'mid', 'low']);
  });
});

describe('auth', () => {
  it('sets and removes the client token from the server side', async () => {
    const client = start();
    const states = watch(client.authState$);
    await connected(client);
    const token = server.lastSocket().setAuthToken({ username: 'ann' }, { expiresIn: 60 });
    await flush();
    expect(client.authState).toEqual({
      state: 'authenticated',
      token,
      claims: { username: 'ann', iat: 0, exp: 60 },
      expiresAt: 60_000,
    });
    expect(server.lastSocket().isAuthenticated).toBe(true);
    server.lastSocket().removeAuthToken();
    await flush();
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    expect(states.values.map((s: AuthState) => s.state)).toEqual([
      'unauthenticated',
      'authenticated',
      'unauthenticated',
    ]);
  });

  it('accepts authenticate() with a token it signed, refuses others, and honours deauthenticate()', async () => {
    const client = start();
    await connected(client);
    const token = server.signToken({ username: 'bob' });
    const accepted = watch(client.authenticate(token));
    await flush();
    expect(accepted.values).toEqual([expect.objectContaining({ isAuthenticated: true })]);
    expect(server.lastSocket().authToken).toMatchObject({ username: 'bob' });

    client.deauthenticate();
    await flush();
    expect(server.lastSocket().isAuthenticated).toBe(false);
    expect(server.received.map((p) => (p as { event: string }).event)).toEqual([
      '#authenticate',
      '#removeAuthToken',
    ]);

    server.refuseTokens();
    const refused = watch(client.authenticate(token));
    await flush();
    expect(refused.error).toMatchObject({ name: 'RemoteError', remoteName: 'AuthTokenInvalidError' });
    expect(client.authState).toEqual({ state: 'unauthenticated' });
  });

  it('removes a token that expired during the session at the next pong', async () => {
    const client = start({ pingInterval: 1000 });
    await connected(client);
    server.lastSocket().setAuthToken({ username: 'ann' }, { expiresIn: 5 });
    await flush();
    await advance(4000);
    expect(server.lastSocket().isAuthenticated).toBe(true);
    await advance(2000);
    expect(server.lastSocket().isAuthenticated).toBe(false);
    expect(client.authState).toEqual({ state: 'unauthenticated' });
  });
});

describe('faults', () => {
  it('goSilent: the client closes with 4000 after pingTimeout, then reconnects at once', async () => {
    const client = start({ pingTimeout: 5000 });
    await connected(client);
    const silent = server.lastSocket();
    silent.goSilent();
    await advance(5000);
    expect(silent.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out', by: 'client' });
    await flush();
    expect(client.state).toMatchObject({ state: 'open', id: 'socket-2' });
  });

  it('closes a socket that stops answering pings with 4001', async () => {
    server = createFakeServer({ pingInterval: 1000, pingTimeout: 3000 });
    const client = server.createClient({ pingTimeoutDisabled: true, reconnect: false });
    await connected(client);
    server.loseNextFrames(1000);
    await advance(4000);
    expect(server.sockets).toEqual([]);
    server.loseNextFrames(0);
    await flush();
    expect(client.state).toMatchObject({ state: 'closed', code: 4001 });
  });

  it('refuseConnections: attempts fail with 1006 without opening, and the client backs off', async () => {
    const client = start();
    const states = watch(client.state$);
    server.refuseConnections(2);
    client.connect();
    await flush();
    expect(client.state).toMatchObject({ state: 'closed', code: 1006, retryIn: 100 });
    await advance(100);
    expect(client.state).toMatchObject({ state: 'closed', code: 1006, retryIn: 200 });
    await advance(200);
    expect(client.state.state).toBe('open');
    expect(states.values.filter(isOpen)).toHaveLength(1);
    expect(server.sockets).toHaveLength(1);
  });

  it('disconnectAll and socket.close close with the code given; 1000 is final for the client', async () => {
    const client = start();
    await connected(client);
    server.lastSocket().close(4100, 'again');
    await flush();
    expect(client.state).toMatchObject({ state: 'closed', code: 4100, reason: 'again' });
    await advance(100);
    expect(client.state.state).toBe('open');
    server.disconnectAll();
    await advance(1000);
    expect(client.state).toMatchObject({ state: 'closed', code: 1000 });
    expect(client.state).not.toHaveProperty('retryAt');
  });

  it('delays frames both ways, and loses the next frames', async () => {
    const client = start({}, { ackTimeout: 1000 });
    server.answer('echo', (data: unknown) => data);
    await connected(client);
    server.delayFrames(100);
    const late = watch(client.invoke('echo', 1));
    await advance(150);
    expect(late.values).toEqual([]);
    await advance(60);
    expect(late.values).toEqual([1]);
    server.delayFrames(0);
    server.loseNextFrames(1);
    const lost = watch(client.invoke('echo', 2));
    const next = watch(client.invoke('echo', 3));
    await flush();
    expect(next.values).toEqual([3]);
    await advance(1000);
    expect(lost.error).toBeInstanceOf(AckTimeoutError);
  });

  it('close() closes the clients it created and refuses connections from then on', async () => {
    const client = start();
    await connected(client);
    server.close();
    await flush();
    expect(client.state.state).toBe('closed');
    expect(server.sockets).toEqual([]);
  });
});

describe('protocol and codecs', () => {
  it('speaks protocol 1: pings #1, pongs #2, the connection stays up', async () => {
    const client = start({ protocolVersion: 1, pingInterval: 1000, pingTimeout: 3000 });
    server.answer('sum', ({ a, b }: { a: number; b: number }) => a + b);
    await connected(client);
    await advance(10_000);
    expect(client.state).toMatchObject({ state: 'open', id: 'socket-1' });
    const sum = watch(client.invoke('sum', { a: 2, b: 3 }));
    await flush();
    expect(sum.values).toEqual([5]);
  });

  it('speaks the MessagePack codec: handshake, calls, channels and pings', async () => {
    const client = start({ codec: msgpackCodec(), pingInterval: 1000, pingTimeout: 3000 });
    server.answer('sum', ({ a, b }: { a: number; b: number }) => a + b);
    const news = watch(client.channel('news'));
    await connected(client);
    await advance(10_000);
    server.publish('news', { bytes: new Uint8Array([1, 2]) });
    const sum = watch(client.invoke('sum', { a: 2, b: 3 }));
    client.transmit('note', 'hi');
    await flush();
    expect(sum.values).toEqual([5]);
    expect(news.values).toEqual([{ bytes: new Uint8Array([1, 2]) }]);
    expect(server.expectTransmit('note')).toBe('hi');
    expect(client.state).toMatchObject({ state: 'open', id: 'socket-1' });
  });
});

describe('virtual time', () => {
  it('runs under TestScheduler.run: a reconnect and a timeout as marbles', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      server = createFakeServer({ scheduler, pingTimeout: 5000 });
      server.answer('tick', () => timer(30).pipe(map(() => 'tock')));
      const client = server.createClient({ backoff: BACKOFF });
      client.connect();
      const label = (s: ConnectionState) => (s.state === 'closed' ? `closed ${s.code}` : s.state);
      // The fake wire's actions take no virtual time: connecting and open at frame 0; closed by the server at 50,
      // connecting again after the 100 ms backoff.
      expectObservable(client.state$.pipe(map(label), take(5))).toBe('(co) 46ms x 99ms (co|)', {
        c: 'connecting',
        o: 'open',
        x: 'closed 4100',
      });
      scheduler.schedule(() => server.lastSocket().close(4100), 50);
      expectObservable(client.invoke('tick')).toBe('30ms (t|)', { t: 'tock' });
      scheduler.schedule(() => server.close(), 1000);
    });
  });

  it('sends every frame of a frame at once under TestScheduler.run: no batch waits for a microtask', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ expectObservable }) => {
      server = createFakeServer({ scheduler });
      server.answer('echo', (data: unknown) => data);
      const client = server.createClient();
      expectObservable(client.invoke('echo', 1)).toBe('(a|)', { a: 1 });
      expectObservable(client.invoke('echo', 2)).toBe('(b|)', { b: 2 });
      expectObservable(client.channel('news'), '^ 10ms !').toBe('5ms n', { n: 'hi' });
      scheduler.schedule(() => server.publish('news', 'hi'), 5);
      scheduler.schedule(() => server.close(), 100);
    });
  });
});
