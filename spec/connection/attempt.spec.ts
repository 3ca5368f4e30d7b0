import {
  ConnectionError,
  HandshakeError,
  jsonCodec,
  type Client,
  type Codec,
  type ProcedureRequest,
  type TokenStore,
  type WebSocketConstructor,
} from '../../lib';
import { msgpackCodec } from '../../lib/codec/msgpack';
import { fakeClient as setup } from '../support/fake-client';
import { FakeNodeWebSocket, fakeWebSocket, HIDDEN_CAUSE } from '../support/fake-web-socket';
import { microtasks } from '../support/wait';

// Characterisation of one connection attempt and of the reconnect rules around it, through the public API only: a
// client on a fake WebSocket (DOM-style handlers, or the EventEmitter side of `ws`) and jest's fake clock. These
// tests describe what the client does today, so that moving its connection code between files changes none of it.
// What other specs already pin (connection, limits, liveness-hints, endpoints, inbound-router, invoke, auth,
// write-batcher) is not repeated here.

const URL = 'ws://example.test/socketcluster/';
const MAX_TIMER = 2 ** 31 - 1;

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
});

/** A client whose sockets have the EventEmitter side of `ws`. */
const nodeSetup = (options: Parameters<typeof setup>[0] = {}) =>
  setup(options, fakeWebSocket(FakeNodeWebSocket));

