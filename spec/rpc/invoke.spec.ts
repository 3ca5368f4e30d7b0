import { firstValueFrom, retry } from 'rxjs';
import {
  AckTimeoutError,
  CallNotSentError,
  ConnectionError,
  OutboxOverflowError,
  RemoteError,
} from '../../lib/errors';
import { fakeClient } from '../support/fake-client';
import { HIDDEN_CAUSE } from '../support/fake-web-socket';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('invoke()', () => {
  it('sends one request per subscription and emits the response, then completes', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const call$ = client.invoke('sum', { a: 1, b: 2 });
    expect(socket.packets).toHaveLength(1); // cold: nothing sent yet
    const values: unknown[] = [];
    let completed = false;
    call$.subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
    call$.subscribe();
    const calls = socket.packets.filter((p) => p.event === 'sum');
    expect(calls).toEqual([
      { event: 'sum', data: { a: 1, b: 2 }, cid: expect.any(Number) },
      { event: 'sum', data: { a: 1, b: 2 }, cid: expect.any(Number) },
    ]);
    expect(calls[0]!.cid).not.toBe(calls[1]!.cid);
    socket.receive({ rid: calls[0]!.cid, data: 3 });
    expect(values).toEqual([3]);
    expect(completed).toBe(true);
    client.close();
  });

  it('rebuilds a remote error with its name, message and extra fields', async () => {
    const { client, open } = fakeClient();
    const socket = open();
    const answer = firstValueFrom(client.invoke('sum', {}));
    const { cid } = socket.packets.at(-1)!;
    socket.receive({ rid: cid, error: { message: 'a and b must be numbers', name: 'BadArgs', field: 'a' } });
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      code: 'REMOTE_ERROR',
      remoteName: 'BadArgs',
      message: 'a and b must be numbers',
      details: { field: 'a' },
    });
    client.close();
  });

  it('treats error: null as success (binary codecs send it on every response)', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const values: unknown[] = [];
    client.invoke('x').subscribe((v) => values.push(v));
    socket.receive({ rid: socket.packets.at(-1)!.cid, error: null, data: 'ok' });
    expect(values).toEqual(['ok']);
    client.close();
  });

  it('fails with AckTimeoutError after the default timeout, or a per-call one', () => {
    const { client, open } = fakeClient({ ackTimeout: 5000 });
    open();
    const errors: unknown[] = [];
    client.invoke('a').subscribe({ error: (e) => errors.push(e) });
    client.invoke('b', null, { timeout: 1000 }).subscribe({ error: (e) => errors.push(e) });
    jest.advanceTimersByTime(999);
    expect(errors).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(errors).toEqual([new AckTimeoutError('b', 1000)]);
    jest.advanceTimersByTime(4000);
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatchObject({ code: 'ACK_TIMEOUT', event: 'a', timeout: 5000 });
    client.close();
  });

  it('uses one timer for any number of pending calls', () => {
    const { client, open } = fakeClient();
    open();
    const before = jest.getTimerCount();
    for (let i = 0; i < 50; i++) client.invoke('x', i).subscribe({ error: () => undefined });
    expect(jest.getTimerCount()).toBe(before + 1);
    client.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops the pending call when unsubscribed before the answer, and ignores the late answer', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    const values: unknown[] = [];
    const subscription = client.invoke('x').subscribe((v) => values.push(v));
    const { cid } = socket.packets.at(-1)!;
    subscription.unsubscribe();
    socket.receive({ rid: cid, data: 'late' });
    expect(values).toEqual([]);
    expect(errors).toEqual([]);
    client.close();
  });

  it('reports a response to a call id it never issued', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    socket.receive({ rid: 999, data: 'what?' });
    socket.receive({ rid: 0, data: 'what?' });
    expect(errors).toMatchObject([
      { code: 'PROTOCOL_ERROR', kind: 'unknown-rid' },
      { code: 'PROTOCOL_ERROR', kind: 'unknown-rid' },
    ]);
    expect(client.state.state).toBe('open');
    client.close();
  });

  it('waits for the handshake when called while connecting, and is sent after it', () => {
    const { client, ws } = fakeClient();
    const values: unknown[] = [];
    client.invoke('early', 1).subscribe((v) => values.push(v));
    const socket = ws.last();
    socket.open();
    expect(socket.packets.map((p) => p.event)).toEqual(['#handshake']);
    socket.handshake();
    const call = socket.packets[1]!;
    expect(call).toMatchObject({ event: 'early', data: 1 });
    socket.receive({ rid: call.cid, data: 'done' });
    expect(values).toEqual(['done']);
    client.close();
  });

  it('keeps a queued call through a failed attempt; it fails as not sent if no connection comes in time', () => {
    const { client, ws } = fakeClient({ reconnectDelay: () => 100 });
    const errors: unknown[] = [];
    client.invoke('x', null, { timeout: 3000 }).subscribe({ error: (e) => errors.push(e) });
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100);
    expect(errors).toEqual([]);
    jest.advanceTimersByTime(2900);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CallNotSentError);
    expect(errors[0]).toMatchObject({
      code: 'CALL_NOT_SENT',
      event: 'x',
      timeout: 3000,
      attempts: 2,
      lastFailure: `1006 ${HIDDEN_CAUSE}`,
      // The message quotes a long failure clipped.
      message: expect.stringMatching(
        /^'x' was not sent: no connection within 3000 ms \(2 attempts; last failure: 1006 Socket hung up before it opened;/,
      ),
    });
    ws.last().handshake();
    expect(ws.last().packets.map((p) => p.event)).toEqual(['#handshake']); // the timed-out call is not sent
    client.close();
  });

  it('fails calls in flight with ConnectionError when the connection drops, never hangs', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const errors: unknown[] = [];
    client.invoke('x').subscribe({ error: (e) => errors.push(e) });
    socket.serverClose(1006, 'Socket hung up');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConnectionError);
    expect(errors[0]).toMatchObject({ closeCode: 1006, reason: 'Socket hung up', phase: 'disconnect' });
    client.close();
  });

  it('re-sends under a new call id when retried', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const values: unknown[] = [];
    client
      .invoke('flaky', 'data')
      .pipe(retry(1))
      .subscribe((v) => values.push(v));
    const first = socket.packets.at(-1)!;
    socket.receive({ rid: first.cid, error: { name: 'Busy', message: 'try again' } });
    const second = socket.packets.at(-1)!;
    expect(second).toEqual({ event: 'flaky', data: 'data', cid: expect.any(Number) });
    expect(second.cid).not.toBe(first.cid);
    socket.receive({ rid: second.cid, data: 'ok' });
    expect(values).toEqual(['ok']);
    client.close();
  });

  it('errors with OutboxOverflowError when the outbox is full', () => {
    const { client } = fakeClient({ outboxLimit: 1 });
    const errors: unknown[] = [];
    client.invoke('a').subscribe({ error: (e) => errors.push(e) });
    client.invoke('b').subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([new OutboxOverflowError('b', 1)]);
    client.close();
  });

  it('throws TypeError at call time for an empty event name or data the codec cannot encode', () => {
    const { client } = fakeClient();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => client.invoke('')).toThrow(TypeError);
    expect(() => client.invoke('x', cyclic)).toThrow(TypeError);
    expect(() => client.invoke('x', { n: 1n })).toThrow(TypeError);
    expect(() => client.invoke('x', null, { timeout: -1 })).toThrow(RangeError);
    client.close();
  });
});
