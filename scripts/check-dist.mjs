#!/usr/bin/env node
// Smoke test of the built package (run `npm run build` first): plain Node, no jest, a real socketcluster-server v20.
//
// For each way a user loads the package (ESM `import`, CJS `require`, both through the package's own "exports" map
// with the `node` condition, plus the browser bundle given `ws` explicitly) it creates a client, invokes a
// procedure, receives a server-pushed event, restarts the server on the same port, checks that the client
// reconnects by itself and can invoke again, and closes it. Nothing of the main entry may mention msgpackr, an
// optional peer dependency of rx-socketcluster/codec/msgpack. One line per check; exit 0 on success, 1 on failure.
// The process must end by itself: a handle left open by the client is reported as a failure.
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const socketClusterServer = require('socketcluster-server');
const WebSocket = require('ws');

/** Whole run, and time allowed after the last check for the process to exit by itself. */
const DEADLINE_MS = 20_000;
const EXIT_GRACE_MS = 3_000;
/** Bound on each single wait (connect, invoke, reconnect). */
const STEP_MS = 5_000;

let passed = 0;

function ok(message) {
  passed += 1;
  console.log(`ok ${passed} - ${message}`);
}

function fail(message) {
  console.error(`not ok - ${message}`);
  console.error(`check:dist: ${passed} passed, 1 failed`);
  process.exit(1);
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const deadline = setTimeout(() => fail(`did not finish within ${DEADLINE_MS / 1000} s`), DEADLINE_MS);
deadline.unref();

// ---------------------------------------------------------------------------------------------- the server

/**
 * Starts socketcluster-server on 127.0.0.1 with a procedure `sum` ({a, b} → a + b) and a procedure `push`
 * that transmits `{event, data}` to the calling socket before answering.
 */
async function startServer(port = 0, extra = {}) {
  const httpServer = http.createServer();
  const agServer = socketClusterServer.attach(httpServer, {
    authKey: 'check-dist-only',
    pingInterval: 1000,
    ...extra,
  });
  const warnings = [];

  void (async () => {
    for await (const { warning } of agServer.listener('warning')) warnings.push(warning);
  })();
  void (async () => {
    for await (const { error } of agServer.listener('error')) warnings.push(error);
  })();
  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      void (async () => {
        for await (const req of socket.procedure('sum')) {
          const { a, b } = req.data ?? {};
          if (typeof a === 'number' && typeof b === 'number') req.end(a + b);
          else req.error(Object.assign(new Error('a and b must be numbers'), { name: 'BadArgs' }));
        }
      })();
      void (async () => {
        for await (const req of socket.procedure('push')) {
          socket.transmit(req.data.event, req.data.data);
          req.end(true);
        }
      })();
    }
  })();

  httpServer.listen(port, '127.0.0.1');
  await once(httpServer, 'listening');
  if (!agServer.isReady) await agServer.listener('ready').once();
  const actualPort = httpServer.address().port;

  return {
    extra,
    port: actualPort,
    url: `ws://127.0.0.1:${actualPort}/socketcluster/`,
    warnings,
    async stop() {
      agServer.closeAllListeners();
      await agServer.close(); // terminates the sockets: clients see 1006
      httpServer.closeAllConnections();
      await new Promise((resolve, reject) => httpServer.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------- the checks

/**
 * Runs the scenario against one build of the package.
 *
 * @param {string} label how it was loaded
 * @param {{ createClient: Function }} pkg the loaded module
 * @param {typeof import('rxjs')} rx the rxjs instance matching that module system
 * @param {{ server: Awaited<ReturnType<typeof startServer>> }} ctx the current server (replaced on restart)
 * @param {object} extraOptions more client options
 */
async function scenario(label, pkg, rx, ctx, extraOptions = {}) {
  const { filter, firstValueFrom, timeout, throwError } = rx;
  assert(typeof pkg.createClient === 'function', `${label}: createClient is not exported`);
  for (const name of ['RemoteError', 'AckTimeoutError', 'ConnectionError', 'jsonCodec', 'backoffDelay']) {
    assert(pkg[name] !== undefined, `${label}: ${name} is not exported`);
  }

  const client = pkg.createClient({ url: ctx.server.url, ...extraOptions });
  try {
    const within = (what) =>
      timeout({ first: STEP_MS, with: () => throwError(() => new Error(`${label}: ${what} timed out`)) });
    const openState = () =>
      firstValueFrom(
        client.state$.pipe(
          filter((s) => s.state === 'open'),
          within('open state'),
        ),
      );

    const sum = await firstValueFrom(client.invoke('sum', { a: 2, b: 3 }, { timeout: STEP_MS }));
    assert(sum === 5, `${label}: sum returned ${JSON.stringify(sum)}, expected 5`);
    const first = await openState();
    ok(`${label}: invoke('sum', {a: 2, b: 3}) → 5 (socket ${first.id})`);

    const remote = await firstValueFrom(client.invoke('sum', { a: 'x' }, { timeout: STEP_MS })).then(
      () => undefined,
      (err) => err,
    );
    assert(
      remote instanceof pkg.RemoteError,
      `${label}: a server error should reject with RemoteError, got ${remote}`,
    );
    ok(`${label}: a server-side error arrives as RemoteError (${remote.message})`);

    const event = firstValueFrom(client.receiver('news').pipe(within('receiver')));
    await firstValueFrom(client.invoke('push', { event: 'news', data: { n: 42 } }, { timeout: STEP_MS }));
    const news = await event;
    assert(news?.n === 42, `${label}: receiver got ${JSON.stringify(news)}, expected {n: 42}`);
    ok(`${label}: receiver('news') got the server-pushed event`);

    // Restart the server on the same port; the client must notice and come back by itself.
    const closed = firstValueFrom(
      client.state$.pipe(
        filter((s) => s.state === 'closed'),
        within('closed state'),
      ),
    );
    const port = ctx.server.port;
    await ctx.server.stop();
    const down = await closed;
    ctx.server = await startServer(port, ctx.server.extra);
    const reopened = await firstValueFrom(
      client.state$.pipe(
        filter((s) => s.state === 'open'),
        timeout({
          first: 10_000,
          with: () => throwError(() => new Error(`${label}: no reconnect within 10 s`)),
        }),
      ),
    );
    assert(reopened.id !== first.id, `${label}: expected a new socket id after the restart`);
    ok(
      `${label}: reconnected by itself after a server restart (closed with ${down.code}, now ${reopened.id})`,
    );

    const again = await firstValueFrom(client.invoke('sum', { a: 3, b: 4 }, { timeout: STEP_MS }));
    assert(again === 7, `${label}: sum after reconnect returned ${JSON.stringify(again)}, expected 7`);
    ok(`${label}: invoke after the reconnect → 7`);

    let completed = false;
    const watcher = client.state$.subscribe({ complete: () => (completed = true) });
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    watcher.unsubscribe();
    assert(completed, `${label}: state$ did not complete after close()`);
    ok(`${label}: close() completes state$`);
  } finally {
    client.close();
  }
}

/** The files the "exports" map points at must exist, with a types file first in each condition. */
function checkExportsMap() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const targets = [];
  const walk = (node, path) => {
    if (typeof node === 'string') return targets.push([path, node]);
    const keys = Object.keys(node);
    if (keys.includes('types')) {
      assert(keys[0] === 'types', `package.json exports ${path}: "types" must come first`);
    }
    for (const key of keys) walk(node[key], `${path}.${key}`);
  };
  walk(pkg.exports, 'exports');
  for (const [path, target] of targets) {
    assert(existsSync(join(root, target)), `${path} → ${target} does not exist (run npm run build)`);
  }
  for (const field of ['main', 'module', 'types']) {
    if (pkg[field]) {
      assert(existsSync(join(root, pkg[field])), `package.json ${field} → ${pkg[field]} does not exist`);
    }
  }
  ok(`package.json "exports": all ${targets.length} targets exist`);
}

/**
 * The browser bundle may import only rxjs (and, with `import()`, its own sharing chunk beside it, which imports only
 * rxjs and the bundle), and must not touch Node's globals.
 */
function checkBrowserBundle(file, chunk = false) {
  assert(existsSync(file), `${file} does not exist (run npm run build)`);
  const code = readFileSync(file, 'utf8');
  const imports = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]);
  const own = chunk ? /^\.\/rx-socketcluster\.min\.mjs$/ : /^\.\/shared-[\w-]+\.mjs$/;
  const foreign = imports.filter((spec) => !/^rxjs(\/|$)/.test(spec) && !own.test(spec));
  assert(foreign.length === 0, `browser bundle imports ${foreign.join(', ')}`);
  if (!chunk) {
    for (const spec of imports.filter((s) => own.test(s)))
      checkBrowserBundle(join(dirname(file), spec), true);
  }
  // Words inside string literals are text, not globals ('Message was too big to process' is a close code's text).
  const withoutStrings = code.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
  const nodeGlobals = [
    ...withoutStrings.matchAll(/(?<![\w$.])(Buffer|process|global|require|__dirname|__filename)(?![\w$])/g),
  ];
  assert(
    nodeGlobals.length === 0,
    `browser bundle mentions Node globals: ${[...new Set(nodeGlobals.map((m) => m[1]))].join(', ')}`,
  );
  // Angular's runtime would show its definition properties (ɵprov, ɵfac...), which minifiers leave alone.
  assert(!/ɵ(prov|fac|inj|cmp)\b/.test(code), 'browser bundle contains Angular code');
  const size = `${(code.length / 1024).toFixed(1)} KiB minified`;
  const what = chunk ? `browser bundle's chunk ${relative(root, file)}` : 'browser bundle';
  ok(`${what}: imports only rxjs${chunk ? ' and the bundle' : ''}, no Node globals, no Angular (${size})`);
}

