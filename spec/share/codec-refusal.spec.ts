import { firstValueFrom } from 'rxjs';
import { createClient } from '../../lib/client/create-client';
import type { ClientOptions } from '../../lib/client/options';
import { jsonCodec } from '../../lib/codec/json';
import { msgpackCodec } from '../../lib/codec/msgpack';
import { CodecError } from '../../lib/errors';
import type { MessagePortLike } from '../../lib/share/messages';
import type { ShareState } from '../../lib/share/share-state';
import { serveSharedWorker } from '../../lib/worker';
import { fakeWebSocket, type FakeWebSocket } from '../support/fake-web-socket';
import { record } from './support/recording';

// A tab whose client uses a codec the shared worker was not given: the worker turns it away with a CodecError,
// which the tab reports on errors$ before it holds a connection of its own; the worker goes on serving the others.
// The worker's script runs here, on a fake global scope; its ports carry messages through structuredClone.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const URL = 'ws://example.test/socketcluster/';

/** Two ends of a MessageChannel that deliver in a microtask, as clones. */
function channel(): [MessagePortLike, MessagePortLike] {
  const listeners: ((event: { data: unknown }) => void)[][] = [[], []];
  const end = (self: number): MessagePortLike => ({
    postMessage: (message) => {
      const data = structuredClone(message);
      queueMicrotask(() => listeners[1 - self]!.forEach((listener) => listener({ data })));
    },
    addEventListener: (_type, listener) => listeners[self]!.push(listener),
    start: () => undefined,
  });
  return [end(0), end(1)];
}

/** A shared worker running `serveSharedWorker(...)` on a fake scope, and what a tab's `worker` option makes. */
function sharedWorker(codecs?: Parameters<typeof serveSharedWorker>[0]) {
  const scope = globalThis as unknown as Record<string, unknown>;
  let connect: ((event: { ports: MessagePortLike[] }) => void) | undefined;
  scope.addEventListener = (_type: string, listener: typeof connect) => (connect = listener);
  scope.SharedWorker = function SharedWorker() {};
  try {
    serveSharedWorker(codecs);
  } finally {
    delete scope.addEventListener;
  }
  return () => {
    const [tab, worker] = channel();
    connect!({ ports: [worker] });
    return { port: tab };
  };
}

afterEach(() => delete (globalThis as { SharedWorker?: unknown }).SharedWorker);

/** A tab's client sharing through `worker`, on a fake WebSocket of its own unless one is given. */
function sharingTab(worker: ReturnType<typeof sharedWorker>, options: Partial<ClientOptions> = {}) {
  return createClient({
    url: URL,
    WebSocket: fakeWebSocket().WebSocket,
    share: 'shared-worker',
    worker,
    ...options,
  });
}

/** The packets a socket sent, decoded with `codec`. */
function packets(socket: FakeWebSocket, codec = jsonCodec()) {
  return socket.sent
    .filter((frame) => frame !== '' && !(typeof frame === 'string' && frame.startsWith('#')))
    .map((frame) => codec.decode(frame as string | Uint8Array) as { event?: string; cid?: number });
}

/** Delivers a packet, encoded with the MessagePack codec, as a binary frame. */
function binary(socket: FakeWebSocket, packet: unknown): void {
  const bytes = msgpackCodec().encode(packet) as Uint8Array;
  socket.receive(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

describe('a shared worker without the codec of a tab', () => {
  it('turns the tab away with a CodecError on errors$, and the tab connects on its own', async () => {
    const inWorker = fakeWebSocket();
    const inTab = fakeWebSocket();
    const worker = sharedWorker({ WebSocket: inWorker.WebSocket });
    const client = createClient({
      url: URL,
      WebSocket: inTab.WebSocket,
      codec: msgpackCodec(),
      share: 'shared-worker',
      worker,
      batchWrites: false,
    });
    const errors = record(client.errors$);
    const shares = record(client.share$);
    client.channel('news').subscribe();
    const answer = firstValueFrom(client.invoke('echo', 'hi'));
    await jest.advanceTimersByTimeAsync(0);

    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(CodecError);
    expect(error).toMatchObject({ code: 'CODEC_ERROR', codec: 'msgpack' });
    expect(error!.message).toContain('The shared worker has no codec named "msgpack"');
    expect(error!.message).toContain('serveSharedWorker({ codecs })');
    expect(shares.map((share: ShareState) => share.role)).not.toContain('follower');
    expect(shares.at(-1)).toEqual({ mode: 'off', role: 'alone', tabs: 1, tab: '', holder: '' });

    // The tab's own connection, with its channel and its call; the worker opened none.
    expect(inWorker.sockets).toHaveLength(0);
    const socket = inTab.last();
    socket.open();
    const handshake = packets(socket, msgpackCodec()).find((p) => p.event === '#handshake')!;
    binary(socket, { rid: handshake.cid, data: { id: 's', pingTimeout: 30_000, isAuthenticated: false } });
    const sent = packets(socket, msgpackCodec());
    expect(sent.map((p) => p.event)).toEqual(['#handshake', '#subscribe', 'echo']);
    binary(socket, { rid: sent[2]!.cid, data: 'hi' });
    await expect(answer).resolves.toBe('hi');
    expect(client.channelState('news')).toBe('pending');
    client.close();
  });

  it('keeps serving the other tabs, and makes its engine with the next tab that it can serve', async () => {
    const inWorker = fakeWebSocket();
    const worker = sharedWorker({ WebSocket: inWorker.WebSocket });
    const refused = sharingTab(worker, { codec: msgpackCodec() });
    const refusals = record(refused.errors$);
    await jest.advanceTimersByTimeAsync(0);
    expect(refusals).toHaveLength(1);

    const joined = sharingTab(worker);
    const shares = record(joined.share$);
    const errors = record(joined.errors$);
    joined.connect();
    await jest.advanceTimersByTimeAsync(0);
    expect(shares.at(-1)).toMatchObject({
      mode: 'shared-worker',
      role: 'follower',
      holder: 'worker',
      tabs: 1,
    });
    expect(errors).toEqual([]);
    inWorker.last().handshake();
    await jest.advanceTimersByTimeAsync(0);
    expect(joined.state.state).toBe('open');

    // A later tab with the codec missing is turned away in turn; the joined tab goes on.
    const late = sharingTab(worker, { codec: msgpackCodec() });
    const lateShares = record(late.share$);
    const lateErrors = record(late.errors$);
    await jest.advanceTimersByTimeAsync(0);
    expect(lateErrors.map((error) => error.code)).toEqual(['CODEC_ERROR']);
    expect(lateShares.at(-1)).toMatchObject({ mode: 'off', role: 'alone' });
    expect(joined.state.state).toBe('open');
    expect(inWorker.sockets).toHaveLength(1);
    for (const client of [refused, joined, late]) client.close();
  });

  it('turns away a tab whose codec the worker has, but is not the one its connection speaks', async () => {
    const worker = sharedWorker({ WebSocket: fakeWebSocket().WebSocket, codecs: [msgpackCodec()] });
    const first = sharingTab(worker);
    await jest.advanceTimersByTimeAsync(0);
    const second = sharingTab(worker, { codec: msgpackCodec() });
    const errors = record(second.errors$);
    const shares = record(second.share$);
    await jest.advanceTimersByTimeAsync(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'CODEC_ERROR', codec: 'msgpack' });
    expect(errors[0]!.message).toContain('the shared connection uses "json"');
    expect(shares.at(-1)).toMatchObject({ mode: 'off', role: 'alone' });
    first.close();
    second.close();
  });
});