/** The bytes of `data` in an ArrayBuffer of their exact size, as a binary frame arrives. */
function binary(data: string | Uint8Array): ArrayBuffer {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** The JSON text of an event packet `e` whose data pads it to exactly `length` characters. */
function eventOfLength(length: number, pad = 'x'): string {
  const empty = JSON.stringify({ event: 'e', data: '' }).length;
  return JSON.stringify({ event: 'e', data: pad.repeat(length - empty) });
}

/** Starts a call that waits for the connection; returns where its error lands. */
function pendingCall(client: Client): { error?: unknown } {
  const failure: { error?: unknown } = {};
  client.invoke('pending').subscribe({ error: (e: unknown) => (failure.error = e) });
  return failure;
}

/** A server's refusal of the handshake, as it travels in the response's `error`. */
const refusal = (statusCode?: unknown) => ({
  name: 'Nope',
  message: 'no',
  ...(statusCode === undefined ? {} : { statusCode }),
});

type Socket = ReturnType<typeof setup>['ws']['sockets'][number];

describe('on a socket with the EventEmitter side of ws', () => {
  it('listens with on/off and never sets the DOM-style onX handlers', () => {
    const { ws, client, states } = nodeSetup();
    client.connect();
    const socket = ws.last();
    expect(['open', 'message', 'close', 'error'].map((event) => socket.listenerCount(event))).toEqual([
      1, 1, 1, 1,
    ]);
    socket.handshake({ id: 'node-1' });
    expect(states.at(-1)).toMatchObject({ state: 'open', id: 'node-1' });
    expect([socket.onopen, socket.onmessage, socket.onclose, socket.onerror]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    client.close();
  });

  it('reads a text message (a Buffer, isBinary false) as text: events are decoded, pings are answered', () => {
    const { ws, client, errors } = nodeSetup();
    const got: unknown[] = [];
    client.receiver('e').subscribe((v) => got.push(v));
    const socket = ws.last().handshake();
    socket.receive({ event: 'e', data: 'text' });
    socket.receive('');
    expect(got).toEqual(['text']);
    expect(socket.sent.at(-1)).toBe('');
    expect(errors).toEqual([]);
    client.close();
  });

  it('answers a protocol 1 ping that arrives as a Buffer', () => {
    const { ws, client, errors } = nodeSetup({ protocolVersion: 1 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive('#1');
    expect(socket.sent.at(-1)).toBe('#2');
    expect(errors).toEqual([]);
    client.close();
  });

  it('hands a binary message (isBinary true) to the codec as it is', () => {
    const { ws, client, errors } = nodeSetup();
    const got: unknown[] = [];
    client.receiver('e').subscribe((v) => got.push(v));
    const socket = ws.last().handshake();
    socket.receive(new TextEncoder().encode(JSON.stringify({ event: 'e', data: 'bytes' })));
    expect(got).toEqual(['bytes']);
    expect(errors).toEqual([]);
    client.close();
  });

  it("takes the close code and the reason (a Buffer) from the socket's close event", () => {
    const { ws, client, states } = nodeSetup({ reconnectDelay: () => 100 });
    client.connect();
    ws.last().handshake().serverClose(4100, 'moving');
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4100, reason: 'moving', retryIn: 100 });
    client.close();
  });

  it('leaves maxPayload to ws: a message over it is processed, not refused', () => {
    const { ws, client, errors } = nodeSetup({ maxPayload: 10 });
    const got: unknown[] = [];
    client.receiver('e').subscribe((v) => got.push(v));
    const socket = ws.last().handshake(); // the reply alone is over 10 bytes
    socket.receive({ event: 'e', data: 'x'.repeat(100) });
    expect(got).toEqual(['x'.repeat(100)]);
    expect(socket.closedWith).toBeUndefined();
    expect(errors).toEqual([]);
    client.close();
  });

  it("reports ws's refusal of an oversized message (its error, then a 1006 close) as 1009 and MESSAGE_TOO_LARGE", () => {
    const { ws, client, errors, states } = nodeSetup({ maxPayload: 1000, reconnectDelay: () => 100 });
    client.connect();
    const socket = ws.last().handshake();
    const inFlight = pendingCall(client);
    const refused = new RangeError('Max payload size exceeded');
    socket.fail(Object.assign(refused, { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' }));
    expect(states.at(-1)).toMatchObject({ state: 'open' }); // nothing happens before the close
    expect(errors).toEqual([]);
    socket.serverClose(1006);
    const reason = 'An inbound message exceeded maxPayload (1000 bytes)';
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 1009, reason, retryIn: 100 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'MESSAGE_TOO_LARGE', closeCode: 1009, reason });
    expect(states.at(-1)).toMatchObject({ error: errors[0] });
    expect(inFlight.error).toEqual(errors[0]);
    expect(inFlight.error).toMatchObject({ closeCode: 1009, phase: 'disconnect' });
    client.close();
  });

  it('lets the close that follows any other socket error keep its own code, and reports it once', () => {
    const { ws, client, errors, states } = nodeSetup({ reconnectDelay: () => 100 });
    client.connect();
    const socket = ws.last().handshake();
    socket.fail(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(states.at(-1)).toMatchObject({ state: 'open' });
    socket.serverClose(1006);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 1006, reason: 'Socket hung up' });
    expect(errors).toMatchObject([{ code: 'CONNECTION_CLOSED', closeCode: 1006, phase: 'disconnect' }]);
    client.close();
  });

  it('ignores the error and close events ws emits for a socket disconnect() closed while connecting', () => {
    const { ws, client, states } = nodeSetup();
    client.connect();
    const socket = ws.last();
    client.disconnect(4100, 'not now');
    expect(socket.closedWith).toEqual({ code: 4100, reason: 'not now' });
    const settled = states.length;
    expect(() => {
      socket.fail(new Error('WebSocket was closed before the connection was established'));
      socket.serverClose(1006);
    }).not.toThrow();
    expect(states).toHaveLength(settled);
    expect(states.at(-1)).toEqual({ state: 'closed', attempt: 1, code: 4100, reason: 'not now' });
    jest.advanceTimersByTime(60_000);
    expect(ws.sockets).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    client.close();
  });

  it('ignores the messages and close of a socket it closed itself (ping timeout) once the next attempt runs', () => {
    const { ws, client, states } = nodeSetup();
    const got: unknown[] = [];
    client.receiver('e').subscribe((v) => got.push(v));
    const first = ws.last().handshake({ pingTimeout: 1000 });
    jest.advanceTimersByTime(1000);
    expect(first.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
    jest.advanceTimersByTime(1); // 4000: the retry runs at once (the next tick of the fake clock)
    expect(ws.sockets).toHaveLength(2);
    const settled = states.length;
    first.receive({ event: 'e', data: 'late' });
    first.serverClose(1006);
    expect(got).toEqual([]);
    expect(states).toHaveLength(settled);
    expect(states.at(-1)).toEqual({ state: 'connecting', attempt: 1, url: URL });
    client.close();
  });
});

describe('on a DOM-style socket', () => {
  it('passes the protocols [] with webSocketOptions, and only the URL without them', () => {
    const withOptions = setup({ webSocketOptions: { headers: { 'x-a': '1' } } });
    withOptions.client.connect();
    expect(withOptions.ws.last().protocols).toEqual([]);
    withOptions.client.close();
    const plain = setup();
    plain.client.connect();
    expect(plain.ws.last().protocols).toBeUndefined();
    plain.client.close();
  });

  it('accepts a message of exactly maxPayload: text counted in UTF-16 code units, binary in bytes', () => {
    const { ws, client, errors } = setup({ maxPayload: 200 });
    const got: unknown[] = [];
    client.receiver('e').subscribe((v) => got.push(v));
    const socket = ws.last().handshake();
    socket.receive(eventOfLength(200));
    socket.receive(binary(eventOfLength(200)));
    expect(got).toHaveLength(2);
    expect(socket.closedWith).toBeUndefined();
    socket.receive(binary(eventOfLength(201)));
    const reason = 'An inbound message exceeded maxPayload (200 bytes)';
    expect(socket.closedWith).toEqual({ code: 1009, reason });
    expect(errors).toMatchObject([{ code: 'MESSAGE_TOO_LARGE', closeCode: 1009, reason }]);
    client.close();
  });

  it('lets multi-byte text through when its UTF-16 length is within maxPayload, whatever its UTF-8 size', () => {
    const { ws, client, errors } = setup({ maxPayload: 200 });
    const got: unknown[] = [];
    client.receiver('e').subscribe((v) => got.push(v));
    const socket = ws.last().handshake();
    const frame = eventOfLength(200, 'é');
    expect(new TextEncoder().encode(frame).length).toBeGreaterThan(300);
    socket.receive(frame);
    expect(got).toHaveLength(1);
    expect(socket.closedWith).toBeUndefined();
    expect(errors).toEqual([]);
    client.close();
  });

  it('refuses a message over maxPayload even before the handshake reply, as a connectAbort with 1009', () => {
    const { ws, client, errors, states } = setup({ maxPayload: 50, reconnect: false });
    const queued = pendingCall(client);
    const socket = ws.last();
    socket.open();
    socket.receive({
      rid: socket.handshakeCid,
      data: { id: 'a-rather-long-socket-id', pingTimeout: 30_000 },
    });
    const reason = 'An inbound message exceeded maxPayload (50 bytes)';
    expect(socket.closedWith).toEqual({ code: 1009, reason });
    expect(errors).toMatchObject([{ code: 'MESSAGE_TOO_LARGE', closeCode: 1009, reason }]);
    const error = errors[0];
    expect(states.at(-1)).toEqual({ state: 'closed', attempt: 1, code: 1009, reason, error });
    expect(queued.error).toEqual(error);
    expect(queued.error).toMatchObject({ closeCode: 1009, phase: 'connectAbort' });
    client.close();
  });
});

describe('closing the socket', () => {
  it('cuts a reason over 123 UTF-8 bytes at a character, keeps one of 123, and shows it whole in state$', () => {
    const long = setup();
    long.client.connect();
    long.client.disconnect(4100, '€'.repeat(50)); // 150 bytes
    expect(long.ws.last().closedWith).toEqual({ code: 4100, reason: '€'.repeat(41) }); // 123 bytes
    expect(long.states.at(-1)).toMatchObject({ state: 'closed', code: 4100, reason: '€'.repeat(50) });
    long.client.close();
    const exact = setup();
    exact.client.connect();
    exact.client.disconnect(4100, 'a'.repeat(123));
    expect(exact.ws.last().closedWith).toEqual({ code: 4100, reason: 'a'.repeat(123) });
    exact.client.close();
  });

  it('goes on when the socket refuses to close: the attempt still ends and the client reconnects', () => {
    const { ws, client, states } = setup({ connectTimeout: 1000, reconnectDelay: () => 100 });
    client.connect();
    const socket = ws.last();
    const refuse = () => {
      throw new Error('close() refused');
    };
    socket.close = refuse;
    socket.open();
    jest.advanceTimersByTime(1000);
    expect(states.at(-1)).toMatchObject({
      state: 'closed',
      code: 4003,
      reason: 'Handshake timed out',
      retryIn: 100,
    });
    jest.advanceTimersByTime(100);
    expect(ws.sockets).toHaveLength(2);
    ws.last().handshake().close = refuse;
    expect(() => client.close()).not.toThrow();
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 1000, reason: 'Client closed' });
  });

  it.each([
    ['4007, the socket did not open', false, 4007],
    ['4003, the handshake was not answered', true, 4003],
  ])('drops the socket at once (terminate) after a connect timeout: %s', (_label, opened, code) => {
    const { ws, client } = setup({ connectTimeout: 1000 });
    client.connect();
    const socket = ws.last();
    const terminate = jest.fn();
    Object.assign(socket, { terminate });
    if (opened) socket.open();
    jest.advanceTimersByTime(1000);
    expect(socket.closedWith?.code).toBe(code);
    expect(terminate).toHaveBeenCalledTimes(1);
    client.close();
  });

  it.each([
    [
      'a refused handshake',
      (socket: Socket) => {
        socket.open();
        socket.receive({ rid: socket.handshakeCid, error: refusal(4501) });
      },
    ],
    [
      'an oversized message',
      (socket: Socket) => {
        socket.handshake();
        socket.receive({ event: 'e', data: 'x'.repeat(500) });
      },
    ],
    [
      'disconnect() while connecting',
      (_socket: Socket, client: Client) => {
        client.disconnect(4100, 'bye');
      },
    ],
  ])('closes gracefully, without terminate, after %s', (_label, act) => {
    const { ws, client } = setup({ maxPayload: 200 });
    client.connect();
    const socket = ws.last();
    const terminate = jest.fn();
    Object.assign(socket, { terminate });
    act(socket, client);
    expect(socket.closedWith).toBeDefined();
    expect(terminate).not.toHaveBeenCalled();
    client.close();
  });
});

describe('the handshake', () => {
  it('sends authToken: null when no token is stored', () => {
    const { ws, client } = setup();
    client.connect();
    ws.last().open();
    expect(ws.last().packets).toEqual([
      { event: '#handshake', data: { authToken: null }, cid: expect.any(Number) },
    ]);
    client.close();
  });

  it('goes out alone, and nothing else is written until the reply, even with calls queued and batching on', async () => {
    const { ws, client } = setup({ batchWrites: true });
    client.transmit('queued', 1);
    client.invoke('call', 2).subscribe({ error: () => undefined });
    const socket = ws.last();
    socket.open();
    await microtasks();
    expect(socket.sent).toHaveLength(1);
    expect(JSON.parse(socket.sent[0] as string)).toMatchObject({ event: '#handshake' });
    jest.advanceTimersByTime(5000);
    expect(socket.sent).toHaveLength(1);
    socket.handshake();
    await microtasks();
    expect(socket.packets.map((p) => p.event)).toEqual(['#handshake', 'queued', 'call']);
    client.close();
  });

  it("takes its cid from the client's call id counter, shared with invokes and not reset on reconnect", () => {
    const { ws, client } = setup({ reconnectDelay: () => 0 });
    client.connect();
    const first = ws.last().handshake();
    client.invoke('x').subscribe({ error: () => undefined });
    const call = first.packets.at(-1)!;
    first.serverClose(1006);
    jest.advanceTimersByTime(0);
    ws.last().open();
    expect([first.handshakeCid, call.cid, ws.last().handshakeCid]).toEqual([1, 2, 3]);
    client.close();
  });

  it('applies a reply at the head of a batch frame before the packets behind it: they see an open session', () => {
    const { ws, client } = setup();
    const seen: string[] = [];
    client.receiver('welcome').subscribe(() => seen.push(client.state.state));
    client
      .procedure('ask')
      .subscribe((request: ProcedureRequest) => request.end(`answer to ${String(request.data)}`));
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive([
      { rid: socket.handshakeCid, data: { id: 's', pingTimeout: 30_000, isAuthenticated: false } },
      { event: 'welcome' },
      { event: 'ask', data: 1, cid: 5 },
    ]);
    expect(seen).toEqual(['open']);
    expect(socket.packets.at(-1)).toEqual({ rid: 5, data: 'answer to 1' });
    client.close();
  });

  it('delivers server transmits that arrive before the reply, but leaves server invokes before it unanswered', () => {
    const { ws, client, errors } = setup();
    const got: unknown[] = [];
    const requests: ProcedureRequest[] = [];
    client.receiver('early').subscribe((v) => got.push(v));
    client.procedure('ask').subscribe((r: ProcedureRequest) => requests.push(r));
    const socket = ws.last();
    socket.open();
    socket.receive({ event: 'early', data: 1 });
    socket.receive({ event: 'ask', data: 1, cid: 9 });
    expect(got).toEqual([1]);
    expect(requests).toEqual([]);
    expect(socket.sent).toHaveLength(1);
    socket.handshake();
    expect(requests).toEqual([]);
    expect(socket.packets.some((p) => p.rid === 9)).toBe(false);
    expect(errors).toEqual([]);
    client.close();
  });

  it('completes only on a response to its own cid: another response leaves the attempt connecting', () => {
    const { ws, client, errors } = setup();
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive({
      rid: socket.handshakeCid + 1000,
      data: { id: 's', pingTimeout: 30_000, isAuthenticated: false },
    });
    expect(client.state).toEqual({ state: 'connecting', attempt: 1, url: URL });
    expect(errors).toMatchObject([{ code: 'PROTOCOL_ERROR', kind: 'unknown-rid' }]);
    client.close();
  });

  it('applies the reply once: a second response to the handshake cid changes nothing', () => {
    const { ws, client, errors, states } = setup();
    client.connect();
    const socket = ws.last().handshake({ id: 'first', pingTimeout: 5000 });
    const settled = states.length;
    socket.receive({
      rid: socket.handshakeCid,
      data: { id: 'second', pingTimeout: 1000, isAuthenticated: true },
    });
    expect(states).toHaveLength(settled);
    expect(client.state).toMatchObject({
      state: 'open',
      id: 'first',
      pingTimeout: 5000,
      isAuthenticated: false,
    });
    expect(errors).toEqual([]);
    jest.advanceTimersByTime(4999);
    expect(socket.closedWith).toBeUndefined();
    client.close();
  });

  it('stops the connect timer on the reply', () => {
    const { ws, client } = setup({ connectTimeout: 1000 });
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 60_000 });
    jest.advanceTimersByTime(5000);
    expect(socket.closedWith).toBeUndefined();
    expect(client.state.state).toBe('open');
    client.close();
  });
});

