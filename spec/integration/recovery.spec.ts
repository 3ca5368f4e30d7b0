import { filter, firstValueFrom, timeout } from 'rxjs';
import { createClient, type Client } from '../../lib/node';
import { recoverChannel, type ChannelEvent, type ChannelGap } from '../../lib/recovery';
import { attachRecovery, type Recovery } from '../../lib/server';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { seededRandom, seedFrom } from '../support/seeded-random';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/wait';

// Channel recovery against a real socketcluster-server v20 with attachRecovery, the recovering client behind a TCP
// proxy that the tests cut. The file runs under JSON and under MessagePack (sc-codec-min-bin on the server).

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- untyped CommonJS */
const officialClient = require('socketcluster-client') as { create(options: Record<string, unknown>): any };
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestServer;
let recovery: Recovery | undefined;
let proxy: FaultProxy | undefined;
const clients: Client[] = [];

function client(url: string): Client {
  const created = createClient({
    url,
    connectTimeout: 5000,
    backoff: { initialDelay: 20, randomness: 20, maxDelay: 100 },
  });
  clients.push(created);
  return created;
}

/** Everything a recovering subscriber of `name` receives, in order. */
function record(subscriber: Client, name: string, options = {}): ChannelEvent<number>[] {
  const events: ChannelEvent<number>[] = [];
  recoverChannel<number>(subscriber, name, options).subscribe((event) => events.push(event));
  return events;
}

const received = (events: ChannelEvent<number>[]) =>
  events.flatMap((e) => (e.type === 'message' ? [e.data] : []));
const gaps = (events: ChannelEvent<number>[]) => events.filter((e): e is ChannelGap => e.type === 'gap');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Resolves once the recovering subscription holds the channel: whatever is published from then on reaches it (the
 * server's answer covers what arrives before it).
 */
async function live(subscriber: Client, name: string): Promise<void> {
  await firstValueFrom(
    subscriber.channelState$(name).pipe(
      filter((s) => s === 'subscribed'),
      timeout(5000),
    ),
  );
}

/** A network outage of `ms`: connections reset, new ones held until it ends. */
async function outage(net: FaultProxy, ms: number): Promise<void> {
  net.stall();
  net.cut();
  await sleep(ms);
  net.resume();
}

async function start(options: { historySize?: number; port?: number } = {}): Promise<Recovery> {
  server = await startTestServer({ port: options.port });
  return (recovery = attachRecovery(server.agServer, {
    channels: (name) => name.startsWith('feed'),
    historySize: options.historySize ?? 10_000,
    historyAge: 60_000,
  }));
}

afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await proxy?.close();
  proxy = undefined;
  recovery?.detach();
  recovery = undefined;
  await server.stop();
});

it('delivers 1..5000 exactly once and in order through three cuts of 200 to 2000 ms', async () => {
  const random = seededRandom(seedFrom('RECOVERY_SEED', 'recovery'));
  await start();
  const net = (proxy = await startFaultProxy({ target: { port: server.port } }));
  const subscriber = client(net.url());
  const publisher = client(server.url);
  const events = record(subscriber, 'feed');
  await live(subscriber, 'feed');

  const total = 5000;
  let published = 0;
  // Three cuts, one after the other: each starts once a seeded number of messages is out and the previous one has
  // healed, and lasts a seeded 200..2000 ms.
  const chaos = (async () => {
    for (let i = 0; i < 3; i++) {
      const at = i * 1400 + 100 + Math.floor(random() * 500);
      const ms = 200 + Math.floor(random() * 1800);
      await until(() => published >= at, 30_000);
      await outage(net, ms);
      // Healed: subscribed again and recovered (a cut before the answer would only make one recovery of two).
      await until(() => events.filter((e) => e.type === 'recovered').length > i, 10_000);
    }
  })();
  // Runs of 5 from the server and 5 from a second client, in turn, 5 ms apart (1 ms a message on average). The
  // client's run is transmitted in one batch and its last publish awaited: the server has then handled the whole
  // run, in order, before the next one starts, so the server sees 1..5000 in order.
  const RUN = 5;
  for (let n = 1; n <= total; n += RUN) {
    const run = range(n, Math.min(n + RUN - 1, total));
    if ((n - 1) % (2 * RUN) === 0) {
      for (const m of run) await server.agServer.exchange.transmitPublish('feed', m);
    } else {
      for (const m of run.slice(0, -1)) publisher.transmitPublish('feed', m);
      await firstValueFrom(publisher.publish('feed', run[run.length - 1]!));
    }
    published = run[run.length - 1]!;
    await sleep(RUN);
  }
  await chaos;
  await until(() => received(events).length >= total, 20_000).catch(() => undefined);

  expect(gaps(events)).toEqual([]);
  expect(received(events)).toEqual(range(1, total));
  expect(events.filter((e) => e.type === 'recovered').length).toBeGreaterThanOrEqual(3);
});