/**
 * msgpackr is an optional peer dependency, for rx-socketcluster/codec/msgpack only: no file of the main entry (what
 * its "exports" name, node and default, ESM and CJS, JavaScript and declarations, and the browser bundle), nor any
 * chunk they import, may mention it.
 */
function checkMainEntryWithoutMsgpackr(browserFile) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const targets = (node) => (typeof node === 'string' ? [node] : Object.values(node).flatMap(targets));
  const queue = [...targets(pkg.exports['.']).map((target) => join(root, target)), browserFile];
  const seen = new Set();
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    assert(!code.includes('msgpackr'), `main entry: ${relative(root, file)} mentions msgpackr`);
    // Relative imports and requires; a declaration file names the JavaScript file its declarations stand for.
    const declarations = /\.d\.[cm]ts$/.test(file);
    for (const [, spec] of code.matchAll(
      /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.\.?\/[^"']+)["']/g,
    )) {
      const target = resolve(dirname(file), spec);
      queue.push(declarations ? target.replace(/\.([cm])js$/, '.d.$1ts') : target);
    }
  }
  ok(
    `main entry: its ${seen.size} files (Node and default builds, declarations, browser bundle) never mention msgpackr`,
  );
}

/**
 * rx-socketcluster/angular with the real @angular/core, no zone.js: an environment injector with
 * provideSocketCluster() (given `ws`, the entry otherwise uses the global WebSocket), an RPC, a state signal, and
 * destroying the injector closes the client.
 */
