// The client's own cost per awaited call, in one process, without a server or a network: a `ws`-style fake socket
// answers every invoke with its own data from a later task (setImmediate), so what is measured is the client, the
// fake's small share, and nothing of the kernel's or the server's. For A/Bs of two builds and for profiles
// (`node --cpu-prof`), where `npm run bench` on a shared machine is too noisy to tell a few percent apart.
//
//   node bench/in-process.mjs <client> <mode> [calls]
//
// <client>: raw (a Map of callbacks by cid on the fake socket, the floor), rx (the built package, by name), or the
// path of a `dist` directory of rx-socketcluster (another build, for an A/B). <mode>: seq (one awaited call after
// another: `await firstValueFrom(client.invoke(...))`) or window (100 loops of awaited calls). Default options
// (reconnect on). After 20,000 warm-up calls, prints one JSON line: client CPU (user + system) per call and wall
// time per call, in µs. Bytes allocated per call: run it under `node --trace-gc-nvp` with two call counts and divide
// the difference of the summed `allocated=` figures by the difference of the counts.
import { firstValueFrom } from 'rxjs';
import { FakeWs, handshakeReply, loadCreateClient } from './fake-ws.mjs';

const [client = 'rx', mode = 'seq', callsArg = '100000'] = process.argv.slice(2);
const calls = Number(callsArg);
const payload = { id: 42, text: 'hello', ok: true };

/** A `ws`-style socket whose server answers the handshake and echoes every invoke's data, each from a later task. */
class EchoWs extends FakeWs {
  send(text) {
    // A batch frame is split into its packets; a lone packet is answered from its text, without parsing it.
    if (text.charCodeAt(0) === 91)
      for (const packet of JSON.parse(text)) this.#answer(JSON.stringify(packet));
    else this.#answer(text);
  }

  // The cid is the packet's last field and the data sits between "data": and ,"cid" (the key order of both clients).
  #answer(text) {
    const at = text.lastIndexOf(',"cid":');
    const cid = text.slice(at + 7, -1);
    this.reply(
      text.startsWith('{"event":"#handshake"')
        ? handshakeReply(cid)
        : `{"rid":${cid},"data":${text.slice(text.indexOf('"data":') + 7, at)}}`,
    );
  }
}

async function rx(from) {
  const createClient = await loadCreateClient(from);
  const socket = createClient({ url: 'ws://fake/socketcluster/', WebSocket: EchoWs });
  await firstValueFrom(socket.whenOpen());
  return (event, data) => firstValueFrom(socket.invoke(event, data));
}

function raw() {
  const ws = new EchoWs();
  const pending = new Map();
  let cid = 0;
  ws.on('message', (data) => {
    const packet = JSON.parse(data.toString());
    const done = pending.get(packet.rid);
    if (done) {
      pending.delete(packet.rid);
      done(packet.error, packet.data);
    }
  });
  const invoke = (event, data) =>
    new Promise((resolve, reject) => {
      const id = ++cid;
      pending.set(id, (error, answer) => (error ? reject(new Error(error.message)) : resolve(answer)));
      ws.send(JSON.stringify({ event, data, cid: id }));
    });
  return new Promise((resolve) => ws.once('open', () => resolve(invoke)));
}

const invoke = client === 'raw' ? await raw() : await rx(client);

async function sequential(n) {
  for (let i = 0; i < n; i++) await invoke('echo', payload);
}

async function window(n) {
  let started = 0;
  const loop = async () => {
    while (started < n) {
      started++;
      await invoke('echo', payload);
    }
  };
  await Promise.all(Array.from({ length: 100 }, loop));
}

const run = mode === 'window' ? window : sequential;
await run(20_000);
const cpu = process.cpuUsage();
const t0 = performance.now();
await run(calls);
const { user, system } = process.cpuUsage(cpu);
const wallUs = ((performance.now() - t0) * 1000) / calls;
process.stdout.write(
  `${JSON.stringify({ client, mode, calls, cpuPerCallUs: (user + system) / calls, wallPerCallUs: wallUs })}\n`,
);
process.exit(0);
