import { firstValueFrom } from 'rxjs';
import type { ConnectionState } from '../../lib';
import { ConnectionError, HandshakeError } from '../../lib/errors';
import { memoryTokenStore } from '../../lib/auth/token-store';
import { fakeClient as setup } from '../support/fake-client';
import { HIDDEN_CAUSE } from '../support/fake-web-socket';
import { FAKE_TOKEN_KEY, fakeJwt } from '../support/jwt';

// The connection loop through the public API, on a fake WebSocket and jest's fake clock.

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('opening', () => {
  it('is inert until demanded: creating the client and watching state$ open nothing', () => {
    const { ws, client, states } = setup();
    expect(ws.sockets).toHaveLength(0);
    expect(states).toEqual([{ state: 'idle', attempt: 0 }]);
    expect(client.state).toEqual({ state: 'idle', attempt: 0 });
    client.close();
  });

  it.each([
    ['connect()', (c: ReturnType<typeof setup>['client']) => c.connect()],
    ['a receiver', (c: ReturnType<typeof setup>['client']) => c.receiver('x').subscribe()],
    ['a procedure', (c: ReturnType<typeof setup>['client']) => c.procedure('x').subscribe()],
    [
      'an invoke',
      (c: ReturnType<typeof setup>['client']) => c.invoke('x').subscribe({ error: () => undefined }),
    ],
    ['a transmit', (c: ReturnType<typeof setup>['client']) => c.transmit('x', 1)],
  ])('opens on the first demand: %s', (_, demand) => {
    const { ws, client } = setup();
    demand(client);
    expect(ws.sockets).toHaveLength(1);
    expect(ws.last().url).toBe('ws://example.test/socketcluster/');
    client.close();
  });

  it('sends #handshake with a cid first, and goes connecting -> open on the reply', () => {
    const token = fakeJwt({ sub: 'ann' });
    const { ws, client, states } = setup({ tokenStore: memoryTokenStore({ [FAKE_TOKEN_KEY]: token }) });
    client.connect();
    const socket = ws.last();
    expect(socket.binaryType).toBe('arraybuffer');
    socket.open();
    expect(socket.packets).toEqual([
      { event: '#handshake', data: { authToken: token }, cid: expect.any(Number) },
    ]);
    socket.handshake({ id: 'abc', pingTimeout: 5000, isAuthenticated: true });
    expect(states).toEqual([
      { state: 'idle', attempt: 0 },
      { state: 'connecting', attempt: 1, url: 'ws://example.test/socketcluster/' },
      {
        state: 'open',
        attempt: 1,
        url: 'ws://example.test/socketcluster/',
        id: 'abc',
        pingTimeout: 5000,
        isAuthenticated: true,
      },
    ]);
    client.close();
  });

  it('does not open a second socket when demanded while connecting', () => {
    const { ws, client } = setup();
    client.connect();
    client.connect();
    client.receiver('a').subscribe();
    expect(ws.sockets).toHaveLength(1);
    client.close();
  });

  it('passes webSocketOptions as the constructor third argument', () => {
    const { ws, client } = setup({ webSocketOptions: { headers: { 'x-a': '1' } } });
    client.connect();
    expect(ws.last().options).toEqual({ headers: { 'x-a': '1' } });
    client.close();
  });

  it('closes with 4007 when the socket does not open within connectTimeout, then retries', () => {
    const { ws, client, states } = setup({ connectTimeout: 3000, reconnectDelay: () => 100 });
    client.connect();
    jest.advanceTimersByTime(2999);
    expect(ws.last().closedWith).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(ws.last().closedWith).toEqual({ code: 4007, reason: 'Connection establishment timed out' });
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4007, retryIn: 100 });
    jest.advanceTimersByTime(100);
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it('closes with 4003 when the handshake is not answered within connectTimeout', () => {
    const { ws, client, states } = setup({ connectTimeout: 3000 });
    client.connect();
    ws.last().open();
    jest.advanceTimersByTime(3000);
    expect(ws.last().closedWith).toEqual({ code: 4003, reason: 'Handshake timed out' });
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4003 });
    client.close();
  });
});