describe('a refused handshake', () => {
  it.each([
    [4000, 4000],
    [4100, 4100],
    [4999, 4999],
    [3999, 4008],
    [5000, 4008],
    [1000, 4008],
    ['4501', 4008],
    [null, 4008],
  ])(
    'with statusCode %p closes with %i, fails calls with that HandshakeError (on the state and errors$ too), reason "Name: message"',
    (status, code) => {
      const { ws, client, states, errors } = setup({ reconnect: false });
      const queued = pendingCall(client);
      const socket = ws.last();
      socket.open();
      socket.receive({ rid: socket.handshakeCid, error: refusal(status) });
      expect(socket.closedWith).toEqual({ code, reason: 'Nope: no' });
      const error = queued.error;
      expect(states.at(-1)).toEqual({ state: 'closed', attempt: 1, code, reason: 'Nope: no', error });
      expect(error).toBeInstanceOf(HandshakeError);
      expect(error).toMatchObject({
        code: 'HANDSHAKE_REJECTED',
        statusCode: code,
        message: 'no',
        remote: { remoteName: 'Nope' },
      });
      expect(errors).toEqual([error]);
      client.close();
    },
  );

  it('stops the connect timer: no 4003 follows while the retry waits', () => {
    const { ws, client, states } = setup({ connectTimeout: 1000, reconnectDelay: () => 60_000 });
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive({ rid: socket.handshakeCid, error: refusal(4100) });
    jest.advanceTimersByTime(5000);
    expect(socket.closedWith).toEqual({ code: 4100, reason: 'Nope: no' });
    const codes = states
      .map((s) => (s.state === 'closed' ? s.code : undefined))
      .filter((c) => c !== undefined);
    expect(codes).toEqual([4100]);
    client.close();
  });

  it('ends the processing of its batch frame: the packets behind the refusal are dropped', () => {
    const { ws, client, errors } = setup({ reconnectDelay: () => 100 });
    const got: unknown[] = [];
    client.receiver('after').subscribe((v) => got.push(v));
    const socket = ws.last();
    socket.open();
    socket.receive([
      { rid: socket.handshakeCid, error: refusal(4100) },
      { event: 'after', data: 1 },
    ]);
    expect(got).toEqual([]);
    expect(errors).toMatchObject([{ code: 'HANDSHAKE_REJECTED', statusCode: 4100 }]);
    client.close();
  });
});

