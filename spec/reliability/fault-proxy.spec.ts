import { randomBytes } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { createClient, type Client, type ConnectionState } from '../../lib/node';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startTestServer, type TestServer } from '../support/test-server';
import { until, waitForState } from '../support/wait';

// The fault proxy between our client and a real socketcluster-server v20: what each fault looks like from the
// client's side.

let server: TestServer;
let proxy: FaultProxy;
let client: Client | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await proxy.close();
  await server.stop();
});

async function setup(serverOptions: Record<string, unknown> = {}): Promise<void> {
  server = await startTestServer({ options: serverOptions });
  proxy = await startFaultProxy({ target: { port: server.port } });
}

function record(c: Client): ConnectionState[] {
  const states: ConnectionState[] = [];
  c.state$.subscribe((s) => states.push(s));
  return states;
}

async function roundTrip(c: Client, data: unknown): Promise<{ ms: number; echoed: unknown }> {
  const start = performance.now();
  const echoed = await firstValueFrom(c.invoke('echo', data));
  return { ms: performance.now() - start, echoed };
}

it('forwards a session in both directions and counts its connection', async () => {
  await setup();
  client = createClient({ url: proxy.url() });
  await expect(firstValueFrom(client.invoke('sum', { a: 2, b: 3 }))).resolves.toBe(5);
  expect(proxy.connections).toBe(1);
  expect(proxy.forwarded.up).toBeGreaterThan(0);
  expect(proxy.forwarded.down).toBeGreaterThan(0);
  client.close();
  client = undefined;
  await until(() => proxy.connections === 0);
});

it('cut() resets the connection: the client sees 1006 and reconnects through the proxy', async () => {
  await setup();
  client = createClient({ url: proxy.url(), reconnectDelay: () => 20 });
  const states = record(client);
  await firstValueFrom(client.invoke('echo', 1));
  const firstId = (client.state as { id: string }).id;
  proxy.cut();
  const closed = await waitForState(client.state$, (s) => s.state === 'closed');
  expect(closed).toMatchObject({ code: 1006, retryIn: 20 });
  const open = await waitForState(client.state$, (s) => s.state === 'open');
  expect((open as { id: string }).id).not.toBe(firstId);
  await expect(firstValueFrom(client.invoke('echo', 'again'))).resolves.toBe('again');
  expect(states.map((s) => s.state)).toEqual(['idle', 'connecting', 'open', 'closed', 'connecting', 'open']);
  expect(server.sockets).toHaveLength(2);
});

it('stall() is silent: only the ping watchdog notices it, with 4000, and the client is back after resume()', async () => {
  const pingInterval = 100;
  const pingTimeout = 500;
  await setup({ pingInterval, pingTimeout });
  client = createClient({ url: proxy.url() });
  const states = record(client);
  await firstValueFrom(client.invoke('echo', 1));
  const firstId = (client.state as { id: string }).id;
  const openStates = states.length;

  proxy.stall();
  const stalledAt = performance.now();
  const framesAtStall = server.frames.length;
  const closed = await waitForState(client.state$, (s) => s.state === 'closed', 3000);
  const detectedAfter = performance.now() - stalledAt;

  // The last frame (a ping) came at most one ping interval before the stall; the watchdog fires pingTimeout after it.
  expect(detectedAfter).toBeGreaterThanOrEqual(pingTimeout - pingInterval - 20);
  expect(closed).toMatchObject({ code: 4000, reason: 'Server ping timed out', retryIn: 0 });
  // Nothing in between: no close, no error, before the watchdog.
  expect(states.slice(openStates).map((s) => s.state)).toEqual(['closed']);
  // The immediate retry is stalled too: it stays `connecting`, and nothing at all reached the server.
  await waitForState(client.state$, (s) => s.state === 'connecting');
  await until(() => proxy.connections === 2);
  expect(server.frames.length).toBe(framesAtStall);

  proxy.resume();
  const open = await waitForState(client.state$, (s) => s.state === 'open', 3000);
  expect((open as { id: string }).id).not.toBe(firstId);
  await expect(firstValueFrom(client.invoke('echo', 'back'))).resolves.toBe('back');
});

it('without the ping watchdog, a stalled connection still looks open; the server close shows on resume()', async () => {
  const pingTimeout = 300;
  await setup({ pingInterval: 100, pingTimeout });
  client = createClient({ url: proxy.url(), pingTimeoutDisabled: true, reconnectDelay: () => 20 });
  await firstValueFrom(client.invoke('echo', 1));
  proxy.stall();
  const serverSocket = server.sockets[0];
  // The server, which gets no pongs, gives up on the socket: its close frame waits in the proxy.
  await until(() => serverSocket.state === 'closed', 3000);
  expect(client.state.state).toBe('open');
  proxy.resume();
  const closed = await waitForState(client.state$, (s) => s.state === 'closed');
  expect(closed).toMatchObject({ code: 4001 });
  await waitForState(client.state$, (s) => s.state === 'open');
});

it('setDelay() adds its latency in each direction', async () => {
  const delay = 200;
  await setup();
  client = createClient({ url: proxy.url() });
  await roundTrip(client, 'warm-up');
  const fast = await roundTrip(client, 'fast');
  proxy.setDelay(delay);
  const slow = await roundTrip(client, 'slow');
  proxy.setDelay(0);
  // Bytes already in flight (a ping, say) keep their latency, and later bytes queue behind them, in order, as on
  // TCP: one round trip drains them.
  await roundTrip(client, 'drain');
  const fastAgain = await roundTrip(client, 'fast again');

  expect(slow.echoed).toBe('slow');
  // One delay up, one down; timers may fire up to a millisecond early.
  expect(slow.ms).toBeGreaterThanOrEqual(2 * delay - 2);
  expect(fast.ms).toBeLessThan(delay);
  expect(fastAgain.ms).toBeLessThan(delay);
});

it('setThrottle() limits the bandwidth of each direction, and null lifts the limit', async () => {
  const rate = 40_000; // bytes per second
  await setup();
  client = createClient({ url: proxy.url() });
  await roundTrip(client, 'warm-up');
  // Random hex, so that no compression could shrink it.
  const payload = randomBytes(8_000).toString('hex'); // 16,000 bytes each way
  proxy.setThrottle(rate);
  const up = proxy.forwarded.up;
  const down = proxy.forwarded.down;
  const throttled = await roundTrip(client, payload);
  const upBytes = proxy.forwarded.up - up;
  const downBytes = proxy.forwarded.down - down;
  proxy.setThrottle(null);
  const free = await roundTrip(client, payload);

  expect(throttled.echoed).toBe(payload);
  expect(upBytes).toBeGreaterThan(payload.length);
  expect(downBytes).toBeGreaterThan(payload.length);
  // The answer starts only after the whole request has arrived: both transfers add up. The first 10 ms slice of
  // each direction leaves at once.
  const minimum = ((upBytes + downBytes) / rate) * 1000 - 2 * 10;
  expect(throttled.ms).toBeGreaterThanOrEqual(minimum);
  expect(free.echoed).toBe(payload);
  expect(free.ms).toBeLessThan(minimum / 2);
});
