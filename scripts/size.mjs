#!/usr/bin/env node
// Sizes of what a browser application ships (run `npm run build` first), minified and gzipped, rxjs excluded: each
// entry below is bundled from dist/ the way an application's bundler does it (the package's "exports" map with the
// browser conditions, tree-shaking, terser), with rxjs external, as a peer dependency is.
//
//   node scripts/size.mjs               prints the table; exits 1 when an entry is over its budget
//   node scripts/size.mjs --ceilings    judges each entry against its ceiling instead (where one is agreed; the
//                                       budget elsewhere) and still prints every budget's verdict: CI runs this, so
//                                       that no entry can grow unnoticed while a budget is missed
//   node scripts/size.mjs --only a,b    only these entries
//
// To measure a new entry, add a row to ENTRIES: the module source an application would write to use it, and the
// limits that apply. An optional entry is also measured as what it adds to the core entry, since an application
// that imports it imports the core too.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What is measured. `source` is the application module; `budget` (KB, min+gzip, rxjs excluded) is the design
 * brief's target; `ceiling` (KB) is the size agreed while the budget is missed, a little above the size now. An
 * entry without either is reported only. `optional` entries are also measured on top of the core entry.
 */
const ENTRIES = [
  {
    name: 'core',
    title: '`rx-socketcluster`, every export',
    source: "export * from 'rx-socketcluster';",
    budget: 12.5,
    ceiling: 16.14,
  },
  {
    name: 'dashboard',
    title: '`createClient`, `channel()` and `state$` only (scripts/size-fixtures/dashboard.mjs)',
    source: readFileSync(join(root, 'scripts/size-fixtures/dashboard.mjs'), 'utf8'),
    budget: 10,
    ceiling: 15.97,
  },
  {
    name: 'diagnostics',
    title: '`rx-socketcluster/diagnostics` (`logging()`, `clientStats()`)',
    source: "export * from 'rx-socketcluster/diagnostics';",
    optional: true,
  },
  {
    name: 'refresh',
    title: '`rx-socketcluster/refresh` (`tokenRefresh()`)',
    source: "export * from 'rx-socketcluster/refresh';",
    optional: true,
  },
  {
    name: 'recovery',
    title: '`rx-socketcluster/recovery` (`recoverChannel()`, `messages()`, `resyncOnGap()`)',
    source: "export * from 'rx-socketcluster/recovery';",
    optional: true,
  },
  {
    name: 'verify',
    title: '`rx-socketcluster/verify` (jose `jwtVerify`)',
    source: "export * from 'rx-socketcluster/verify';",
    optional: true,
  },
  {
    name: 'msgpack',
    title: '`rx-socketcluster/codec/msgpack`, msgpackr included',
    source: "export * from 'rx-socketcluster/codec/msgpack';",
    optional: true,
  },
];

const args = process.argv.slice(2);
const judgeCeilings = args.includes('--ceilings');
const onlyArg = args.indexOf('--only');
const only = onlyArg === -1 ? undefined : new Set(args[onlyArg + 1]?.split(','));
const core = ENTRIES.find((entry) => entry.name === 'core');