describe('a batch frame', () => {
  it('stops being processed once a packet of it ends the attempt (a receiver calls disconnect())', () => {
    const { ws, client, errors } = setup();
    const got: unknown[] = [];
    client.receiver('stop').subscribe(() => client.disconnect(4100, 'enough'));
    client.receiver('after').subscribe((v) => got.push(v));
    const socket = ws.last().handshake();
    socket.receive([{ event: 'stop' }, { event: 'after', data: 1 }, { event: 'after', data: 2 }]);
    expect(socket.closedWith).toEqual({ code: 4100, reason: 'enough' });
    expect(got).toEqual([]);
    expect(errors).toEqual([]);
    client.close();
  });
});

describe('the handshake reply', () => {
  it.each([
    [
      'without an id (its pingTimeout and isAuthenticated are dropped too)',
      '{"pingTimeout":5000,"isAuthenticated":true}',
    ],
    ['with an id that is not a string', '{"id":7,"pingTimeout":5000}'],
    ['with a pingTimeout that is a string', '{"id":"s","pingTimeout":"5000"}'],
    ['with a pingTimeout of 0', '{"id":"s","pingTimeout":0}'],
    ['with an infinite pingTimeout (1e400)', '{"id":"s","pingTimeout":1e400}'],
    ['with data null', 'null'],
    ['with data that is not an object', '"s"'],
  ])(
    '%s is reported as bad-handshake-reply and opens with the defaults, watching with 30 s',
    (_label, data) => {
      const { ws, client, errors } = setup();
      client.connect();
      const socket = ws.last();
      socket.open();
      socket.receive(`{"rid":${socket.handshakeCid},"data":${data}}`);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'PROTOCOL_ERROR', kind: 'bad-handshake-reply' });
      expect(client.state).toEqual({
        state: 'open',
        attempt: 1,
        url: URL,
        id: '',
        pingTimeout: 30_000,
        isAuthenticated: false,
      });
      jest.advanceTimersByTime(29_999);
      expect(socket.closedWith).toBeUndefined();
      jest.advanceTimersByTime(1);
      expect(socket.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
      client.close();
    },
  );

  it.each([['"true"'], ['1'], ['{}']])('counts only a literal true as authenticated, not %s', (value) => {
    const { ws, client, errors } = setup();
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive(
      `{"rid":${socket.handshakeCid},"data":{"id":"s","pingTimeout":5000,"isAuthenticated":${value}}}`,
    );
    expect(client.state).toMatchObject({ state: 'open', id: 's', isAuthenticated: false });
    expect(errors).toEqual([]);
    client.close();
  });

  it('raises a pingTimeout below 1000 ms to 1000 ms with a diagnostic, and the watchdog waits 1000 ms', () => {
    const { ws, client, errors } = setup();
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 1 });
    expect(client.state).toMatchObject({ state: 'open', pingTimeout: 1000 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'PROTOCOL_ERROR', kind: 'ping-timeout-too-short' });
    jest.advanceTimersByTime(999);
    expect(socket.closedWith).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
    client.close();
  });

  it('clamps a pingTimeout above 2^31 - 1 ms, and the watchdog waits that long rather than firing at once', () => {
    const { ws, client, errors } = setup();
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 1e12 });
    expect(client.state).toMatchObject({ state: 'open', pingTimeout: MAX_TIMER });
    expect(errors).toEqual([]);
    jest.advanceTimersByTime(24 * 3600 * 1000);
    expect(socket.closedWith).toBeUndefined();
    jest.advanceTimersByTime(MAX_TIMER - 24 * 3600 * 1000);
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
    client.close();
  });
});

