import { fakeClient } from '../support/fake-client';
import { microtasks } from '../support/wait';

// Write batching through the public API: frames written in one task leave as one batch frame.

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('batchWrites', () => {
  it('sends the first frame of a task at once and the rest of the burst as one batch frame, in order', async () => {
    const { client, open } = fakeClient({ batchWrites: true });
    const socket = open();
    await microtasks();
    const before = socket.sent.length;
    client.transmit('a', 1);
    expect(socket.sent).toHaveLength(before + 1); // a lone call waits for nothing
    client.invoke('b', 2).subscribe();
    client.transmitPublish('c', 3);
    client.transmit('d', 4);
    expect(socket.sent).toHaveLength(before + 1); // the rest of the burst leaves from a microtask
    await microtasks();
    expect(socket.sent).toHaveLength(before + 2);
    expect(JSON.parse(socket.sent[before] as string)).toEqual({ event: 'a', data: 1 });
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual([
      { event: 'b', data: 2, cid: expect.any(Number) },
      { event: '#publish', data: { channel: 'c', data: 3 } },
      { event: 'd', data: 4 },
    ]);
    client.transmit('e', 5); // a new task: at once again
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual({ event: 'e', data: 5 });
    client.close();
  });

  it('sends a lone frame as it is, and never batches the handshake or a pong', () => {
    const { client, ws } = fakeClient({ batchWrites: true });
    client.transmit('queued', 1);
    client.connect();
    const socket = ws.last();
    socket.open();
    expect(JSON.parse(socket.sent[0] as string)).toMatchObject({ event: '#handshake' });
    socket.handshake();
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual({ event: 'queued', data: 1 });
    socket.receive('');
    expect(socket.sent.at(-1)).toBe('');
    client.close();
  });

  it('flushes what was written before a disconnect()', async () => {
    const { client, open } = fakeClient({ batchWrites: true });
    const socket = open();
    await microtasks();
    client.transmit('first', 0);
    client.transmit('last', 1);
    client.disconnect();
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual({ event: 'last', data: 1 });
    client.close();
  });
});
