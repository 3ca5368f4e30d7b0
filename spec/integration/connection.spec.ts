import { firstValueFrom } from 'rxjs';
import { clientStats } from '../../lib/diagnostics';
import { createClient, type Client, type ConnectionState } from '../../lib/node';
import { startTestServer, type TestServer } from '../support/test-server';
import { leftoverResources, until, waitForState } from '../support/wait';

// The connection lifecycle against a real socketcluster-server v20 in this process.

let server: TestServer;
let client: Client | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await server.stop();
});

function record(c: Client): ConnectionState[] {
  const states: ConnectionState[] = [];
  c.state$.subscribe((s) => states.push(s));
  return states;
}

it('sends #handshake with a cid as its first frame and opens', async () => {
  server = await startTestServer();
  client = createClient({ url: server.url });
  const connected = server.nextConnection();
  client.connect();
  const open = await waitForState(client.state$, (s) => s.state === 'open');
  const socket = await connected;
  expect(open).toMatchObject({ state: 'open', id: socket.id, pingTimeout: 1000, isAuthenticated: false });
  expect(JSON.parse(server.frames[0]!)).toEqual({
    event: '#handshake',
    data: { authToken: null },
    cid: expect.any(Number),
  });
});

it('answers pings and stays connected past the server pingTimeout', async () => {
  server = await startTestServer({ options: { pingInterval: 50, pingTimeout: 300 } });
  client = createClient({ url: server.url });
  const states = record(client);
  client.connect();
  await waitForState(client.state$, (s) => s.state === 'open');
  const before = server.frames.length;
  await new Promise((resolve) => setTimeout(resolve, 700)); // more than twice the server's pingTimeout
  expect(server.frames.slice(before)).toContain(''); // pongs
  expect(states.map((s) => s.state)).toEqual(['idle', 'connecting', 'open']);
});

it('reconnects by itself within the default first delay after a server restart', async () => {
  server = await startTestServer();
  const port = server.port;
  client = createClient({ url: server.url });
  const states = record(client);
  await firstValueFrom(client.invoke('echo', 1));
  const firstId = (client.state as { id: string }).id;
  await server.stop();
  const closed = (await waitForState(client.state$, (s) => s.state === 'closed')) as Extract<
    ConnectionState,
    { state: 'closed' }
  >;
  const closedAt = Date.now();
  server = await startTestServer({ port });
  const open = await waitForState(client.state$, (s) => s.state === 'open', 3000);
  expect(closed).toMatchObject({ code: 1006, attempt: 0 });
  expect(closed.retryIn).toBeGreaterThanOrEqual(500);
  expect(closed.retryIn).toBeLessThanOrEqual(1000);
  expect(Date.now() - closedAt).toBeLessThan(closed.retryIn! + 1000);
  expect((open as { id: string }).id).not.toBe(firstId);
  expect(states.map((s) => s.state)).toEqual(['idle', 'connecting', 'open', 'closed', 'connecting', 'open']);
  await expect(firstValueFrom(client.invoke('sum', { a: 2, b: 2 }))).resolves.toBe(4);
});

it.each([4100, 4499])('reconnects after the server disconnects it with %i', async (code) => {
  server = await startTestServer();
  client = createClient({ url: server.url, reconnectDelay: () => 50 });
  await firstValueFrom(client.invoke('kick', { code, reason: 'move along' }));
  const closed = await waitForState(client.state$, (s) => s.state === 'closed');
  expect(closed).toMatchObject({ code, reason: 'move along', retryIn: 50 });
  await waitForState(client.state$, (s) => s.state === 'open');
  await expect(firstValueFrom(client.invoke('echo', 'back'))).resolves.toBe('back');
});

it.each([4500, 4600, 1000])('does not reconnect after the server disconnects it with %i', async (code) => {
  server = await startTestServer();
  client = createClient({ url: server.url, reconnectDelay: () => 50 });
  const states = record(client);
  await firstValueFrom(client.invoke('kick', { code }));
  const closed = await waitForState(client.state$, (s) => s.state === 'closed');
  // 1000 has a standard text (sc-errors); 4500 and above are the application's, with none.
  const reason = code === 1000 ? 'Socket closed normally' : '';
  expect(closed).toEqual({
    state: 'closed',
    attempt: 0,
    code,
    reason,
    error: expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: code, phase: 'disconnect' }),
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(states.at(-1)).toBe(closed);
  expect(server.agServer.clientsCount).toBe(0);
});

