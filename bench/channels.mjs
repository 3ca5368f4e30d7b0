// 10,000 channels on one socket: time until every #subscribe is acknowledged, and heap per subscribed channel
// (one subscriber each), for rx-socketcluster and for a minimal raw `ws` client, against one socketcluster-server
// in this process. Run after `npm run build`: `node --expose-gc bench/channels.mjs [channels] [rounds]`.
import http from 'node:http';
import { createRequire } from 'node:module';
import { Observable, filter, firstValueFrom } from 'rxjs';
import WebSocket from 'ws';
import { createClient } from 'rx-socketcluster';

const require = createRequire(import.meta.url);
const { attach } = require('socketcluster-server');
const N = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

async function startServer() {
  const httpServer = http.createServer();
  const agServer = attach(httpServer, { authKey: 'bench' });
  httpServer.listen(0, '127.0.0.1');
  await new Promise((resolve) => httpServer.once('listening', resolve));
  const url = `ws://127.0.0.1:${httpServer.address().port}/socketcluster/`;
  return { url, stop: async () => (await agServer.close(), httpServer.close()) };
}

// The floor: handshake, pongs, and one #subscribe invoke per channel, with a Set of names as its channel table.
async function raw(url, names) {
  const socket = new WebSocket(url);
  let cid = 0;
  const pending = new Map();
  socket.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    if (text === '') return socket.send('');
    const packet = JSON.parse(text);
    const done = pending.get(packet.rid);
    if (done) (pending.delete(packet.rid), done());
  });
  await new Promise((resolve) => socket.once('open', resolve));
  const invoke = (event, data) =>
    new Promise((resolve) => {
      const id = ++cid;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ event, data, cid: id }));
    });
  await invoke('#handshake', { authToken: null });
  const before = heap();
  const start = performance.now();
  const channels = new Set();
  let acked = 0;
  await new Promise((resolve) => {
    for (const channel of names) {
      channels.add(channel);
      void invoke('#subscribe', { channel }).then(() => ++acked === names.length && resolve());
    }
  });
  const ms = performance.now() - start;
  const bytes = (heap() - before) / names.length;
  socket.close();
  return { ms, bytes, keep: channels };
}

async function ours(url, names) {
  const client = createClient({ url });
  client.connect();
  await firstValueFrom(client.state$.pipe(filter((s) => s.state === 'open')));
  const before = heap();
  const start = performance.now();
  let acked = 0;
  const all = firstValueFrom(client.channelChanges$.pipe(filter((c) => c.state === 'subscribed' && ++acked === names.length)));
  const onMessage = () => undefined;
  const subscriptions = names.map((name) => client.channel(name).subscribe(onMessage));
  await all;
  const ms = performance.now() - start;
  const bytes = (heap() - before) / names.length;
  client.close();
  return { ms, bytes, keep: subscriptions };
}

// What any RxJS API costs per subscription (a Subscriber and its finalizers), whatever the library behind it: the
// part of rx-socketcluster's figure that the application's own subscribe() pays.
function bareSubscription(n) {
  const source = new Observable(() => () => undefined);
  const onMessage = () => undefined;
  const before = heap();
  const keep = Array.from({ length: n }, () => source.subscribe(onMessage));
  const bytes = (heap() - before) / n;
  keep.forEach((s) => s.unsubscribe());
  return bytes;
}

const server = await startServer();
const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  // Fresh names per run so that no string is shared between the two clients' measurements.
  const names = (tag) => Array.from({ length: N }, (_, i) => `${tag}-${round}-${i}`);
  const order = round % 2 === 0 ? ['raw', 'rx'] : ['rx', 'raw'];
  const result = {};
  for (const who of order) result[who] = who === 'raw' ? await raw(server.url, names('r')) : await ours(server.url, names('x'));
  rows.push(result);
}
await server.stop();

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`${N} channels on one socket, ${ROUNDS} rounds (medians; the name strings are counted in both)`);
console.log('| client | time to all acked | heap per channel |');
console.log('| --- | ---: | ---: |');
for (const who of ['raw', 'rx']) {
  const ms = median(rows.map((r) => r[who].ms));
  const bytes = median(rows.map((r) => r[who].bytes));
  console.log(`| ${who === 'raw' ? 'raw ws' : 'rx-socketcluster'} | ${ms.toFixed(0)} ms | ${bytes.toFixed(0)} B |`);
}
console.log(`time ratio rx/raw per round: ${rows.map((r) => (r.rx.ms / r.raw.ms).toFixed(2)).join(', ')}`);
const bare = bareSubscription(N);
const rxBytes = median(rows.map((r) => r.rx.bytes));
console.log(`a bare RxJS subscription: ${bare.toFixed(0)} B; rx-socketcluster's own cost per channel: ${(rxBytes - bare).toFixed(0)} B`);
