import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { firstValueFrom, type Subscription } from 'rxjs';
import WebSocket from 'ws';
import { createClient, type Client, type WebSocketConstructor } from '../../lib/node';
import { FakeWebSocket } from '../support/fake-web-socket';
import { leftoverResources, until, waitForState } from '../support/wait';

// Long runs against a real socketcluster-server v20, with the heap compared after full garbage collections at the
// start and at the end: 100,000 channel subscribe/unsubscribe cycles and 1,000,000 inbound events. The server runs
// in a child process, so that the heap measured here is the client's (and the test runner's), not the server's.
// Then: after close(), nothing of the client remains running.

/**
 * How much the heap may grow between the two measurements. Each measurement follows a warm-up (code compiled,
 * buffers and maps at their working size) and full collections, so what remains is noise: a few hundred KB of
 * compiled code and runner bookkeeping. Anything the client kept per cycle or per message would show far above
 * it: a single 8-byte pointer per message is 7.6 MB over the 950,000 messages measured, and a channel name with
 * its map entry (over 50 bytes) is 4.5 MB over the 90,000 cycles measured.
 */
const HEAP_TOLERANCE = 3 * 1024 * 1024;

// The server: pushes `count` events named `event` in bursts of 1,000 (one event loop turn each), and tells how many
// channels the socket holds.
const SERVER = `
const http = require('node:http');
const socketClusterServer = require('socketcluster-server');
const httpServer = http.createServer();
const agServer = socketClusterServer.attach(httpServer, { pingInterval: 2000, pingTimeout: 20000 });
(async () => {
  for await (const { socket } of agServer.listener('connection')) {
    (async () => {
      for await (const req of socket.procedure('push')) {
        const { event, count } = req.data;
        let i = 0;
        // The same frames socket.transmit() would send, one WebSocket frame per event, but encoded here and written
        // to a corked TCP socket, one write per burst: otherwise the server, not the client, sets the pace.
        const tcp = socket.socket._socket;
        const burst = () => {
          const end = Math.min(count, i + 1000);
          tcp.cork();
          for (; i < end; i++) socket.send(JSON.stringify({ event, data: i }));
          process.nextTick(() => tcp.uncork());
          if (i < count) setImmediate(burst);
        };
        req.end(count);
        burst();
      }
    })();
    (async () => {
      for await (const req of socket.procedure('subscriptions')) req.end(socket.subscriptions().length);
    })();
  }
})();
httpServer.listen(0, '127.0.0.1', () => process.send(httpServer.address().port));
process.on('disconnect', () => process.exit(0));
`;

let child: ChildProcess;
let url: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', SERVER], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [port] = (await once(child, 'message')) as [number];
  url = `ws://127.0.0.1:${port}/socketcluster/`;
});

afterAll(async () => {
  const exited = once(child, 'exit');
  child.disconnect();
  await exited;
});

const gc = (() => {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
})();

/**
 * Heap in use after full collections, in bytes. Several rounds: V8 drops the bytecode of functions left unused for
 * a few collections (the test runner's start-up code, say), which would otherwise shrink a later measurement.
 */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage().heapUsed;
}

async function serverSubscriptions(client: Client): Promise<number> {
  return firstValueFrom(client.invoke<number>('subscriptions'));
}

type Mode = 'settled' | 'in flight' | 'linger';

/**
 * `count` cycles on as many fresh channel names: every channel subscribed, then every subscription ended.
 * - settled: each waits for the server's answer before it is unsubscribed;
 * - in flight: unsubscribed in the same task, the #subscribe still on the wire (undone when its answer comes);
 * - linger: subscribed with `linger: 1`, so the release waits for a timer.
 */
async function cycles(client: Client, first: number, count: number, mode: Mode): Promise<void> {
  const options = mode === 'linger' ? { linger: 1 } : undefined;
  const subscriptions: Subscription[] = [];
  for (let i = first; i < first + count; i++)
    subscriptions.push(client.channel(`c:${i}`, options).subscribe());
  if (mode !== 'in flight') {
    await until(() => client.channels().every((c) => c.state === 'subscribed'), 10_000);
  }
  for (const subscription of subscriptions) subscription.unsubscribe();
  await until(() => client.channels().length === 0, 10_000);
}

