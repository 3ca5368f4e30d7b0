import type { ChannelStateChange } from '../../lib';
import { ChannelKickOutError, ChannelSubscribeError, ProtocolError } from '../../lib/errors';
import { memoryTokenStore } from '../../lib/auth/token-store';
import { fakeClient } from '../support/fake-client';
import { FAKE_TOKEN_KEY, fakeJwt } from '../support/jwt';
import type { FakeWebSocket } from '../support/fake-web-socket';

// Channels through the public API, on a fake WebSocket and jest's fake clock.

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

const subscribes = (socket: FakeWebSocket) => socket.packets.filter((p) => p.event === '#subscribe');
const unsubscribes = (socket: FakeWebSocket) => socket.packets.filter((p) => p.event === '#unsubscribe');
const ack = (socket: FakeWebSocket, packet: Record<string, unknown>) => socket.receive({ rid: packet.cid });

describe('channel()', () => {
  it('sends one #subscribe for many subscribers and one #unsubscribe when the last leaves', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const c: unknown[] = [];
    const subA = client.channel('news').subscribe((m) => a.push(m));
    const subB = client.channel('news').subscribe((m) => b.push(m));
    expect(subscribes(socket)).toEqual([
      { event: '#subscribe', data: { channel: 'news' }, cid: expect.any(Number) },
    ]);
    ack(socket, subscribes(socket)[0]!);
    expect(client.channelState('news')).toBe('subscribed');
    socket.receive({ event: '#publish', data: { channel: 'news', data: 1 } });
    const subC = client.channel('news').subscribe((m) => c.push(m)); // no replay for a late subscriber
    socket.receive({ event: '#publish', data: { channel: 'news', data: 2 } });
    expect([a, b, c]).toEqual([[1, 2], [1, 2], [2]]);
    subA.unsubscribe();
    subB.unsubscribe();
    expect(unsubscribes(socket)).toEqual([]);
    subC.unsubscribe();
    expect(unsubscribes(socket)).toEqual([{ event: '#unsubscribe', data: 'news', cid: expect.any(Number) }]);
    expect(subscribes(socket)).toHaveLength(1);
    expect(client.channelState('news')).toBe('unsubscribed');
    client.close();
  });

  it('sends the data and waitForAuth options with #subscribe, never the priority', () => {
    const { client, open } = fakeClient();
    const socket = open();
    client.channel('a', { data: { since: 5 }, priority: 3 }).subscribe();
    expect(subscribes(socket)[0]!.data).toEqual({ channel: 'a', data: { since: 5 } });
    client.close();
  });

  it('opens the connection, and subscribes right after the handshake, before the outbox is flushed', () => {
    const { client, ws } = fakeClient();
    client.transmit('queued', 1);
    client.channel('news').subscribe();
    expect(ws.sockets).toHaveLength(1);
    const socket = ws.last().handshake();
    expect(socket.packets.map((p) => p.event)).toEqual(['#handshake', '#subscribe', 'queued']);
    client.close();
  });

  it('keeps channels pending across a disconnect without erroring them, and re-subscribes by priority', () => {
    const { client, open, ws } = fakeClient({ reconnectDelay: () => 10 });
    const socket = open();
    const events: string[] = [];
    for (const [name, priority] of [
      ['low', 0],
      ['high', 5],
      ['mid', 2],
    ] as const) {
      client.channel(name, { priority }).subscribe({
        error: () => events.push(`${name} error`),
        complete: () => events.push(`${name} complete`),
      });
    }
    for (const packet of subscribes(socket)) ack(socket, packet);
    expect(client.channels()).toEqual([
      { name: 'low', state: 'subscribed' },
      { name: 'high', state: 'subscribed' },
      { name: 'mid', state: 'subscribed' },
    ]);
    socket.serverClose(1006);
    expect(client.channels().map((c) => c.state)).toEqual(['pending', 'pending', 'pending']);
    jest.advanceTimersByTime(10);
    const next = ws.last().handshake();
    expect(subscribes(next).map((p) => (p.data as { channel: string }).channel)).toEqual([
      'high',
      'mid',
      'low',
    ]);
    for (const packet of subscribes(next)) ack(next, packet);
    expect(client.channels().map((c) => c.state)).toEqual(['subscribed', 'subscribed', 'subscribed']);
    expect(events).toEqual([]);
    client.close();
  });

  it('subscribes a waitForAuth channel only on an authenticated connection', () => {
    const store = memoryTokenStore();
    const { client, ws } = fakeClient({ reconnectDelay: () => 10, tokenStore: store });
    client.channel('private', { waitForAuth: true }).subscribe();
    const first = ws.last().handshake({ isAuthenticated: false });
    expect(subscribes(first)).toEqual([]);
    expect(client.channelState('private')).toBe('pending');
    first.serverClose(1006);
    void store.save(FAKE_TOKEN_KEY, fakeJwt({ sub: 'ann' }));
    jest.advanceTimersByTime(10);
    const second = ws.last().handshake({ isAuthenticated: true });
    expect(subscribes(second)[0]!.data).toEqual({ channel: 'private', waitForAuth: true });
    client.close();
  });

  it('errors only the refused channel with ChannelSubscribeError, and does not retry it', () => {
    const { client, open, ws } = fakeClient({ reconnectDelay: () => 10 });
    const socket = open();
    let refused: unknown;
    const other: unknown[] = [];
    client.channel('admin').subscribe({ error: (e) => (refused = e) });
    client.channel('public').subscribe((m) => other.push(m));
    const [admin, pub] = subscribes(socket);
    socket.receive({ rid: admin!.cid, error: { name: 'Forbidden', message: 'admins only' } });
    ack(socket, pub!);
    expect(refused).toBeInstanceOf(ChannelSubscribeError);
    expect(refused).toMatchObject({
      channel: 'admin',
      remote: { remoteName: 'Forbidden', message: 'admins only' },
    });
    expect(client.channelState('admin')).toBe('unsubscribed');
    socket.receive({ event: '#publish', data: { channel: 'public', data: 'still here' } });
    expect(other).toEqual(['still here']);
    socket.serverClose(1006);
    jest.advanceTimersByTime(10);
    const next = ws.last().handshake();
    expect(subscribes(next).map((p) => (p.data as { channel: string }).channel)).toEqual(['public']);
    client.close();
  });

  it('errors the channel with ChannelKickOutError on #kickOut and forgets it', () => {
    const { client, open } = fakeClient();
    const socket = open();
    let kicked: unknown;
    client.channel('room').subscribe({ error: (e) => (kicked = e) });
    ack(socket, subscribes(socket)[0]!);
    socket.receive({ event: '#kickOut', data: { channel: 'room', message: 'behave' } });
    expect(kicked).toEqual(new ChannelKickOutError('room', 'behave'));
    expect(client.channelState('room')).toBe('unsubscribed');
    expect(unsubscribes(socket)).toEqual([]); // the server already dropped it
    client.close();
  });

  describe('leaving while the #subscribe is in flight', () => {
    it('sends #unsubscribe once the subscribe is acknowledged', () => {
      const { client, open } = fakeClient();
      const socket = open();
      client.channel('x').subscribe().unsubscribe();
      expect(unsubscribes(socket)).toEqual([]);
      ack(socket, subscribes(socket)[0]!);
      expect(unsubscribes(socket)).toEqual([{ event: '#unsubscribe', data: 'x', cid: expect.any(Number) }]);
      client.close();
    });

    it('sends nothing when the subscribe is refused', () => {
      const { client, open, errors } = fakeClient();
      const socket = open();
      client.channel('x').subscribe().unsubscribe();
      socket.receive({ rid: subscribes(socket)[0]!.cid, error: { name: 'No', message: 'no' } });
      expect(unsubscribes(socket)).toEqual([]);
      expect(errors).toEqual([]);
      client.close();
    });

    it('keeps the subscription when the channel was joined again meanwhile', () => {
      const { client, open } = fakeClient();
      const socket = open();
      client.channel('x').subscribe().unsubscribe();
      const again: unknown[] = [];
      client.channel('x').subscribe((m) => again.push(m));
      const [first, second] = subscribes(socket);
      ack(socket, first!);
      ack(socket, second!);
      expect(unsubscribes(socket)).toEqual([]);
      expect(client.channelState('x')).toBe('subscribed');
      socket.receive({ event: '#publish', data: { channel: 'x', data: 'hi' } });
      expect(again).toEqual(['hi']);
      client.close();
    });
  });

  it('lingers after the last subscriber leaves, so that a quick return causes no churn', () => {
    const { client, open } = fakeClient();
    const socket = open();
    client.channel('feed', { linger: 1000 }).subscribe().unsubscribe();
    ack(socket, subscribes(socket)[0]!);
    jest.advanceTimersByTime(500);
    client.channel('feed').subscribe().unsubscribe();
    jest.advanceTimersByTime(999);
    expect(subscribes(socket)).toHaveLength(1);
    expect(unsubscribes(socket)).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(unsubscribes(socket)).toEqual([{ event: '#unsubscribe', data: 'feed', cid: expect.any(Number) }]);
    client.close();
  });

  it('drops messages still in flight for a released channel quietly until the server answers #unsubscribe', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    const subscription = client.channel('news').subscribe();
    ack(socket, subscribes(socket)[0]!);
    subscription.unsubscribe();
    socket.receive({ event: '#publish', data: { channel: 'news', data: 'late' } });
    expect(errors).toEqual([]);
    socket.receive({ rid: unsubscribes(socket)[0]!.cid });
    socket.receive({ event: '#publish', data: { channel: 'news', data: 'stray' } });
    expect(errors).toMatchObject([{ code: 'PROTOCOL_ERROR', kind: 'unknown-channel' }]);
    client.close();
  });

  it('opens the connection for every new subscriber, not only the first', () => {
    const { client, open, ws } = fakeClient();
    open();
    client.channel('news').subscribe();
    client.disconnect();
    client.channel('news').subscribe();
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it('throws RangeError for a linger outside 0 to 2^31 - 1 ms', () => {
    const { client } = fakeClient();
    expect(() => client.channel('a', { linger: Infinity })).toThrow(RangeError);
    expect(() => client.channel('a', { linger: -1 })).toThrow(RangeError);
    expect(() => client.channel('a', { linger: Number.NaN })).toThrow(RangeError);
    expect(() => client.channelState('')).toThrow(TypeError);
    client.close();
  });

  it('reports a #publish for a channel it does not hold, and delivers it nowhere', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    const seen: unknown[] = [];
    client.channel('mine').subscribe((m) => seen.push(m));
    socket.receive({ event: '#publish', data: { channel: 'theirs', data: 1 } });
    socket.receive({ event: '#publish', data: { data: 1 } });
    expect(seen).toEqual([]);
    expect(errors).toEqual([
      new ProtocolError('unknown-channel', "Received #publish for 'theirs', a channel not held"),
      new ProtocolError('malformed-packet', 'Received #publish without a channel name'),
    ]);
    client.close();
  });

  it('delivers a message that arrives while the channel is still pending', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const seen: unknown[] = [];
    client.channel('x').subscribe((m) => seen.push(m));
    socket.receive({ event: '#publish', data: { channel: 'x', data: 'early' } });
    expect(seen).toEqual(['early']);
    client.close();
  });

  it('throws TypeError for an empty or non-string channel name', () => {
    const { client } = fakeClient();
    expect(() => client.channel('')).toThrow(TypeError);
    expect(() => client.channel(42 as unknown as string)).toThrow(TypeError);
    expect(() => client.publish('', 1)).toThrow(TypeError);
    expect(() => client.transmitPublish('', 1)).toThrow(TypeError);
    client.close();
  });

  it('completes channel streams on close()', () => {
    const { client, open } = fakeClient();
    open();
    let completed = false;
    client.channel('x').subscribe({ complete: () => (completed = true) });
    client.close();
    expect(completed).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('channel state', () => {
  it('streams the legal sequence pending -> subscribed -> pending -> subscribed -> unsubscribed', () => {
    const { client, open, ws } = fakeClient({ reconnectDelay: () => 10 });
    const socket = open();
    const states: string[] = [];
    const changes: ChannelStateChange[] = [];
    client.channelState$('x').subscribe((s) => states.push(s));
    client.channelChanges$.subscribe((c) => changes.push(c));
    const subscription = client.channel('x').subscribe();
    ack(socket, subscribes(socket)[0]!);
    socket.serverClose(1006);
    jest.advanceTimersByTime(10);
    const next = ws.last().handshake();
    ack(next, subscribes(next)[0]!);
    subscription.unsubscribe();
    expect(states).toEqual([
      'unsubscribed',
      'pending',
      'subscribed',
      'pending',
      'subscribed',
      'unsubscribed',
    ]);
    expect(changes[0]).toEqual({ channel: 'x', state: 'pending', previous: 'unsubscribed' });
    expect(changes).toHaveLength(5);
    client.close();
  });
});

describe('publish()', () => {
  it('sends a #publish invoke and completes on the ack, after emitting once', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const log: string[] = [];
    client
      .publish('news', { text: 'hi' })
      .subscribe({ next: () => log.push('ack'), complete: () => log.push('done') });
    const packet = socket.packets.at(-1)!;
    expect(packet).toEqual({
      event: '#publish',
      data: { channel: 'news', data: { text: 'hi' } },
      cid: expect.any(Number),
    });
    socket.receive({ rid: packet.cid });
    expect(log).toEqual(['ack', 'done']);
    client.close();
  });

  it('errors with RemoteError when the server refuses it', () => {
    const { client, open } = fakeClient();
    const socket = open();
    let error: unknown;
    client.publish('news', 1).subscribe({ error: (e) => (error = e) });
    socket.receive({
      rid: socket.packets.at(-1)!.cid,
      error: { name: 'InvalidActionError', message: 'Client publish feature is disabled' },
    });
    expect(error).toMatchObject({ code: 'REMOTE_ERROR', remoteName: 'InvalidActionError' });
    client.close();
  });

  it('transmitPublish sends the transmit form', () => {
    const { client, open } = fakeClient();
    const socket = open();
    client.transmitPublish('news', 2);
    expect(socket.packets.at(-1)).toEqual({ event: '#publish', data: { channel: 'news', data: 2 } });
    client.close();
  });
});
