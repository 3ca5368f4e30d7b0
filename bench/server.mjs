// The benchmark's server: socketcluster-server v20 on 127.0.0.1 in its own process, started by bench/run.mjs with
// an IPC channel (`fork`). It reports `{ type: 'ready', port }`, answers `{ type: 'settle' }` with `settled` once no
// client is connected any more (after a GC, when run with --expose-gc), and exits when the IPC channel closes, so
// it cannot outlive the runner.
//
// What it serves, the same for every client:
//   echo       procedure: answers with the request's data.
//   ticks      procedure: acknowledges, then pushes `data.count` pre-encoded `{"event":"tick","data":{...}}` text
//              frames as fast as the TCP socket takes them (see pushTicks).
//   pubsub     channel: a server-side `exchange.subscribe('pubsub')` consumer is its second subscriber, so every
//              publish is fanned out to the publishing client and to that consumer.
//   pubsub-recovered
//              the same, on a channel that the recovery companion (rx-socketcluster/server) stamps and keeps
//              history for (the default limits: 1,000 messages, 5 minutes).
//   pubsub/<client>, pubsub-recovered/<client>
//              the same again, a channel per client for the sliced pub/sub rows, whose clients are all subscribed
//              at once: the consumer joins each as its first client subscribes.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { attach } = require('socketcluster-server');
const { attachRecovery } = await import('rx-socketcluster/server');

const FRAME_POOL = 1000;
// Pre-encoded tick events, framed once as unmasked WebSocket text frames and concatenated into one Buffer, so
// that pushing costs the server a memcpy and a write per chunk, not an encode and a frame per event. (Through
// ws's send() the server could not frame events faster than a raw client takes them, and every client measured
// the server: about 450,000 events/s on the development machine.)
function wsTextFrame(text) {
  const payload = Buffer.from(text);
  if (payload.length > 65535) throw new Error('tick frame too large');
  const header =
    payload.length < 126
      ? Buffer.from([0x81, payload.length])
      : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([header, payload]);
}
const tickFrames = Array.from({ length: FRAME_POOL }, (_, i) =>
  wsTextFrame(
    JSON.stringify({
      event: 'tick',
      data: { seq: i, symbol: 'ACME', price: 100 + i / 100, volume: 1000 + i },
    }),
  ),
);
const tickPool = Buffer.concat(tickFrames);
// tickOffsets[n]: the byte length of the first n frames of the pool, to cut it at a frame boundary.
const tickOffsets = [0];
for (const frame of tickFrames) tickOffsets.push(tickOffsets[tickOffsets.length - 1] + frame.length);

const httpServer = http.createServer();
const agServer = attach(httpServer, { authKey: 'bench' });
attachRecovery(agServer, { channels: /^pubsub-recovered(\/|$)/ });
let pubsubSeen = 0;

// Writes `count` tick events to the socket's TCP stream, a pool (1,000 events, about 75 KB) per write, waiting
// for 'drain' whenever the stream's buffer is full. Other frames from ws (pings) go through the same stream,
// whole, between these writes.
function pushTicks(socket, count) {
  const ws = socket.socket;
  const tcp = ws._socket;
  let left = count;
  const step = () => {
    while (left > 0 && ws.readyState === 1) {
      const n = Math.min(left, FRAME_POOL);
      left -= n;
      const ok = tcp.write(n === FRAME_POOL ? tickPool : tickPool.subarray(0, tickOffsets[n]));
      if (!ok) return void tcp.once('drain', step);
    }
  };
  step();
}

async function serveEcho(socket) {
  for await (const request of socket.procedure('echo')) request.end(request.data);
}

async function serveTicks(socket) {
  for await (const request of socket.procedure('ticks')) {
    request.end();
    pushTicks(socket, Number(request.data?.count) || 0);
  }
}

async function serveConnections() {
  for await (const { socket } of agServer.listener('connection')) {
    void serveEcho(socket);
    void serveTicks(socket);
  }
}

async function consumePubsub(name) {
  const channel = agServer.exchange.subscribe(name);
  // Counts what it gets: the messages reach it like any subscriber's, and are dropped.
  for await (const message of channel) if (message) pubsubSeen++;
}

// Adds the consumer to every per-client pub/sub channel (pubsub/<client>, pubsub-recovered/<client>) when a client
// first subscribes to it; the client's warm-up runs before its measured slices, so the consumer is in by then.
async function consumePerClient() {
  const consumed = new Set();
  for await (const { channel } of agServer.listener('subscription')) {
    if (!/^pubsub(-recovered)?\//.test(channel) || consumed.has(channel)) continue;
    consumed.add(channel);
    void consumePubsub(channel);
  }
}

async function logErrors() {
  for await (const { error } of agServer.listener('error')) console.error('bench server:', error.message);
}

function gc() {
  if (typeof globalThis.gc === 'function') (globalThis.gc(), globalThis.gc());
}

// Resolves once every client has gone: a measurement starts on a quiet server.
function settle() {
  return new Promise((resolve) => {
    const check = () => (agServer.clientsCount === 0 ? resolve() : setTimeout(check, 20));
    check();
  });
}

void serveConnections();
void consumePubsub('pubsub');
void consumePubsub('pubsub-recovered');
void consumePerClient();
void logErrors();
httpServer.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: httpServer.address().port }));

process.on('message', (message) => {
  if (message?.type === 'settle') {
    void settle().then(() => {
      gc();
      process.send({ type: 'settled', pubsubSeen });
    });
  }
});
process.on('disconnect', () => {
  agServer.close();
  httpServer.close();
  process.exit(0);
});
