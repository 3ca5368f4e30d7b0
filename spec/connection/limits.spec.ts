import { ConnectionError } from '../../lib/errors';
import { fakeClient as setup } from '../support/fake-client';

// maxPayload and TLS options, on a fake WebSocket.

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('maxPayload', () => {
  it('closes with 1009 on a text message over the limit (a browser socket), reports it and reconnects', () => {
    const { ws, client, errors, states } = setup({ maxPayload: 100, reconnectDelay: () => 50 });
    const got: unknown[] = [];
    client.receiver('e').subscribe((d) => got.push(d));
    client.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: 'e', data: 'x'.repeat(50) }); // under the limit
    socket.receive({ event: 'e', data: 'x'.repeat(200) });
    expect(got).toEqual(['x'.repeat(50)]);
    const reason = 'An inbound message exceeded maxPayload (100 bytes)';
    expect(socket.closedWith).toEqual({ code: 1009, reason });
    expect(errors).toEqual([new ConnectionError(1009, reason, 'disconnect', { code: 'MESSAGE_TOO_LARGE' })]);
    expect(errors[0]).toMatchObject({ code: 'MESSAGE_TOO_LARGE', closeCode: 1009 });
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 1009, retryIn: 50, error: errors[0] });
    jest.advanceTimersByTime(50);
    ws.last().handshake();
    ws.last().receive({ event: 'e', data: 'again' });
    expect(got).toEqual(['x'.repeat(50), 'again']);
    client.close();
  });

  it('measures binary messages in bytes', () => {
    const { ws, client, errors } = setup({ maxPayload: 8 });
    client.connect();
    const socket = ws.last().handshake();
    socket.receive(new ArrayBuffer(9));
    expect(socket.closedWith?.code).toBe(1009);
    expect(errors).toHaveLength(1);
    client.close();
  });

  it("reports ws's own refusal of an oversized message (the error before the 1009 close)", () => {
    const { ws, client, errors, states } = setup({ maxPayload: 1000 });
    client.connect();
    const socket = ws.last().handshake();
    const refusal = Object.assign(new RangeError('Max payload size exceeded'), {
      code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    });
    socket.onerror?.({ error: refusal });
    socket.serverClose(1009);
    expect(errors).toMatchObject([
      { code: 'MESSAGE_TOO_LARGE', reason: 'An inbound message exceeded maxPayload (1000 bytes)' },
    ]);
    expect(states.at(-1)).toMatchObject({ state: 'closed', code: 1009 });
    client.close();
  });

  it('does not call a 1009 close from the server (our message was too big for it) an inbound excess', () => {
    const { ws, client, errors } = setup();
    client.connect();
    ws.last().handshake().serverClose(1009);
    expect(errors).toMatchObject([
      { code: 'CONNECTION_CLOSED', closeCode: 1009, reason: 'Message was too big to process' },
    ]);
    client.close();
  });

  it('passes maxPayload to the WebSocket constructor (ws enforces it while receiving)', () => {
    const { ws, client } = setup({ maxPayload: 4096 });
    client.connect();
    expect(ws.last().options).toEqual({ maxPayload: 4096 });
    client.close();
  });

  it('rejects a maxPayload that is not positive', () => {
    expect(() => setup({ maxPayload: 0 })).toThrow(RangeError);
  });
});

describe('tls', () => {
  it('passes the TLS settings to the WebSocket constructor, under explicit webSocketOptions', () => {
    const { ws, client } = setup({
      tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', rejectUnauthorized: true },
      webSocketOptions: { headers: { 'x-app': '1' }, rejectUnauthorized: false },
    });
    client.connect();
    expect(ws.last().options).toEqual({
      ca: 'CA PEM',
      cert: 'CERT PEM',
      key: 'KEY PEM',
      rejectUnauthorized: false,
      maxPayload: 100 * 1024 * 1024,
      headers: { 'x-app': '1' },
    });
    client.close();
  });

  it('passes no options argument when none is set (a browser WebSocket takes none)', () => {
    const { ws, client } = setup();
    client.connect();
    expect(ws.last().options).toBeUndefined();
    client.close();
  });
});

describe('dead peers', () => {
  it('drops the socket at once (terminate) after a ping timeout, rather than wait for a close handshake', () => {
    const { ws, client } = setup();
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 1000 });
    const terminate = jest.fn();
    Object.assign(socket, { terminate });
    jest.advanceTimersByTime(1000);
    expect(socket.closedWith?.code).toBe(4000);
    expect(terminate).toHaveBeenCalledTimes(1);
    client.close();
  });

  it('closes gracefully, without terminate, on close()', () => {
    const { ws, client } = setup();
    client.connect();
    const socket = ws.last().handshake();
    const terminate = jest.fn();
    Object.assign(socket, { terminate });
    client.close();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client closed' });
    expect(terminate).not.toHaveBeenCalled();
  });
});
