import { ClientClosedError, OutboxOverflowError } from '../../lib/errors';
import { createClient } from '../../lib/client/create-client';
import { fakeClient } from '../support/fake-client';
import { fakeWebSocket } from '../support/fake-web-socket';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('createClient()', () => {
  it('validates its options', () => {
    const { WebSocket } = fakeWebSocket();
    expect(() => createClient({ url: '', WebSocket })).toThrow(TypeError);
    expect(() => createClient({ url: 'not a url', WebSocket })).toThrow(TypeError);
    expect(() => createClient({ url: 'ftp://host/', WebSocket })).toThrow(TypeError);
    expect(() => createClient({ url: 'ws://host/', WebSocket, connectTimeout: -1 })).toThrow(RangeError);
    expect(() => createClient({ url: 'ws://host/', WebSocket, protocolVersion: 3 as never })).toThrow(
      RangeError,
    );
    expect(() => createClient({ url: 'ws://host/' })).toThrow(/No WebSocket constructor/);
  });

  it('turns http(s) URLs into ws(s)', () => {
    const { client, ws } = fakeClient({ url: 'https://example.test:8443/socketcluster/' });
    client.connect();
    expect(ws.last().url).toBe('wss://example.test:8443/socketcluster/');
    client.close();
  });
});

describe('members are methods', () => {
  it('live on the prototype, work bound or through an arrow, and throw a TypeError when detached', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const methods = ['invoke', 'transmit', 'receiver', 'procedure', 'channel', 'publish', 'transmitPublish'];
    for (const name of [...methods, 'channelState$', 'channelState', 'authenticate', 'connect', 'close'])
      expect(Object.hasOwn(client, name)).toBe(false);

    const bound = client.transmit.bind(client);
    bound('a', 1);
    const names: string[] = [];
    ['news'].forEach((name) => client.channelState$(name).subscribe((state) => names.push(state)));
    expect(socket.packets.slice(1)).toEqual([{ event: 'a', data: 1 }]);
    expect(names).toEqual(['unsubscribed']);

    // What `@typescript-eslint/unbound-method` reports in user code.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- the detached use under test
    const { invoke, channelState$ } = client;
    expect(() => invoke('sum', 1)).toThrow(TypeError);
    expect(() => ['news'].map(channelState$)).toThrow(TypeError);
    client.close();
  });
});

describe('transmit()', () => {
  it('sends at once when open', () => {
    const { client, open } = fakeClient();
    const socket = open();
    client.transmit('typing', { room: 'a' });
    client.transmit('ping');
    expect(socket.packets.slice(1)).toEqual([{ event: 'typing', data: { room: 'a' } }, { event: 'ping' }]);
    client.close();
  });

  it('queues frames while connecting and flushes them in order after the handshake', () => {
    const { client, ws } = fakeClient();
    client.transmit('a', 1);
    client.invoke('b', 2).subscribe();
    client.transmit('c', 3);
    const socket = ws.last();
    socket.open();
    expect(socket.packets).toHaveLength(1);
    socket.handshake();
    expect(socket.packets.slice(1).map((p) => p.event)).toEqual(['a', 'b', 'c']);
    client.close();
  });

  it('keeps queued frames through a lost connection and sends them after the next handshake', () => {
    const { client, ws } = fakeClient({ reconnectDelay: () => 10 });
    client.transmit('a', 1);
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(10);
    const socket = ws.last().handshake();
    expect(socket.packets.slice(1)).toEqual([{ event: 'a', data: 1 }]);
    client.close();
  });

  it('still opens the connection when the outbox refuses a frame', () => {
    const { client, ws, errors } = fakeClient({ outboxLimit: 0 });
    client.transmit('a');
    expect(errors).toEqual([new OutboxOverflowError('a', 0)]);
    expect(ws.sockets).toHaveLength(1);
    client.close();
  });

  it('reports overflow on errors$ instead of throwing', () => {
    const { client, errors } = fakeClient({ outboxLimit: 2 });
    client.transmit('a');
    client.transmit('b');
    expect(() => client.transmit('c')).not.toThrow();
    expect(errors).toEqual([new OutboxOverflowError('c', 2)]);
    client.close();
  });

  it('throws TypeError at call time for an empty event name or data that cannot be encoded', () => {
    const { client } = fakeClient();
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => client.transmit('')).toThrow(TypeError);
    expect(() => client.transmit('x', cyclic)).toThrow(TypeError);
    client.close();
  });
});

describe('close()', () => {
  it('completes every stream, fails pending calls, and leaves no timer', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const done: string[] = [];
    client.state$.subscribe({ complete: () => done.push('state$') });
    client.errors$.subscribe({ complete: () => done.push('errors$') });
    client.receiver('e').subscribe({ complete: () => done.push('receiver') });
    client.procedure('p').subscribe({ complete: () => done.push('procedure') });
    let callError: unknown;
    client.invoke('x').subscribe({ error: (e) => (callError = e) });
    client.close();
    expect(done.sort()).toEqual(['errors$', 'procedure', 'receiver', 'state$']);
    expect(callError).toBeInstanceOf(ClientClosedError);
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client closed' });
    expect(jest.getTimerCount()).toBe(0);
    client.close(); // idempotent
  });

  it('fails every later call with ClientClosedError', () => {
    const { client } = fakeClient();
    client.close();
    const errors: unknown[] = [];
    client.invoke('x').subscribe({ error: (e) => errors.push(e) });
    client.receiver('e').subscribe({ error: (e) => errors.push(e) });
    client.procedure('p').subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([new ClientClosedError(), new ClientClosedError(), new ClientClosedError()]);
    expect(() => client.transmit('x')).toThrow(ClientClosedError);
    expect(() => client.connect()).toThrow(ClientClosedError);
    expect(client.state.state).toBe('closed');
  });

  it('fails Observables made before close() and subscribed after it, opening nothing', () => {
    const { client, ws } = fakeClient();
    const events$ = client.receiver('e');
    const requests$ = client.procedure('p');
    const call$ = client.invoke('x');
    client.close();
    const errors: unknown[] = [];
    for (const stream$ of [events$, requests$, call$]) stream$.subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([new ClientClosedError(), new ClientClosedError(), new ClientClosedError()]);
    expect(ws.sockets).toHaveLength(0);
    expect(client.state).toEqual({ state: 'closed', attempt: 0, code: 1000, reason: 'Client closed' });
  });
});
