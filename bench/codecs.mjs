// Encode + decode throughput and frame size of the codecs, on typical frames: this package's JSON and MessagePack
// codecs against sc-formatter (SocketCluster's default) and sc-codec-min-bin (its binary codec).
// Run after `npm run build`: `node bench/codecs.mjs` (or `npm run bench:codecs`). Prints a markdown table.
import { createRequire } from 'node:module';
import { jsonCodec } from 'rx-socketcluster';
import { msgpackCodec } from 'rx-socketcluster/codec/msgpack';

const require = createRequire(import.meta.url);
// sc-formatter is a dependency of socketcluster-server (a devDependency of this package).
const scFormatter = require(
  require.resolve('sc-formatter', { paths: [require.resolve('socketcluster-server')] }),
);
const minBin = require('sc-codec-min-bin');

const frames = {
  'invoke {a,b}': { event: 'sum', data: { a: 1, b: 2 }, cid: 42 },
  'RPC response': {
    rid: 42,
    data: { id: 'u-1', name: 'Ada', roles: ['admin', 'ops'], active: true, score: 1234.5 },
  },
  'publish (chat)': {
    event: '#publish',
    data: { channel: 'room:lobby', data: { from: 'ann', text: 'Hello there!', at: 1795694400000 } },
  },
  'publish 1 KB': {
    event: '#publish',
    data: {
      channel: 'ticks',
      data: { items: Array.from({ length: 20 }, (_, i) => ({ i, label: `item ${i}`, v: i * 1.5 })) },
    },
  },
  'batch of 3': [
    { event: 'a', data: 1 },
    { rid: 7, data: 'ok' },
    { event: 'b', data: { x: [1, 2, 3] } },
  ],
};

const codecs = {
  'rx json': jsonCodec(),
  'sc-formatter': scFormatter,
  'rx msgpack': msgpackCodec(),
  'sc-codec-min-bin': minBin,
};

function measure(codec, packet, ms = 300) {
  // sc-codec-min-bin replaces the elements of a batch array in place: every codec alike gets a fresh array.
  const fresh = Array.isArray(packet) ? () => [...packet] : () => packet;
  const bytes = (frame) => (typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength);
  const size = bytes(codec.encode(fresh()));
  for (let i = 0; i < 5000; i++) codec.decode(codec.encode(fresh())); // warm up
  let ops = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 500; i++) codec.decode(codec.encode(fresh()));
    ops += 500;
  }
  return { opsPerSec: (ops / ms) * 1000, size };
}

const names = Object.keys(codecs);
console.log(
  `| frame | ${names.map((n) => `${n} ops/s (bytes)`).join(' | ')} | rx json / sc-formatter | rx msgpack / min-bin |`,
);
console.log(`| --- | ${names.map(() => '---:').join(' | ')} | ---: | ---: |`);
for (const [name, packet] of Object.entries(frames)) {
  const r = Object.fromEntries(names.map((n) => [n, measure(codecs[n], packet)]));
  const cells = names.map((n) => `${Math.round(r[n].opsPerSec).toLocaleString('en')} (${r[n].size})`);
  const ratio = (a, b) => `${(r[a].opsPerSec / r[b].opsPerSec).toFixed(2)}x`;
  console.log(
    `| ${name} | ${cells.join(' | ')} | ${ratio('rx json', 'sc-formatter')} | ${ratio('rx msgpack', 'sc-codec-min-bin')} |`,
  );
}
console.log('\nops/s = one encode plus one decode of the frame; (bytes) = the encoded frame size.');
