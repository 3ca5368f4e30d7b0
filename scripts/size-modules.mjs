#!/usr/bin/env node
// Where the bytes of a browser entry go: the application module (default: the dashboard fixture of
// `npm run size`) bundled from lib/ with rxjs external, tree-shaken as `npm run size` does, then each module's
// share of it. A module's share is its rendered code minified on its own; its part of the bundle's min+gzip size is
// that share of the whole, so the column adds up to the entry's size (gzip works across modules, so each figure is
// an estimate; differences between two builds of one module are exact to a few bytes).
//
//   node scripts/size-modules.mjs [file]   e.g. scripts/size-fixtures/dashboard.mjs, or lib/index.ts
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { minify } from 'terser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const input = process.argv[2] ?? 'scripts/size-fixtures/dashboard.mjs';
const TERSER = { ecma: 2020, module: true, format: { comments: false } };

const build = await rollup({
  input,
  external: [/^rxjs(\/|$)/],
  onwarn: () => undefined,
  plugins: [
    // The fixtures import the package by name: here its sources stand for it.
    {
      name: 'sources',
      resolveId: (id) =>
        id.startsWith('rx-socketcluster')
          ? join(root, 'lib', id === 'rx-socketcluster' ? 'index.ts' : `${id.slice(17)}.ts`)
          : null,
    },
    nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'], preferBuiltins: false }),
    typescript({ tsconfig: './tsconfig.json', noCheck: true, declaration: false, declarationMap: false }),
  ],
});
const { output } = await build.generate({ format: 'es' });
await build.close();
// What loads up front, as `npm run size` counts it: the entry chunk and the chunks it imports statically, not the
// ones reached only by import() (sharing across tabs).
const chunks = new Map(output.filter((c) => c.type === 'chunk').map((c) => [c.fileName, c]));
const eager = [];
const visit = (fileName) => {
  const chunk = chunks.get(fileName);
  if (!chunk || eager.includes(chunk)) return;
  eager.push(chunk);
  for (const imported of chunk.imports) visit(imported);
};
visit([...chunks.values()].find((c) => c.isEntry).fileName);
const whole = (await minify(eager.map((c) => c.code).join('\n'), TERSER)).code;
const total = gzipSync(whole, { level: 9 }).length;

const rows = [];
for (const [id, module] of eager.flatMap((c) => Object.entries(c.modules))) {
  if (!module.code) continue;
  const { code } = await minify(module.code, { ...TERSER, compress: false });
  rows.push({ file: relative(root, id).replace(/^node_modules\//, ''), minified: code.length });
}
const sum = rows.reduce((acc, row) => acc + row.minified, 0);
const share = (minified) => ((minified / sum) * total) / 1024;
rows.sort((a, b) => b.minified - a.minified);

const byFolder = new Map();
for (const row of rows) {
  const folder = row.file.startsWith('lib/') ? dirname(row.file) : row.file.split('/')[0];
  byFolder.set(folder, (byFolder.get(folder) ?? 0) + row.minified);
}
console.log(
  `${input}: ${(whole.length / 1024).toFixed(2)} KB minified, ${(total / 1024).toFixed(2)} KB min+gzip\n`,
);
console.log('| folder | minified alone | share of min+gzip |');
console.log('| --- | ---: | ---: |');
for (const [folder, minified] of [...byFolder].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${folder} | ${minified} B | ${share(minified).toFixed(2)} KB |`);
}
console.log('\n| module | minified alone | share of min+gzip |');
console.log('| --- | ---: | ---: |');
for (const { file, minified } of rows) {
  console.log(`| ${file} | ${minified} B | ${share(minified).toFixed(2)} KB |`);
}
