import { createHmac } from 'node:crypto';
import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { ChannelKickOutError, RemoteError, type AuthState, type Client } from '../../../lib/node';
import { until, waitForState } from '../../support/wait';
import type { CompatServer, CompatSocket } from './compat-server';
import type { Feature } from './matrix';
import { open, type RowHarness } from './row-harness';

// The scenarios of the matrix, one per feature column. Each runs against the row's server through the public API
// only, throws (an `expect` failure) when the client does not behave as with a v20 server, and ends by checking
// that the client reported nothing on errors$.

type Scenario = (h: RowHarness) => Promise<void>;

/** Connects a new client of the row server and returns it with the server socket it got. */
async function connected(h: RowHarness, server: CompatServer = h.server): Promise<[Client, CompatSocket]> {
  const client = h.client({}, server);
  const socket = server.nextConnection();
  await open(client);
  return [client, await socket];
}

/**
 * Waits for the client to open a new connection (a socket id other than `previous`) and returns the server socket
 * behind it: the server may report the connection a little after the client sees the handshake reply.
 */
async function reconnected(
  client: Client,
  previous: CompatSocket,
  server: () => CompatServer,
): Promise<CompatSocket> {
  const state = await waitForState(client.state$, (s) => s.state === 'open' && s.id !== previous.id);
  const id = state.state === 'open' ? state.id : '';
  await until(() => server().sockets.some((s) => s.id === id), 3000);
  return server().sockets.find((s) => s.id === id)!;
}

function noDiagnostics(h: RowHarness, client: Client): void {
  expect(h.diagnostics(client)).toEqual([]);
}

function waitForAuth(client: Client, match: (s: AuthState) => boolean): Promise<AuthState> {
  return firstValueFrom(client.authState$.pipe(filter(match), timeout(3000)));
}

/** Collects a channel's messages until `count` arrived. */
function messages<T>(client: Client, channel: string, count: number): Promise<T[]> {
  return firstValueFrom(client.channel<T>(channel).pipe(take(count), toArray(), timeout(3000)));
}

async function subscribed(client: Client, socket: CompatSocket, channel: string): Promise<void> {
  await until(
    () => client.channelState(channel) === 'subscribed' && socket.subscriptions().includes(channel),
    3000,
  );
}

