import { filter, firstValueFrom, timeout } from 'rxjs';
import type { Client } from '../../lib/node';
import { Harness, ag, open, packets } from '../support/harness';
import type { TestServer } from '../support/test-server';
import { until } from '../support/wait';

// Names starting with '#' are the protocol's: the client refuses them as event and procedure names, so that the
// server never acts on a '#subscribe' or '#removeAuthToken' the client's own state does not know of. Channel names
// are data inside '#subscribe' and '#publish', and may start with '#'.

const harness = new Harness();

afterEach(async () => {
  await harness.closeAll();
});

/** The events of the server's inbound packets after the handshake. */
function events(server: TestServer): (string | undefined)[] {
  return packets(server)
    .map((p) => p.event)
    .filter((e) => e !== '#handshake');
}

/** A round trip: everything sent before it has reached the server. */
async function roundTrip(client: Client): Promise<void> {
  await expect(firstValueFrom(client.invoke('echo', 'sync'))).resolves.toBe('sync');
}

it("transmit('#subscribe') throws a TypeError and the server sees nothing", async () => {
  const server = await harness.start();
  const client = harness.connect(server);
  await open(client);
  expect(() => client.transmit('#subscribe', { channel: 'news' })).toThrow(TypeError);
  expect(() => client.invoke('#subscribe', { channel: 'news' })).toThrow(TypeError);
  await roundTrip(client);
  expect(events(server)).toEqual(['echo']);
  expect(ag(server).brokerEngine.subscriptions()).toEqual([]);
  expect(Object.keys(server.sockets[0].subscriptions())).toEqual([]);
  expect(client.channels()).toEqual([]);
  expect(harness.errorsOf(client)).toEqual([]);
});

it("invoke('#removeAuthToken') throws and the server keeps the socket authenticated", async () => {
  const server = await harness.start();
  const client = harness.connect(server);
  await open(client);
  await firstValueFrom(client.invoke('login', { payload: { username: 'ann' } }));
  await firstValueFrom(
    client.authState$.pipe(
      filter((s) => s.state === 'authenticated'),
      timeout(3000),
    ),
  );
  expect(() => client.invoke('#removeAuthToken')).toThrow(TypeError);
  expect(() => client.transmit('#removeAuthToken')).toThrow(TypeError);
  await roundTrip(client);
  expect(events(server)).toEqual(['login', 'echo']);
  expect(server.sockets[0].authState).toBe('authenticated');
  expect(client.authState.state).toBe('authenticated');
});

it("a channel whose name starts with '#' is subscribed, published to and received", async () => {
  const server = await harness.start();
  const client = harness.connect(server);
  const message = firstValueFrom(client.channel('#room').pipe(timeout(3000)));
  await until(() => client.channelState('#room') === 'subscribed');
  expect(ag(server).brokerEngine.subscriptions()).toEqual(['#room']);
  await firstValueFrom(client.publish('#room', 'hello'), { defaultValue: undefined });
  await expect(message).resolves.toBe('hello');
  expect(harness.errorsOf(client)).toEqual([]);
});