it('reconnects after pingTimeout when the server stops pinging', async () => {
  // 1000 ms: the shortest pingTimeout the client keeps.
  server = await startTestServer({ options: { pingTimeoutDisabled: true, pingTimeout: 1000 } });
  client = createClient({ url: server.url });
  const states = record(client);
  client.connect();
  await waitForState(client.state$, (s) => s.state === 'open');
  const openedAt = Date.now();
  const closed = await waitForState(client.state$, (s) => s.state === 'closed', 3000);
  expect(Date.now() - openedAt).toBeGreaterThanOrEqual(990);
  expect(closed).toMatchObject({ code: 4000, reason: 'Server ping timed out', retryIn: 0 });
  await waitForState(client.state$, (s) => s.state === 'open');
  expect(states.map((s) => s.state)).toEqual(['idle', 'connecting', 'open', 'closed', 'connecting', 'open']);
});

it('talks to a protocol version 1 server', async () => {
  server = await startTestServer({ options: { protocolVersion: 1, pingInterval: 50, pingTimeout: 1000 } });
  client = createClient({ url: server.url, protocolVersion: 1 });
  const errors: unknown[] = [];
  client.errors$.subscribe((e) => errors.push(e));
  await expect(firstValueFrom(client.invoke('sum', { a: 1, b: 1 }))).resolves.toBe(2);
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(server.frames).toContain('#2');
  expect(client.state.state).toBe('open');
  expect(errors).toEqual([]);
});

it('stops after a handshake the server rejects with a code of 4500 or more', async () => {
  server = await startTestServer();
  server.agServer.setMiddleware(server.agServer.MIDDLEWARE_HANDSHAKE, async (stream) => {
    for await (const action of stream) {
      if (action.type === action.HANDSHAKE_SC) {
        const error = Object.assign(new Error('go away'), { name: 'NoEntry', statusCode: 4501 });
        action.block(error);
      } else {
        action.allow();
      }
    }
  });
  client = createClient({ url: server.url });
  const error = await firstValueFrom(client.invoke('echo', 1)).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'HANDSHAKE_REJECTED', statusCode: 4501, message: 'go away' });
  expect(client.state).toMatchObject({ state: 'closed', code: 4501 });
  expect(client.state).not.toHaveProperty('retryAt');
});

it('close() completes every stream and leaves no socket or timer open', async () => {
  server = await startTestServer();
  const baseline = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
  const c = createClient({ url: server.url });
  const completed: string[] = [];
  c.state$.subscribe({ complete: () => completed.push('state$') });
  c.errors$.subscribe({ complete: () => completed.push('errors$') });
  c.receiver('x').subscribe({ complete: () => completed.push('receiver') });
  c.procedure('y').subscribe({ complete: () => completed.push('procedure') });
  await firstValueFrom(c.invoke('echo', 1));
  c.close();
  expect(completed.sort()).toEqual(['errors$', 'procedure', 'receiver', 'state$']);
  await until(() => server.agServer.clientsCount === 0);
  // Resources beyond those active before the client existed, once the client's side of the close handshake has
  // ended (well within ws's 30 s close timeout, so that a handle the client really leaks still fails the test).
  expect(await leftoverResources(baseline)).toEqual([]);
});

it('clientStats samples the real traffic: frames and bytes both ways, the answered calls timing the round trip', async () => {
  server = await startTestServer();
  client = createClient({ url: server.url });
  for (let i = 0; i < 5; i++) await firstValueFrom(client.invoke('echo', 'x'.repeat(100)));
  const stats = await firstValueFrom(clientStats(client));
  // The handshake reply and five answers at least (the server's pings come on top).
  expect(stats.state).toBe('open');
  expect(stats.framesIn).toBeGreaterThanOrEqual(6);
  expect(stats.framesOut).toBeGreaterThanOrEqual(6);
  expect(stats.bytesIn).toBeGreaterThan(500);
  expect(stats.bytesOut).toBeGreaterThan(500);
  expect(stats).toMatchObject({ reconnects: 0, outbox: 0, callsInFlight: 0 });
  expect(stats.connectedFor).toBeGreaterThanOrEqual(0);
  expect(stats.rtt).toBeGreaterThanOrEqual(0);
  expect(stats.rtt).toBeLessThan(1000);
});
