import {
  ConnectionError,
  OutboxExpiredError,
  OutboxOverflowError,
  type AckTimeoutError,
} from '../../lib/errors';
import type { ScClientError } from '../../lib/errors';
import { forkJoin } from 'rxjs';
import { fakeClient } from '../support/fake-client';

// The outbox's delivery policy through the public API: age limit, re-sent invokes, order after a reconnect.

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
});

/** Records what a call does. */
function watch(source: { subscribe(observer: object): unknown }) {
  const seen: { values: unknown[]; error?: ScClientError } = { values: [] };
  source.subscribe({
    next: (v: unknown) => seen.values.push(v),
    error: (e: ScClientError) => (seen.error = e),
  });
  return seen;
}

describe('outbox age limit', () => {
  it('drops a transmit that waited longer than outboxMaxAge and reports it on errors$', () => {
    const { client, ws, errors } = fakeClient({ outboxMaxAge: 5000 });
    client.transmit('old', 1);
    jest.advanceTimersByTime(4999);
    expect(errors).toEqual([]);
    client.transmit('new', 2);
    jest.advanceTimersByTime(1);
    expect(errors).toEqual([new OutboxExpiredError('old', 5000)]);
    expect(errors[0]).toMatchObject({ code: 'OUTBOX_EXPIRED', event: 'old', maxAge: 5000 });
    const socket = ws.last().handshake();
    expect(socket.packets.slice(1)).toEqual([{ event: 'new', data: 2 }]);
    client.close();
  });

  it('fails an invoke that waited too long with OutboxExpiredError, before its own timeout', () => {
    const { client, ws, errors } = fakeClient({ outboxMaxAge: 1000, ackTimeout: 10_000 });
    const call = watch(client.invoke('sum', 1));
    jest.advanceTimersByTime(1000);
    expect(call.error).toEqual(new OutboxExpiredError('sum', 1000));
    expect(errors).toEqual([]); // on the call, not on errors$
    ws.last().handshake();
    expect(ws.last().packets.slice(1)).toEqual([]);
    client.close();
  });

  it('keeps frames until sent with outboxMaxAge: Infinity, and holds no timer while nothing waits', () => {
    const { client, ws, errors } = fakeClient({ outboxMaxAge: Infinity });
    client.transmit('a');
    expect(jest.getTimerCount()).toBe(1); // the connect timeout only
    jest.advanceTimersByTime(9000);
    ws.last().handshake();
    expect(ws.last().packets.slice(1)).toEqual([{ event: 'a' }]);
    expect(errors).toEqual([]);
    client.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops the age timer once the outbox is flushed', () => {
    const { client, ws } = fakeClient({ outboxMaxAge: 5000, pingTimeoutDisabled: true });
    client.transmit('a');
    ws.last().handshake();
    expect(jest.getTimerCount()).toBe(0);
    client.close();
  });

  it('rejects an invalid outboxMaxAge', () => {
    expect(() => fakeClient({ outboxMaxAge: -1 })).toThrow(RangeError);
    expect(() => fakeClient({ outboxMaxAge: Number.NaN })).toThrow(RangeError);
  });
});

describe('calls in flight when the connection drops', () => {
  it('fails a sent invoke with a ConnectionError by default', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const call = watch(client.invoke('charge', 5));
    socket.serverClose(1006);
    expect(call.error).toBeInstanceOf(ConnectionError);
    expect((call.error as ConnectionError).closeCode).toBe(1006);
    client.close();
  });

  it('re-sends an invoke with resend: true after the next handshake, and delivers its answer', () => {
    const { client, ws, open } = fakeClient({ reconnectDelay: () => 100 });
    const first = open();
    const call = watch(client.invoke('get', 'k', { resend: true }));
    const [packet] = first.packets.slice(1);
    first.serverClose(1006);
    expect(call.error).toBeUndefined();
    jest.advanceTimersByTime(100);
    const second = ws.last().handshake();
    expect(second.packets.slice(1)).toEqual([packet]); // the same frame, the same cid
    second.receive({ rid: (packet as { cid: number }).cid, data: 'v' });
    expect(call.values).toEqual(['v']);
    client.close();
  });

  it('still times out a re-sent invoke within its timeout, counted from subscription', () => {
    const { client, open } = fakeClient({ reconnectDelay: () => 100_000 });
    const socket = open();
    const call = watch(client.invoke('get', 'k', { resend: true, timeout: 3000 }));
    socket.serverClose(1006);
    jest.advanceTimersByTime(3000);
    expect(call.error).toMatchObject({ code: 'ACK_TIMEOUT' } satisfies Partial<AckTimeoutError>);
    client.close();
  });

  it('puts re-sent invokes ahead of the outbox, after the channels are subscribed again', () => {
    const { client, ws, open } = fakeClient({ reconnectDelay: () => 100 });
    const first = open();
    client.channel('news').subscribe();
    const subscribeCid = (first.packets.find((p) => p.event === '#subscribe') as { cid: number }).cid;
    first.receive({ rid: subscribeCid });
    watch(client.invoke('one', 1, { resend: true }));
    watch(client.invoke('two', 2, { resend: true }));
    first.serverClose(1006);
    client.transmit('queued', 3);
    jest.advanceTimersByTime(100);
    const second = ws.last().handshake();
    expect(second.packets.slice(1).map((p) => p.event)).toEqual(['#subscribe', 'one', 'two', 'queued']);
    client.close();
  });

  it('does not re-send a call that a sibling failure cancelled (forkJoin)', () => {
    const { client, ws, open } = fakeClient({ reconnectDelay: () => 100 });
    const first = open();
    const joined = watch(forkJoin([client.invoke('plain', 1), client.invoke('again', 2, { resend: true })]));
    first.serverClose(1006);
    expect(joined.error).toBeInstanceOf(ConnectionError);
    jest.advanceTimersByTime(100);
    const second = ws.last().handshake();
    expect(second.packets.slice(1)).toEqual([]);
    client.close();
  });

  it('fails a re-sendable invoke with OutboxOverflowError when the outbox has no room for it', () => {
    const { client, open } = fakeClient({ outboxLimit: 1 });
    const socket = open();
    const a = watch(client.invoke('a', 1, { resend: true }));
    const b = watch(client.invoke('b', 2, { resend: true }));
    socket.serverClose(1006);
    expect(a.error).toBeUndefined();
    expect(b.error).toEqual(new OutboxOverflowError('b', 1));
    client.close();
  });
});
