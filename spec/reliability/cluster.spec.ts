import { firstValueFrom } from 'rxjs';
import {
  createClient,
  memoryTokenStore,
  type Client,
  type ClientOptions,
  type ConnectionState,
} from '../../lib/node';
import { startCluster, type Cluster } from '../support/scc-cluster';
import type { ServerSocket } from '../support/test-server';
import { until, waitForState } from '../support/wait';

// Our client against a SocketCluster cluster: two socketcluster-server v20 instances joined through scc-broker and a
// state coordinator (spec/support/scc-cluster.ts). Channel messages published on one instance reach subscribers on
// the other, tokens signed by one instance are accepted by the other, and a client of an instance that goes down
// comes back with it.

let cluster: Cluster;
let clients: Client[] = [];

function serve(socket: ServerSocket): void {
  void (async () => {
    for await (const req of socket.procedure('login')) {
      socket.setAuthToken(req.data ?? {}).then(
        () => req.end(),
        (error: Error) => req.error(error),
      );
    }
  })();
}

beforeAll(async () => {
  cluster = await startCluster({ authKey: 'cluster-test-secret', onConnection: serve });
}, 30_000);

afterEach(() => {
  for (const client of clients) client.close();
  clients = [];
});

afterAll(async () => {
  await cluster.close();
}, 30_000);

function connect(instance: number, options: Partial<ClientOptions> = {}): Client {
  const client = createClient({ url: cluster.urls[instance]!, reconnectDelay: () => 50, ...options });
  clients.push(client);
  return client;
}

function collect(client: Client, channel: string): unknown[] {
  const messages: unknown[] = [];
  client.channel(channel).subscribe((message) => messages.push(message));
  return messages;
}

it('carries channel messages between a client on each instance, in both directions, once each', async () => {
  const a = connect(0);
  const b = connect(1);
  const atA = collect(a, 'chat');
  const atB = collect(b, 'chat');
  await until(() => a.channelState('chat') === 'subscribed' && b.channelState('chat') === 'subscribed');
  await cluster.routed(0, 'chat');
  await cluster.routed(1, 'chat');

  await firstValueFrom(a.publish('chat', { from: 'a' }));
  await until(() => atB.length === 1);
  await firstValueFrom(b.publish('chat', { from: 'b' }));
  await until(() => atA.length === 2);
  // Each instance also gets its own publishes back from the broker, and must drop them. The broker forwards in
  // order, so once a later message from the other side has arrived, any such echo would have arrived too.
  await firstValueFrom(b.publish('chat', 'end-b'));
  await until(() => atA.includes('end-b'));
  await firstValueFrom(a.publish('chat', 'end-a'));
  await until(() => atB.includes('end-a'));

  expect(atA).toEqual([{ from: 'a' }, { from: 'b' }, 'end-b', 'end-a']);
  expect(atB).toEqual([{ from: 'a' }, { from: 'b' }, 'end-b', 'end-a']);
}, 20_000);

it('accepts on one instance a token signed by the other (shared authKey)', async () => {
  const a = connect(0);
  await firstValueFrom(a.invoke('login', { user: 'ada' }));
  const signedByA = a.authState;
  expect(signedByA).toMatchObject({ state: 'authenticated', claims: { user: 'ada' } });
  const token = (signedByA as { token: string }).token;

  const b = connect(1, { authTokenKey: 'shared', tokenStore: memoryTokenStore({ shared: token }) });
  b.connect();
  const open = await waitForState(b.state$, (s) => s.state === 'open');
  expect(open).toMatchObject({ isAuthenticated: true });
  expect(open).not.toHaveProperty('authError');
  expect(b.authState).toMatchObject({ state: 'authenticated', token });
}, 20_000);

it('brings a client back with its instance, and messages from the other instance reach it again', async () => {
  const a = connect(0);
  const b = connect(1);
  const bStates: ConnectionState[] = [];
  b.state$.subscribe((s) => bStates.push(s));
  const atA = collect(a, 'news');
  b.connect();
  await until(() => a.channelState('news') === 'subscribed' && b.state.state === 'open');
  await cluster.routed(0, 'news');

  await cluster.killInstance(0);
  const dropped = await waitForState(a.state$, (s) => s.state === 'closed');
  expect(dropped).toMatchObject({ code: 1006, retryIn: 50 });
  expect(a.channelState('news')).toBe('pending');

  await cluster.restartInstance(0);
  await waitForState(a.state$, (s) => s.state === 'open', 10_000);
  await until(() => a.channelState('news') === 'subscribed');
  await cluster.routed(0, 'news');
  await firstValueFrom(b.publish('news', { after: 'restart' }));
  await until(() => atA.length === 1);

  expect(atA).toEqual([{ after: 'restart' }]);
  // The other instance's client never noticed.
  expect(bStates.map((s) => s.state)).toEqual(['idle', 'connecting', 'open']);
}, 30_000);

it('fails over with urls: a client of a killed instance moves to the other within about a second, still subscribed and signed in', async () => {
  const a = connect(0, { url: undefined, urls: cluster.urls, reconnectDelay: undefined }); // the default backoff
  const b = connect(1);
  await firstValueFrom(a.invoke('login', { user: 'ada' }));
  expect(a.authState).toMatchObject({ state: 'authenticated', claims: { user: 'ada' } });
  const atA = collect(a, 'ops');
  b.connect();
  await until(() => a.channelState('ops') === 'subscribed' && b.state.state === 'open');
  await cluster.routed(0, 'ops');
  await firstValueFrom(b.publish('ops', 'before'));
  await until(() => atA.length === 1);

  const killedAt = Date.now();
  await cluster.killInstance(0);
  const moved = await waitForState(a.state$, (s) => s.state === 'open' && s.url === cluster.urls[1], 5000);
  await until(() => a.channelState('ops') === 'subscribed');
  const failoverMs = Date.now() - killedAt;
  expect(moved).toMatchObject({ isAuthenticated: true });
  expect(a.authState).toMatchObject({ state: 'authenticated', claims: { user: 'ada' } });
  // The first reconnect delay is 0.5 to 1 s; the rest is a handshake and a #subscribe, with headroom for a loaded
  // 2-core CI machine.
  expect(failoverMs).toBeLessThan(2000);

  await firstValueFrom(b.publish('ops', 'after'));
  await until(() => atA.length === 2);
  expect(atA).toEqual(['before', 'after']);
  process.stdout.write(
    `\ncluster failover: ${failoverMs} ms from the kill to subscribed on the other instance\n`,
  );
}, 30_000);