describe('against a real server', () => {
  let client: Client;
  let baseline: string[];

  beforeAll(async () => {
    baseline = process.getActiveResourcesInfo();
    client = createClient({ url });
    client.connect();
    await waitForState(client.state$, (s) => s.state === 'open');
  });

  afterAll(() => client.close()); // already closed by the last test, unless it did not run

  it('100,000 channel subscribe/unsubscribe cycles leave the heap flat and no channel behind', async () => {
    const batch = 1_000;
    const modes: Mode[] = ['settled', 'in flight', 'linger'];
    let next = 0;
    // Warm-up: 10,000 cycles, every mode.
    for (let b = 0; b < 10; b++, next += batch) await cycles(client, next, batch, modes[b % 3]!);
    expect(await serverSubscriptions(client)).toBe(0);
    const before = await settledHeap();

    for (let b = 10; b < 100; b++, next += batch) await cycles(client, next, batch, modes[b % 3]!);
    // Every #subscribe answered and every #unsubscribe processed by the server.
    await until(() => client.channels().length === 0);
    let held = await serverSubscriptions(client);
    for (let tries = 0; held > 0 && tries < 100; tries++) held = await serverSubscriptions(client);
    const after = await settledHeap();

    expect(next).toBe(100_000);
    expect(held).toBe(0);
    expect(client.channels()).toEqual([]);
    expect(after - before).toBeLessThan(HEAP_TOLERANCE);
  }, 60_000);

  it('1,000,000 inbound events leave the heap flat', async () => {
    const chunk = 50_000;
    let received = 0;
    let last = -1;
    let outOfOrder = 0;
    const subscription = client.receiver<number>('tick').subscribe((i) => {
      if (i !== (last + 1) % chunk) outOfOrder++;
      last = i;
      received++;
    });
    const push = async () => {
      const target = received + chunk;
      await firstValueFrom(client.invoke('push', { event: 'tick', count: chunk }));
      await until(() => received === target, 30_000);
    };
    // Warm-up: the first chunk.
    await push();
    const before = await settledHeap();
    for (let c = 1; c < 20; c++) await push();
    const after = await settledHeap();
    subscription.unsubscribe();

    expect(received).toBe(1_000_000);
    expect(outOfOrder).toBe(0);
    expect(after - before).toBeLessThan(HEAP_TOLERANCE);
  }, 60_000);

  it('close() leaves no socket, timer or listener behind', async () => {
    const completed: string[] = [];
    client.state$.subscribe({ complete: () => completed.push('state$') });
    client.errors$.subscribe({ complete: () => completed.push('errors$') });
    client.close();
    expect(completed.sort()).toEqual(['errors$', 'state$']);
    // ws ends its TCP socket once the server has answered the close frame: give it that moment.
    expect(await leftoverResources(baseline, 3000)).toEqual([]);
  });
});

it('close() removes every listener from a real ws socket, after reconnects too', async () => {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(address: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(address, protocols, options);
      sockets.push(this);
    }
  }
  const client = createClient({
    url,
    WebSocket: Recording as unknown as WebSocketConstructor,
    reconnectDelay: () => 0,
  });
  await firstValueFrom(client.invoke('subscriptions'));
  client.disconnect(4100);
  await firstValueFrom(client.invoke('subscriptions'));
  client.close();
  expect(sockets).toHaveLength(2);
  for (const socket of sockets) {
    for (const event of ['open', 'message', 'close']) expect(socket.listenerCount(event)).toBe(0);
    // One no-op error listener stays on purpose: ws emits an error on a socket closed while connecting, and an
    // EventEmitter without an error listener would throw it.
    expect(socket.listenerCount('error')).toBeLessThanOrEqual(1);
  }
});

/**
 * A fake socket that also has the EventEmitter side of `ws`, which the client prefers where it exists: it emits
 * 'open', 'message' and 'close' with the arguments `ws` gives them.
 */
class EmitterSocket extends FakeWebSocket {
  readonly emitter = new EventEmitter();
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }
  off(event: string, listener: (...args: unknown[]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }
  override open(): void {
    this.readyState = 1;
    this.emitter.emit('open');
  }
  override receive(frame: unknown): void {
    this.emitter.emit(
      'message',
      Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame)),
      false,
    );
  }
  override serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.emitter.emit('close', code, Buffer.from(reason));
  }
}

describe.each([
  ['DOM-style handlers', FakeWebSocket],
  ['the EventEmitter side of ws', EmitterSocket],
])('every fake socket with %s is detached after server closes and after close()', (_kind, Socket) => {
  it('keeps only a no-op error listener', () => {
    const sockets: FakeWebSocket[] = [];
    const ctor = function (address: string) {
      const socket = new Socket(address);
      sockets.push(socket);
      return socket;
    } as unknown as WebSocketConstructor;
    jest.useFakeTimers();
    try {
      const client = createClient({
        url: 'ws://example.test/socketcluster/',
        WebSocket: ctor,
        reconnectDelay: () => 0,
        batchWrites: false,
      });
      const seen: unknown[] = [];
      client.receiver('tick').subscribe((v) => seen.push(v));
      for (let round = 0; round < 50; round++) {
        const socket = sockets.at(-1)!;
        socket.handshake();
        socket.receive({ event: 'tick', data: round });
        socket.serverClose(1006);
        jest.advanceTimersByTime(0);
      }
      sockets.at(-1)!.handshake();
      client.close();
      expect(seen).toHaveLength(50);
      expect(sockets).toHaveLength(51);
      for (const socket of sockets) {
        expect([socket.onopen, socket.onmessage, socket.onclose]).toEqual([null, null, null]);
        if (socket instanceof EmitterSocket) {
          for (const event of ['open', 'message', 'close'])
            expect(socket.emitter.listenerCount(event)).toBe(0);
          expect(socket.emitter.listenerCount('error')).toBe(1); // kept on purpose (see above)
          expect(socket.onerror).toBeNull();
        } else {
          expect(typeof socket.onerror).toBe('function'); // the no-op kept on purpose (see above)
        }
      }
    } finally {
      jest.useRealTimers();
    }
  });
});
