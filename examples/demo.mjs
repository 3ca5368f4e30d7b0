// rx-socketcluster demo: `npm run demo`
//
// Starts a SocketCluster v20 server inside this process, connects an rx-socketcluster client to it and walks
// through a short scripted session: connection states, RPC both ways, a remote error, server-pushed events, a chat
// between two clients on a pub/sub channel, a login through an RPC with a private channel that waits for it, a
// server restart that the clients, their channels and the login survive on their own, a logout, and the same kind of
// session again over MessagePack, and a channel recovered across a lost connection, with the gap a server restart
// leaves told to the subscriber. Every line is stamped with the time since start.
//
// Exits 0 when every step worked, 1 with the reason otherwise (or if the whole run takes over 30 s).

import http from 'node:http';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Subject, filter, firstValueFrom, skipWhile, take, tap, throwError, timeout, toArray } from 'rxjs';
// The package imports itself by name: Node resolves it through package.json "exports" (node → dist/node.mjs),
// exactly as it would in an application that installed it.
import { ChannelSubscribeError, createClient, RemoteError } from 'rx-socketcluster';
import { msgpackCodec } from 'rx-socketcluster/codec/msgpack';
import { recoverChannel } from 'rx-socketcluster/recovery';
import { attachRecovery } from 'rx-socketcluster/server';

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
    case 'idle':
      return 'idle (not connected yet)';
    case 'connecting':
      return `connecting (attempt ${s.attempt})`;
    case 'open':
      return `open, socket id ${s.id}${s.isAuthenticated ? ', authenticated by the handshake token' : ''}`;
    case 'closed': {
      const retry = s.retryIn === undefined ? 'not reconnecting' : `reconnecting in ${s.retryIn} ms`;
      return `closed, code ${s.code}${s.reason ? ` "${s.reason}"` : ''}, ${retry}`;
    }
    default:
      return JSON.stringify(s);
  }
}

/** One readable line for an `authState$` value. The token is a credential: only its first characters are shown. */
function describeAuth(s) {
  if (s.state === 'unauthenticated') return 'unauthenticated';
  const { exp, ...claims } = s.claims;
  const expiresIn =
    s.expiresAt === undefined ? 'no expiry' : `expires in ${Math.round((s.expiresAt - Date.now()) / 1000)} s`;
  return `authenticated, claims ${JSON.stringify(claims)} (exp ${exp}, ${expiresIn}), token ${s.token.slice(0, 10)}…`;
}

