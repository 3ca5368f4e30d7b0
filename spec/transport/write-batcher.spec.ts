import { fakeClient } from '../support/fake-client';

// Write batching through the public API: frames written in one task leave as one batch frame.

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

describe('batchWrites', () => {
  it('sends the frames written in one task as one batch frame, in order', () => {
    const { client, open } = fakeClient({ batchWrites: true });
    const socket = open();
    jest.runAllTicks();
    const before = socket.sent.length;
    client.transmit('a', 1);
    client.invoke('b', 2).subscribe();
    client.transmitPublish('c', 3);
    expect(socket.sent).toHaveLength(before); // nothing yet: the batch leaves from a microtask
    jest.runAllTicks();
    expect(socket.sent).toHaveLength(before + 1);
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual([
      { event: 'a', data: 1 },
      { event: 'b', data: 2, cid: expect.any(Number) },
      { event: '#publish', data: { channel: 'c', data: 3 } },
    ]);
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
    socket.receive('');
    expect(socket.sent.at(-1)).toBe('');
    jest.runAllTicks();
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual({ event: 'queued', data: 1 });
    client.close();
  });

  it('flushes what was written before a disconnect()', () => {
    const { client, open } = fakeClient({ batchWrites: true });
    const socket = open();
    jest.runAllTicks();
    client.transmit('last', 1);
    client.disconnect();
    expect(JSON.parse(socket.sent.at(-1) as string)).toEqual({ event: 'last', data: 1 });
    client.close();
  });

});
