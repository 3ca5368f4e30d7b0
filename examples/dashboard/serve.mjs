// The dashboard's server: `npm run example:dashboard` (after a build), or `node examples/dashboard/serve.mjs`.
//
// One HTTP server on one port serves both:
//   - the static files: the page, its script, the package's browser bundle and an ES module build of rxjs;
//   - a SocketCluster v20 server (path /socketcluster/) that publishes a value on the channel `metrics` every
//     150 ms.
//
// Options: --port <n> (default 8080, 0 for any free port), --host <h> (default 127.0.0.1), --restart-every <ms>
// (restart the server now and then, to watch the page reconnect; off by default).
//
// startDashboard() is exported for tests and other scripts.

import http from 'node:http';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
// socketcluster-server is CommonJS.
const socketClusterServer = require('socketcluster-server');

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** What the page may load: URL path → file and content type. Everything else is a 404. */
const FILES = {
  '/': { file: here('./index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: here('./dashboard.js'), type: 'text/javascript; charset=utf-8' },
};

/**
 * The package's browser files, served as they are: the bundle, the sharing chunk it loads when a client shares
 * (a hashed `shared-*.mjs` name), the shared worker's script, and their source maps.
 */
function browserFile(path) {
  const name = /^\/dist\/browser\/([\w.-]+\.mjs(\.map)?)$/.exec(path);
  if (!name) return undefined;
  const type = name[2] ? 'application/json' : 'text/javascript; charset=utf-8';
  return { file: here(`../../dist/browser/${name[1]}`), type };
}

let rxjsModule;

/**
 * rxjs as one ES module for the import map. rxjs ships ES modules (`dist/esm`), but as hundreds of files whose
 * imports have no extensions and which import `tslib` by its bare name: a browser cannot load them as they are.
 * Rollup joins them into one file, once per process (about a second), kept in memory.
 */
function rxjsBundle() {
  rxjsModule ??= (async () => {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const bundle = await rollup({
      input: 'rxjs',
      // `es2015` selects rxjs's modern ES module build (dist/esm) in its exports map.
      plugins: [
        nodeResolve({
          rootDir: here('../..'),
          browser: true,
          exportConditions: ['es2015', 'import', 'default'],
        }),
      ],
    });
    try {
      const { output } = await bundle.generate({ format: 'es' });
      return output[0].code;
    } finally {
      await bundle.close();
    }
  })();
  return rxjsModule;
}

/** Serves the files of FILES and dist/browser/, and rxjs at /vendor/rxjs.mjs. */
async function serveFile(request, response) {
  const path = new URL(request.url, 'http://localhost').pathname;
  try {
    let body;
    let type = 'text/javascript; charset=utf-8';
    if (path === '/vendor/rxjs.mjs') {
      body = await rxjsBundle();
    } else if (Object.hasOwn(FILES, path) || browserFile(path)) {
      const { file, type: fileType } = FILES[path] ?? browserFile(path);
      body = await readFile(file);
      type = fileType;
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  } catch (error) {
    const hint = error.code === 'ENOENT' ? ' (run `npm run build` first)' : '';
    response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}${hint}\n`);
  }
}

/**
 * Starts the dashboard's server and resolves once it accepts connections.
 *
 * @param {object} [options]
 * @param {number} [options.port] default 0 (any free port)
 * @param {string} [options.host] default `127.0.0.1`
 * @param {string} [options.channel] the channel the values go to (default `metrics`)
 * @param {number} [options.intervalMs] time between two values, in ms (default 150)
 * @param {(...parts: unknown[]) => void} [options.log] default: nowhere
 * @returns {Promise<{ url: string, port: number, restart(): Promise<void>, stop(): Promise<void> }>}
 */
export async function startDashboard({
  port = 0,
  host = '127.0.0.1',
  channel = 'metrics',
  intervalMs = 150,
  log = () => {},
} = {}) {
  // The signal: a slow wave plus noise, continued across restarts.
  let n = 0;
  let level = 50;
  const nextValue = () => {
    n += 1;
    level += (Math.random() - 0.5) * 4 + (50 - level) * 0.02;
    return Math.round((level + 20 * Math.sin(n / 15)) * 100) / 100;
  };

  // Built in the background from the start, so that the page's first request does not wait for it.
  rxjsBundle().catch(() => {}); // a failure is reported to the request that needs it

  let running;

  /** One life of the server: an HTTP server with SocketCluster attached, and the producer. */
  async function startServer(listenPort) {
    const httpServer = http.createServer(serveFile);
    const agServer = socketClusterServer.attach(httpServer, { pingInterval: 1000, pingTimeout: 5000 });
    void (async () => {
      for await (const { socket } of agServer.listener('connection')) {
        log(`client connected, socket id ${socket.id}`);
      }
    })();
    httpServer.listen(listenPort, host);
    await once(httpServer, 'listening');
    if (!agServer.isReady) await agServer.listener('ready').once();
    const producer = setInterval(() => {
      const value = nextValue();
      void agServer.exchange.transmitPublish(channel, { n, value, at: Date.now() });
    }, intervalMs);
    return {
      port: httpServer.address().port,
      async stop() {
        clearInterval(producer);
        agServer.closeAllListeners();
        await agServer.close(); // closes every WebSocket: the pages see code 1006
        httpServer.closeAllConnections(); // idle HTTP keep-alive connections
        await new Promise((resolve) => httpServer.close(resolve));
      },
    };
  }

  running = await startServer(port);
  const actualPort = running.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`;
  log(`dashboard on ${url}, publishing on \`${channel}\` every ${intervalMs} ms`);

  return {
    url,
    port: actualPort,
    /** Stops the server and starts it again on the same port, as a crash and a redeploy would. */
    async restart() {
      await running.stop();
      log('server stopped');
      running = await startServer(actualPort);
      log('server started again');
    },
    async stop() {
      await running.stop();
      log('server stopped');
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'restart-every': { type: 'string' },
    },
  });
  const log = (...parts) => console.log(new Date().toISOString().slice(11, 23), ...parts);
  const dashboard = await startDashboard({ port: Number(values.port), host: values.host, log });
  console.log(`\n  Open ${dashboard.url} in a browser. Ctrl+C stops.\n`);

  let restarts;
  if (values['restart-every']) {
    restarts = setInterval(() => void dashboard.restart(), Number(values['restart-every']));
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, async () => {
      clearInterval(restarts);
      await dashboard.stop();
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
