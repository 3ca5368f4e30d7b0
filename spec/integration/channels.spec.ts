import { filter, firstValueFrom, ignoreElements, tap, timeout, toArray, type Observable } from 'rxjs';
import {
  ChannelKickOutError,
  ChannelSubscribeError,
  ProtocolError,
  RemoteError,
  type ChannelState,
  type Client,
  type ClientOptions,
} from '../../lib/node';
import { Harness, ag, open, packets, storeWith } from '../support/harness';
import { type TestServer, type TestServerOptions } from '../support/test-server';
import { until } from '../support/wait';

// Pub/sub against a real socketcluster-server v20 in this process: #subscribe, #unsubscribe, #publish and
// #kickOut on the wire, the server's view of the subscriptions, and the client's channel states.

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- the server's middleware actions are untyped */
type Action = any;

const harness = new Harness();
const start = (setup?: TestServerOptions) => harness.start(setup);
const stop = (server: TestServer) => harness.stop(server);
const connect = (server: TestServer, options?: Partial<ClientOptions>) => harness.connect(server, options);
const errorsOf = (client: Client) => harness.errorsOf(client);

afterEach(async () => {
  await harness.closeAll();
});

/** The channel of every inbound `#subscribe`, in arrival order. */
function subscribes(server: TestServer): string[] {
  return packets(server)
    .filter((p) => p.event === '#subscribe')
    .map((p) => (p.data as { channel: string }).channel);
}

/** The channel of every inbound `#unsubscribe`, in arrival order. */
function unsubscribes(server: TestServer): string[] {
  return packets(server)
    .filter((p) => p.event === '#unsubscribe')
    .map((p) => p.data as string);
}

/** `'subscription <channel>'` / `'unsubscription <channel>'` for each server event, in order. */
function serverEvents(server: TestServer): string[] {
  const events: string[] = [];
  for (const name of ['subscription', 'unsubscription']) {
    void (async () => {
      for await (const { channel } of server.agServer.listener(name)) {
        events.push(`${name} ${channel as string}`);
      }
    })();
  }
  return events;
}

/** Channels the server holds a socket subscription for, per socket and in the broker. */
function serverSubscriptions(server: TestServer): { socket: string[]; broker: string[] } {
  const socket = server.sockets.at(-1);
  return {
    socket: socket ? (socket.subscriptions() as string[]).sort() : [],
    broker: ag(server).brokerEngine.subscriptions().sort(),
  };
}

function inboundMiddleware(server: TestServer, handle: (action: Action) => void): void {
  const agServer = server.agServer;
  agServer.setMiddleware(agServer.MIDDLEWARE_INBOUND, async (stream) => {
    for await (const action of stream) handle(action);
  });
}

/**
 * Subscribe middleware that allows each subscribe after `ms`, calling `onAllow` just before. (The v20 server
 * handles one inbound packet at a time per socket: later packets wait for the held subscribe.)
 */
function slowSubscribes(server: TestServer, ms: number, onAllow: () => void = () => undefined): void {
  inboundMiddleware(server, (action) => {
    if (action.type !== action.SUBSCRIBE) {
      action.allow();
      return;
    }
    setTimeout(() => {
      onAllow();
      action.allow();
    }, ms);
  });
}

function waitForChannel(client: Client, name: string, state: ChannelState, ms = 3000): Promise<ChannelState> {
  return firstValueFrom(
    client.channelState$(name).pipe(
      filter((s) => s === state),
      timeout(ms),
    ),
  );
}

function recordStates(client: Client, name: string): ChannelState[] {
  const states: ChannelState[] = [];
  client.channelState$(name).subscribe((s) => states.push(s));
  return states;
}

