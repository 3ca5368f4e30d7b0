// Encode + decode throughput of the default JSON codec against sc-formatter (SocketCluster's default codec), on
// typical frames. Run after `npm run build`: `node bench/json-codec.mjs`. Prints ops/s and the ratio per frame.
import { createRequire } from 'node:module';
import { jsonCodec } from 'rx-socketcluster';

const require = createRequire(import.meta.url);
// sc-formatter is a dependency of socketcluster-server (a devDependency of this package).
const scFormatter = require(require.resolve('sc-formatter', { paths: [require.resolve('socketcluster-server')] }));

const frames = {
  'invoke {a,b}': { event: 'sum', data: { a: 1, b: 2 }, cid: 42 },
  'response object': { rid: 42, data: { id: 'u-1', name: 'Ada', roles: ['admin', 'ops'], active: true } },
  'event 1 KB': { event: 'tick', data: { items: Array.from({ length: 20 }, (_, i) => ({ i, label: `item ${i}` })) } },
  'batch of 3': [
    { event: 'a', data: 1 },
    { rid: 7, data: 'ok' },
    { event: 'b', data: { x: [1, 2, 3] } },
  ],
};

function measure(codec, packet, ms = 400) {
  const frame = codec.encode(packet);
  for (let i = 0; i < 20_000; i++) codec.decode(codec.encode(packet)); // warm up
  let ops = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) codec.decode(codec.encode(packet));
    ops += 1000;
  }
  return { opsPerSec: (ops / ms) * 1000, bytes: frame.length };
}

const ours = jsonCodec();
console.log('| frame | rx-socketcluster ops/s | sc-formatter ops/s | ratio |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, packet] of Object.entries(frames)) {
  const a = measure(ours, packet);
  const b = measure(scFormatter, packet);
  console.log(`| ${name} | ${Math.round(a.opsPerSec).toLocaleString('en')} | ${Math.round(b.opsPerSec).toLocaleString('en')} | ${(a.opsPerSec / b.opsPerSec).toFixed(2)}x |`);
}