async function angularScenario(label, angular, ng, rx, ctx) {
  const app = ng.createEnvironmentInjector(
    [angular.provideSocketCluster({ url: ctx.server.url, WebSocket })],
    ng.Injector.create({ providers: [] }),
  );
  const client = angular.injectSocketCluster({ injector: app });
  assert(
    app.get(angular.SOCKETCLUSTER_CLIENT) === client,
    `${label}: the token and injectSocketCluster() give different clients`,
  );
  const state = angular.connectionStateSignal({ injector: app });
  const sum = await rx.firstValueFrom(client.invoke('sum', { a: 2, b: 3 }, { timeout: STEP_MS }));
  assert(sum === 5, `${label}: sum returned ${JSON.stringify(sum)}, expected 5`);
  assert(state().state === 'open', `${label}: connectionStateSignal() reads ${state().state}, expected open`);
  app.destroy();
  assert(
    client.state.state === 'closed',
    `${label}: destroying the injector left the client ${client.state.state}`,
  );
  ok(`${label}: the provided client answers invoke, its state signal reads open, destroy() closes it`);
}

// ---------------------------------------------------------------------------------------------- main

const ctx = { server: await startServer() };
try {
  checkExportsMap();

  const esmPath = fileURLToPath(import.meta.resolve('rx-socketcluster'));
  const esm = await import('rx-socketcluster');
  ok(`esm: import('rx-socketcluster') → ${esmPath.slice(root.length + 1)}`);
  await scenario('esm', esm, await import('rxjs'), ctx);

  const cjsPath = require.resolve('rx-socketcluster');
  const cjs = require('rx-socketcluster');
  assert(cjs !== esm && cjs.createClient !== esm.createClient, 'cjs: require() returned the ESM build');
  ok(`cjs: require('rx-socketcluster') → ${cjsPath.slice(root.length + 1)}`);
  await scenario('cjs', cjs, require('rxjs'), ctx);

  const browserFile = join(root, 'dist/browser/rx-socketcluster.min.mjs');
  checkBrowserBundle(browserFile);
  checkMainEntryWithoutMsgpackr(browserFile);
  const browser = await import(pathToFileURL(browserFile).href);
  await scenario('browser bundle + ws', browser, await import('rxjs'), ctx, { WebSocket });

  // The subpath entries, in both module systems; MessagePack end to end, the server running the built codec. Node
  // loads the msgpack entry that says what to install when msgpackr is missing (bundlers get another one).
  const msgpackEsmPath = fileURLToPath(import.meta.resolve('rx-socketcluster/codec/msgpack'));
  assert(
    msgpackEsmPath.endsWith('msgpack.node.mjs'),
    `esm: rx-socketcluster/codec/msgpack resolves to ${msgpackEsmPath}, expected dist/codec/msgpack.node.mjs`,
  );
  const msgpackEsm = await import('rx-socketcluster/codec/msgpack');
  const msgpackCjs = require('rx-socketcluster/codec/msgpack');
  const msgpackBundlers = await import(pathToFileURL(join(root, 'dist/codec/msgpack.mjs')).href);
  const verifyEsm = await import('rx-socketcluster/verify');
  const verifyCjs = require('rx-socketcluster/verify');
  const diagnosticsEsm = await import('rx-socketcluster/diagnostics');
  const diagnosticsCjs = require('rx-socketcluster/diagnostics');
  const refreshEsm = await import('rx-socketcluster/refresh');
  const refreshCjs = require('rx-socketcluster/refresh');
  for (const [label, value] of [
    ['msgpackCodec (esm)', msgpackEsm.msgpackCodec],
    ['msgpackCodec (cjs)', msgpackCjs.msgpackCodec],
    ['msgpackCodec (esm for bundlers)', msgpackBundlers.msgpackCodec],
    ['jwtVerifier (esm)', verifyEsm.jwtVerifier],
    ['jwtVerifier (cjs)', verifyCjs.jwtVerifier],
    ['logging (esm)', diagnosticsEsm.logging],
    ['logging (cjs)', diagnosticsCjs.logging],
    ['tokenRefresh (esm)', refreshEsm.tokenRefresh],
    ['tokenRefresh (cjs)', refreshCjs.tokenRefresh],
  ]) {
    assert(typeof value === 'function', `${label} is not exported`);
  }
  ok(
    'subpaths: rx-socketcluster/codec/msgpack (both ESM builds), rx-socketcluster/verify, rx-socketcluster/diagnostics and rx-socketcluster/refresh load as ESM and CJS',
  );

  // rx-socketcluster/testing in both module systems: a fake server answers a client of the same build.
  for (const [label, testing, rx] of [
    ['esm', await import('rx-socketcluster/testing'), await import('rxjs')],
    ['cjs', require('rx-socketcluster/testing'), require('rxjs')],
  ]) {
    const fake = testing.createFakeServer();
    fake.answer('sum', ({ a, b }) => a + b);
    const answer = await rx.firstValueFrom(fake.createClient().invoke('sum', { a: 4, b: 5 }));
    fake.close();
    assert(answer === 9, `testing (${label}): invoke('sum') on the fake server gave ${answer}`);
  }
  ok('subpath: rx-socketcluster/testing loads as ESM and CJS; its fake server answers a client');

  const angularEsm = await import('rx-socketcluster/angular');
  const angularCjs = require('rx-socketcluster/angular');
  assert(
    angularCjs.provideSocketCluster !== angularEsm.provideSocketCluster,
    'angular (cjs): require() returned the ESM build',
  );
  for (const [label, angular] of [
    ['angular (esm)', angularEsm],
    ['angular (cjs)', angularCjs],
  ]) {
    const names = ['provideSocketCluster', 'injectSocketCluster', 'connectionStateSignal', 'channelSignal'];
    for (const name of names) {
      assert(typeof angular[name] === 'function', `${label}: ${name} is not exported`);
    }
  }
  ok('subpath: rx-socketcluster/angular loads as ESM and CJS');
  const [ngEsm, rxEsm] = [await import('@angular/core'), await import('rxjs')];
  await angularScenario('angular (esm)', angularEsm, ngEsm, rxEsm, ctx);
  await angularScenario('angular (cjs)', angularCjs, require('@angular/core'), require('rxjs'), ctx);
  await ctx.server.stop();
  ctx.server = await startServer(0, { codecEngine: msgpackCjs.msgpackCodec() });
  // With the log of rx-socketcluster/diagnostics, from the built entry: it writes the connection's life.
  const logged = [];
  const logger = { error() {}, warn() {}, info: (line) => logged.push(line), debug() {} };
  await scenario('esm + msgpack + logging', esm, await import('rxjs'), ctx, {
    codec: msgpackEsm.msgpackCodec(),
    features: [diagnosticsEsm.logging({ level: 'info', logger })],
  });
  assert(
    logged.some((line) => line.startsWith('[rx-socketcluster] connecting to ')),
    `logging: no "connecting" line among ${JSON.stringify(logged)}`,
  );
  ok(`logging(): the built feature wrote ${logged.length} lines of the connection's life`);
} catch (err) {
  for (const warning of ctx.server.warnings) {
    console.error(`  server warning: ${warning?.message ?? warning}`);
  }
  fail(err instanceof Error ? err.message : String(err));
} finally {
  await ctx.server.stop();
}

console.log(`check:dist: ${passed} passed, 0 failed`);
// Everything is closed: the event loop should now empty. If it doesn't, something leaked a handle.
setTimeout(() => {
  fail(
    `the process did not exit by itself; active resources: ${process.getActiveResourcesInfo().join(', ')}`,
  );
}, EXIT_GRACE_MS).unref();