describe('pings', () => {
  it.each([
    [2 as const, ''],
    [1 as const, '#1'],
  ])('protocol %i: never passes the ping frame to the codec', (protocolVersion, ping) => {
    const json = jsonCodec();
    const decoded: unknown[] = [];
    const codec: Codec = {
      ...json,
      name: 'spy',
      decode: (frame) => {
        decoded.push(frame);
        return json.decode(frame);
      },
    };
    const { ws, client, errors } = setup({ protocolVersion, codec });
    client.connect();
    const socket = ws.last().handshake();
    decoded.length = 0;
    socket.receive(ping);
    expect(decoded).toEqual([]);
    expect(errors).toEqual([]);
    client.close();
  });

  it('protocol 1: answers neither a raw nor a codec-encoded #1 before the handshake reply', () => {
    const { ws, client, errors } = setup({ protocolVersion: 1 });
    client.connect();
    const socket = ws.last();
    socket.open();
    socket.receive('#1');
    socket.receive('"#1"');
    expect(socket.sent).toHaveLength(1);
    expect(errors).toEqual([]);
    socket.handshake();
    socket.receive('"#1"');
    expect(socket.sent.at(-1)).toBe('"#2"');
    client.close();
  });

  it('protocol 2: reports a #1 that came through the codec as a ProtocolError and does not answer it', () => {
    const { ws, client, errors } = setup();
    client.connect();
    const socket = ws.last().handshake();
    const sent = socket.sent.length;
    socket.receive('"#1"');
    expect(socket.sent).toHaveLength(sent);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'PROTOCOL_ERROR', kind: 'unexpected-frame' });
    expect((errors[0] as Error).message).toMatch(/protocolVersion: 1/);
    client.close();
  });

  it('protocol 1 with MessagePack (SocketCluster 14): answers a binary #1 with a binary #2, only after the handshake', () => {
    const codec = msgpackCodec();
    const { ws, client, errors } = setup({ protocolVersion: 1, codec });
    client.connect();
    const socket = ws.last();
    socket.open();
    const { cid } = codec.decode(socket.sent[0] as Uint8Array) as { cid: number };
    socket.receive(binary(codec.encode('#1')));
    expect(socket.sent).toHaveLength(1);
    socket.receive(
      binary(codec.encode({ rid: cid, data: { id: 's', pingTimeout: 30_000, isAuthenticated: false } })),
    );
    expect(client.state).toMatchObject({ state: 'open', id: 's' });
    socket.receive(binary(codec.encode('#1')));
    expect(socket.sent).toHaveLength(2);
    expect(socket.sent[1]).toBeInstanceOf(Uint8Array);
    expect(codec.decode(socket.sent[1] as Uint8Array)).toBe('#2');
    expect(errors).toEqual([]);
    client.close();
  });

  it('are not answered once the socket is closing (nothing is written to it)', () => {
    const { ws, client, errors } = setup();
    client.connect();
    const socket = ws.last().handshake();
    const sent = socket.sent.length;
    socket.readyState = 2;
    expect(() => socket.receive('')).not.toThrow();
    expect(socket.sent).toHaveLength(sent);
    expect(errors).toEqual([]);
    client.close();
  });
});

