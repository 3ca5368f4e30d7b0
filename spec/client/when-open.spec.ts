import type { OpenState } from '../../lib';
import { ClientClosedError, ConnectionError, HandshakeError } from '../../lib/errors';
import { fakeClient } from '../support/fake-client';

// whenOpen(): waiting for an open connection, on a fake WebSocket in fake time.

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

/** Subscribes to `whenOpen()` and records what it says. */
function wait(client: ReturnType<typeof fakeClient>['client']) {
  const got: { values: OpenState[]; error?: unknown; completed: boolean } = { values: [], completed: false };
  const subscription = client.whenOpen().subscribe({
    next: (state) => got.values.push(state),
    error: (error: unknown) => (got.error = error),
    complete: () => (got.completed = true),
  });
  return { got, subscription };
}

describe('whenOpen()', () => {
  it('starts an idle client, emits the open state once and completes', () => {
    const { client, ws } = fakeClient();
    expect(client.state.state).toBe('idle');
    const { got } = wait(client);
    expect(ws.sockets).toHaveLength(1);
    expect(got.values).toEqual([]);
    ws.last().handshake({ id: 'abc' });
    expect(got.values).toEqual([client.state]);
    expect(got.values[0]).toMatchObject({ state: 'open', id: 'abc' });
    expect(got.completed).toBe(true);
    client.close();
  });

  it('emits at once when the connection is open', () => {
    const { client, open } = fakeClient();
    open();
    const { got } = wait(client);
    expect(got.values).toHaveLength(1);
    expect(got.completed).toBe(true);
    client.close();
  });

  it('waits through failed attempts while the client retries', () => {
    const { client, ws } = fakeClient({ reconnectDelay: () => 100 });
    const { got } = wait(client);
    ws.last().serverClose(1006);
    expect(got).toEqual({ values: [], completed: false });
    jest.advanceTimersByTime(100);
    ws.last().handshake();
    expect(got.values).toHaveLength(1);
    expect(got.completed).toBe(true);
    client.close();
  });

  it('errors with the failure the client gave up on', () => {
    const { client, ws } = fakeClient({ maxAttempts: 1, reconnectDelay: () => 100 });
    const { got } = wait(client);
    ws.last().serverClose(1006);
    jest.advanceTimersByTime(100);
    ws.last().serverClose(1006);
    expect(got.error).toBeInstanceOf(ConnectionError);
    expect(got.error).toMatchObject({ closeCode: 1006, phase: 'connectAbort' });
    expect(got.values).toEqual([]);
    client.close();
  });

  it('errors with the HandshakeError of a refusal that stops the client', () => {
    const { client, ws } = fakeClient();
    const { got } = wait(client);
    const socket = ws.last();
    socket.open();
    socket.receive({ rid: socket.handshakeCid, error: { name: 'Banned', message: 'go', statusCode: 4501 } });
    expect(got.error).toBeInstanceOf(HandshakeError);
    expect(got.error).toMatchObject({ statusCode: 4501 });
    client.close();
  });

  it('starts a client that had stopped, rather than report its old failure', () => {
    const { client, ws } = fakeClient({ reconnect: false });
    client.connect();
    ws.last().serverClose(1006);
    expect(client.state).toMatchObject({ state: 'closed', code: 1006 });
    const { got } = wait(client);
    expect(ws.sockets).toHaveLength(2);
    ws.last().handshake();
    expect(got.values).toHaveLength(1);
    client.close();
  });

  it('errors with a ConnectionError of your code after disconnect(), and ClientClosedError on close()', () => {
    const { client } = fakeClient();
    const first = wait(client);
    client.disconnect(4100, 'not now');
    expect(first.got.error).toBeInstanceOf(ConnectionError);
    expect(first.got.error).toMatchObject({ closeCode: 4100, reason: 'not now' });
    const second = wait(client);
    client.close();
    expect(second.got.error).toBeInstanceOf(ClientClosedError);
    const third = wait(client);
    expect(third.got.error).toBeInstanceOf(ClientClosedError);
  });

  it('leaves the connection up when the waiter leaves', () => {
    const { client, ws } = fakeClient();
    const { subscription } = wait(client);
    subscription.unsubscribe();
    ws.last().handshake();
    expect(client.state.state).toBe('open');
    client.close();
  });
});
