// rx-socketcluster demo: `npm run demo`
//
// Starts a SocketCluster v20 server inside this process, connects an rx-socketcluster client to it and walks
// through a short scripted session: connection states, RPC both ways, a remote error, server-pushed events, and a
// server restart the client survives on its own. Every line is stamped with the time since start.
//
// Exits 0 when every step worked, 1 with the reason otherwise (or if the whole run takes over 30 s).

import http from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { filter, firstValueFrom, take, tap, throwError, timeout, toArray } from 'rxjs';
// The package imports itself by name: Node resolves it through package.json "exports" (node → dist/node.mjs),
// exactly as it would in an application that installed it.
import { createClient, RemoteError } from 'rx-socketcluster';

// socketcluster-server is CommonJS.
const socketClusterServer = createRequire(import.meta.url)('socketcluster-server');

const RUN_LIMIT_MS = 30_000; // the whole demo
const STEP_LIMIT_MS = 5_000; // any single wait

// ---------------------------------------------------------------------------------------------------------------
// Output helpers
// ---------------------------------------------------------------------------------------------------------------

const startedAt = performance.now();

/** Prints a line prefixed with the time since start, e.g. `[  0.123s]`. */
function log(...parts) {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(3).padStart(7);
  console.log(`[${seconds}s]`, ...parts);
}

/** The step in progress, named in the failure message. */
let currentStep = 'startup';

/** Prints a step heading. */
function step(title) {
  currentStep = title;
  console.log();
  log(`── ${title}`);
}

/** One readable line for a `state$` value. */
function describeState(s) {
  switch (s.state) {
    case 'connecting':
      return `connecting (attempt ${s.attempt})`;
    case 'open':
      return `open, socket id ${s.id}`;
    case 'closed': {
      if (s.code === undefined) return 'closed (not connected yet)';
      const retry = s.retryIn === undefined ? 'not reconnecting' : `reconnecting in ${s.retryIn} ms`;
      return `closed, code ${s.code}${s.reason ? ` "${s.reason}"` : ''}, ${retry}`;
    }
    default:
      return JSON.stringify(s);
  }
}