/** Resolves with the error of `source`, failing if it emits, completes or stays silent. */
function errorOf(source: Observable<unknown>, ms = 3000): Promise<unknown> {
  return firstValueFrom(source.pipe(timeout(ms))).then(
    (value: unknown) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

function named(name: string, message: string, fields: object = {}): Error {
  return Object.assign(new Error(message), { name }, fields);
}

describe('messages', () => {
  it('flows between two clients; a subscribed publisher gets its own message before the ack', async () => {
    const server = await start();
    const alice = connect(server);
    const bob = connect(server);
    const aliceLog: string[] = [];
    const bobLog: string[] = [];
    alice.channel<string>('room').subscribe((m) => aliceLog.push(`message ${m}`));
    bob.channel<string>('room').subscribe((m) => bobLog.push(`message ${m}`));
    await Promise.all([alice, bob].map((c) => waitForChannel(c, 'room', 'subscribed')));

    await firstValueFrom(alice.publish('room', 'hi from alice').pipe(tap(() => aliceLog.push('ack'))));
    expect(aliceLog).toEqual(['message hi from alice', 'ack']);
    await until(() => bobLog.length === 1);
    expect(bobLog).toEqual(['message hi from alice']);

    await firstValueFrom(bob.publish('room', 'hi from bob').pipe(tap(() => bobLog.push('ack'))));
    expect(bobLog).toEqual(['message hi from alice', 'message hi from bob', 'ack']);
    await until(() => aliceLog.length === 3);
    expect(aliceLog).toEqual(['message hi from alice', 'ack', 'message hi from bob']);
    expect([...errorsOf(alice), ...errorsOf(bob)]).toEqual([]);
  });

  it("delivers the server's exchange.transmitPublish to the channel subscriber", async () => {
    const server = await start();
    const client = connect(server);
    const received: unknown[] = [];
    client.channel('ticker').subscribe((m) => received.push(m));
    await waitForChannel(client, 'ticker', 'subscribed');
    await server.agServer.exchange.transmitPublish('ticker', { price: 42, tags: ['a', null] });
    await server.agServer.exchange.transmitPublish('elsewhere', 'not for this client');
    await server.agServer.exchange.transmitPublish('ticker', 'second');
    await until(() => received.length === 2);
    expect(received).toEqual([{ price: 42, tags: ['a', null] }, 'second']);
    expect(errorsOf(client)).toEqual([]);
  });

  it('reports a #publish for a channel not held (unknown-channel) and delivers it nowhere', async () => {
    const server = await start();
    const client = connect(server);
    const mine: unknown[] = [];
    client.channel('mine').subscribe((m) => mine.push(m));
    await waitForChannel(client, 'mine', 'subscribed');
    server.sockets[0].transmit('#publish', { channel: 'other', data: 1 });
    // Same socket, same order: once the marker arrives, the stray publish has been handled.
    await server.agServer.exchange.transmitPublish('mine', 'marker');
    await until(() => mine.length === 1);
    expect(mine).toEqual(['marker']);
    const errors = errorsOf(client);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ProtocolError);
    expect(errors[0]).toMatchObject({ code: 'PROTOCOL_ERROR', kind: 'unknown-channel' });
    expect(errors[0]!.message).toContain("'other'");
    expect(client.channels()).toEqual([{ name: 'mine', state: 'subscribed' }]);
  });
});

describe('one subscription per name', () => {
  it('sends one #subscribe for three subscribers and one #unsubscribe after the last leaves', async () => {
    const server = await start();
    const events = serverEvents(server);
    const client = connect(server);
    const received: [number, unknown][] = [];
    const subscriptions = [0, 1, 2].map((i) =>
      client.channel('news').subscribe((m) => received.push([i, m])),
    );
    await waitForChannel(client, 'news', 'subscribed');
    await until(() => events.length === 1);
    expect(subscribes(server)).toEqual(['news']);
    expect(events).toEqual(['subscription news']);
    expect(serverSubscriptions(server)).toEqual({ socket: ['news'], broker: ['news'] });

    await server.agServer.exchange.transmitPublish('news', 'extra');
    await until(() => received.length === 3);
    expect(received).toEqual([
      [0, 'extra'],
      [1, 'extra'],
      [2, 'extra'],
    ]);

    subscriptions[0]!.unsubscribe();
    subscriptions[1]!.unsubscribe();
    expect(client.channelState('news')).toBe('subscribed');
    // A round trip after the leaves: an #unsubscribe sent before it would have arrived first.
    await firstValueFrom(client.invoke('echo', 1));
    expect(unsubscribes(server)).toEqual([]);

    subscriptions[2]!.unsubscribe();
    expect(client.channelState('news')).toBe('unsubscribed');
    expect(client.channels()).toEqual([]);
    await until(() => events.length === 2);
    await firstValueFrom(client.invoke('echo', 2));
    expect(subscribes(server)).toEqual(['news']);
    expect(unsubscribes(server)).toEqual(['news']);
    expect(events).toEqual(['subscription news', 'unsubscription news']);
    expect(serverSubscriptions(server)).toEqual({ socket: [], broker: [] });
    expect(errorsOf(client)).toEqual([]);
  });
});

describe('server restart', () => {
  it('re-subscribes every channel in priority order and messages flow again', async () => {
    let server = await start();
    const port = server.port;
    const client = connect(server);
    await open(client);
    const priorities: Record<string, number | undefined> = { low: 1, none: undefined, high: 10, mid: 5 };
    const names = Object.keys(priorities);
    const states = recordStates(client, 'high');
    const changes: string[] = [];
    client.channelChanges$.subscribe(({ channel, previous, state }) => {
      changes.push(`${channel} ${previous}>${state}`);
    });
    const received: Record<string, unknown[]> = {};
    const subscriptions = names.map((name) => {
      received[name] = [];
      return client.channel(name, { priority: priorities[name] }).subscribe((m) => received[name]!.push(m));
    });
    await Promise.all(names.map((name) => waitForChannel(client, name, 'subscribed')));
    // Subscribed while the connection was open: each #subscribe went out at once, in call order.
    expect(subscribes(server)).toEqual(['low', 'none', 'high', 'mid']);

    await stop(server);
    await until(() => client.channels().every((c) => c.state === 'pending'));
    server = await start({ port });
    await Promise.all(names.map((name) => waitForChannel(client, name, 'subscribed')));
    expect(subscribes(server)).toEqual(['high', 'mid', 'low', 'none']);
    const all = ['high', 'low', 'mid', 'none'];
    expect(serverSubscriptions(server)).toEqual({ socket: all, broker: all });

    for (const name of names) await firstValueFrom(client.publish(name, `${name} again`));
    await server.agServer.exchange.transmitPublish('mid', 'from the server');
    await until(() => received.mid!.length === 2);
    expect(received).toEqual({
      low: ['low again'],
      none: ['none again'],
      high: ['high again'],
      mid: ['mid again', 'from the server'],
    });

    for (const subscription of subscriptions) subscription.unsubscribe();
    await until(() => unsubscribes(server).length === 4);
    expect(unsubscribes(server).sort()).toEqual(all);
    await until(() => serverSubscriptions(server).broker.length === 0);
    expect(serverSubscriptions(server)).toEqual({ socket: [], broker: [] });

    expect(states).toEqual([
      'unsubscribed',
      'pending',
      'subscribed',
      'pending',
      'subscribed',
      'unsubscribed',
    ]);
    expect(changes.filter((c) => c.startsWith('low '))).toEqual([
      'low unsubscribed>pending',
      'low pending>subscribed',
      'low subscribed>pending',
      'low pending>subscribed',
      'low subscribed>unsubscribed',
    ]);
    expect(harness.problemsAcrossRestart(client)).toEqual([]);
  });
});

describe('waitForAuth', () => {
  it('stays pending and sends no #subscribe on a connection without a token', async () => {
    const server = await start();
    const client = connect(server);
    const states = recordStates(client, 'private');
    const received: unknown[] = [];
    client.channel('private', { waitForAuth: true }).subscribe((m) => received.push(m));
    client.channel('public').subscribe();
    // 'private' was asked for first: had it been requested, its #subscribe would have gone out before
    // the one of 'public'.
    await waitForChannel(client, 'public', 'subscribed');
    expect(client.state).toMatchObject({ state: 'open', isAuthenticated: false });
    await firstValueFrom(client.invoke('echo', 1));
    await new Promise((resolve) => setTimeout(resolve, 100)); // proving that nothing more happens
    expect(subscribes(server)).toEqual(['public']);
    expect(client.channelState('private')).toBe('pending');
    expect(states).toEqual(['unsubscribed', 'pending']);
    expect(serverSubscriptions(server)).toEqual({ socket: ['public'], broker: ['public'] });
    expect(received).toEqual([]);
  });

  it('stays pending when the handshake token is refused', async () => {
    const server = await start();
    const forged = await ag(server).auth.signToken({ username: 'mallory' }, 'not-the-server-key');
    const client = connect(server, { tokenStore: storeWith(server, forged) });
    client.channel('private', { waitForAuth: true }).subscribe();
    client.channel('public').subscribe();
    await waitForChannel(client, 'public', 'subscribed');
    await firstValueFrom(client.invoke('echo', 1));
    expect(client.state).toMatchObject({ state: 'open', isAuthenticated: false });
    expect(subscribes(server)).toEqual(['public']);
    expect(client.channelState('private')).toBe('pending');
  });

  it('subscribes once the handshake token is accepted', async () => {
    const server = await start();
    const authStates: string[] = [];
    inboundMiddleware(server, (action) => {
      if (action.type === action.SUBSCRIBE) authStates.push(`${action.channel} ${action.socket.authState}`);
      action.allow();
    });
    const token = await ag(server).auth.signToken({ username: 'ann' }, ag(server).signatureKey);
    const client = connect(server, { tokenStore: storeWith(server, token) });
    const states = recordStates(client, 'private');
    const received: unknown[] = [];
    client.channel('private', { waitForAuth: true }).subscribe((m) => received.push(m));
    await waitForChannel(client, 'private', 'subscribed');
    expect(client.state).toMatchObject({ state: 'open', isAuthenticated: true });
    expect(JSON.parse(server.frames[0]!)).toMatchObject({ event: '#handshake', data: { authToken: token } });
    expect(packets(server).filter((p) => p.event === '#subscribe')).toEqual([
      { event: '#subscribe', data: { channel: 'private', waitForAuth: true }, cid: expect.any(Number) },
    ]);
    expect(authStates).toEqual(['private authenticated']);
    expect(server.sockets[0].authToken).toMatchObject({ username: 'ann' });
    await firstValueFrom(client.publish('private', 'for members'));
    await until(() => received.length === 1);
    expect(received).toEqual(['for members']);
    expect(states).toEqual(['unsubscribed', 'pending', 'subscribed']);
    expect(errorsOf(client)).toEqual([]);
  });
});

describe('refusal and kick-out', () => {
  it("errors only the refused channel with ChannelSubscribeError carrying the server's error", async () => {
    const server = await start();
    inboundMiddleware(server, (action) => {
      if (action.type === action.SUBSCRIBE && action.channel === 'forbidden') {
        action.block(named('Forbidden', 'not for you', { level: 3 }));
      } else {
        action.allow();
      }
    });
    const client = connect(server);
    const states = recordStates(client, 'forbidden');
    const allowed: unknown[] = [];
    client.channel('allowed').subscribe((m) => allowed.push(m));
    const error = await errorOf(client.channel('forbidden'));

    expect(error).toBeInstanceOf(ChannelSubscribeError);
    expect(error).toMatchObject({
      code: 'CHANNEL_SUBSCRIBE_REJECTED',
      channel: 'forbidden',
      message: "Subscription to 'forbidden' refused: not for you",
    });
    const { remote } = error as ChannelSubscribeError;
    expect(remote).toBeInstanceOf(RemoteError);
    expect(remote).toMatchObject({ remoteName: 'Forbidden', message: 'not for you', details: { level: 3 } });
    expect(states).toEqual(['unsubscribed', 'pending', 'unsubscribed']);

    await waitForChannel(client, 'allowed', 'subscribed');
    await firstValueFrom(client.publish('allowed', 'still works'));
    await until(() => allowed.length === 1);
    expect(allowed).toEqual(['still works']);
    expect(client.channels()).toEqual([{ name: 'allowed', state: 'subscribed' }]);
    expect(serverSubscriptions(server)).toEqual({ socket: ['allowed'], broker: ['allowed'] });
    expect(subscribes(server).sort()).toEqual(['allowed', 'forbidden']);
    expect(errorsOf(client)).toEqual([]);
  });

  it('errors the channel with ChannelKickOutError on a kick-out and leaves it unsubscribed', async () => {
    const server = await start();
    const client = connect(server);
    const states = recordStates(client, 'room');
    const received: unknown[] = [];
    const kicked = errorOf(
      client.channel('room').pipe(
        tap((m) => received.push(m)),
        ignoreElements(),
      ),
    );
    await waitForChannel(client, 'room', 'subscribed');
    await server.agServer.exchange.transmitPublish('room', 'before');
    await until(() => received.length === 1);

    await server.sockets[0].kickOut('room', 'behave');
    const error = await kicked;
    expect(error).toBeInstanceOf(ChannelKickOutError);
    expect(error).toMatchObject({
      code: 'CHANNEL_KICKED_OUT',
      channel: 'room',
      kickOutMessage: 'behave',
      message: "Kicked out of 'room': behave",
    });
    expect(client.channelState('room')).toBe('unsubscribed');
    expect(client.channels()).toEqual([]);
    expect(states).toEqual(['unsubscribed', 'pending', 'subscribed', 'unsubscribed']);
    expect(serverSubscriptions(server)).toEqual({ socket: [], broker: [] });

    // The server already dropped the subscription: the client sends no #unsubscribe, and can subscribe again.
    await firstValueFrom(client.invoke('echo', 1));
    expect(unsubscribes(server)).toEqual([]);
    const again: unknown[] = [];
    client.channel('room').subscribe((m) => again.push(m));
    await waitForChannel(client, 'room', 'subscribed');
    await server.agServer.exchange.transmitPublish('room', 'after');
    await until(() => again.length === 1);
    expect(again).toEqual(['after']);
    expect(received).toEqual(['before']);
    expect(subscribes(server)).toEqual(['room', 'room']);
    expect(errorsOf(client)).toEqual([]);
  });
});

describe('publish', () => {
  let server: TestServer;
  const accepted: unknown[] = [];

  beforeEach(async () => {
    accepted.length = 0;
    server = await start();
    inboundMiddleware(server, (action) => {
      if (action.type !== action.PUBLISH_IN) {
        action.allow();
      } else if (action.channel === 'blocked') {
        action.block(named('PublishBlocked', 'no publishing here'));
      } else {
        // Accept late, so that an early completion of publish() would show.
        setTimeout(() => {
          accepted.push(action.data);
          action.allow();
        }, 50);
      }
    });
  });

  it("completes once, with undefined, on the server's ack", async () => {
    const client = connect(server);
    await open(client);
    const values = await firstValueFrom(client.publish('news', { n: 1 }).pipe(toArray()));
    expect(values).toEqual([undefined]);
    expect(accepted).toEqual([{ n: 1 }]);
    expect(packets(server).filter((p) => p.event === '#publish')).toEqual([
      { event: '#publish', data: { channel: 'news', data: { n: 1 } }, cid: expect.any(Number) },
    ]);
  });

  it('errors with RemoteError when middleware blocks it', async () => {
    const client = connect(server);
    const error = await errorOf(client.publish('blocked', 'x'));
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      code: 'REMOTE_ERROR',
      remoteName: 'PublishBlocked',
      message: 'no publishing here',
    });
    expect(accepted).toEqual([]);
    await expect(firstValueFrom(client.publish('news', 'fine'))).resolves.toBeUndefined();
  });

  it('transmitPublish delivers without an ack', async () => {
    const publisher = connect(server);
    const subscriber = connect(server);
    const received: unknown[] = [];
    subscriber.channel('news').subscribe((m) => received.push(m));
    await waitForChannel(subscriber, 'news', 'subscribed');
    publisher.transmitPublish('news', 'fire and forget');
    await until(() => received.length === 1);
    expect(received).toEqual(['fire and forget']);
    expect(accepted).toEqual(['fire and forget']);
    const publishes = packets(server).filter((p) => p.event === '#publish');
    expect(publishes).toEqual([{ event: '#publish', data: { channel: 'news', data: 'fire and forget' } }]);
    expect(errorsOf(publisher)).toEqual([]);
  });
});

