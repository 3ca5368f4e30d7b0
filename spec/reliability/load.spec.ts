import { createClient, type Client } from '../../lib/node';
import { ag } from '../support/harness';
import { startTestServer, type TestServer } from '../support/test-server';
import { leftoverResources, until } from '../support/wait';

// 1,000 clients in this process against one real socketcluster-server v20, each subscribed to a channel of its
// own; the server publishes one message to each channel. Every message reaches its client and no other, and the
// clients then close without leaving anything running.

const CLIENTS = 1_000;
/** Clients opened at once: bursts stay within the server's listen backlog. */
const WAVE = 250;

let server: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  // Pings at a pace that 1,000 sockets in one busy process can keep up with.
  server = await startTestServer({ options: { pingInterval: 5_000, pingTimeout: 20_000 } });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

it('delivers one message on each of 1,000 channels to its own client, then all close cleanly', async () => {
  const baseline = process.getActiveResourcesInfo();
  const received: unknown[][] = [];
  const errors: unknown[] = [];

  for (let first = 0; first < CLIENTS; first += WAVE) {
    for (let i = first; i < first + WAVE; i++) {
      const client = createClient({ url: server.url });
      clients.push(client);
      received.push([]);
      client.errors$.subscribe((error) => errors.push(error));
      client.channel(`load:${i}`).subscribe({
        next: (message) => received[i]!.push(message),
        error: (e: unknown) => errors.push(e),
      });
    }
    await until(() => clients.every((c, i) => c.channelState(`load:${i}`) === 'subscribed'), 20_000);
  }
  expect(server.agServer.clientsCount).toBe(CLIENTS);
  expect(ag(server).brokerEngine.subscriptions()).toHaveLength(CLIENTS);

  for (let i = 0; i < CLIENTS; i++) void server.agServer.exchange.transmitPublish(`load:${i}`, { to: i });
  await until(() => received.every((messages) => messages.length > 0), 20_000);
  // A second message to each channel closes the count: a duplicate of the first would arrive before it.
  for (let i = 0; i < CLIENTS; i++) void server.agServer.exchange.transmitPublish(`load:${i}`, 'end');
  await until(() => received.every((messages) => messages.at(-1) === 'end'), 20_000);
  expect(received).toEqual(Array.from({ length: CLIENTS }, (_, i) => [{ to: i }, 'end']));
  expect(errors).toEqual([]);

  for (const client of clients.splice(0)) client.close();
  await until(() => server.agServer.clientsCount === 0, 20_000);
  expect(await leftoverResources(baseline, 5_000)).toEqual([]);
}, 60_000);