it('reports one gap with the range lost when an outage outlasts the history, then delivers live', async () => {
  const companion = await start({ historySize: 50 });
  const net = (proxy = await startFaultProxy({ target: { port: server.port } }));
  const subscriber = client(net.url());
  const events = record(subscriber, 'feed');
  await live(subscriber, 'feed');
  for (let n = 1; n <= 10; n++) await server.agServer.exchange.transmitPublish('feed', n);
  await until(() => received(events).length === 10);

  net.stall();
  net.cut();
  await until(() => subscriber.channelState('feed') === 'pending');
  for (let n = 11; n <= 210; n++) await server.agServer.exchange.transmitPublish('feed', n);
  net.resume();
  await until(() => received(events).length === 10 + 50);
  for (let n = 211; n <= 215; n++) await server.agServer.exchange.transmitPublish('feed', n);
  await until(() => received(events).length === 10 + 50 + 5);

  expect(gaps(events)).toEqual([
    {
      type: 'gap',
      channel: 'feed',
      reason: 'history-exceeded',
      epoch: companion.epochOf('feed'),
      from: 11,
      to: 160,
    },
  ]);
  const gapAt = events.findIndex((e) => e.type === 'gap');
  expect(received(events.slice(0, gapAt))).toEqual(range(1, 10));
  expect(received(events.slice(gapAt))).toEqual(range(161, 215));
});

it('reports an epoch change after a server restart, then delivers live', async () => {
  const first = await start();
  const subscriber = client(server.url);
  const events = record(subscriber, 'feed');
  await live(subscriber, 'feed');
  for (let n = 1; n <= 5; n++) await server.agServer.exchange.transmitPublish('feed', n);
  await until(() => received(events).length === 5);
  const oldEpoch = first.epochOf('feed');

  const port = server.port;
  first.detach();
  await server.stop();
  const second = await start({ port });
  expect(second.epoch).not.toBe(first.epoch);
  await until(() => gaps(events).length === 1);
  for (let n = 6; n <= 8; n++) await server.agServer.exchange.transmitPublish('feed', n);
  await until(() => received(events).length === 8);

  expect(gaps(events)).toEqual([
    { type: 'gap', channel: 'feed', reason: 'epoch-changed', epoch: oldEpoch, from: 6 },
  ]);
  expect(events.findIndex((e) => e.type === 'gap')).toBe(5);
  expect(received(events)).toEqual(range(1, 8));
});