/** Resolves with the first value of `source$`, or rejects with a clear message after `ms`. */
function waitFor(source$, what, ms = STEP_LIMIT_MS) {
  return firstValueFrom(
    source$.pipe(
      timeout({
        first: ms,
        with: () => throwError(() => new Error(`timed out after ${ms} ms waiting for ${what}`)),
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The server: what an application's backend would do, in a few lines
// ---------------------------------------------------------------------------------------------------------------

/** Server-side log lines are indented so the two sides are easy to tell apart. */
const serverLog = (...parts) => log('   server:', ...parts);

/** Handles one connected socket: its procedures, its pushed events and its calls to the client. */
function serveSocket(socket, agServer) {
  // `login` signs the user in: setAuthToken signs a JWT with the server's authKey, marks the socket authenticated
  // and sends the token to the client. rejectOnFailedDelivery waits until the client has confirmed it, so the
  // client is authenticated by the time the answer arrives. (A real server would check a password first.)
  void (async () => {
    for await (const request of socket.procedure('login')) {
      const { username } = request.data ?? {};
      try {
        await socket.setAuthToken({ username }, { expiresIn: 600, rejectOnFailedDelivery: true });
        request.end({ username });
      } catch (error) {
        request.error(error);
      }
    }
  })();

  // `whoami` answers with the user of the socket's token, as the server sees it.
  void (async () => {
    for await (const request of socket.procedure('whoami')) {
      request.end(socket.authToken?.username ?? null);
    }
  })();

  // `whisper` publishes a message on the caller's private channel, `private:<username>`.
  void (async () => {
    for await (const request of socket.procedure('whisper')) {
      const username = socket.authToken?.username;
      if (username === undefined) {
        request.error(Object.assign(new Error('Sign in first'), { name: 'NotSignedIn' }));
        continue;
      }
      try {
        await agServer.exchange.invokePublish(`private:${username}`, { text: request.data, for: username });
        request.end('ok');
      } catch (error) {
        request.error(error);
      }
    }
  })();

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
async function startServer(port = 0, codecEngine = undefined) {
  const httpServer = http.createServer();
  const agServer = socketClusterServer.attach(httpServer, {
    // A fixed key: tokens signed before a restart are still valid after it (the default is random per process).
    authKey: 'demo-secret',
    pingInterval: 1000,
    pingTimeout: 5000,
    // The codec both sides use; the default is JSON. A server and its clients must agree on it.
    ...(codecEngine ? { codecEngine } : {}),
  });

  // `private:<username>` channels are for their user only. The client's waitForAuth only delays its #subscribe;
  // the server is what protects the channel.
  agServer.setMiddleware(agServer.MIDDLEWARE_INBOUND, async (middlewareStream) => {
    for await (const action of middlewareStream) {
      if (action.type === action.SUBSCRIBE && action.channel.startsWith('private:')) {
        const username = action.socket.authToken?.username;
        if (action.channel !== `private:${username}`) {
          serverLog(`refused ${action.channel} to socket ${action.socket.id} (user: ${username ?? 'none'})`);
          action.block(Object.assign(new Error('Not your channel'), { name: 'Forbidden' }));
          continue;
        }
      }
      action.allow();
    }
  });

  // Consumers must exist before clients connect: SocketCluster drops stream events nobody is waiting for.
  void (async () => {
    for await (const { socket } of agServer.listener('connection')) {
      serverLog(`client connected, socket id ${socket.id}`);
      serveSocket(socket, agServer);
    }
  })();
  void (async () => {
    for await (const { socket, authToken } of agServer.listener('authentication')) {
      serverLog(`socket ${socket.id} authenticated as ${authToken.username}`);
    }
  })();
  void (async () => {
    for await (const { socket, oldAuthToken } of agServer.listener('deauthentication')) {
      serverLog(`socket ${socket.id} signed out (was ${oldAuthToken?.username})`);
    }
  })();
  // Channels need no server code: client publishes are allowed by default and the server passes each message to
  // every subscriber. This listener only makes the subscriptions visible in the log.
  void (async () => {
    for await (const { socket, channel } of agServer.listener('subscription')) {
      serverLog(`socket ${socket.id} subscribed to ${channel}`);
    }
  })();

  httpServer.listen(port, '127.0.0.1');
  await once(httpServer, 'listening'); // rejects on 'error', e.g. EADDRINUSE
  // The broker becomes ready one tick after construction; 'ready' may already have fired.
  if (!agServer.isReady) await agServer.listener('ready').once();

  const actualPort = httpServer.address().port;
  serverLog(`listening on ws://127.0.0.1:${actualPort}/socketcluster/`);

  return {
    agServer,
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
// The chat: two clients on one channel
// ---------------------------------------------------------------------------------------------------------------

/** The channel of the chat part. */
const ROOM = 'room:lobby';

/** alice's private channel in the login part: only a socket signed in as alice may subscribe to it. */
const PRIVATE = 'private:alice';

/**
 * Subscribes each client of `members` ({ name: client }) to ROOM, printing its channel state changes and every
 * message it receives. Returns what the script needs to drive the conversation and to wait for it.
 */
function joinChat(members) {
  // Every delivery, as { to, msg }, so that the script can wait until a message has reached everyone.
  const deliveries = new Subject();
  const names = Object.keys(members);
  for (const [name, client] of Object.entries(members)) {
    // channelState$ emits the current state ('unsubscribed' before the first subscriber), then each change.
    client.channelState$(ROOM).subscribe((state) => log(`${name}: channelState$ → ${state}`));
    // The first subscriber sends #subscribe (and opens the connection if need be). The stream survives connection
    // losses and completes when the client is closed.
    client.channel(ROOM).subscribe({
      next: (msg) => {
        log(`${name} received from ${msg.from}: "${msg.text}"`);
        deliveries.next({ to: name, msg });
      },
      error: (err) => log(`${name}: channel error ${err.code}: ${err.message}`),
    });
  }

  /** Resolves when every member's channel becomes `subscribed` (after being anything else first, if `again`). */
  const subscribed = (what, again = false) =>
    Promise.all(
      names.map((name) =>
        waitFor(
          members[name].channelState$(ROOM).pipe(
            skipWhile((state) => again && state === 'subscribed'),
            filter((state) => state === 'subscribed'),
          ),
          `${name}'s channel to be ${what}`,
        ),
      ),
    );

  /**
   * `from` publishes `text` to ROOM; resolves once every member, `from` included, has received it. With `publish`
   * the client waits for the server's acknowledgement (a subscribed publisher receives its own message before it);
   * with `transmitPublish` nothing is acknowledged.
   */
  const say = async (from, text, method = 'publish') => {
    const reachedEveryone = waitFor(
      deliveries.pipe(
        filter(({ msg }) => msg.from === from && msg.text === text),
        take(names.length),
        toArray(),
      ),
      `"${text}" to reach everyone`,
    );
    log(`${from} says "${text}" (${method})`);
    if (method === 'publish') {
      await waitFor(members[from].publish(ROOM, { from, text }), `the acknowledgement of ${from}'s publish`);
      log(`${from}: the server acknowledged the publish`);
    } else {
      members[from].transmitPublish(ROOM, { from, text });
    }
    const receivers = (await reachedEveryone).map(({ to }) => to);
    log(`"${text}" from ${from} reached: ${receivers.join(', ')}`);
  };

  return { subscribed, say };
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
  const firstOpen = await waitFor(
    client.state$.pipe(filter((s) => s.state === 'open')),
    'the first connection',
  );

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
  log(
    `RemoteError: remoteName=${error.remoteName}, message="${error.message}", details=${JSON.stringify(error.details)}`,
  );

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
  const relayed = await waitFor(
    client.invoke('askMe', { question: 'Restart the server?' }),
    'the answer to askMe',
  );
  log('askMe answered with what the client said:', relayed);

  step(`Channels: the client above (alice) and a second client (bob) chat on '${ROOM}'`);
  const bob = createClient({ url: `ws://127.0.0.1:${server.port}/socketcluster/` });
  bob.errors$.subscribe((e) => log('bob errors$ →', e.code, e.message));
  const chat = joinChat({ alice: client, bob });
  await chat.subscribed('subscribed');
  await chat.say('alice', 'Hi bob!');
  await chat.say('bob', 'Hi alice, loud and clear.', 'transmitPublish');

  step(`Login: a private waitForAuth channel '${PRIVATE}', then the login RPC`);
  // authState$ replays the current state, then every change. Never log the whole state: it holds the token.
  client.authState$.subscribe((s) => log('alice authState$ →', describeAuth(s)));
  client.channelState$(PRIVATE).subscribe((state) => log(`alice: channelState$(${PRIVATE}) → ${state}`));
  // Signed out, a waitForAuth channel stays 'pending': no #subscribe goes out until the client is authenticated.
  const privateMessages = new Subject();
  const privateSubscription = client.channel(PRIVATE, { waitForAuth: true }).subscribe({
    next: (msg) => {
      log(`alice received on ${PRIVATE}: "${msg.text}"`);
      privateMessages.next(msg);
    },
    error: (err) => log(`alice: ${PRIVATE} error ${err.code}: ${err.message}`),
  });
  // bob is not signed in and does not wait: the server's middleware refuses him.
  const refused = await waitFor(bob.channel(PRIVATE), `bob's subscription to ${PRIVATE} to be refused`).then(
    () => {
      throw new Error(`bob should not receive messages of ${PRIVATE}`);
    },
    (err) => err,
  );
  if (!(refused instanceof ChannelSubscribeError)) throw refused;
  log(`bob: ${refused.name}, ${refused.remote.remoteName}: ${refused.remote.message}`);
  if (client.channelState(PRIVATE) !== 'pending') throw new Error(`${PRIVATE} should still be pending`);
  log(`alice: ${PRIVATE} is still ${client.channelState(PRIVATE)}, waiting for the login`);

  // The server's login handler calls socket.setAuthToken({ username }): the client stores the token, becomes
  // authenticated, and the waitForAuth channel subscribes at once, on the same connection.
  const privateSubscribed = waitFor(
    client.channelState$(PRIVATE).pipe(filter((state) => state === 'subscribed')),
    `${PRIVATE} to be subscribed after the login`,
  );
  const loggedIn = await waitFor(client.invoke('login', { username: 'alice' }), 'the answer to login');
  log('login answered', loggedIn, '- authState is now', client.authState.state);
  if (client.authState.state !== 'authenticated')
    throw new Error('the client should be authenticated after login');
  await privateSubscribed;

  const whisper = async (text) => {
    const received = waitFor(
      privateMessages.pipe(filter((msg) => msg.text === text)),
      `"${text}" on ${PRIVATE}`,
    );
    await waitFor(client.invoke('whisper', text), 'the answer to whisper');
    await received;
  };
  await whisper('Only alice can read this.');

  step('Server restart: stop it, start a new one on the same port, let the clients reconnect');
  // Nothing below tells the clients to reconnect or to subscribe again: each notices the dropped socket and
  // retries on its own schedule; its channel goes back to 'pending' and is subscribed again after the handshake.
  const dropped = waitFor(client.state$.pipe(filter((s) => s.state === 'closed')), 'the client to notice');
  const resubscribed = chat.subscribed('subscribed again', true);
  const privateResubscribed = waitFor(
    client.channelState$(PRIVATE).pipe(
      skipWhile((state) => state === 'subscribed'),
      filter((state) => state === 'subscribed'),
    ),
    `${PRIVATE} to be subscribed again`,
  );
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

  const sumAfter = await waitFor(
    client.invoke('sum', { a: 40, b: 2 }),
    'the answer to sum after the restart',
  );
  log('sum {a: 40, b: 2} after the restart answered', sumAfter);
  if (sumAfter !== 42) throw new Error(`sum should be 42, got ${sumAfter}`);

  // The new server process knows nothing of alice: the token stored by the client, sent in the handshake, is what
  // signs her in again (the fixed authKey makes it valid for the new process too).
  const whoAfter = await waitFor(client.invoke('whoami'), 'the answer to whoami after the restart');
  log('whoami after the restart answered', whoAfter);
  if (whoAfter !== 'alice') throw new Error(`whoami should be alice, got ${whoAfter}`);

  await resubscribed;
  await privateResubscribed;
  log('channels() → alice:', JSON.stringify(client.channels()), 'bob:', JSON.stringify(bob.channels()));
  await chat.say('bob', 'Still there after the restart?');
  await whisper('Still private after the restart.');

  step('Logout: deauthenticate(), then leave the private channel');
  const loggedOut = waitFor(
    client.authState$.pipe(filter((s) => s.state === 'unauthenticated')),
    'the client to be unauthenticated',
  );
  client.deauthenticate(); // tells the server, removes the stored token
  await loggedOut;
  const whoAfterLogout = await waitFor(client.invoke('whoami'), 'the answer to whoami after the logout');
  log('whoami after the logout answered', whoAfterLogout);
  if (whoAfterLogout !== null) throw new Error(`whoami should be null, got ${whoAfterLogout}`);
  // Signing out does not unsubscribe anything, on either side: the application leaves its private channels.
  log(`alice: ${PRIVATE} is still ${client.channelState(PRIVATE)} after the logout; unsubscribing it`);
  privateSubscription.unsubscribe();
  if (client.channelState(PRIVATE) !== 'unsubscribed') throw new Error(`${PRIVATE} should be unsubscribed`);

  step('Close the clients and the server');
  client.close(); // closes the socket, completes every stream (channels included), leaves no timer behind
  bob.close();
  await server.stop();

  await overMessagePack();
  await recovery();
}

/**
 * The same kind of session over MessagePack: a server whose codecEngine is this package's msgpack codec (it speaks
 * the sc-codec-min-bin format, so official clients on sc-codec-min-bin could join), and clients using it too.
 */
async function overMessagePack() {
  step('MessagePack: a second server and two clients on msgpackCodec()');
  const server = await startServer(0, msgpackCodec());
  const url = `ws://127.0.0.1:${server.port}/socketcluster/`;
  const carol = createClient({ url, codec: msgpackCodec() });
  const dave = createClient({ url, codec: msgpackCodec() });
  carol.state$.subscribe((s) => log('carol: state$ →', describeState(s)));

  const sum = await waitFor(carol.invoke('sum', { a: 20, b: 22 }), 'the answer to sum over MessagePack');
  log('carol: sum {a: 20, b: 22} over MessagePack answered', sum);
  if (sum !== 42) throw new Error(`sum should be 42, got ${sum}`);
  const refused = await waitFor(carol.invoke('sum', { a: 1 }), 'the error from sum').then(
    () => undefined,
    (err) => err,
  );
  if (!(refused instanceof RemoteError)) throw new Error('expected a RemoteError over MessagePack');
  log(`carol: the remote error arrives the same way: ${refused.remoteName}, "${refused.message}"`);

  const ticks = waitFor(carol.receiver('tick').pipe(take(2), toArray()), 'two ticks over MessagePack');
  await waitFor(carol.invoke('startTicks', { count: 2, intervalMs: 50 }), 'the answer to startTicks');
  log('carol: received ticks', (await ticks).map((t) => t.n).join(', '));

  const chat = joinChat({ carol, dave });
  await chat.subscribed('subscribed');
  await chat.say('carol', 'Binary frames, same API.');
  await chat.say('dave', 'And smaller frames.', 'transmitPublish');

  carol.close();
  dave.close();
  await server.stop();
}

/**
 * Channel recovery: a server with attachRecovery (rx-socketcluster/server) stamps the messages of `prices` and keeps
 * the last ones; a client reading it through recoverChannel (rx-socketcluster/recovery) gets back what was
 * published while its connection was down, once each and in order, and is told what a server restart lost.
 */
async function recovery() {
  step("Recovery: 'prices' through a lost connection, then a server restart");
  let server = await startServer();
  let companion = attachRecovery(server.agServer, { channels: ['prices'], historySize: 100 });
  serverLog(`recovery for 'prices', epoch ${companion.epoch}`);
  const erin = createClient({ url: `ws://127.0.0.1:${server.port}/socketcluster/` });
  const events = new Subject();
  recoverChannel(erin, 'prices').subscribe((event) => {
    if (event.type === 'message') log(`erin: price ${event.data.price} (seq ${event.seq})`);
    else if (event.type === 'recovered') log(`erin: recovered seq ${event.from} to ${event.to}`);
    else
      log(`erin: GAP, ${event.reason}: seq ${event.from} to ${event.to ?? '?'} of epoch ${event.epoch} lost`);
    events.next(event);
  });
  const seen = (what, test) => waitFor(events.pipe(filter(test)), what, 10_000);
  const price = (n) => server.agServer.exchange.transmitPublish('prices', { price: 100 + n });
  await waitFor(erin.channelState$('prices').pipe(filter((s) => s === 'subscribed')), "erin's subscription");

  await price(1);
  await price(2);
  await seen('price 2', (e) => e.type === 'message' && e.data.price === 102);

  log("the server drops erin's connection (as a network failure would), then publishes three prices");
  const closed = waitFor(erin.state$.pipe(filter((s) => s.state === 'closed')), "erin's connection to drop");
  for (const socket of Object.values(server.agServer.clients)) socket.socket.terminate();
  await closed;
  for (const n of [3, 4, 5]) await price(n);
  await seen('the recovery', (e) => e.type === 'recovered');
  await price(6);
  await seen('price 6', (e) => e.type === 'message' && e.data.price === 106);

  log('the server restarts: its history and sequences are gone, a new epoch begins');
  await server.stop();
  server = await startServer(server.port);
  companion = attachRecovery(server.agServer, { channels: ['prices'], historySize: 100 });
  serverLog(`recovery for 'prices', epoch ${companion.epoch}`);
  await seen('the gap notice', (e) => e.type === 'gap' && e.reason === 'epoch-changed');
  await price(7);
  await seen('price 7', (e) => e.type === 'message' && e.data.price === 107);

  erin.close();
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