const gzip = (code) => gzipSync(code, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const CONDITIONS = new Set(['browser', 'import', 'default']);

/** The file of the package's "exports" map that a bundler targeting browsers picks for `subpath`. */
function exportTarget(subpath) {
  const pick = (node) => {
    if (typeof node === 'string') return node;
    for (const [key, value] of Object.entries(node)) {
      if (CONDITIONS.has(key)) {
        const found = pick(value);
        if (found) return found;
      }
    }
    return undefined;
  };
  const entry = pkg.exports[subpath];
  const target = entry && pick(entry);
  if (!target) throw new Error(`size: package.json exports nothing for ${subpath} under browser conditions`);
  return join(root, target);
}

/** Resolves `rx-socketcluster` and its subpaths through the package's own "exports" map, as once installed. */
const selfReference = {
  name: 'self-reference',
  resolveId(id) {
    if (id === pkg.name || id.startsWith(`${pkg.name}/`))
      return exportTarget(`.${id.slice(pkg.name.length)}`);
    return null;
  },
};

/** The application module `source` bundled and minified, with `external` left out; returns the code. */
async function bundle(source, external = [/^rxjs(\/|$)/]) {
  const virtual = {
    name: 'application',
    resolveId: (id) => (id === '\0app' ? id : null),
    load: (id) => (id === '\0app' ? source : null),
  };
  const build = await rollup({
    input: '\0app',
    external,
    plugins: [
      virtual,
      selfReference,
      nodeResolve({
        browser: true,
        exportConditions: ['browser', 'import', 'default'],
        preferBuiltins: false,
      }),
      terser({ ecma: 2020, module: true, format: { comments: false } }),
    ],
    onwarn: (warning, warn) => {
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`size: ${warning.message}`);
      if (warning.code !== 'EMPTY_BUNDLE') warn(warning);
    },
  });
  const { output } = await build.generate({ format: 'es' });
  await build.close();
  // What the page loads up front: the entry chunk and the chunks it imports statically. A chunk reached only by
  // import() (sharing across tabs) loads when a client asks for it, and is reported apart.
  const chunks = new Map(
    output.filter((chunk) => chunk.type === 'chunk').map((chunk) => [chunk.fileName, chunk]),
  );
  const eager = new Set();
  const visit = (fileName) => {
    if (eager.has(fileName)) return;
    eager.add(fileName);
    for (const imported of chunks.get(fileName)?.imports ?? []) visit(imported);
  };
  visit([...chunks.values()].find((chunk) => chunk.isEntry).fileName);
  const pick = (wanted) =>
    [...chunks.values()]
      .filter((chunk) => eager.has(chunk.fileName) === wanted)
      .map((chunk) => chunk.code)
      .join('\n');
  return { code: pick(true), lazy: pick(false) };
}

const rows = [];
const failures = [];
const notes = [];
for (const entry of ENTRIES) {
  if (only && !only.has(entry.name)) continue;
  const { code, lazy } = await bundle(entry.source);
  const size = gzip(code);
  const row = { entry, minified: code.length, size };
  if (entry.optional) {
    const both = (await bundle(`${core.source}\n${entry.source}`)).code;
    row.added = gzip(both) - gzip((await bundle(core.source)).code);
  }
  if (entry.name === 'core') {
    row.withRxjs = gzip((await bundle(entry.source, [])).code);
    if (lazy)
      notes.push(`core: loaded on demand by import() (sharing across tabs): ${kb(gzip(lazy))} min+gzip`);
  }
  rows.push(row);

  const budget = entry.budget && entry.budget * 1024;
  const ceiling = entry.ceiling && entry.ceiling * 1024;
  if (budget !== undefined) {
    row.verdict = size <= budget ? 'met' : `**missed** by ${size - budget} B`;
    if (!judgeCeilings && size > budget)
      failures.push(`${entry.name}: ${kb(size)} is over its ${kb(budget)} budget`);
    if (size <= budget && ceiling !== undefined) {
      notes.push(`${entry.name}: within its budget; its ceiling can go (scripts/size.mjs)`);
    }
  }
  const limit = judgeCeilings ? (ceiling ?? budget) : undefined;
  if (limit !== undefined && size > limit) {
    failures.push(`${entry.name}: ${kb(size)} is over its ${kb(limit)} ${ceiling ? 'ceiling' : 'budget'}`);
  }
}

console.log('| entry | minified | min+gzip | added to the core | budget | ceiling | verdict |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const { entry, minified, size, added, verdict } of rows) {
  const cells = [
    `${entry.name}: ${entry.title}`,
    kb(minified),
    `**${kb(size)}**`,
    added === undefined ? '' : kb(added),
    entry.budget ? `${entry.budget} KB` : '',
    entry.ceiling ? `${entry.ceiling} KB` : '',
    verdict ?? '',
  ];
  console.log(`| ${cells.join(' | ')} |`);
}
const withRxjs = rows.find((row) => row.withRxjs !== undefined);
if (withRxjs) console.log(`\nThe core with the rxjs it uses bundled too: ${kb(withRxjs.withRxjs)} min+gzip.`);
for (const note of notes) console.log(`size: ${note}`);
if (failures.length > 0) {
  for (const failure of failures) console.error(`size: ${failure}`);
  process.exit(1);
}
console.log(`size: every entry within its ${judgeCeilings ? 'ceiling' : 'budget'}`);