describe('the open session', () => {
  it('puts a frame written while the socket is closing in the outbox, and sends it on the next connection', () => {
    const { ws, client } = setup({ reconnectDelay: () => 0 });
    client.connect();
    const first = ws.last().handshake();
    first.readyState = 2;
    client.transmit('later', 1);
    expect(first.packets.some((p) => p.event === 'later')).toBe(false);
    first.serverClose(1006);
    jest.advanceTimersByTime(0);
    const second = ws.last().handshake();
    expect(second.packets.filter((p) => p.event === 'later')).toEqual([{ event: 'later', data: 1 }]);
    client.close();
  });

  it('counts any frame as a sign of life, even one that does not decode', () => {
    const { ws, client, errors } = setup();
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 1000 });
    jest.advanceTimersByTime(900);
    socket.receive('{not json');
    jest.advanceTimersByTime(999);
    expect(socket.closedWith).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
    expect(errors).toMatchObject([{ code: 'CODEC_ERROR' }, { code: 'CONNECTION_CLOSED', closeCode: 4000 }]);
    client.close();
  });

  it('fails calls in flight on a ping timeout with a 4000 disconnect, the one error on errors$', () => {
    const { ws, client, errors } = setup();
    client.connect();
    ws.last().handshake({ pingTimeout: 1000 });
    const inFlight = pendingCall(client);
    jest.advanceTimersByTime(1000);
    expect(inFlight.error).toBeInstanceOf(ConnectionError);
    expect(inFlight.error).toMatchObject({
      closeCode: 4000,
      reason: 'Server ping timed out',
      phase: 'disconnect',
    });
    expect(errors).toEqual([inFlight.error]);
    client.close();
  });

  it('drops frames the write batcher still held when the connection was lost; they are not sent later', async () => {
    const { ws, client } = setup({ batchWrites: true, reconnectDelay: () => 0 });
    client.connect();
    const first = ws.last().handshake();
    await microtasks();
    client.transmit('sent', 1);
    client.transmit('held', 2);
    first.serverClose(1006);
    await microtasks();
    jest.advanceTimersByTime(0);
    const second = ws.last().handshake();
    await microtasks();
    expect(first.packets.map((p) => p.event)).toEqual(['#handshake', 'sent']);
    expect(second.packets.map((p) => p.event)).toEqual(['#handshake']);
    client.close();
  });
});

describe('a deliberate close', () => {
  it('flushes the write batcher first, then closes with the code and reason asked for', async () => {
    const { client, open } = setup({ batchWrites: true });
    const socket = open();
    await microtasks();
    const sentAtClose: number[] = [];
    const close = socket.close.bind(socket);
    socket.close = (code, reason) => {
      sentAtClose.push(socket.sent.length);
      close(code, reason);
    };
    client.transmit('a', 1);
    client.transmit('b', 2);
    client.transmit('c', 3);
    client.disconnect(4100, 'bye');
    expect(socket.sent.slice(-2).map((f) => JSON.parse(f as string) as unknown)).toEqual([
      { event: 'a', data: 1 },
      [
        { event: 'b', data: 2 },
        { event: 'c', data: 3 },
      ],
    ]);
    expect(sentAtClose).toEqual([socket.sent.length]);
    expect(socket.closedWith).toEqual({ code: 4100, reason: 'bye' });
    client.close();
  });

  it('while connecting, closes the socket with the code and reason asked for and does not retry', () => {
    const { ws, client, states } = setup({ reconnectDelay: () => 0 });
    client.connect();
    const socket = ws.last();
    client.disconnect(4100, 'moving');
    expect(socket.closedWith).toEqual({ code: 4100, reason: 'moving' });
    expect(states.at(-1)).toEqual({ state: 'closed', attempt: 1, code: 4100, reason: 'moving' });
    jest.advanceTimersByTime(60_000);
    expect(ws.sockets).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
    client.close();
  });

  it('while the auth token loads, opens no socket once the token arrives', async () => {
    let resolveLoad: (token: string | null) => void = () => undefined;
    const tokenStore: TokenStore = {
      load: () => new Promise((resolve) => (resolveLoad = resolve)),
      save: () => undefined,
      remove: () => undefined,
    };
    const { ws, client, states } = setup({ tokenStore });
    client.connect();
    await jest.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ state: 'connecting', attempt: 1, url: URL });
    client.disconnect();
    resolveLoad(null);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(ws.sockets).toHaveLength(0);
    expect(states.at(-1)).toEqual({ state: 'closed', attempt: 1, code: 1000, reason: '' });
    expect(jest.getTimerCount()).toBe(0);
    client.close();
  });
});

