// Build of rx-socketcluster (STYLE.md §11):
//   1. ESM and CJS from one input map (but for rx-socketcluster/codec/msgpack, below), shared code in chunks,
//      dependencies external;
//   2. one minified browser ESM bundle with only rxjs external (no `ws`, no Node globals), whose cross-tab sharing
//      is a chunk loaded only by clients that share; and the shared worker's script, rxjs bundled in;
//   3. bundled declarations with rollup-plugin-dts, twice: `.d.mts` for `import`, `.d.cts` for `require`.
// The paths must match the "exports" map in package.json.
import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

/**
 * The public entries: one declaration file each, and one ESM and one CJS build each. rx-socketcluster/testing (the
 * fake server) reaches the client through lib/index.ts, so it shares the main entry's chunk and adds nothing to it.
 */
const input = {
  index: 'lib/index.ts',
  node: 'lib/node.ts',
  verify: 'lib/verify.ts',
  diagnostics: 'lib/diagnostics.ts',
  refresh: 'lib/refresh.ts',
  'codec/msgpack': 'lib/codec/msgpack.ts',
  angular: 'lib/angular/index.ts',
  testing: 'lib/testing/index.ts',
  recovery: 'lib/recovery/index.ts',
  server: 'lib/server/index.ts',
  worker: 'lib/worker.ts',
};

/**
 * rx-socketcluster/codec/msgpack needs msgpackr, an optional peer dependency, and its Node builds say what to
 * install when it is missing, each in the only way its format allows: ESM with an `import()` awaited at the top
 * level (lib/codec/msgpack-import.ts, the `node` condition), CJS with a `require()` in a `try`
 * (lib/codec/msgpack-require.ts), which a CJS output cannot hold (no top-level await) and an ESM one must not
 * (no `require`). So ESM and CJS have an input map each. Bundlers keep dist/codec/msgpack.mjs: a static import.
 */
const esmInput = { ...input, 'codec/msgpack.node': 'lib/codec/msgpack-import.ts' };
const cjsInput = { ...input, 'codec/msgpack': 'lib/codec/msgpack-require.ts' };

/**
 * Runtime dependencies and the peers (rxjs, and @angular/core for the angular entry only): never bundled into the
 * Node builds. The browser bundle's input is lib/index.ts alone, so Angular cannot reach it.
 */
const external = [/^rxjs(\/|$)/, /^jose(\/|$)/, /^msgpackr(\/|$)/, /^ws(\/|$)/, /^@angular\/core(\/|$)/];

/** Every file this build wrote, across all configs (the CLI runs them in order). */
const written = new Set();

/**
 * Records what each config writes; with `prune`, then deletes every other file under dist/ (stale hashed chunks
 * of an earlier build, `.d.ts` or tsc leftovers). dist/ is not wiped up front, so a concurrent reader of the
 * package (a demo, the dist check) does not find it missing mid-build.
 */
function distFiles({ prune = false } = {}) {
  return {
    name: 'dist-files',
    writeBundle(options, bundle) {
      for (const fileName of Object.keys(bundle)) written.add(resolve(options.dir, fileName));
    },
    closeBundle() {
      if (!prune || process.env.ROLLUP_WATCH === 'true') return;
      const entries = readdirSync('dist', { recursive: true, withFileTypes: true });
      for (const entry of entries) {
        const file = resolve(join(entry.parentPath, entry.name));
        if (!entry.isDirectory() && !written.has(file)) rmSync(file, { force: true });
      }
      const dirs = entries.filter((e) => e.isDirectory()).map((e) => resolve(join(e.parentPath, e.name)));
      for (const dir of dirs.sort((a, b) => b.length - a.length)) {
        if (readdirSync(dir).length === 0) rmdirSync(dir);
      }
    },
  };
}

/**
 * TypeScript → JavaScript only. Declarations come from rollup-plugin-dts; type errors are `npm run typecheck`'s
 * job (the plugin would only repeat them as warnings), so nothing is written outside Rollup's own output.
 * `outDir` must lie inside Rollup's `dir` (the plugin checks) and at the same depth as lib/, or the sources in the
 * maps come out one level off: so every JavaScript build writes to `dir: 'dist'`.
 */
function ts() {
  return typescript({
    tsconfig: './tsconfig.json',
    outDir: 'dist',
    declaration: false,
    declarationMap: false,
    sourceMap: true,
    // lib/ is not published: the maps carry the sources themselves.
    inlineSources: true,
    noEmitOnError: false,
    noCheck: true,
  });
}

/**
 * Fails the build on warnings that mean a broken package: an import that is neither in lib/ nor external (it would
 * be left as a bare import the package cannot satisfy), or a name a module does not export.
 */
function onwarn(warning, warn) {
  if (['UNRESOLVED_IMPORT', 'MISSING_EXPORT'].includes(warning.code)) {
    throw new Error(`rollup: ${warning.message}`);
  }
  warn(warning);
}

/** The plugins of a browser bundle: resolved for browsers, compiled, minified. */
function browserPlugins() {
  return [
    nodeResolve({ browser: true, exportConditions: ['browser', 'import', 'default'], preferBuiltins: false }),
    ts(),
    terser({ ecma: 2020, module: true, format: { comments: false } }),
    distFiles(),
  ];
}

const common = {
  sourcemap: true,
  generatedCode: 'es2015',
  hoistTransitiveImports: false,
};

export default [
  {
    input: esmInput,
    external,
    onwarn,
    plugins: [ts(), distFiles()],
    output: {
      ...common,
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].mjs',
      chunkFileNames: 'shared-[hash].mjs',
    },
  },
  {
    input: cjsInput,
    external,
    onwarn,
    plugins: [ts(), distFiles()],
    output: {
      ...common,
      dir: 'dist',
      format: 'cjs',
      entryFileNames: '[name].cjs',
      chunkFileNames: 'shared-[hash].cjs',
      exports: 'named',
      // `import WebSocket from 'ws'` → `require('ws')` itself (ws has no `__esModule` flag).
      interop: 'default',
    },
  },
  {
    input: { 'rx-socketcluster.min': 'lib/index.ts' },
    external: [/^rxjs(\/|$)/],
    // The code that the sharing chunk shares with the entry stays in the entry (whose size is the one measured),
    // which exports it to the chunk under extra names, rather than in a third chunk that the entry only re-exports.
    preserveEntrySignatures: 'allow-extension',
    onwarn,
    plugins: browserPlugins(),
    // `dir` stays dist/ and the file name carries browser/: see ts().
    output: {
      ...common,
      dir: 'dist',
      format: 'es',
      entryFileNames: 'browser/[name].mjs',
      chunkFileNames: 'browser/shared-[hash].mjs',
    },
  },
  {
    // The ready-made shared worker script (docs/sharing.md): everything bundled, rxjs included, since a worker
    // has no import map to find it.
    input: { 'rx-socketcluster.worker.min': 'lib/worker-main.ts' },
    onwarn,
    plugins: browserPlugins(),
    output: { ...common, dir: 'dist', format: 'es', entryFileNames: 'browser/[name].mjs' },
  },
  ...['mts', 'cts'].map((ext, i, all) => ({
    input,
    external,
    onwarn,
    plugins: [dts({ tsconfig: './tsconfig.json' }), distFiles({ prune: i === all.length - 1 })],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: `[name].d.${ext}`,
      chunkFileNames: `shared-[hash].d.${ext}`,
    },
  })),
];
