import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { until } from '../../support/wait';
import type { CodecName, CompatServer } from './compat-server';
import type { InteropFeature } from './matrix';
import { open, type RowHarness } from './row-harness';

// The mixed set: the official socketcluster-client v20 and this client on one v20 server and the same channels,
// with JSON (sc-formatter on both sides) and with MessagePack (sc-codec-min-bin on the server and the official
// client, this client's msgpack codec).

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- untyped CommonJS */
const officialClient = require('socketcluster-client') as {
  create(options: Record<string, unknown>): Official;
};
export interface Official {
  subscribe(
    channel: string,
  ): AsyncIterable<unknown> & { listener(name: string): { once(): Promise<unknown> } };
  invokePublish(channel: string, data: unknown): Promise<void>;
  invoke(procedure: string, data: unknown): Promise<any>;
  receiver(name: string): AsyncIterable<unknown>;
  listener(name: string): { once(): Promise<unknown> };
  disconnect(): void;
  killAllChannels(): void;
  killAllReceivers(): void;
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

/** The official client's version, for the docs. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const OFFICIAL_VERSION = (require('socketcluster-client/package.json') as { version: string }).version;

/** An official client of `server`, connected. */
export async function official(server: CompatServer, codec: CodecName, all: Official[]): Promise<Official> {
  const client = officialClient.create({
    hostname: '127.0.0.1',
    port: server.port,
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ...(codec === 'msgpack' ? { codecEngine: require('sc-codec-min-bin') as unknown } : {}),
    autoReconnect: false,
  });
  all.push(client);
  await client.listener('connect').once();
  return client;
}

export function closeOfficial(client: Official): void {
  client.disconnect();
  client.killAllChannels();
  client.killAllReceivers();
}

/** Everything an official channel delivers, collected from now on. */
function collect(iterable: AsyncIterable<unknown>): unknown[] {
  const items: unknown[] = [];
  void (async () => {
    for await (const item of iterable) items.push(item);
  })();
  return items;
}

type InteropScenario = (h: RowHarness, peer: () => Promise<Official>) => Promise<void>;

export const INTEROP_SCENARIOS: Record<InteropFeature, InteropScenario> = {
  async publishBothWays(h, peer) {
    const theirs = await peer();
    const channel = theirs.subscribe('lobby');
    await channel.listener('subscribe').once();
    const theirMessages = collect(channel);
    const ours = h.client();
    const ourMessages = firstValueFrom(ours.channel('lobby').pipe(take(2), toArray(), timeout(3000)));
    await until(() => ours.channelState('lobby') === 'subscribed', 3000);
    await firstValueFrom(ours.publish('lobby', { from: 'rx', bytes: [1, 2, 3] }));
    await until(() => theirMessages.length === 1, 3000);
    await theirs.invokePublish('lobby', { from: 'official', text: 'héllo' });
    const expected = [
      { from: 'rx', bytes: [1, 2, 3] },
      { from: 'official', text: 'héllo' },
    ];
    await expect(ourMessages).resolves.toEqual(expected);
    await until(() => theirMessages.length === 2, 3000);
    expect(theirMessages).toEqual(expected);
    expect(h.diagnostics(ours)).toEqual([]);
  },

  async serverPublish(h, peer) {
    const theirs = await peer();
    const channel = theirs.subscribe('news');
    await channel.listener('subscribe').once();
    const theirMessages = collect(channel);
    const ours = h.client();
    const ourMessages = firstValueFrom(ours.channel('news').pipe(take(1), timeout(3000)));
    await until(() => ours.channelState('news') === 'subscribed', 3000);
    await h.server.publish('news', { headline: 'both' });
    await expect(ourMessages).resolves.toEqual({ headline: 'both' });
    await until(() => theirMessages.length === 1, 3000);
    expect(theirMessages).toEqual([{ headline: 'both' }]);
    expect(h.diagnostics(ours)).toEqual([]);
  },

  async rpcAndEvents(h, peer) {
    const theirs = await peer();
    const ours = h.client();
    await open(ours);
    const ourTicks = firstValueFrom(ours.receiver('tick').pipe(take(2), toArray(), timeout(3000)));
    const theirTicks = collect(theirs.receiver('tick'));
    await expect(firstValueFrom(ours.invoke('pushMe', { event: 'tick', count: 2 }))).resolves.toBe(2);
    await expect(theirs.invoke('pushMe', { event: 'tick', count: 2 })).resolves.toBe(2);
    await expect(ourTicks).resolves.toEqual([{ i: 0 }, { i: 1 }]);
    await until(() => theirTicks.length === 2, 3000);
    expect(theirTicks).toEqual([{ i: 0 }, { i: 1 }]);
    await expect(theirs.invoke('sum', { a: 1 })).rejects.toMatchObject({ name: 'BadArgs', field: 'b' });
    await expect(firstValueFrom(ours.invoke('echo', { both: true }))).resolves.toEqual({ both: true });
    expect(h.diagnostics(ours)).toEqual([]);
  },
};