/** Resolves with the first value of `source$`, or rejects with a clear message after `ms`. */
function waitFor(source$, what, ms = STEP_LIMIT_MS) {
  return firstValueFrom(
    source$.pipe(
      timeout({ first: ms, with: () => throwError(() => new Error(`timed out after ${ms} ms waiting for ${what}`)) }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The server: what an application's backend would do, in a few lines
// ---------------------------------------------------------------------------------------------------------------

/** Server-side log lines are indented so the two sides are easy to tell apart. */
const serverLog = (...parts) => log('   server:', ...parts);

/** Handles one connected socket: its procedures, its pushed events and its calls to the client. */
function serveSocket(socket) {
  // `sum` answers a + b, or fails with a named error carrying an extra field (sent to the client as-is).
  void (async () => {
    for await (const request of socket.procedure('sum')) {
      const { a, b } = request.data ?? {};
      if (typeof a === 'number' && typeof b === 'number') {
        request.end(a + b);
      } else {
        const error = new Error('a and b must be numbers');
        error.name = 'BadArgs';
        error.received = request.data;
        request.error(error);
      }
    }
  })();

  // `startTicks` acknowledges, then pushes `count` `tick` events to this client.
  void (async () => {
    for await (const request of socket.procedure('startTicks')) {
      const { count = 3, intervalMs = 200 } = request.data ?? {};
      request.end('ok');
      for (let n = 1; n <= count; n++) {
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
        serverLog(`transmit tick ${n}`);
        socket.transmit('tick', { n, at: new Date().toISOString() });
      }
    }
  })();

  // `askMe` makes the server invoke the client's `confirm` procedure and relays the client's answer.
  void (async () => {
    for await (const request of socket.procedure('askMe')) {
      try {
        serverLog('invoke confirm on the client with', request.data);
        const answer = await socket.invoke('confirm', request.data);
        serverLog('the client answered', answer);
        request.end(answer);
      } catch (error) {
        request.error(error);
      }
    }
  })();
}

/** Starts a SocketCluster server on 127.0.0.1 (`port` 0 picks a free port) and waits until it accepts clients. */
async function startServer(port = 0) {
  const httpServer = http.createServer();
  const agServer = socketClusterServer.attach(httpServer, {
    authKey: 'demo-secret',
    pingInterval: 1000,
    pingTimeout: 5000,
  });

  // Consumers must exist before clients connect: SocketCluster drops stream events nobody is waiting for.
  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      serverLog(`client connected, socket id ${socket.id}`);
      serveSocket(socket);
    }
  })();

  httpServer.listen(port, '127.0.0.1');
  await once(httpServer, 'listening'); // rejects on 'error', e.g. EADDRINUSE
  // The broker becomes ready one tick after construction; 'ready' may already have fired.
  if (!agServer.isReady) await agServer.listener('ready').once();

  const actualPort = httpServer.address().port;
  serverLog(`listening on ws://127.0.0.1:${actualPort}/socketcluster/`);

  return {
    port: actualPort,
    async stop() {
      agServer.closeAllListeners(); // ends the for-await loops above
      await agServer.close(); // terminates every socket: clients see close code 1006, as on a crash
      await new Promise((resolve) => httpServer.close(resolve));
      serverLog('stopped');
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The scripted session
// ---------------------------------------------------------------------------------------------------------------

async function main() {
  step('Start an in-process SocketCluster server');
  let server = await startServer();

  step('Create the client and watch its connection state');
  const client = createClient({ url: `ws://127.0.0.1:${server.port}/socketcluster/` });
  // state$ replays the current state, then every change. It completes when the client is closed.
  client.state$.subscribe((s) => log('state$ →', describeState(s)));
  // Problems that belong to no particular call (nothing is expected here, but a real app would log these).
  client.errors$.subscribe((e) => log('errors$ →', e.code, e.message));

  // Answer the server's `confirm` calls. Subscribing opens the connection, like any use of the client would.
  client.procedure('confirm').subscribe((request) => {
    log('client: the server asks us to confirm', request.data);
    request.end({ confirmed: true, by: 'demo client' });
  });
  const firstOpen = await waitFor(client.state$.pipe(filter((s) => s.state === 'open')), 'the first connection');

  step('RPC: invoke sum {a: 2, b: 3}');
  const sum = await waitFor(client.invoke('sum', { a: 2, b: 3 }), 'the answer to sum');
  log('sum answered', sum);
  if (sum !== 5) throw new Error(`sum should be 5, got ${sum}`);

  step('Remote error: invoke sum {a: 2, b: "three"}');
  const error = await waitFor(client.invoke('sum', { a: 2, b: 'three' }), 'the error from sum').then(
    (value) => {
      throw new Error(`sum should have failed, it answered ${JSON.stringify(value)}`);
    },
    (err) => err,
  );
  if (!(error instanceof RemoteError)) throw error;
  log(`RemoteError: remoteName=${error.remoteName}, message="${error.message}", details=${JSON.stringify(error.details)}`);

  step('Server-pushed events: receiver("tick")');
  // Subscribe first, then ask the server to start pushing: events nobody listens to are not kept.
  const ticks = waitFor(
    client.receiver('tick').pipe(
      tap((tick) => log('client: received tick', tick)),
      take(3),
      toArray(),
    ),
    'three ticks',
  );
  await waitFor(client.invoke('startTicks', { count: 3, intervalMs: 200 }), 'the answer to startTicks');
  await ticks;

  step('Server-to-client RPC: the server invokes confirm, the client answers');
  const relayed = await waitFor(client.invoke('askMe', { question: 'Restart the server?' }), 'the answer to askMe');
  log('askMe answered with what the client said:', relayed);

  step('Server restart: stop it, start a new one on the same port, let the client reconnect');
  // Nothing below tells the client to reconnect: it notices the dropped socket and retries on its own schedule.
  const dropped = waitFor(client.state$.pipe(filter((s) => s.state === 'closed')), 'the client to notice');
  // A new socket id proves this is a new connection, not the old 'open' state replayed.
  const reopened = waitFor(
    client.state$.pipe(filter((s) => s.state === 'open' && s.id !== firstOpen.id)),
    'the client to reconnect',
  );
  await server.stop();
  await dropped;
  server = await startServer(server.port);
  const secondOpen = await reopened;
  log(`reconnected by itself: socket id ${firstOpen.id} → ${secondOpen.id}`);

  const sumAfter = await waitFor(client.invoke('sum', { a: 40, b: 2 }), 'the answer to sum after the restart');
  log('sum {a: 40, b: 2} after the restart answered', sumAfter);
  if (sumAfter !== 42) throw new Error(`sum should be 42, got ${sumAfter}`);

  step('Close the client and the server');
  client.close(); // closes the socket, completes every stream, leaves no timer behind
  await server.stop();
}

// A safety net: if anything hangs, fail loudly instead of hanging. unref() lets the process exit without it, so
// it stays armed after success too: a leaked socket or timer that kept the process alive would be reported.
let finished = false;
setTimeout(() => {
  console.error(
    finished
      ? `\nFAILED: every step worked, but something was left open and kept the process alive for ${RUN_LIMIT_MS / 1000} s`
      : `\nFAILED: the demo did not finish within ${RUN_LIMIT_MS / 1000} s (step: ${currentStep})`,
  );
  process.exit(1);
}, RUN_LIMIT_MS).unref();

try {
  await main();
  finished = true;
  console.log();
  log('Done: every step worked. Nothing is left open, so the process ends by itself.');
} catch (err) {
  const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  console.error(`\nFAILED during step "${currentStep}": ${reason}`);
  // Sockets, servers or timers may still be open after a failure: exit explicitly.
  process.exit(1);
}
