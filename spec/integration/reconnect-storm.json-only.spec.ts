import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { createClient, ProtocolError, type Client, type ConnectionState } from '../../lib/node';
import { until } from '../support/wait';

// Servers that accept the handshake and then drop the connection (issue 15): raw `ws` servers in this process, on
// port 0, that speak just enough of the protocol to answer `#handshake`. Before the fix one client made about
// 1,100 connections in 3 s against the first and about 770 against the second; now the reconnect backoff applies.
//
// JSON only: the raw server reads the handshake as text, and nothing here depends on the codec.
//
// Timing margins. A slow machine only makes fewer connections, so the upper bounds on counts cannot fail because
// of it. The lower bounds on the time between two connections of one client hold on any machine: the server
// records a connection before the client can see it close, the client's timer starts after that and never fires
// early on the event loop's clock, and the next connection reaches the server after the timer fired. The 2 ms
// allowed covers the loop's clock being kept in whole milliseconds.

interface RawServer {
  readonly url: string;
  /** When each connection arrived (performance.now()), by the `c` query parameter of its URL. */
  readonly connections: Map<string, number[]>;
  /** Every connection, in order. */
  readonly count: () => number;
  stop(): Promise<void>;
}

const servers: RawServer[] = [];
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

/** A raw server that calls `onHandshake` with the socket and the call id of each `#handshake` it receives. */
async function rawServer(onHandshake: (socket: WebSocket, cid: number) => void): Promise<RawServer> {
  // A backlog above the default 511: 1,000 clients connect at once.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, backlog: 2048 });
  await once(wss, 'listening');
  const connections = new Map<string, number[]>();
  let count = 0;
  wss.on('connection', (socket, request) => {
    const at = performance.now();
    count++;
    const id = new URL(request.url ?? '/', 'http://x').searchParams.get('c') ?? '';
    const times = connections.get(id);
    if (times) times.push(at);
    else connections.set(id, [at]);
    socket.on('error', () => undefined);
    socket.on('message', (data: Buffer, isBinary) => {
      const text = isBinary ? '' : data.toString();
      if (text === '') return;
      const packet = JSON.parse(text) as { event?: string; cid?: number };
      if (packet.event === '#handshake') onHandshake(socket, packet.cid as number);
    });
  });
  const { port } = wss.address() as AddressInfo;
  const server: RawServer = {
    url: `ws://127.0.0.1:${port}/socketcluster/`,
    connections,
    count: () => count,
    stop: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  servers.push(server);
  return server;
}

/** The handshake reply of a server that accepts the client. */
const accept = (socket: WebSocket, cid: number, pingTimeout: number) =>
  socket.send(JSON.stringify({ rid: cid, data: { id: `s${cid}`, pingTimeout, isAuthenticated: false } }));

/** A client of `server`, named `id` in its URL, with the delay of every retry it announces. */
function clientOf(server: RawServer, id: string, options: Parameters<typeof createClient>[0] = {}) {
  const client = createClient({ url: `${server.url}?c=${id}`, ...options });
  clients.push(client);
  const retries: number[] = [];
  const errors: unknown[] = [];
  client.state$.subscribe((state: ConnectionState) => {
    if (state.state === 'closed' && state.retryIn !== undefined) retries.push(state.retryIn);
  });
  client.errors$.subscribe((error) => errors.push(error));
  return { client, retries, errors };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Gaps between consecutive entries. */
const gaps = (times: readonly number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('one client with the default backoff, for 3 s', () => {
  it('against a server that closes with 4001 right after the handshake: at most 5 connections', async () => {
    const server = await rawServer((socket, cid) => {
      accept(socket, cid, 30_000);
      socket.close(4001);
    });
    const { client, retries } = clientOf(server, 'one');
    client.connect();
    await sleep(3000);
    client.close();
    // The shortest delays (no jitter) put connections at 0, 0, 0.75 s and 1.875 s; the next at 3.56 s.
    expect(server.count()).toBeGreaterThanOrEqual(2);
    expect(server.count()).toBeLessThanOrEqual(5);
    // The one-off immediate retry, then the backoff from n = 1: (500 + 500 × random) × 1.5^n.
    expect(retries[0]).toBe(0);
    expect(retries[1]).toBeGreaterThanOrEqual(750);
    expect(retries[1]).toBeLessThanOrEqual(1500);
    const times = server.connections.get('one')!;
    gaps(times).forEach((gap, k) => expect(gap).toBeGreaterThanOrEqual(retries[k]! - 2));
  }, 10_000);

  it('against a server that announces pingTimeout: 1 and stays silent: 1000 ms floor, then backoff', async () => {
    const server = await rawServer((socket, cid) => accept(socket, cid, 1));
    const { client, retries, errors } = clientOf(server, 'one');
    const opened: number[] = [];
    client.state$.subscribe((state) => {
      if (state.state === 'open') opened.push(state.pingTimeout);
    });
    client.connect();
    await sleep(3000);
    client.close();
    // Each connection lives 1 s (the floor) before the client's watchdog closes it with 4000: connections at 0,
    // about 1 s (the immediate retry) and 2.75 s at the earliest.
    expect(server.count()).toBeGreaterThanOrEqual(1);
    expect(server.count()).toBeLessThanOrEqual(5);
    expect(opened.length).toBeGreaterThanOrEqual(1);
    expect(opened.every((pingTimeout) => pingTimeout === 1000)).toBe(true);
    // At each handshake the raised pingTimeout; at each watchdog close the 4000 that ended the connection.
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const error of errors) {
      if (error instanceof ProtocolError) expect(error).toMatchObject({ kind: 'ping-timeout-too-short' });
      else expect(error).toMatchObject({ code: 'CONNECTION_CLOSED', closeCode: 4000 });
    }
    expect(errors.filter((error) => error instanceof ProtocolError)).toHaveLength(opened.length);
    // Never sooner than the floor after the previous connection, plus the announced delay.
    const times = server.connections.get('one')!;
    gaps(times).forEach((gap, k) => expect(gap).toBeGreaterThanOrEqual(1000 + retries[k]! - 2));
    if (retries.length > 1) expect(retries[1]).toBeGreaterThanOrEqual(750);
  }, 10_000);
});

describe('1,000 clients in one process against a server that closes with 4001 right after the handshake', () => {
  const CLIENTS = 1_000;
  // A small backoff: n = 1 waits 200 to 400 ms, n = 2 400 to 800 ms, n = 3 800 to 1000 ms (capped). One process
  // plays 1,000 clients and the server, and gets through several hundred connections a second on a small
  // machine: a connect timeout far out keeps a slow run from timing attempts out (4007) instead.
  const options = {
    backoff: { initialDelay: 100, randomness: 100, multiplier: 2, maxDelay: 1000 },
    connectTimeout: 60_000,
  };

  it('follow the documented backoff and jitter: one immediate retry each, then spread delays', async () => {
    const server = await rawServer((socket, cid) => {
      accept(socket, cid, 30_000);
      socket.close(4001);
    });
    const all = Array.from({ length: CLIENTS }, (_, i) => clientOf(server, String(i), options));
    for (const { client } of all) client.connect();
    // Until every client has announced its retries n = 0 and 1 (its third connection is scheduled).
    await until(() => all.every(({ retries }) => retries.length >= 2), 45_000);
    for (const { client } of all) client.close();

    for (const { retries, errors } of all) {
      // One report per connection the server closed, each the 4001 itself.
      expect(errors.length).toBeGreaterThanOrEqual(retries.length);
      for (const error of errors) expect(error).toMatchObject({ code: 'CONNECTION_CLOSED', closeCode: 4001 });
      // Retry 0 is the one-off immediate retry; retry k (k >= 1) waits min(1000, round((100 + 100 r) × 2^k)).
      expect(retries[0]).toBe(0);
      retries.slice(1).forEach((delay, i) => {
        const n = i + 1;
        expect(delay).toBeGreaterThanOrEqual(Math.min(1000, 100 * 2 ** n));
        expect(delay).toBeLessThanOrEqual(Math.min(1000, 200 * 2 ** n));
      });
    }

    // The jitter spreads the first backed-off retries over 200 to 400 ms: each 50 ms quarter holds about a
    // quarter of the clients (15 % and 35 % are more than 7 standard deviations from 25 % for 1,000 draws).
    const first = all.map(({ retries }) => retries[1]!);
    expect(Math.min(...first)).toBeLessThan(220);
    expect(Math.max(...first)).toBeGreaterThan(380);
    for (let from = 200; from < 400; from += 50) {
      const inQuarter = first.filter(
        (d) => d >= from && (d < from + 50 || (from === 350 && d === 400)),
      ).length;
      expect(inQuarter).toBeGreaterThan(CLIENTS * 0.15);
      expect(inQuarter).toBeLessThan(CLIENTS * 0.35);
    }

    // On the server: no client came back sooner than the delay it announced, and none made more than 4
    // connections in the first second after its first (0, 0, 200 and 600 ms at the earliest; then 1.4 s).
    for (const [i, { retries }] of all.entries()) {
      const times = server.connections.get(String(i))!;
      expect(times.length).toBeGreaterThanOrEqual(2);
      gaps(times).forEach((gap, k) => {
        if (k < retries.length) expect(gap).toBeGreaterThanOrEqual(retries[k]! - 2);
      });
      expect(times.filter((t) => t - times[0]! < 1000).length).toBeLessThanOrEqual(4);
    }
  }, 90_000);
});