describe('reconnecting', () => {
  it('reconnects after the backoff delay, reporting the retry time, and resets attempts after a stable session', () => {
    const delays: number[] = [];
    const { ws, client, states } = setup({
      reconnectDelay: (attempt) => {
        delays.push(attempt);
        return 1000 * (attempt + 1);
      },
    });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(1006);
    expect(states.at(-1)).toEqual({
      state: 'closed',
      attempt: 0,
      code: 1006,
      reason: 'Socket hung up',
      error: expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: 1006, phase: 'disconnect' }),
      retryAt: Date.now() + 1000,
      retryIn: 1000,
    });
    jest.advanceTimersByTime(999);
    expect(ws.sockets).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(ws.sockets).toHaveLength(2);
    expect(states.at(-1)).toEqual({
      state: 'connecting',
      attempt: 1,
      url: 'ws://example.test/socketcluster/',
    });
    ws.last().serverClose(1006); // connectAbort: the attempt failed before its handshake
    expect(states.at(-1)).toMatchObject({ state: 'closed', attempt: 1, retryIn: 2000 });
    jest.advanceTimersByTime(2000);
    ws.last().handshake();
    expect(states.at(-1)).toMatchObject({ state: 'open', attempt: 2 });
    jest.advanceTimersByTime(5000); // a stable session: open for 5 s
    ws.last().serverClose(1006);
    expect(delays).toEqual([0, 1, 0]); // back to the first delay after a stable session
    client.close();
  });

  it('uses the default backoff: first retry between 500 and 1000 ms', () => {
    const { ws, client, states } = setup();
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(1006, 'Socket hung up');
    const closed = states.at(-1) as Extract<ConnectionState, { state: 'closed' }>;
    expect(closed.retryIn).toBeGreaterThanOrEqual(500);
    expect(closed.retryIn).toBeLessThanOrEqual(1000);
    jest.advanceTimersByTime(closed.retryIn!);
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it.each([4000, 4001, 1005])('reconnects at once after %i, then backs off', (code) => {
    const { ws, client, states } = setup({ reconnectDelay: () => 700 });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(code);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code, retryIn: 0 });
    jest.advanceTimersByTime(0);
    expect(ws.sockets).toHaveLength(2);
    ws.last().serverClose(code);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code, retryIn: 700 });
    client.close();
  });

  it.each([1000, 4500, 4999])('does not reconnect after a server close with %i', (code) => {
    const { ws, client, states } = setup();
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(code, 'bye');
    expect(states.at(-1)).toEqual({
      state: 'closed',
      attempt: 0,
      code,
      reason: 'bye',
      error: expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: code }),
    });
    jest.advanceTimersByTime(120_000);
    expect(ws.sockets).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    client.connect(); // demand opens it again
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it.each([1001, 1006, 4005, 4008, 4100, 4499])('reconnects after a close with %i', (code) => {
    const { ws, client } = setup({ reconnectDelay: () => 10 });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(code);
    jest.advanceTimersByTime(10);
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it('does not reconnect with reconnect: false', () => {
    const { ws, client, states } = setup({ reconnect: false });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(60_000);
    expect(ws.sockets).toHaveLength(1);
    expect(states.at(-1)).toEqual({
      state: 'closed',
      attempt: 0,
      code: 1006,
      reason: 'Socket hung up',
      error: expect.objectContaining({ code: 'CONNECTION_CLOSED', phase: 'disconnect' }),
    });
    client.close();
  });

  it('gives up after maxAttempts consecutive failures and fails queued calls', () => {
    const { ws, client, states } = setup({ maxAttempts: 2, reconnectDelay: () => 100 });
    let error: unknown;
    client.invoke('later').subscribe({ error: (e) => (error = e) });
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100);
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100);
    expect(error).toBeUndefined(); // still waiting for the last attempt
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(10_000);
    expect(ws.sockets).toHaveLength(3);
    expect(states.at(-1)).toEqual({ state: 'closed', attempt: 3, code: 1006, reason: HIDDEN_CAUSE, error });
    expect(error).toBeInstanceOf(ConnectionError);
    client.close();
  });

  it('stops after a handshake refused with a code of 4500 or more, failing queued calls with HandshakeError', () => {
    const { ws, client, states } = setup();
    let error: unknown;
    client.invoke('x').subscribe({ error: (e) => (error = e) });
    const socket = ws.last();
    socket.open();
    socket.receive({
      rid: socket.handshakeCid,
      error: { name: 'NoEntry', message: 'go away', statusCode: 4501 },
    });
    expect(socket.closedWith).toEqual({ code: 4501, reason: 'NoEntry: go away' });
    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ statusCode: 4501, message: 'go away', remote: { remoteName: 'NoEntry' } });
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4501 });
    jest.advanceTimersByTime(60_000);
    expect(ws.sockets).toHaveLength(1);
    client.close();
  });

  it('retries a handshake refused without a status code (4008)', () => {
    const { ws, client, states } = setup({ reconnectDelay: () => 50 });
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive({ rid: socket.handshakeCid, error: { name: 'Blocked', message: 'not now' } });
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4008, retryIn: 50 });
    jest.advanceTimersByTime(50);
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });
});

