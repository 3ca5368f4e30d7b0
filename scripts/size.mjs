#!/usr/bin/env node
// Size of the browser bundle (run `npm run build` first): minified and gzipped, with rxjs excluded (the budget in
// DESIGN.md, 10 KB) and with the rxjs code it pulls in bundled too (for information). Exits 1 when over budget.
//
// `--ceiling KB` judges against that ceiling instead (the budget's verdict is still printed): CI runs it with the
// size the bundle has now, so that it cannot grow unnoticed while the budget is missed (docs/performance.md).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const BUDGET = 10 * 1024; // bytes, min+gzip, rxjs excluded
const ceilingArg = process.argv.indexOf('--ceiling');
const ceiling = ceilingArg === -1 ? undefined : Number(process.argv[ceilingArg + 1]) * 1024;
if (ceiling !== undefined && !(ceiling > 0)) {
  console.error('size: --ceiling needs a size in KB');
  process.exit(2);
}
const file = 'dist/browser/rx-socketcluster.min.mjs';

const gzip = (code) => gzipSync(code, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

const own = readFileSync(file, 'utf8');
// The same bundle with the rxjs operators and classes it imports bundled and tree-shaken.
const bundle = await rollup({
  input: file,
  plugins: [
    nodeResolve({ browser: true }),
    terser({ ecma: 2020, module: true, format: { comments: false } }),
  ],
  onwarn: () => undefined,
});
const { output } = await bundle.generate({ format: 'es' });
await bundle.close();
const withRxjs = output[0].code;

console.log('| bundle | minified | min+gzip |');
console.log('| --- | ---: | ---: |');
console.log(`| rx-socketcluster, rxjs excluded | ${kb(own.length)} | ${kb(gzip(own))} |`);
console.log(`| rx-socketcluster with the rxjs it uses | ${kb(withRxjs.length)} | ${kb(gzip(withRxjs))} |`);
const size = gzip(own);
const over = size - BUDGET;
if (ceiling === undefined) {
  if (over > 0) {
    console.error(`size: over the ${kb(BUDGET)} budget (min+gzip, rxjs excluded) by ${over} bytes`);
    process.exit(1);
  }
  console.log(`size: within the ${kb(BUDGET)} budget`);
} else {
  console.log(
    over > 0
      ? `size: over the ${kb(BUDGET)} budget by ${over} bytes (missed, see docs/performance.md)`
      : `size: within the ${kb(BUDGET)} budget`,
  );
  if (size > ceiling) {
    console.error(`size: ${kb(size)} is over the ${kb(ceiling)} ceiling by ${size - ceiling} bytes`);
    process.exit(1);
  }
  console.log(`size: ${kb(size)}, within the ${kb(ceiling)} ceiling`);
}
