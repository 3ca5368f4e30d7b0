/**
 * The browser build must not drag in anything from Node: no `ws`, no `node:` or other built-in imports, no
 * `require()`, and no Node globals (`process`, `Buffer`, `global`, `setImmediate`...), which a bundler would either
 * reject or have to polyfill.
 *
 * The entries are bundled here from the TypeScript sources with Rollup, as rollup.config.mjs builds
 * dist/browser/: node-resolve with the `browser` condition and no built-ins preferred, only rxjs external. (A Jest
 * test cannot load that ES module config, so its settings are repeated below; keep them in step.) Terser is left out
 * to keep failures readable: it adds no references, it only drops some. The output stays in memory.
 *
 * The free identifiers of each output are found with ESLint's `no-undef` rule, scope-aware, against the browser
 * and ECMAScript globals of the `globals` package: a name mentioned in a comment, a string or as a property is
 * not a reference, and `globalThis` is an ECMAScript global.
 */
import { resolve } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { Linter } from 'eslint';
import globals from 'globals';
import { rollup, type OutputChunk, type RollupLog } from 'rollup';

const root = resolve(__dirname, '../..');

/** The entries a browser application imports, by the name of their output chunk. */
const entries = {
  index: 'lib/index.ts',
  verify: 'lib/verify.ts',
  'codec/msgpack': 'lib/codec/msgpack.ts',
  worker: 'lib/worker.ts',
};

/**
 * Free identifiers an entry may keep. msgpackr uses Node's `Buffer` only behind `typeof Buffer !== 'undefined'`
 * checks and falls back to `Uint8Array`, so `rx-socketcluster/codec/msgpack` needs no polyfill. Nothing else may
 * appear, and the main entry and the verify entry may keep nothing.
 */
const allowedFree: Record<keyof typeof entries, readonly string[]> = {
  index: [],
  verify: [],
  'codec/msgpack': ['Buffer'],
  worker: [],
};

/** The one module loaded with `import()`: cross-tab sharing, which only clients that share load. */
const dynamicEntry = resolve(root, 'lib/share/attach-shared.ts');

/** The only imports left in the output: the rxjs peer dependency. */
const allowedImport = /^rxjs(\/|$)/;

interface Bundle {
  readonly chunks: ReadonlyMap<string, OutputChunk>;
  readonly modules: readonly string[];
  readonly warnings: readonly RollupLog[];
}

async function bundleForBrowsers(): Promise<Bundle> {
  const warnings: RollupLog[] = [];
  const build = await rollup({
    input: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, resolve(root, file)])),
    external: [allowedImport],
    // The warnings rollup.config.mjs fails on: an import left unresolved, or a name a module does not export.
    onwarn: (warning) => {
      if (warning.code === 'UNRESOLVED_IMPORT' || warning.code === 'MISSING_EXPORT') warnings.push(warning);
    },
    plugins: [
      nodeResolve({
        browser: true,
        exportConditions: ['browser', 'import', 'default'],
        preferBuiltins: false,
        rootDir: root,
      }),
      typescript({
        tsconfig: resolve(root, 'tsconfig.json'),
        // Nothing is written: no output directory, no declarations, no maps.
        outDir: undefined,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        noEmitOnError: false,
        noCheck: true,
      }),
    ],
  });
  try {
    const { output } = await build.generate({ format: 'es', entryFileNames: '[name].js' });
    const chunks = new Map<string, OutputChunk>();
    for (const file of output) if (file.type === 'chunk') chunks.set(file.fileName, file);
    return { chunks, modules: build.watchFiles, warnings };
  } finally {
    await build.close();
  }
}

/** The entry chunk and every chunk it imports, directly or not. */
function chunksOf(bundle: Bundle, entry: string): OutputChunk[] {
  const seen = new Map<string, OutputChunk>();
  const visit = (fileName: string): void => {
    const chunk = bundle.chunks.get(fileName);
    if (!chunk || seen.has(fileName)) return;
    seen.set(fileName, chunk);
    for (const imported of [...chunk.imports, ...chunk.dynamicImports]) visit(imported);
  };
  visit(`${entry}.js`);
  return [...seen.values()];
}

const linter = new Linter({ configType: 'flat' });

/** `name (file:line)` for every free identifier of `code` that is neither an ECMAScript nor a browser global. */
function freeIdentifiers(fileName: string, code: string): { name: string; where: string }[] {
  const messages = linter.verify(
    code,
    [
      {
        languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: globals.browser },
        // The output keeps the sources' comments: no eslint-disable directive in them may hide a reference.
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
        // `typeof process` counts too: the point is to find every mention of a Node global.
        rules: { 'no-undef': ['error', { typeof: true }] },
      },
    ],
    fileName,
  );
  const fatal = messages.find((message) => message.fatal === true);
  if (fatal) throw new Error(`${fileName}:${fatal.line}: ${fatal.message}`);
  // The other messages say that the directives were ignored.
  return messages
    .filter((message) => message.ruleId === 'no-undef')
    .map((message) => {
      const name = /'([^']+)'/.exec(message.message)?.[1] ?? message.message;
      return { name, where: `${fileName}:${message.line}` };
    });
}

describe('browser bundle', () => {
  let bundle: Bundle;

  beforeAll(async () => {
    bundle = await bundleForBrowsers();
  }, 30_000);

  it('resolves every import and leaves only rxjs external', () => {
    expect(bundle.warnings.map((w) => `${w.code ?? ''}: ${w.message}`)).toEqual([]);
    const unexpected = [...bundle.chunks.values()].flatMap((chunk) => [
      ...chunk.imports
        .filter((id) => !bundle.chunks.has(id) && !allowedImport.test(id))
        .map((id) => `${chunk.fileName} imports ${id}`),
      ...chunk.dynamicImports
        .filter((id) => bundle.chunks.get(id)?.facadeModuleId !== dynamicEntry)
        .map((id) => `${chunk.fileName} imports ${id} dynamically`),
    ]);
    expect(unexpected).toEqual([]);
  });

  it('bundles no module of ws and no Node built-in', () => {
    const offending = bundle.modules.filter(
      (id) =>
        id.startsWith('node:') ||
        /[\\/]node_modules[\\/]ws[\\/]/.test(id) ||
        id === resolve(root, 'lib/node.ts'),
    );
    expect(offending).toEqual([]);
  });

  it.each(Object.keys(entries) as (keyof typeof entries)[])(
    '%s references no Node global, require() or global',
    (entry) => {
      const chunks = chunksOf(bundle, entry);
      expect(chunks.length).toBeGreaterThan(0);
      const free = chunks.flatMap((chunk) => freeIdentifiers(chunk.fileName, chunk.code));
      const unexpected = free.filter(({ name }) => !allowedFree[entry].includes(name));
      expect(unexpected.map(({ name, where }) => `${name} (${where})`)).toEqual([]);
    },
  );

  it('keeps the checks honest: a Node global in the output is found', () => {
    const free = freeIdentifiers(
      'probe.js',
      [
        "import WebSocket from 'ws';",
        'const env = process.env.NODE_ENV;',
        "const bytes = Buffer.from('x');",
        'const root = global;',
        "const fs = require('node:fs');",
        '// process, Buffer and global in a comment are not references',
        "const text = 'Buffer';",
        'const ok = globalThis.WebSocket ?? WebSocket;',
        'export { env, bytes, root, fs, text, ok };',
      ].join('\n'),
    );
    expect(free.map(({ name }) => name)).toEqual(['process', 'Buffer', 'global', 'require']);
  });
});
