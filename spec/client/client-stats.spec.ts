import { clientStats, type ClientStats } from '../../lib/diagnostics';
import { fakeClient } from '../support/fake-client';

// clientStats(client): samples of the client's counters, on a fake WebSocket in fake time.

const T0 = 1_000_000;

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});

afterEach(() => {
  jest.useRealTimers();
});

/** Subscribes to `clientStats(client, period)` and records every sample. */
function sample(client: ReturnType<typeof fakeClient>['client'], period?: number) {
  const samples: ClientStats[] = [];
  let completed = false;
  const subscription = clientStats(client, period).subscribe({
    next: (s) => samples.push(s),
    complete: () => (completed = true),
  });
  return { samples, subscription, completed: () => completed };
}

const size = (frame: unknown) =>
  typeof frame === 'string' ? frame.length : (frame as ArrayBuffer).byteLength;

describe('clientStats()', () => {
  it('samples at once, without opening the connection: all zero, no round trip yet', () => {
    const { client, ws } = fakeClient();
    const { samples } = sample(client);
    expect(samples).toEqual([
      {
        at: T0,
        state: 'idle',
        framesIn: 0,
        framesOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        reconnects: 0,
        connectedFor: 0,
        timeConnected: 0,
        outbox: 0,
        callsInFlight: 0,
        rtt: undefined,
      },
    ]);
    expect(ws.sockets).toHaveLength(0);
    client.close();
  });

  it('samples every period, each subscriber at its own', () => {
    const { client } = fakeClient();
    const second = sample(client);
    const fast = sample(client, 250);
    jest.advanceTimersByTime(1000);
    expect(second.samples.map((s) => s.at - T0)).toEqual([0, 1000]);
    expect(fast.samples.map((s) => s.at - T0)).toEqual([0, 250, 500, 750, 1000]);
    fast.subscription.unsubscribe();
    jest.advanceTimersByTime(1000);
    expect(fast.samples).toHaveLength(5);
    expect(second.samples).toHaveLength(3);
    client.close();
  });

  it('counts the frames and their sizes both ways, pings and pongs included', () => {
    const { client, ws, open } = fakeClient();
    const { samples } = sample(client, 100);
    const socket = open();
    socket.receive(''); // a protocol 2 ping, answered with ''
    socket.receive({ event: 'news', data: 'x'.repeat(50) });
    client.transmit('typing', { room: 'a' });
    jest.advanceTimersByTime(100);
    const received = [
      JSON.stringify({
        rid: socket.handshakeCid,
        data: { id: 'socket-1', pingTimeout: 30_000, isAuthenticated: false },
      }),
      '',
      JSON.stringify({ event: 'news', data: 'x'.repeat(50) }),
    ];
    expect(samples.at(-1)).toMatchObject({
      state: 'open',
      framesIn: 3,
      bytesIn: received.reduce((sum, f) => sum + size(f), 0),
      framesOut: socket.sent.length, // #handshake, the pong, the transmit
      bytesOut: socket.sent.reduce((sum: number, f) => sum + size(f), 0),
    });
    expect(socket.sent).toHaveLength(3);
    expect(ws.sockets).toHaveLength(1);
    client.close();
  });

  it('estimates the round trip from answered calls, smoothed, and counts the calls waiting', () => {
    const { client, open } = fakeClient();
    const { samples } = sample(client, 10);
    const socket = open();
    const ignore = () => undefined;
    client.invoke('a').subscribe({ error: ignore });
    client.invoke('b').subscribe({ error: ignore });
    const [a, b] = socket.packets.filter((p) => p.event === 'a' || p.event === 'b');
    jest.advanceTimersByTime(10);
    expect(samples.at(-1)).toMatchObject({ callsInFlight: 2, rtt: undefined });
    jest.advanceTimersByTime(30);
    socket.receive({ rid: a!.cid, data: 1 }); // 40 ms
    jest.advanceTimersByTime(40);
    socket.receive({ rid: b!.cid, error: { name: 'No', message: 'no' } }); // 80 ms: an error answer times it too
    jest.advanceTimersByTime(10);
    // 40, then 40 + (80 - 40) / 8.
    expect(samples.at(-1)).toMatchObject({ callsInFlight: 0, rtt: 45 });
    client.close();
  });

  it('leaves calls that waited in the outbox out of the round trip, and counts the outbox', () => {
    const { client, ws } = fakeClient();
    const { samples } = sample(client, 10);
    client.invoke('queued').subscribe();
    client.transmit('also', 1);
    jest.advanceTimersByTime(10);
    expect(samples.at(-1)).toMatchObject({ state: 'connecting', outbox: 2, callsInFlight: 1 });
    jest.advanceTimersByTime(500);
    const socket = ws.last().handshake();
    const call = socket.packets.find((p) => p.event === 'queued')!;
    jest.advanceTimersByTime(20);
    socket.receive({ rid: call.cid, data: 'late' });
    jest.advanceTimersByTime(10);
    expect(samples.at(-1)).toMatchObject({ outbox: 0, callsInFlight: 0, rtt: undefined });
    client.close();
  });

  it('counts reconnects and the time connected, over every connection', () => {
    const { client, ws, open } = fakeClient({ reconnectDelay: () => 100 });
    const { samples } = sample(client, 50);
    open();
    jest.advanceTimersByTime(1000);
    expect(samples.at(-1)).toMatchObject({ reconnects: 0, connectedFor: 1000, timeConnected: 1000 });
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100); // the retry delay
    expect(samples.at(-1)).toMatchObject({
      state: 'connecting',
      reconnects: 0,
      connectedFor: 0,
      timeConnected: 1000,
    });
    ws.last().handshake();
    jest.advanceTimersByTime(500);
    expect(samples.at(-1)).toMatchObject({
      state: 'open',
      reconnects: 1,
      connectedFor: 500,
      timeConnected: 1500,
    });
    client.disconnect();
    jest.advanceTimersByTime(50);
    expect(samples.at(-1)).toMatchObject({ state: 'closed', connectedFor: 0, timeConnected: 1500 });
    client.close();
  });

  it('completes on close(), and at once when subscribed after it', () => {
    const { client } = fakeClient();
    const before = sample(client);
    client.close();
    expect(before.completed()).toBe(true);
    const after = sample(client);
    expect(after.samples).toEqual([]);
    expect(after.completed()).toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses anything but a client made by createClient with a TypeError', () => {
    const { client } = fakeClient();
    const lookalike = { ...client, state$: client.state$ };
    expect(() => clientStats(lookalike as typeof client)).toThrow(TypeError);
    client.close();
  });

  it.each([0, -1, NaN, Infinity])('refuses a period of %p with a RangeError', (period) => {
    const { client } = fakeClient();
    expect(() => clientStats(client, period)).toThrow(RangeError);
    client.close();
  });
});
