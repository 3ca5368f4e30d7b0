import { createHmac } from 'node:crypto';
import { filter, firstValueFrom, take, timeout, toArray, type Observable, type Subscription } from 'rxjs';
import {
  memoryTokenStore,
  type AuthState,
  type Client,
  type ClientOptions,
  type ConnectionState,
} from '../../../lib/node';
import { until, waitForState } from '../../support/wait';
import type { ContractTarget } from './target';

// The contract scenarios. Each drives one client of a target through the public API and returns a transcript:
// plain data of what the client observably got (values, errors with their class, code and fields, the connection,
// auth and channel states it went through, its diagnostics) and what the server side reports (subscriptions,
// authentication). Nothing that legitimately differs between two servers goes in: no socket ids, timestamps,
// token strings, frames or timings. A fake server is faithful when every scenario gives it the same transcript
// as the real one.

/** What a scenario observed, as plain data (compared with `toEqual`). */
export type Transcript = Record<string, unknown>;
export type Scenario = (target: ContractTarget) => Promise<Transcript>;

/** How long a scenario waits for anything (a real server answers within milliseconds). */
const WAIT = 3000;
/** A call's timeout in the scenarios about timeouts. */
const SHORT_TIMEOUT = 200;
/** The key the scenarios store tokens under (the default key names the server's host and port). */
const TOKEN_KEY = 'contract.authToken';

// ---------------------------------------------------------------------------------------------------------------
// Describing what was observed

/** Fields that hold times: left out (an expiry is kept as a lifetime, `ttl`, where a token has one). */
const TIME_FIELDS = new Set(['iat', 'exp', 'nbf', 'expiry', 'expiredAt', 'expiresAt', 'retryAt', 'retryIn']);

/** A value as plain data, times left out; `undefined` spelled out so that it shows in a diff. */
export function plain(value: unknown): unknown {
  if (value === undefined) return '<undefined>';
  if (value instanceof Error) return describeError(value);
  if (value instanceof Date) return '<date>';
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) if (!TIME_FIELDS.has(key)) out[key] = plain(field);
    return out;
  }
  return value;
}

/** An error's class, name, message and own fields (nested errors described too, times left out). */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { thrown: plain(error) };
  const out: Record<string, unknown> = {
    class: error.constructor.name,
    name: error.name,
    message: error.message.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'),
  };
  for (const [key, field] of Object.entries(error)) {
    if (!TIME_FIELDS.has(key) && key !== 'stack') out[key] = plain(field);
  }
  return out;
}

/** Token claims without their times, and the token's lifetime in seconds when it has one. */
function describeClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const { iat, exp } = claims as { iat?: number; exp?: number };
  const out = plain(claims) as Record<string, unknown>;
  return typeof exp === 'number' ? { ...out, ttl: typeof iat === 'number' ? exp - iat : 'no iat' } : out;
}

function describeState(state: ConnectionState): unknown {
  switch (state.state) {
    case 'idle':
    case 'connecting':
      return state.state;
    case 'open':
      return {
        state: 'open',
        isAuthenticated: state.isAuthenticated,
        ...(state.authError ? { authError: describeError(state.authError) } : {}),
      };
    case 'closed':
      return {
        state: 'closed',
        code: state.code ?? '<none>',
        reason: state.reason ?? '<none>',
        ...(state.error ? { error: describeError(state.error) } : {}),
      };
  }
}

function describeAuth(state: AuthState): unknown {
  return state.state === 'authenticated'
    ? { state: 'authenticated', claims: describeClaims(state.claims) }
    : 'unauthenticated';
}

/** A connection attempt the server was not there for (during a restart): how many there are is a matter of timing. */
function isRefusal(state: unknown): boolean {
  const error = (state as { error?: { code?: unknown } } | undefined)?.error;
  return error?.code === 'CONNECTION_REFUSED';
}

/** Everything a client reports, recorded from its creation. */
class Watch {
  readonly #states: unknown[] = [];
  readonly #auth: unknown[] = [];
  readonly #channels: string[] = [];
  readonly #errors: unknown[] = [];
  readonly #subscription: Subscription;

  readonly client: Client;

