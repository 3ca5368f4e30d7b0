// The Angular example's server: `npm run example:angular` (after a build), or `node examples/angular/serve.mjs`.
//
// One HTTP server on one port serves both:
//   - the page: index.html, and main.mjs, the application (main.ts, the component, its configuration, Angular,
//     rxjs and the package) bundled into one ES module with Rollup when the server starts;
//   - a SocketCluster v20 server (path /socketcluster/) with the `sum` procedure the component's button calls,
//     publishing a headline on the channel `news` every 2 s.
//
// No Angular CLI: TypeScript compiles the example (decorators and all) and Angular compiles the template in the
// browser (JIT, hence `import '@angular/compiler'` at the top of main.ts). The package is resolved by its own name
// through the `exports` map of package.json, as a bundler does for an application that installed it: the built
// `dist/angular.mjs` and the code it shares with `dist/index.mjs`.
//
// Options: --port <n> (default 4200, 0 for any free port), --host <h> (default 127.0.0.1).
//
// startAngularExample() is exported for tests and other scripts.

import http from 'node:http';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
// socketcluster-server is CommonJS.
const socketClusterServer = require('socketcluster-server');

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const ROOT = here('../..');

/** Headlines for the `news` channel, in turn. */
const HEADLINES = [
  'Reconnects are automatic',
  'Channels come back after a restart',
  'Signals update without zone.js',
  'RPC answers arrive as Observables',
  'The client closes with its injector',
];

/**
 * TypeScript → JavaScript, one file at a time, with the compiler options of examples/angular/tsconfig.json (the
 * file `npm run typecheck` checks the example with), so that the decorators are compiled the same way in both.
 * Type errors are the type-check's business, not the bundle's.
 */
async function typescriptPlugin() {
  const { default: ts } = await import('typescript');
  const configPath = here('./tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, here('.'), undefined, configPath);
  const compilerOptions = {
    ...options,
    noEmit: false,
    declaration: false,
    sourceMap: false,
    // The helpers of decorators from tslib, rather than a copy in each file.
    importHelpers: true,
  };
  return {
    name: 'typescript-transpile',
    transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const { outputText } = ts.transpileModule(code, { fileName: id, compilerOptions });
      return { code: outputText, map: null };
    },
  };
}

/**
 * Bundles main.ts and everything it imports into one ES module (about 2 MB, most of it Angular's compiler), kept
 * in memory. Takes a few seconds.
 */
async function bundleApp() {
  if (!existsSync(join(ROOT, 'dist/angular.mjs'))) {
    throw new Error('dist/angular.mjs is missing: run `npm run build` first');
  }
  const { rollup } = await import('rollup');
  const { nodeResolve } = await import('@rollup/plugin-node-resolve');
  const bundle = await rollup({
    input: here('./main.ts'),
    plugins: [
      nodeResolve({
        rootDir: ROOT,
        browser: true,
        extensions: ['.ts', '.mjs', '.js'],
        // `es2015` selects rxjs's modern ES module build (dist/esm) in its exports map.
        exportConditions: ['es2015', 'import', 'default'],
      }),
      await typescriptPlugin(),
    ],
    onwarn(warning, warn) {
      // An import left unresolved would fail in the browser: fail here instead.
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`rollup: ${warning.message}`);
      warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es' });
    return output[0].code;
  } finally {
    await bundle.close();
  }
}

/**
 * Starts the example's server and resolves once the application is bundled and the server accepts connections.
 *
 * @param {object} [options]
 * @param {number} [options.port] default 0 (any free port)
 * @param {string} [options.host] default `127.0.0.1`
 * @param {number} [options.intervalMs] time between two headlines on `news`, in ms (default 2000)
 * @param {(...parts: unknown[]) => void} [options.log] default: nowhere
 * @returns {Promise<{ url: string, port: number, stop(): Promise<void> }>}
 */
export async function startAngularExample({
  port = 0,
  host = '127.0.0.1',
  intervalMs = 2000,
  log = () => {},
} = {}) {
  const startedAt = Date.now();
  const app = bundleApp();
  app.catch(() => {}); // awaited below; this only keeps an early failure from being reported as unhandled

  const httpServer = http.createServer(async (request, response) => {
    const path = new URL(request.url, 'http://localhost').pathname;
    try {
      let body;
      let type = 'text/javascript; charset=utf-8';
      if (path === '/' || path === '/index.html') {
        body = await readFile(here('./index.html'));
        type = 'text/html; charset=utf-8';
      } else if (path === '/main.mjs') {
        body = await app;
      } else {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        return;
      }
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`);
    }
  });

  const agServer = socketClusterServer.attach(httpServer, { pingInterval: 1000, pingTimeout: 5000 });
  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      log(`client connected, socket id ${socket.id}`);
      void (async () => {
        for await (const request of socket.procedure('sum')) {
          const { a, b } = request.data ?? {};
          if (typeof a === 'number' && typeof b === 'number') {
            log(`sum(${a}, ${b}) = ${a + b}`);
            request.end(a + b);
          } else {
            request.error(new Error('a and b must be numbers'));
          }
        }
      })();
    }
  })();

  try {
    httpServer.listen(port, host);
    await once(httpServer, 'listening');
    if (!agServer.isReady) await agServer.listener('ready').once();
    await app;
  } catch (error) {
    agServer.closeAllListeners();
    await agServer.close();
    if (httpServer.listening) await new Promise((resolve) => httpServer.close(resolve));
    throw error;
  }
  log(`application bundled, server ready in ${Date.now() - startedAt} ms`);

  let count = 0;
  const producer = setInterval(() => {
    const headline = HEADLINES[count % HEADLINES.length];
    count += 1;
    const title = `${headline} (#${count}, ${new Date().toLocaleTimeString()})`;
    void agServer.exchange.transmitPublish('news', { title });
  }, intervalMs);

  const actualPort = httpServer.address().port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`;
  log(`Angular example on ${url}, publishing on \`news\` every ${intervalMs} ms`);

  let stopping;
  return {
    url,
    port: actualPort,
    stop() {
      stopping ??= (async () => {
        clearInterval(producer);
        agServer.closeAllListeners();
        await agServer.close(); // closes every WebSocket
        httpServer.closeAllConnections(); // idle HTTP keep-alive connections
        await new Promise((resolve) => httpServer.close(resolve));
        log('server stopped');
      })();
      return stopping;
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '4200' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const log = (...parts) => console.log(new Date().toISOString().slice(11, 23), ...parts);
  log('bundling the application (a few seconds)');
  const example = await startAngularExample({ port: Number(values.port), host: values.host, log });
  console.log(`\n  Open ${example.url} in a browser. Ctrl+C stops.\n`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => void example.stop());
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