describe('disconnect()', () => {
  it('closes with the given code, does not reconnect, and fails calls in flight', () => {
    const { ws, client, states } = setup();
    client.connect();
    ws.last().handshake();
    let error: unknown;
    client.invoke('x').subscribe({ error: (e) => (error = e) });
    client.disconnect(4100, 'moving');
    expect(ws.last().closedWith).toEqual({ code: 4100, reason: 'moving' });
    expect(states.at(-1)).toEqual({ state: 'closed', attempt: 0, code: 4100, reason: 'moving' });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ closeCode: 4100, phase: 'disconnect' });
    jest.advanceTimersByTime(60_000);
    expect(ws.sockets).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    client.close();
  });

  it('cancels a scheduled reconnect', () => {
    const { ws, client, states } = setup({ reconnectDelay: () => 1000 });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(1006);
    client.disconnect();
    expect(states.at(-1)).toEqual({ state: 'closed', attempt: 0, code: 1000, reason: '' });
    jest.advanceTimersByTime(5000);
    expect(ws.sockets).toHaveLength(1);
    client.close();
  });

  it('reconnects on the next demand', async () => {
    const { ws, client } = setup();
    client.connect();
    ws.last().handshake();
    client.disconnect();
    const answer = firstValueFrom(client.invoke('echo', 1));
    expect(ws.sockets).toHaveLength(2);
    const socket = ws.last().handshake();
    const call = socket.packets.find((p) => p.event === 'echo')!;
    socket.receive({ rid: call.cid, data: 1 });
    await expect(answer).resolves.toBe(1);
    client.close();
  });

  it('rejects close codes a browser refuses', () => {
    const { client } = setup();
    expect(() => client.disconnect(1001)).toThrow(RangeError);
    expect(() => client.disconnect(5000)).toThrow(RangeError);
    client.close();
  });
});

describe('liveness', () => {
  it('closes with 4000 and reconnects at once when no frame arrives within pingTimeout', () => {
    const { ws, client, states } = setup();
    client.connect();
    ws.last().handshake({ pingTimeout: 1000 });
    jest.advanceTimersByTime(600);
    ws.last().receive(''); // a ping resets the watchdog
    jest.advanceTimersByTime(600);
    ws.last().receive({ event: 'other' }); // so does any other frame
    jest.advanceTimersByTime(999);
    expect(ws.last().closedWith).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(ws.sockets[0]!.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4000, retryIn: 0 });
    jest.advanceTimersByTime(1);
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it('does not watch pings with pingTimeoutDisabled', () => {
    const { ws, client } = setup({ pingTimeoutDisabled: true });
    client.connect();
    ws.last().handshake({ pingTimeout: 1000 });
    jest.advanceTimersByTime(10_000);
    expect(ws.last().closedWith).toBeUndefined();
    expect(jest.getTimerCount()).toBe(0);
    client.close();
  });

  it('answers protocol 2 pings with an empty frame, only after the handshake', () => {
    const { ws, client } = setup();
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive('');
    expect(socket.sent).toHaveLength(1); // only the handshake: a pong before it makes the server close 4009
    socket.handshake();
    socket.receive('');
    expect(socket.sent.at(-1)).toBe('');
    client.close();
  });

  it('answers protocol 1 pings (#1) with #2', () => {
    const { ws, client, errors } = setup({ protocolVersion: 1 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive('#1');
    expect(socket.sent.at(-1)).toBe('#2');
    expect(errors).toEqual([]);
    client.close();
  });

  it('answers a protocol 1 ping sent through the codec (SocketCluster 14) with a pong through the codec', () => {
    const { ws, client, errors } = setup({ protocolVersion: 1 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive('"#1"'); // the JSON encoding of the string #1, as a codec-encoded ping arrives
    expect(socket.sent.at(-1)).toBe('"#2"');
    expect(errors).toEqual([]);
    client.close();
  });

  it("takes the close reason from SocketCluster 14's #disconnect event", () => {
    const { ws, client, errors, states } = setup({ protocolVersion: 1, reconnectDelay: () => 50 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#disconnect', data: { code: 4321, data: 'bye' } });
    socket.serverClose(4321, '');
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4321, reason: 'bye' });
    expect(errors).toMatchObject([{ code: 'CONNECTION_CLOSED', closeCode: 4321, reason: 'bye' }]);
    client.close();
  });

  it('reports a protocol 2 ping on a protocol 1 client as a ProtocolError', () => {
    const { ws, client, errors } = setup({ protocolVersion: 1 });
    client.connect();
    ws.last().handshake().receive('');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'PROTOCOL_ERROR', kind: 'unexpected-frame' });
    expect(ws.last().sent.at(-1)).not.toBe('');
    client.close();
  });

  it('reports a protocol 1 ping on a protocol 2 client as a ProtocolError', () => {
    const { ws, client, errors } = setup();
    client.connect();
    ws.last().handshake().receive('#1');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'PROTOCOL_ERROR', kind: 'unexpected-frame' });
    client.close();
  });
});

describe('closing the socket', () => {
  it('cuts a close reason longer than WebSocket allows (123 bytes)', () => {
    const { ws, client, states } = setup();
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive({
      rid: socket.handshakeCid,
      error: { name: 'Blocked', message: 'é'.repeat(200), statusCode: 4600 },
    });
    const reason = socket.closedWith!.reason!;
    expect(new TextEncoder().encode(reason).length).toBeLessThanOrEqual(123);
    expect(reason.startsWith('Blocked: éé')).toBe(true);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4600 });
    client.close();
  });
});