describe('attempts that fail before the socket opens', () => {
  it('starts the connect timer when the socket is created, after the auth token has loaded', async () => {
    let resolveLoad: (token: string | null) => void = () => undefined;
    const tokenStore: TokenStore = {
      load: () => new Promise((resolve) => (resolveLoad = resolve)),
      save: () => undefined,
      remove: () => undefined,
    };
    const { ws, client, states } = setup({ tokenStore, connectTimeout: 1000 });
    client.connect();
    await jest.advanceTimersByTimeAsync(5000);
    expect(ws.sockets).toHaveLength(0);
    expect(states.at(-1)).toEqual({ state: 'connecting', attempt: 1, url: URL });
    resolveLoad(null);
    await jest.advanceTimersByTimeAsync(0);
    expect(ws.sockets).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(ws.last().closedWith).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(ws.last().closedWith).toEqual({ code: 4007, reason: 'Connection establishment timed out' });
    client.close();
  });

  it('ends with 4003 "Could not load the auth token" (a connectAbort, the store error as cause)', async () => {
    const tokenStore: TokenStore = {
      load: () => Promise.reject(new Error('disk gone')),
      save: () => undefined,
      remove: () => undefined,
    };
    const { ws, client, states, errors } = setup({ tokenStore, reconnect: false });
    const queued = pendingCall(client);
    await jest.advanceTimersByTimeAsync(0);
    expect(ws.sockets).toHaveLength(0);
    expect(states.at(-1)).toEqual({
      state: 'closed',
      attempt: 1,
      code: 4003,
      reason: 'Could not load the auth token',
      error: queued.error,
    });
    // The store's own error is the one report: the attempt's failure names it as its cause.
    expect(errors).toEqual([(queued.error as Error).cause]);
    expect(queued.error).toBeInstanceOf(ConnectionError);
    expect(queued.error).toMatchObject({
      closeCode: 4003,
      reason: 'Could not load the auth token',
      phase: 'connectAbort',
    });
    expect((queued.error as Error).cause).toMatchObject({ code: 'TOKEN_STORE_FAILED', operation: 'load' });
    client.close();
  });

  it('ends with 1006 "Could not open the WebSocket" when the constructor throws (a connectAbort, with the cause)', () => {
    const thrown = new SyntaxError('The URL is invalid');
    const WebSocket = function () {
      throw thrown;
    } as unknown as WebSocketConstructor;
    const { client, states, errors } = setup({ WebSocket, reconnect: false });
    const queued = pendingCall(client);
    expect(states.at(-1)).toEqual({
      state: 'closed',
      attempt: 1,
      code: 1006,
      reason: 'Could not open the WebSocket',
      error: queued.error,
    });
    expect(errors).toEqual([queued.error]);
    expect(queued.error).toBeInstanceOf(ConnectionError);
    expect(queued.error).toMatchObject({
      closeCode: 1006,
      reason: 'Could not open the WebSocket',
      phase: 'connectAbort',
    });
    expect((queued.error as Error).cause).toBe(thrown);
    expect(jest.getTimerCount()).toBe(0); // no connect timer left behind
    client.close();
  });

  it('retries after a constructor that threw, with the backoff (1006 is not an immediate retry)', () => {
    const sockets = fakeWebSocket();
    let refusals = 1;
    const WebSocket = function (url: string) {
      if (refusals-- > 0) throw new SyntaxError('The URL is invalid');
      return new sockets.WebSocket(url);
    } as unknown as WebSocketConstructor;
    const { client, states } = setup({ WebSocket, reconnectDelay: () => 100 }, sockets);
    client.connect();
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 1006, retryIn: 100 });
    expect(jest.getTimerCount()).toBe(1); // the retry only
    jest.advanceTimersByTime(100);
    sockets.last().handshake();
    expect(client.state).toMatchObject({ state: 'open', attempt: 2 });
    client.close();
  });

  it.each([
    ['4007 when the socket does not open', false, 4007, 'Connection establishment timed out'],
    ['4003 when the handshake is not answered', true, 4003, 'Handshake timed out'],
  ])('ends with %s, as a connectAbort', (_label, opened, code, reason) => {
    const { ws, client } = setup({ connectTimeout: 1000, reconnect: false });
    const queued = pendingCall(client);
    if (opened) ws.last().open();
    jest.advanceTimersByTime(1000);
    expect(queued.error).toBeInstanceOf(ConnectionError);
    expect(queued.error).toMatchObject({ closeCode: code, reason, phase: 'connectAbort' });
    client.close();
  });

  it('ends as a connectAbort when the server closes before the reply', () => {
    const { ws, client } = setup({ reconnect: false });
    const queued = pendingCall(client);
    ws.last().open();
    ws.last().serverClose(4005, 'Handshake timed out on the server');
    expect(queued.error).toMatchObject({
      closeCode: 4005,
      reason: 'Handshake timed out on the server',
      phase: 'connectAbort',
    });
    client.close();
  });
});

describe('legacy #disconnect (protocol 1)', () => {
  it("lets the server's own close reason win over the #disconnect reason", () => {
    const { ws, client, states } = setup({ protocolVersion: 1, reconnectDelay: () => 50 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#disconnect', data: { code: 4321, data: 'from the event' } });
    socket.serverClose(4321, 'from the close');
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4321, reason: 'from the close' });
    client.close();
  });

  it('gives an empty reason when the #disconnect data is not a string', () => {
    const { ws, client, states, errors } = setup({ protocolVersion: 1, reconnectDelay: () => 50 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#disconnect', data: { code: 4321, data: { why: 'object' } } });
    socket.serverClose(4321);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4321, reason: '' });
    expect(errors).toMatchObject([{ code: 'CONNECTION_CLOSED', closeCode: 4321, reason: '' }]);
    client.close();
  });

  it('is an ordinary event on a protocol 2 client: one nobody receives, not used as a close reason', () => {
    const { ws, client, states, errors } = setup({ reconnectDelay: () => 50 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: '#disconnect', data: { code: 4321, data: 'bye' } });
    socket.serverClose(4321);
    expect(errors).toMatchObject([
      { code: 'PROTOCOL_ERROR', kind: 'unhandled-event' },
      { code: 'CONNECTION_CLOSED', closeCode: 4321, reason: '' },
    ]);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4321, reason: '' });
    client.close();
  });
});

describe('in a page (livenessHints)', () => {
  /** The globals a page has and Node lacks. */
  interface Page {
    document?: EventTarget & { visibilityState: string };
    addEventListener?: EventTarget['addEventListener'];
    removeEventListener?: EventTarget['removeEventListener'];
  }
  const page = globalThis as unknown as Page;
  let win: EventTarget;
  let doc: EventTarget & { visibilityState: string };

  beforeEach(() => {
    win = new EventTarget();
    doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    page.addEventListener = win.addEventListener.bind(win);
    page.removeEventListener = win.removeEventListener.bind(win);
    page.document = doc;
  });

  afterEach(() => {
    delete page.addEventListener;
    delete page.removeEventListener;
    delete page.document;
  });

  it('does not close a silent connection when the page becomes visible, with pingTimeoutDisabled', () => {
    const { ws, client } = setup({ pingTimeoutDisabled: true });
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 1000 });
    jest.setSystemTime(Date.now() + 60_000);
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(socket.closedWith).toBeUndefined();
    expect(client.state.state).toBe('open');
    client.close();
  });

  it('opens one attempt for two online events in a row, and cancels the retry timer it cut short', () => {
    const { ws, client } = setup({ reconnectDelay: () => 20_000 });
    client.connect();
    ws.last().serverClose(1006);
    win.dispatchEvent(new Event('online'));
    win.dispatchEvent(new Event('online'));
    expect(ws.sockets).toHaveLength(2);
    expect(client.state).toEqual({ state: 'connecting', attempt: 2, url: URL });
    jest.advanceTimersByTime(20_000);
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });
});

