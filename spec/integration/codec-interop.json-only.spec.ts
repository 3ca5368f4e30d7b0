import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { msgpackCodec } from '../../lib/codec/msgpack';
import { createClient, type Client } from '../../lib/node';
import { startTestServer, type TestServer } from '../support/test-server';
import { until } from '../support/wait';

// A server running our msgpack codec as its codecEngine, with the official socketcluster-client on
// sc-codec-min-bin on one side and this client on the other. (It pins its codecs, so it runs in one project.)

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- untyped CommonJS */
const officialClient = require('socketcluster-client') as { create(options: Record<string, unknown>): any };
const minBin = require('sc-codec-min-bin') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

let server: TestServer;
let ours: Client;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the official client is untyped here
let official: any;

beforeEach(async () => {
  server = await startTestServer({ options: { codecEngine: msgpackCodec() } });
  ours = createClient({ url: server.url, codec: msgpackCodec() });
  official = officialClient.create({
    hostname: '127.0.0.1',
    port: server.port,
    codecEngine: minBin,
    autoReconnect: false,
  });
});

afterEach(async () => {
  ours.close();
  official.disconnect();
  await server.stop();
});

it('serves the official client on sc-codec-min-bin: RPC, remote errors and binary data', async () => {
  await expect(official.invoke('sum', { a: 2, b: 3 })).resolves.toBe(5);
  await expect(official.invoke('sum', { a: 1 })).rejects.toMatchObject({
    name: 'BadArgs',
    message: 'a and b must be numbers',
  });
  const bytes = new Uint8Array([1, 2, 3, 255]).buffer;
  const echoed = (await official.invoke('echo', { bytes })) as { bytes: ArrayBuffer };
  expect([...new Uint8Array(echoed.bytes)]).toEqual([1, 2, 3, 255]);
});

it('carries channel messages both ways between the official client and this one', async () => {
  const officialChannel = official.subscribe('room');
  await officialChannel.listener('subscribe').once();
  const ourMessages = firstValueFrom(ours.channel<{ from: string }>('room').pipe(take(2), toArray()));
  await until(() => ours.channelState('room') === 'subscribed');
  const officialMessages: unknown[] = [];
  void (async () => {
    for await (const message of officialChannel) officialMessages.push(message);
  })();
  await firstValueFrom(ours.publish('room', { from: 'rx' }));
  await official.invokePublish('room', { from: 'official' });
  await until(() => officialMessages.length === 2);
  await expect(ourMessages).resolves.toEqual([{ from: 'rx' }, { from: 'official' }]);
  expect(officialMessages).toEqual([{ from: 'rx' }, { from: 'official' }]);
});

it('lets this client and the official one exchange server-pushed events and RPC on one server', async () => {
  const ticks = firstValueFrom(ours.receiver<{ i: number }>('tick').pipe(take(2), toArray()));
  await firstValueFrom(ours.invoke('pushMe', { event: 'tick', count: 2 }));
  await expect(ticks).resolves.toEqual([{ i: 0 }, { i: 1 }]);
  const officialTicks: unknown[] = [];
  void (async () => {
    for await (const data of official.receiver('tick')) officialTicks.push(data);
  })();
  await official.invoke('pushMe', { event: 'tick', count: 2 });
  await until(() => officialTicks.length === 2);
  expect(officialTicks).toEqual([{ i: 0 }, { i: 1 }]);
  await firstValueFrom(ours.state$.pipe(filter((s) => s.state === 'open')));
  expect(server.agServer.clientsCount).toBe(2);
});