describe('unsubscribing while #subscribe is pending', () => {
  async function leaveWhilePending(server: TestServer): Promise<void> {
    const events = serverEvents(server);
    const client = connect(server);
    const states = recordStates(client, 'brief');
    await open(client);
    client.channel('brief').subscribe().unsubscribe();
    expect(client.channelState('brief')).toBe('unsubscribed');
    // The client undoes the subscription once the server has granted it.
    await until(() => events.length === 2);
    // A round trip: any further #subscribe or #unsubscribe the client sent has arrived by its answer.
    await firstValueFrom(client.invoke('echo', 1));
    expect(events).toEqual(['subscription brief', 'unsubscription brief']);
    expect(subscribes(server)).toEqual(['brief']);
    expect(unsubscribes(server)).toEqual(['brief']);
    const order = packets(server).map((p) => p.event);
    expect(order.indexOf('#subscribe')).toBeLessThan(order.indexOf('#unsubscribe'));
    expect(serverSubscriptions(server)).toEqual({ socket: [], broker: [] });
    expect(states).toEqual(['unsubscribed', 'pending', 'unsubscribed']);
    expect(client.channels()).toEqual([]);
    expect(errorsOf(client)).toEqual([]);
  }

  it('leaves nothing subscribed on the server', async () => {
    await leaveWhilePending(await start());
  });

  it('leaves nothing subscribed on the server when the subscribe middleware is slow', async () => {
    const server = await start();
    const unsubscribesAtAllow: string[][] = [];
    slowSubscribes(server, 100, () => unsubscribesAtAllow.push(unsubscribes(server)));
    await leaveWhilePending(server);
    // The client sends #unsubscribe once the #subscribe is answered, not while it is held.
    expect(unsubscribesAtAllow).toEqual([[]]);
  });

  it('keeps the subscription when a new subscriber comes before the #subscribe is answered', async () => {
    const server = await start();
    slowSubscribes(server, 100);
    const client = connect(server);
    await open(client);
    const received: unknown[] = [];
    client.channel('brief').subscribe().unsubscribe();
    client.channel('brief').subscribe((m) => received.push(m));
    await waitForChannel(client, 'brief', 'subscribed');
    await firstValueFrom(client.invoke('echo', 1));
    expect(subscribes(server)).toEqual(['brief', 'brief']);
    expect(unsubscribes(server)).toEqual([]);
    expect(serverSubscriptions(server)).toEqual({ socket: ['brief'], broker: ['brief'] });
    await firstValueFrom(client.publish('brief', 'kept'));
    await until(() => received.length === 1);
    expect(received).toEqual(['kept']);
  });
});