describe('reconnect delays', () => {
  it.each([
    ['a negative delay', -5, 0],
    ['-Infinity', -Infinity, 0],
    ['a delay over 2^31 - 1 ms', 1e12, MAX_TIMER],
    ['Infinity', Infinity, MAX_TIMER],
  ])('clamps %s from reconnectDelay to what a timer takes', (_label, returned, expected) => {
    const { ws, client, states } = setup({ reconnectDelay: () => returned });
    client.connect();
    ws.last().handshake().serverClose(1006);
    expect(states.at(-1)).toMatchObject({
      state: 'closed',
      retryIn: expected,
      retryAt: Date.now() + expected,
    });
    jest.advanceTimersByTime(expected);
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it('falls back to the backoff (counting attempts) when reconnectDelay returns NaN', () => {
    const { ws, client, states } = setup({
      reconnectDelay: () => NaN,
      backoff: { initialDelay: 200, randomness: 0 },
    });
    client.connect();
    ws.last().serverClose(1006);
    expect(states.at(-1)).toMatchObject({ state: 'closed', retryIn: 200 });
    jest.advanceTimersByTime(200);
    ws.last().serverClose(1006);
    expect(states.at(-1)).toMatchObject({ state: 'closed', retryIn: 300 });
    client.close();
  });

  it('uses backoff settings merged over the defaults when there is no reconnectDelay', () => {
    const { ws, client, states } = setup({ backoff: { randomness: 0, multiplier: 2 } });
    client.connect();
    ws.last().serverClose(1006);
    expect(states.at(-1)).toMatchObject({ retryIn: 500 });
    jest.advanceTimersByTime(500);
    ws.last().serverClose(1006);
    expect(states.at(-1)).toMatchObject({ retryIn: 1000 });
    client.close();
  });

  it('passes the attempt index and the error that ended the connection to reconnectDelay', () => {
    const calls: [number, unknown][] = [];
    const { ws, client } = setup({
      reconnectDelay: (attempt, error) => {
        calls.push([attempt, error]);
        return 10;
      },
    });
    client.connect();
    ws.last().handshake().serverClose(1006, 'gone');
    jest.advanceTimersByTime(10);
    const socket = ws.last();
    socket.open();
    socket.receive({ rid: socket.handshakeCid, error: refusal(4100) });
    expect(calls.map(([attempt]) => attempt)).toEqual([0, 1]);
    expect(calls[0]![1]).toBeInstanceOf(ConnectionError);
    expect(calls[0]![1]).toMatchObject({ closeCode: 1006, reason: 'gone', phase: 'disconnect' });
    expect(calls[1]![1]).toBeInstanceOf(HandshakeError);
    expect(calls[1]![1]).toMatchObject({ statusCode: 4100 });
    client.close();
  });

  it.each([4000, 4001, 1005])(
    'does not ask reconnectDelay for the immediate first retry after %i',
    (code) => {
      const attempts: number[] = [];
      const { ws, client, states } = setup({
        reconnectDelay: (attempt) => {
          attempts.push(attempt);
          return 700;
        },
      });
      client.connect();
      ws.last().handshake().serverClose(code);
      expect(attempts).toEqual([]);
      expect(states.at(-1)).toMatchObject({ retryIn: 0 });
      jest.advanceTimersByTime(0);
      ws.last().serverClose(code);
      expect(attempts).toEqual([1]);
      expect(states.at(-1)).toMatchObject({ retryIn: 700 });
      client.close();
    },
  );

  it('reconnects at once after a 4001 close before the handshake reply too', () => {
    const { ws, client, states } = setup({ reconnectDelay: () => 700 });
    client.connect();
    ws.last().open();
    ws.last().serverClose(4001);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 4001, retryIn: 0 });
    client.close();
  });

  it('never retries with maxAttempts: 0', () => {
    const { ws, client, states } = setup({ maxAttempts: 0, reconnectDelay: () => 10 });
    const queued = pendingCall(client);
    ws.last().serverClose(1006);
    expect(states.at(-1)).toEqual({
      state: 'closed',
      attempt: 1,
      code: 1006,
      reason: HIDDEN_CAUSE,
      error: queued.error,
    });
    jest.advanceTimersByTime(60_000);
    expect(ws.sockets).toHaveLength(1);
    expect(queued.error).toMatchObject({ closeCode: 1006, phase: 'connectAbort' });
    client.close();
  });

  it('counts maxAttempts over consecutive failures only: a stable session starts the count again', () => {
    const { ws, client, states } = setup({ maxAttempts: 1, reconnectDelay: () => 10 });
    client.connect();
    ws.last().serverClose(1006); // failure 1: retried
    jest.advanceTimersByTime(10);
    ws.last().handshake();
    jest.advanceTimersByTime(5000);
    ws.last().serverClose(1006); // lost after 5 s open: a new run, retried again
    jest.advanceTimersByTime(10);
    expect(ws.sockets).toHaveLength(3);
    ws.last().serverClose(1006); // a second failure in a row: stop
    jest.advanceTimersByTime(60_000);
    expect(ws.sockets).toHaveLength(3);
    expect(states.at(-1)).toMatchObject({ state: 'closed', attempt: 1, code: 1006, reason: HIDDEN_CAUSE });
    expect(states.at(-1)).not.toHaveProperty('retryIn');
    client.close();
  });

  it('leaves a client that stopped alone on disconnect(): no new state, the last close kept', () => {
    const { ws, client, states } = setup({ reconnect: false });
    client.connect();
    ws.last().handshake().serverClose(1006, 'gone');
    const settled = states.length;
    client.disconnect(4100, 'ignored');
    expect(states).toHaveLength(settled);
    expect(states.at(-1)).toMatchObject({ state: 'closed', attempt: 0, code: 1006, reason: 'gone' });
    expect(states.at(-1)).not.toHaveProperty('retryIn');
    client.close();
  });
});
