// The client's own cost per inbound event, in one process, without a server or a network: a `ws`-style fake socket
// answers the handshake, then pushes pre-encoded `tick` event frames (the ones bench/server.mjs sends), 1,000 per
// task as `ws` hands over the frames of one TCP read. What is measured is the path of one event frame to the
// listener (`client.receiver('tick').subscribe(fn)`, as the README shows) and nothing of the kernel's or the
// server's. For A/Bs of two builds and for profiles (`node --cpu-prof`), where `npm run bench` on a shared machine
// is too noisy to tell a few percent apart.
//
//   node bench/in-process-inbound.mjs <client> [events]
//
// <client>: raw (JSON.parse and a Map of listeners by event name, as bench/raw-client.mjs does: the floor), rx (the
// built package, by name), or the path of a `dist` directory of rx-socketcluster (another build, for an A/B).
// Default options (reconnect on). After 200,000 warm-up events, prints one JSON line: CPU (user + system) per event
// and wall time per event, in ns.
import { firstValueFrom } from 'rxjs';
import { FakeWs, handshakeReply, loadCreateClient } from './fake-ws.mjs';

const [client = 'rx', eventsArg = '1000000'] = process.argv.slice(2);
const events = Number(eventsArg);
const PER_TASK = 1000;
const ticks = Array.from({ length: PER_TASK }, (_, i) =>
  Buffer.from(
    JSON.stringify({
      event: 'tick',
      data: { seq: i, symbol: 'ACME', price: 100 + i / 100, volume: 1000 + i },
    }),
  ),
);

/** A `ws`-style socket whose server answers the handshake, then pushes tick frames on demand. */
class TickWs extends FakeWs {
  send(text) {
    if (!text.startsWith('{"event":"#handshake"')) return;
    this.reply(handshakeReply(text.slice(text.lastIndexOf(',"cid":') + 7, -1)));
  }

  /** Pushes `count` tick frames, PER_TASK per task; resolves once all are emitted. */
  push(count) {
    return new Promise((resolve) => {
      let left = count;
      const step = () => {
        const n = Math.min(left, PER_TASK);
        for (let i = 0; i < n; i++) this.emit('message', ticks[i], false);
        left -= n;
        if (left > 0) setImmediate(step);
        else resolve();
      };
      setImmediate(step);
    });
  }
}

let checksum = 0;
const listener = (data) => {
  checksum += data.volume;
};

async function rx(from) {
  const createClient = await loadCreateClient(from);
  let ws;
  const WebSocket = class extends TickWs {
    constructor() {
      super();
      ws = this;
    }
  };
  const socket = createClient({ url: 'ws://fake/socketcluster/', WebSocket });
  socket.receiver('tick').subscribe(listener);
  await firstValueFrom(socket.whenOpen());
  return ws;
}

function raw() {
  const ws = new TickWs();
  const listeners = new Map([['tick', listener]]);
  ws.on('message', (data) => {
    const packet = JSON.parse(data.toString());
    if (typeof packet.event === 'string') listeners.get(packet.event)?.(packet.data);
  });
  return new Promise((resolve) => ws.once('open', () => resolve(ws)));
}

const ws = client === 'raw' ? await raw() : await rx(client);
await ws.push(200_000);
const cpu = process.cpuUsage();
const t0 = performance.now();
await ws.push(events);
const { user, system } = process.cpuUsage(cpu);
const wallNs = ((performance.now() - t0) * 1e6) / events;
process.stdout.write(
  `${JSON.stringify({ client, events, cpuPerEventNs: ((user + system) * 1000) / events, wallPerEventNs: wallNs, checksum })}\n`,
);
process.exit(0);