it('leaves the payloads of a plain socketcluster-client on the same channel unchanged', async () => {
  await start();
  const subscriber = client(server.url);
  const events = record(subscriber, 'feed');
  await live(subscriber, 'feed');
  const official = officialClient.create({
    hostname: '127.0.0.1',
    port: server.port,
    autoReconnect: false,
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the server's codec, untyped CommonJS
    ...(process.env.RX_SC_TEST_CODEC === 'msgpack' ? { codecEngine: require('sc-codec-min-bin') } : {}),
  });
  const plain = createClient({ url: server.url });
  clients.push(plain);
  const plainReceived: unknown[] = [];
  plain.channel('feed').subscribe((m) => plainReceived.push(m));
  try {
    const channel = official.subscribe('feed');
    await channel.listener('subscribe').once();
    await firstValueFrom(plain.channelState$('feed').pipe(filter((s) => s === 'subscribed')));
    const officialReceived: unknown[] = [];
    void (async () => {
      for await (const data of channel) officialReceived.push(data);
    })();
    const payloads = [{ price: 1 }, 'two', 3, [4], null];
    for (const payload of payloads) await server.agServer.exchange.transmitPublish('feed', payload);
    await official.transmitPublish('feed', { from: 'official' });
    await until(() => officialReceived.length === 6 && plainReceived.length === 6);

    const expected = [...payloads, { from: 'official' }];
    expect(officialReceived).toEqual(expected);
    expect(plainReceived).toEqual(expected);
    await until(() => received(events).length === 6);
    expect(events.filter((e) => e.type === 'message').map((e) => (e as { data: unknown }).data)).toEqual(
      expected,
    );
  } finally {
    official.disconnect();
  }
});

it('tells a subscriber when the server does not recover, then delivers the messages as they come', async () => {
  server = await startTestServer();
  const subscriber = client(server.url);
  const events = record(subscriber, 'feed', { timeout: 300 });
  await firstValueFrom(subscriber.channelState$('feed').pipe(filter((s) => s === 'subscribed')));
  await server.agServer.exchange.transmitPublish('feed', 1);
  await until(() => gaps(events).length === 1);
  await server.agServer.exchange.transmitPublish('feed', 2);
  await until(() => received(events).length === 2);

  expect(gaps(events)).toEqual([
    { type: 'gap', channel: 'feed', reason: 'unsupported', epoch: undefined, from: 1 },
  ]);
  expect(received(events)).toEqual([1, 2]);
});

it('delivers the last messages first with rewind', async () => {
  await start();
  for (let n = 1; n <= 20; n++) await server.agServer.exchange.transmitPublish('feed', n);
  const subscriber = client(server.url);
  const events = record(subscriber, 'feed', { rewind: 5 });
  await until(() => received(events).length === 5);
  await server.agServer.exchange.transmitPublish('feed', 21);
  await until(() => received(events).length === 6);
  expect(received(events)).toEqual(range(16, 21));
  expect(events[0]).toMatchObject({ type: 'message', seq: 16 });
});

it('gives a channel forgotten after its history aged out a new epoch: an old cursor gets a gap, not its new count', async () => {
  server = await startTestServer();
  let now = 0;
  const companion = (recovery = attachRecovery(server.agServer, {
    channels: (name) => name.startsWith('feed'),
    historyAge: 1000,
    now: () => now,
  }));
  const subscriber = client(server.url);
  const events = record(subscriber, 'feed');
  await live(subscriber, 'feed');
  for (let n = 1; n <= 3; n++) await server.agServer.exchange.transmitPublish('feed', n);
  await until(() => received(events).length === 3);
  const oldEpoch = companion.epochOf('feed');

  subscriber.disconnect();
  await until(() => server.agServer.clientsCount === 0);
  now = 5000;
  // A new channel's history is made: idle ones are forgotten then.
  await server.agServer.exchange.transmitPublish('feed-other', 0);
  expect(companion.epochOf('feed')).toBeUndefined();
  for (let n = 4; n <= 9; n++) await server.agServer.exchange.transmitPublish('feed', n);
  subscriber.connect();
  await until(() => gaps(events).length === 1);
  await server.agServer.exchange.transmitPublish('feed', 10);
  await until(() => received(events).includes(10));

  expect(companion.epochOf('feed')).not.toBe(oldEpoch);
  expect(gaps(events)).toEqual([
    { type: 'gap', channel: 'feed', reason: 'epoch-changed', epoch: oldEpoch, from: 4 },
  ]);
  expect(received(events)).toEqual([1, 2, 3, 10]);
});