/** A JWT with the right shape signed with a key the server does not know. */
function foreignToken(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ ...payload, iat: Math.floor(Date.now() / 1000) })}`;
  return `${unsigned}.${createHmac('sha256', 'not-the-server-key').update(unsigned).digest('base64url')}`;
}

async function login(client: Client, user: string): Promise<void> {
  await firstValueFrom(client.invoke('login', { payload: { user } }));
  await waitForAuth(client, (s) => s.state === 'authenticated');
}

export const SCENARIOS: Record<Feature, Scenario> = {
  async handshake(h) {
    const [client, socket] = await connected(h);
    const state = client.state;
    expect(state).toMatchObject({
      state: 'open',
      id: socket.id,
      pingTimeout: 20_000,
      isAuthenticated: false,
    });
    noDiagnostics(h, client);
  },

  async ping(h) {
    // A server of its own that pings every 25 ms: the server must count pongs, and the client stay quiet.
    const server = await h.startExtra({ pingInterval: 25, pingTimeout: 20_000 });
    const [client, socket] = await connected(h, server);
    await until(() => socket.pongs() >= 3, 1500);
    expect(client.state.state).toBe('open');
    noDiagnostics(h, client);
  },

  async rpc(h) {
    const [client] = await connected(h);
    const data = { text: 'héllo ✓ 𝄞', n: [1, 2.5, -3, 2 ** 40], nested: { ok: true, none: null, list: [] } };
    await expect(firstValueFrom(client.invoke('echo', data))).resolves.toEqual(data);
    await expect(firstValueFrom(client.invoke('sum', { a: 2, b: 3 }))).resolves.toBe(5);
    const many = Array.from({ length: 20 }, (_, i) => firstValueFrom(client.invoke('echo', i)));
    await expect(Promise.all(many)).resolves.toEqual(Array.from({ length: 20 }, (_, i) => i));
    noDiagnostics(h, client);
  },

  async remoteError(h) {
    const [client] = await connected(h);
    const error = await firstValueFrom(client.invoke('sum', { a: 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      remoteName: 'BadArgs',
      message: 'a and b must be numbers',
      details: { field: 'b' },
    });
    noDiagnostics(h, client);
  },

  async serverEvents(h) {
    const [client] = await connected(h);
    const ticks = firstValueFrom(
      client.receiver<{ i: number }>('tick').pipe(take(3), toArray(), timeout(3000)),
    );
    await expect(firstValueFrom(client.invoke('pushMe', { event: 'tick', count: 3 }))).resolves.toBe(3);
    await expect(ticks).resolves.toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    noDiagnostics(h, client);
  },

  async clientProcedure(h) {
    const [client] = await connected(h);
    client.procedure<number, number>('double').subscribe((request) => request.end(request.data * 2));
    client.procedure('refuse').subscribe((request) => {
      const error = new Error('not today');
      error.name = 'Refused';
      request.error(error);
    });
    await expect(firstValueFrom(client.invoke('callMe', { procedure: 'double', data: 21 }))).resolves.toEqual(
      {
        result: 42,
      },
    );
    await expect(
      firstValueFrom(client.invoke('callMe', { procedure: 'refuse', data: null })),
    ).resolves.toEqual({
      error: { name: 'Refused', message: 'not today' },
    });
    noDiagnostics(h, client);
  },

  async channels(h) {
    const [client, socket] = await connected(h);
    const received = messages<{ from: string }>(client, 'news', 2);
    await subscribed(client, socket, 'news');
    await firstValueFrom(client.publish('news', { from: 'client' }));
    await h.server.publish('news', { from: 'server' });
    await expect(received).resolves.toEqual([{ from: 'client' }, { from: 'server' }]);
    // take(2) unsubscribed: the client sends #unsubscribe and the server drops the subscription.
    await until(() => !socket.subscriptions().includes('news'), 3000);
    noDiagnostics(h, client);
  },

  async restart(h) {
    const [client, socket] = await connected(h);
    const received = messages<string>(client, 'room', 1);
    await subscribed(client, socket, 'room');
    const next = reconnected(client, socket, () => h.server);
    await h.restart();
    await subscribed(client, await next, 'room');
    await h.server.publish('room', 'after restart');
    await expect(received).resolves.toEqual(['after restart']);
    noDiagnostics(h, client);
  },

  async kickOut(h) {
    const [client, socket] = await connected(h);
    const outcome = firstValueFrom(client.channel('vip').pipe(timeout(3000))).catch((e: unknown) => e);
    await subscribed(client, socket, 'vip');
    socket.kickOut('vip', 'members only');
    const error = await outcome;
    expect(error).toBeInstanceOf(ChannelKickOutError);
    expect(error).toMatchObject({ channel: 'vip', kickOutMessage: 'members only' });
    expect(socket.subscriptions()).not.toContain('vip');
    noDiagnostics(h, client);
  },

  async disconnect(h) {
    const [client, socket] = await connected(h);
    const closed = waitForState(client.state$, (s) => s.state === 'closed');
    await firstValueFrom(client.invoke('kick', { code: 4321, reason: 'bye' }));
    await expect(closed).resolves.toMatchObject({ code: 4321, reason: 'bye' });
    // 4321 is below 4500: the client reconnects by itself.
    await reconnected(client, socket, () => h.server);
    noDiagnostics(h, client);
  },

  async login(h) {
    const [client, socket] = await connected(h);
    await login(client, 'ann');
    expect(client.authState).toMatchObject({ state: 'authenticated', claims: { user: 'ann' } });
    expect(socket.isAuthenticated()).toBe(true);
    expect(socket.authToken()).toMatchObject({ user: 'ann' });
    noDiagnostics(h, client);
  },

  async authenticate(h) {
    const [client, socket] = await connected(h);
    const token = await h.server.signToken({ user: 'bob' });
    await expect(firstValueFrom(client.authenticate(token))).resolves.toMatchObject({
      isAuthenticated: true,
    });
    expect(client.authState).toMatchObject({ state: 'authenticated', token, claims: { user: 'bob' } });
    expect(socket.authToken()).toMatchObject({ user: 'bob' });
    // A token signed with another key: refused, and the server tells the client to drop its token.
    const refusal = await firstValueFrom(client.authenticate(foreignToken({ user: 'eve' }))).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(RemoteError);
    expect(refusal).toMatchObject({ remoteName: 'AuthTokenInvalidError' });
    await waitForAuth(client, (s) => s.state === 'unauthenticated');
    await until(() => !socket.isAuthenticated(), 3000);
    noDiagnostics(h, client);
  },

  async deauthenticate(h) {
    const [client, socket] = await connected(h);
    await login(client, 'dan');
    client.deauthenticate();
    expect(client.authState.state).toBe('unauthenticated');
    await until(() => !socket.isAuthenticated(), 3000);
    noDiagnostics(h, client);
  },

  async tokenOnReconnect(h) {
    const [client, socket] = await connected(h);
    await login(client, 'cat');
    const pending = reconnected(client, socket, () => h.server);
    await h.restart();
    const next = await pending;
    // The handshake of the new connection carried the token: the server socket is signed in from the start.
    expect(client.state).toMatchObject({ state: 'open', isAuthenticated: true });
    expect(next.isAuthenticated()).toBe(true);
    expect(next.authToken()).toMatchObject({ user: 'cat' });
    expect(client.authState).toMatchObject({ state: 'authenticated', claims: { user: 'cat' } });
    noDiagnostics(h, client);
  },
};

/**
 * For a row whose server cannot speak the client's protocol version (v14 with protocol 2): a fast-pinging server
 * never receives a pong, and the client says which `protocolVersion` to set, whatever the codec (v14 sends its
 * ping through the codec, so with MessagePack it arrives decoded).
 */
export async function protocolMismatch(h: RowHarness): Promise<void> {
  const server = await h.startExtra({ pingInterval: 25, pingTimeout: 20_000 });
  const [client, socket] = await connected(h, server);
  await until(() => h.diagnostics(client).length >= 3, 1500);
  expect(socket.pongs()).toBe(0);
  const expected =
    'PROTOCOL_ERROR unexpected-frame Received a protocol 1 ping: the server speaks protocol version 1, set protocolVersion: 1';
  expect(new Set(h.diagnostics(client))).toEqual(new Set([expected]));
}