  constructor(client: Client) {
    this.client = client;
    this.#subscription = client.state$.subscribe((state) => this.#states.push(describeState(state)));
    this.#subscription.add(client.authState$.subscribe((state) => this.#auth.push(describeAuth(state))));
    this.#subscription.add(
      client.channelChanges$.subscribe(({ channel, previous, state }) =>
        this.#channels.push(`${channel}: ${previous} -> ${state}`),
      ),
    );
    this.#subscription.add(client.errors$.subscribe((error) => this.#errors.push(describeError(error))));
  }

  /** The connection states so far, attempts refused during a restart (and their `connecting`) left out. */
  states(): unknown[] {
    const states = [...this.#states];
    for (let i = states.length - 1; i > 0; i--) {
      if (isRefusal(states[i]) && states[i - 1] === 'connecting') states.splice(i - 1, 2);
    }
    return states;
  }

  /** The transcript of the client: states, auth states, channel changes and diagnostics. */
  record(): { states: unknown[]; auth: unknown[]; channels: string[]; errors: unknown[] } {
    this.#subscription.unsubscribe();
    return {
      states: this.states(),
      auth: [...this.#auth],
      channels: [...this.#channels],
      errors: this.#errors.filter((error) => !isRefusal({ error })),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function watch(target: ContractTarget, options?: Partial<ClientOptions>): Watch {
  return new Watch(target.client(options));
}

async function opened(w: Watch): Promise<void> {
  w.client.connect();
  await waitForState(w.client.state$, (s) => s.state === 'open', WAIT);
}

/** Waits for the connection to drop and open again. */
async function reopened(w: Watch): Promise<void> {
  await waitForState(w.client.state$, (s) => s.state !== 'open', WAIT);
  await waitForState(w.client.state$, (s) => s.state === 'open', WAIT);
}

function first<T>(source: Observable<T>): Promise<T> {
  return firstValueFrom(source.pipe(timeout(WAIT)));
}

/** The outcome of a call: its value, or its error described. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { value: plain(await promise) };
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** The first `count` values of `source`, or its error. */
function collect<T>(source: Observable<T>, count: number): Promise<unknown> {
  return outcome(firstValueFrom(source.pipe(take(count), toArray(), timeout(WAIT))));
}

async function subscribed(target: ContractTarget, client: Client, channel: string): Promise<void> {
  await until(
    () => client.channelState(channel) === 'subscribed' && target.subscriptions().includes(channel),
    WAIT,
  );
}

/** A round trip through the server: everything the server sent before its answer has arrived. */
async function roundTrip(client: Client): Promise<void> {
  await first(client.invoke('echo', 'sync'));
}

function serveEcho(target: ContractTarget): void {
  target.onInvoke('echo', (data) => data);
}

async function login(target: ContractTarget, w: Watch, claims: Record<string, unknown>): Promise<void> {
  await target.setAuthToken(claims);
  await first(w.client.authState$.pipe(filter((s) => s.state === 'authenticated')));
}

/** A well-formed JWT signed with a key no server of the suite knows. */
function foreignToken(claims: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ ...claims, iat: Math.floor(Date.now() / 1000) })}`;
  return `${unsigned}.${createHmac('sha256', 'not-the-server-key').update(unsigned).digest('base64url')}`;
}

function storeWith(token: string): Partial<ClientOptions> {
  return { tokenStore: memoryTokenStore({ [TOKEN_KEY]: token }), authTokenKey: TOKEN_KEY };
}

/** Waits `ms` (only in scenarios about time: that nothing happens within it). */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function namedError(name: string, message: string, fields: Record<string, unknown> = {}): Error {
  const error = new Error(message);
  error.name = name;
  return Object.assign(error, fields);
}

// ---------------------------------------------------------------------------------------------------------------
// The scenarios

export const SCENARIOS = {
  async 'handshake without a token'(target) {
    const w = watch(target);
    await opened(w);
    return { ...w.record(), serverAuthenticated: target.isAuthenticated() };
  },

  async 'handshake with a stored token'(target) {
    const token = await target.signToken({ user: 'ann', role: 'admin' });
    const store = storeWith(token);
    const w = watch(target, store);
    await opened(w);
    const stored = await store.tokenStore!.load(TOKEN_KEY);
    return { ...w.record(), serverAuthenticated: target.isAuthenticated(), kept: stored === token };
  },

  async 'handshake with an expired token'(target) {
    serveEcho(target);
    const token = await target.signToken({ user: 'old' }, -60);
    const store = storeWith(token);
    const w = watch(target, store);
    await opened(w);
    await roundTrip(w.client).catch(() => undefined);
    const stored = await store.tokenStore!.load(TOKEN_KEY);
    return { ...w.record(), serverAuthenticated: target.isAuthenticated(), kept: stored === token };
  },

  async 'handshake with a token of another key'(target) {
    serveEcho(target);
    const token = foreignToken({ user: 'eve' });
    const store = storeWith(token);
    const w = watch(target, store);
    await opened(w);
    await roundTrip(w.client);
    const stored = await store.tokenStore!.load(TOKEN_KEY);
    return { ...w.record(), serverAuthenticated: target.isAuthenticated(), kept: stored === token };
  },

  async 'rpc answers'(target) {
    serveEcho(target);
    target.onInvoke('sum', (data) => {
      const { a, b } = data as { a: number; b: number };
      return a + b;
    });
    target.onInvoke(
      'later',
      (data) => new Promise((resolve) => setTimeout(() => resolve({ later: data }), 20)),
    );
    const w = watch(target);
    const values = [
      { text: 'héllo ✓ 𝄞', n: [1, 2.5, -3, 2 ** 40], nested: { ok: true, none: null, list: [] } },
      42,
      'text',
      null,
      true,
      [1, [2, [3]]],
    ];
    const echoes = await Promise.all(values.map((value) => outcome(first(w.client.invoke('echo', value)))));
    const sum = await outcome(first(w.client.invoke('sum', { a: 2, b: 3 })));
    const later = await outcome(first(w.client.invoke('later', 'x')));
    return { echoes, sum, later, ...w.record() };
  },

  async 'rpc with no data and no answer'(target) {
    const seen: unknown[] = [];
    target.onInvoke('nothing', (data) => {
      seen.push(plain(data));
      return undefined;
    });
    const w = watch(target);
    const answer = await outcome(first(w.client.invoke('nothing')));
    const withData = await outcome(first(w.client.invoke('nothing', { a: 1 })));
    return { answer, withData, seen, ...w.record() };
  },

  async 'rpc calls answered out of order'(target) {
    target.onInvoke(
      'delay',
      (data) => new Promise((resolve) => setTimeout(() => resolve(data), data as number)),
    );
    const w = watch(target);
    const delays = [60, 10, 40, 0, 20];
    const results = await Promise.all(delays.map((ms) => first(w.client.invoke('delay', ms))));
    return { results, ...w.record() };
  },

  async 'remote error with extra fields'(target) {
    target.onInvoke('sum', () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a handler fails with a ServerError, plain data
      throw { name: 'BadArgs', message: 'a and b must be numbers', field: 'b', limits: { min: 0, max: 10 } };
    });
    target.onInvoke('reject', () => Promise.reject(namedError('Forbidden', 'not yours', { status: 403 })));
    target.onInvoke('plain', () => {
      throw new Error('plain failure');
    });
    const w = watch(target);
    const thrown = await outcome(first(w.client.invoke('sum', { a: 1 })));
    const rejected = await outcome(first(w.client.invoke('reject')));
    const plainError = await outcome(first(w.client.invoke('plain')));
    return { thrown, rejected, plainError, ...w.record() };
  },

  async 'ack timeout of an unanswered procedure'(target) {
    target.onInvoke('never', () => new Promise(() => undefined));
    serveEcho(target);
    const w = watch(target);
    const result = await outcome(first(w.client.invoke('never', 1, { timeout: SHORT_TIMEOUT })));
    const after = await outcome(first(w.client.invoke('echo', 'still here')));
    return { result, after, ...w.record() };
  },

  async 'ack timeout of a procedure nobody serves'(target) {
    const w = watch(target);
    await opened(w);
    const result = await outcome(first(w.client.invoke('nobody', 1, { timeout: SHORT_TIMEOUT })));
    return { result, ...w.record() };
  },

  async 'transmit to the server'(target) {
    const w = watch(target);
    const early = target.nextTransmit('note');
    w.client.transmit('note', { text: 'sent before the connection opened' });
    const first_ = await early;
    const next = [target.nextTransmit('note'), target.nextTransmit('note'), target.nextTransmit('note')];
    for (const n of [1, 2, 3]) w.client.transmit('note', { n });
    const later = await Promise.all(next);
    const empty = target.nextTransmit('empty');
    w.client.transmit('empty');
    const nothing = plain(await empty);
    return { first: first_, later, nothing, ...w.record() };
  },

  async 'server events'(target) {
    serveEcho(target);
    const w = watch(target);
    const ticks = collect(w.client.receiver('tick'), 3);
    await opened(w);
    await roundTrip(w.client);
    for (const n of [1, 2, 3]) target.emit('tick', { n });
    return { ticks: await ticks, ...w.record() };
  },

  async 'server event nobody listens to'(target) {
    serveEcho(target);
    const w = watch(target);
    await opened(w);
    target.emit('unheard', { n: 1 });
    await roundTrip(w.client);
    return w.record();
  },

  async 'server invokes a client procedure'(target) {
    const w = watch(target);
    const sub = w.client
      .procedure<number, number>('double')
      .subscribe((request) => request.end(request.data * 2));
    await opened(w);
    const answers = [
      await outcome(target.invokeClient('double', 21)),
      await outcome(target.invokeClient('double', 0)),
    ];
    sub.unsubscribe();
    return { answers, ...w.record() };
  },

  async 'client procedure answers with an error'(target) {
    const w = watch(target);
    const sub = w.client.procedure('refuse').subscribe((request) => {
      request.error(namedError('Refused', 'not today', { retryable: false, detail: { why: 'closed' } }));
    });
    await opened(w);
    const answer = await outcome(target.invokeClient('refuse', { please: true }));
    sub.unsubscribe();
    return { answer, ...w.record() };
  },

  async 'server invokes a procedure the client does not handle'(target) {
    const w = watch(target);
    await opened(w);
    const answer = await outcome(target.invokeClient('missing', 1));
    return { answer, ...w.record() };
  },

  async 'channel subscribe, publish and receive'(target) {
    const w = watch(target);
    const received = collect(w.client.channel('news'), 3);
    await subscribed(target, w.client, 'news');
    const server = target.subscriptions();
    await target.publish('news', { from: 'server', n: 1 });
    await target.publish('news', 'two');
    await target.publish('news', null);
    const messages = await received;
    // take(3) let go of the channel: the client unsubscribes and the server forgets it.
    await until(() => !target.subscriptions().includes('news'), WAIT);
    return { server, messages, after: target.subscriptions(), ...w.record() };
  },

  async 'own publish is echoed before the acknowledgement'(target) {
    const w = watch(target);
    const order: unknown[] = [];
    const sub = w.client.channel('room').subscribe((message) => order.push({ message }));
    await subscribed(target, w.client, 'room');
    await first(w.client.publish('room', { text: 'hi' }));
    order.push('ack');
    await until(() => order.length >= 2, WAIT);
    sub.unsubscribe();
    return { order, ...w.record() };
  },

  async 'transmitPublish reaches subscribers'(target) {
    const w = watch(target);
    const received = collect(w.client.channel('chat'), 2);
    await subscribed(target, w.client, 'chat');
    w.client.transmitPublish('chat', 'one');
    w.client.transmitPublish('chat', { two: 2 });
    return { messages: await received, ...w.record() };
  },

  async 'publish to a channel nobody subscribes to'(target) {
    const w = watch(target);
    await opened(w);
    const ack = await outcome(first(w.client.publish('empty-room', 'anyone?')));
    return { ack, server: target.subscriptions(), ...w.record() };
  },

  async 'channels re-subscribe after a restart, highest priority first'(target) {
    const w = watch(target);
    const subs = [
      w.client.channel('low', { priority: 1 }).subscribe(),
      w.client.channel('high', { priority: 10 }).subscribe(),
      w.client.channel('mid', { priority: 5 }).subscribe(),
    ];
    for (const channel of ['low', 'high', 'mid']) await subscribed(target, w.client, channel);
    const before = w.record().channels;
    const after = new Watch(w.client);
    const back = reopened(w);
    await target.restart();
    await back;
    for (const channel of ['low', 'high', 'mid']) await subscribed(target, w.client, channel);
    const record = after.record();
    subs.forEach((s) => s.unsubscribe());
    return { before, afterRestart: record.channels, server: target.subscriptions() };
  },

  async 'waitForAuth channel waits for a login'(target) {
    const w = watch(target);
    const received = collect(w.client.channel('secret', { waitForAuth: true }), 1);
    await opened(w);
    await until(() => w.client.channelState('secret') === 'pending', WAIT);
    const beforeLogin = { client: w.client.channelState('secret'), server: target.subscriptions() };
    await login(target, w, { user: 'ann' });
    await subscribed(target, w.client, 'secret');
    await target.publish('secret', 'for members');
    return { beforeLogin, messages: await received, ...w.record() };
  },

  async 'waitForAuth channel after a login'(target) {
    const w = watch(target);
    await opened(w);
    await login(target, w, { user: 'bob' });
    const received = collect(w.client.channel('secret', { waitForAuth: true }), 1);
    await subscribed(target, w.client, 'secret');
    await target.publish('secret', 'welcome');
    return { messages: await received, ...w.record() };
  },

  async 'refused subscription'(target) {
    target.refuseSubscribe('vault', 'NoEntryError', 'members only');
    const w = watch(target);
    const result = await collect(w.client.channel('vault'), 1);
    return { result, state: w.client.channelState('vault'), server: target.subscriptions(), ...w.record() };
  },

  async 'kick-out'(target) {
    const w = watch(target);
    const result = collect(w.client.channel('vip'), 1);
    await subscribed(target, w.client, 'vip');
    target.kickOut('vip', 'members only');
    return {
      result: await result,
      state: w.client.channelState('vip'),
      server: target.subscriptions(),
      ...w.record(),
    };
  },

  async 'unsubscribe with linger'(target) {
    const w = watch(target);
    const first_ = w.client.channel('ticker', { linger: 300 }).subscribe();
    await subscribed(target, w.client, 'ticker');
    first_.unsubscribe();
    const lingering = { client: w.client.channelState('ticker'), server: target.subscriptions() };
    // Back within the linger: the same subscription, no #unsubscribe in between.
    const second = w.client.channel('ticker').subscribe();
    await target.publish('ticker', 1);
    second.unsubscribe();
    await until(() => !target.subscriptions().includes('ticker'), WAIT);
    return { lingering, final: w.client.channelState('ticker'), ...w.record() };
  },

  async 'server sets the token'(target) {
    const w = watch(target);
    await opened(w);
    await login(target, w, { user: 'ann', roles: ['admin', 'ops'] });
    return { serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'server sets an expiring token'(target) {
    const w = watch(target);
    await opened(w);
    await target.setAuthToken({ user: 'tmp' }, 60);
    await first(w.client.authState$.pipe(filter((s) => s.state === 'authenticated')));
    return { serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'server removes the token'(target) {
    const w = watch(target);
    await opened(w);
    await login(target, w, { user: 'ann' });
    target.removeAuthToken();
    await first(w.client.authState$.pipe(filter((s) => s.state === 'unauthenticated')));
    return { serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'authenticate() accepted'(target) {
    const w = watch(target);
    await opened(w);
    const token = await target.signToken({ user: 'bob' }, 3600);
    const result = await outcome(first(w.client.authenticate(token)));
    return { result, serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'authenticate() refused'(target) {
    serveEcho(target);
    const w = watch(target);
    await opened(w);
    await login(target, w, { user: 'ann' });
    const result = await outcome(first(w.client.authenticate(foreignToken({ user: 'eve' }))));
    await roundTrip(w.client);
    await until(() => !target.isAuthenticated(), WAIT);
    return { result, serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'authenticate() with an expired token'(target) {
    serveEcho(target);
    const w = watch(target);
    await opened(w);
    const token = await target.signToken({ user: 'old' }, -60);
    const result = await outcome(first(w.client.authenticate(token)));
    await roundTrip(w.client);
    return { result, serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'client deauthenticates'(target) {
    const w = watch(target);
    await opened(w);
    await login(target, w, { user: 'dan' });
    w.client.deauthenticate();
    await until(() => !target.isAuthenticated(), WAIT);
    return { serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'token survives a restart'(target) {
    const w = watch(target);
    await opened(w);
    await login(target, w, { user: 'cat' });
    const back = reopened(w);
    await target.restart();
    await back;
    await until(() => target.isAuthenticated(), WAIT);
    return { serverAuthenticated: target.isAuthenticated(), ...w.record() };
  },

  async 'disconnect 4100 is retried'(target) {
    const w = watch(target);
    await opened(w);
    const back = reopened(w);
    target.disconnect(4100, 'come back later');
    await back;
    return w.record();
  },

  async 'disconnect 4500 stops'(target) {
    const w = watch(target);
    await opened(w);
    target.disconnect(4500, 'go away');
    await waitForState(w.client.state$, (s) => s.state === 'closed', WAIT);
    // About time: no reconnect within several reconnect delays.
    await pause(200);
    return w.record();
  },

  async 'disconnect 1000 stops'(target) {
    const w = watch(target);
    await opened(w);
    target.disconnect(1000, 'bye');
    await waitForState(w.client.state$, (s) => s.state === 'closed', WAIT);
    await pause(200);
    return w.record();
  },

  async 'call in flight when the connection drops'(target) {
    let called = false;
    target.onInvoke('never', () => {
      called = true;
      return new Promise(() => undefined);
    });
    const w = watch(target);
    await opened(w);
    const call = outcome(first(w.client.invoke('never', 1)));
    await until(() => called, WAIT);
    const back = reopened(w);
    target.disconnect(4100, 'dropped');
    const result = await call;
    await back;
    return { result, ...w.record() };
  },

  async 'restart and re-subscribe'(target) {
    serveEcho(target);
    const w = watch(target);
    const received = collect(w.client.channel('room'), 1);
    await subscribed(target, w.client, 'room');
    const back = reopened(w);
    await target.restart();
    await back;
    await subscribed(target, w.client, 'room');
    const server = target.subscriptions();
    await target.publish('room', 'after restart');
    const rpc = await outcome(first(w.client.invoke('echo', 'again')));
    return { messages: await received, rpc, server, ...w.record() };
  },

  async 'transmits queued during a restart are delivered after'(target) {
    const w = watch(target);
    await opened(w);
    const delivered = [1, 2, 3].map(() => target.nextTransmit('queued'));
    const restarted = target.restart();
    await waitForState(w.client.state$, (s) => s.state !== 'open', WAIT);
    for (const n of [1, 2, 3]) w.client.transmit('queued', { n });
    await restarted;
    await waitForState(w.client.state$, (s) => s.state === 'open', WAIT);
    return { delivered: await Promise.all(delivered), ...w.record() };
  },

  async 'calls made during a restart are sent after'(target) {
    serveEcho(target);
    const w = watch(target);
    await opened(w);
    const restarted = target.restart();
    await waitForState(w.client.state$, (s) => s.state !== 'open', WAIT);
    const call = outcome(first(w.client.invoke('echo', 'queued call')));
    await restarted;
    return { result: await call, ...w.record() };
  },

  async 'ping timeout when the server goes silent'(target) {
    const w = watch(target);
    await opened(w);
    const back = reopened(w);
    target.goSilent();
    await back;
    return w.record();
  },

  async 'refused handshake (4008) is retried'(target) {
    target.refuseHandshake('BusyError', 'try again later');
    const w = watch(target);
    const states = firstValueFrom(w.client.state$.pipe(take(5), toArray(), timeout(WAIT)));
    w.client.connect();
    const seen = (await states).map(describeState);
    w.client.disconnect();
    const { auth, errors } = w.record();
    return { states: seen, auth, errors: errors.slice(0, 2) };
  },

  async 'refused handshake (4501) stops'(target) {
    target.refuseHandshake('BannedError', 'no entry', 4501);
    const w = watch(target);
    const open = await outcome(first(w.client.whenOpen()));
    await pause(200);
    return { open, ...w.record() };
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;
