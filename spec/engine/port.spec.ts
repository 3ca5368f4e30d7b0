import { firstValueFrom, type Observable } from 'rxjs';
import { memoryTokenStore } from '../../lib/auth/token-store';
import { createClient } from '../../lib/client/create-client';
import { Facade } from '../../lib/client/facade';
import { resolveOptions, type ClientOptions } from '../../lib/client/options';
import type { ProcedureRequest } from '../../lib/client/procedure-request';
import { Engine } from '../../lib/engine/engine';
import type {
  CommandMessage,
  EngineCommands,
  EngineEvents,
  EngineView,
  EventMessage,
} from '../../lib/engine/port';
import { fromErrorRecord, type ErrorRecord } from '../../lib/errors';
import { encodeEvent } from '../../lib/protocol/encode-packet';
import { fakeWebSocket, type FakeWebSocket } from '../support/fake-web-socket';
import { FAKE_TOKEN_KEY, fakeJwt } from '../support/jwt';

// The engine-facade port is meant to run over a MessagePort one day: every argument of every command and event
// must survive `structuredClone`, and the two sides must talk through the port's methods only. Here the facade and
// the engine are joined through a recorder that lets only the port's methods through, clones every call's
// arguments, and checks the clone against the original.

/** Every method of {@link EngineCommands}; the type below fails to compile when one is missing. */
const COMMANDS = [
  'connect',
  'disconnect',
  'close',
  'invoke',
  'cancel',
  'transmit',
  'respond',
  'subscribe',
  'unsubscribe',
  'authenticate',
  'deauthenticate',
  'sampleStats',
  'listen',
] as const satisfies readonly (keyof EngineCommands)[];

/** Every method of {@link EngineEvents}. */
const EVENTS = [
  'connectionState',
  'authState',
  'channelState',
  'channelMessage',
  'channelFailed',
  'callResult',
  'callFailed',
  'serverEvent',
  'serverInvoke',
  'diagnostic',
  'stats',
  'closed',
] as const satisfies readonly (keyof EngineEvents)[];

/** Every method of {@link EngineView}: synchronous reads of what the events reported. */
const VIEWS = ['channelState'] as const satisfies readonly (keyof EngineView)[];

// Compile-time completeness of the three lists.
const allCommands: [Exclude<keyof EngineCommands, (typeof COMMANDS)[number]>] extends [never] ? true : false =
  true;
const allEvents: [Exclude<keyof EngineEvents, (typeof EVENTS)[number]>] extends [never] ? true : false = true;
const allViews: [Exclude<keyof EngineView, (typeof VIEWS)[number]>] extends [never] ? true : false = true;

interface PortCall {
  readonly side: 'command' | 'event' | 'view';
  readonly name: string;
  readonly args: readonly unknown[];
}

function isErrorRecord(value: unknown): value is ErrorRecord {
  const record = value as Partial<ErrorRecord> | null;
  return typeof record === 'object' && typeof record?.code === 'string' && typeof record.fields === 'object';
}

/** The ErrorRecords among `value` and what it holds. */
function errorRecordsIn(value: unknown): ErrorRecord[] {
  if (isErrorRecord(value)) return [value, ...Object.values(value.fields).flatMap(errorRecordsIn)];
  if (Array.isArray(value)) return value.flatMap(errorRecordsIn);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    return Object.values(value).flatMap(errorRecordsIn);
  }
  return [];
}

/** Why the clone of `args` differs from them, or nothing. */
function cloneProblems(call: PortCall): string[] {
  const where = `${call.side} ${call.name}`;
  let copy: unknown[];
  try {
    copy = structuredClone(call.args) as unknown[];
  } catch (error) {
    return [`${where}: structuredClone threw ${String(error)}`];
  }
  const problems: string[] = [];
  try {
    expect(copy).toStrictEqual(call.args);
  } catch (error) {
    problems.push(`${where}: the clone differs: ${(error as Error).message}`);
  }
  for (const record of errorRecordsIn(call.args)) {
    const original = fromErrorRecord(record);
    const rebuilt = fromErrorRecord(structuredClone(record));
    try {
      expect(Object.getPrototypeOf(rebuilt)).toBe(Object.getPrototypeOf(original));
      expect(rebuilt).toBeInstanceOf(Error);
      expect(rebuilt.code).toBe(record.code);
      expect(rebuilt.message).toBe(record.message);
      expect(Object.entries(rebuilt)).toStrictEqual(Object.entries(original));
    } catch (error) {
      problems.push(`${where}: the ${record.code} record does not rebuild: ${(error as Error).message}`);
    }
  }
  return problems;
}

/**
 * An object with exactly the methods `names`, each recording its call, checking that its arguments clone, and
 * passing them on to `target`. Any other property read throws: the port is all either side may use.
 */
function recorder<T extends object>(
  side: PortCall['side'] | ((name: string) => PortCall['side']),
  names: readonly (keyof T & string)[],
  target: () => T,
  log: PortCall[],
  problems: string[],
): T {
  const methods: Record<string, (...args: unknown[]) => unknown> = {};
  for (const name of names) {
    methods[name] = (...args: unknown[]) => {
      const call = { side: typeof side === 'function' ? side(name) : side, name, args };
      log.push(call);
      problems.push(...cloneProblems(call));
      const result = (target()[name] as (...a: unknown[]) => unknown)(...args);
      // A view's answer crosses the port too.
      if (result !== undefined) problems.push(...cloneProblems({ ...call, args: [result] }));
      return result;
    };
  }
  return new Proxy(methods, {
    get(object, property) {
      if (typeof property === 'string' && property in object) return object[property];
      const who = typeof side === 'function' ? 'facade' : side;
      throw new Error(`The ${who} side used ${String(property)}, which is not on the port`);
    },
  }) as unknown as T;
}

/**
 * A facade and an engine joined through recorders, and the client methods over them, as the public client calls
 * the facade (argument checks aside).
 */
function recordedClient(options: Partial<ClientOptions> = {}) {
  const ws = fakeWebSocket();
  const resolved = resolveOptions({
    url: 'ws://example.test/socketcluster/',
    WebSocket: ws.WebSocket,
    batchWrites: false,
    livenessHints: false,
    tokenStore: memoryTokenStore(),
    ...options,
  });
  const log: PortCall[] = [];
  const problems: string[] = [];
  const facade = new Facade(resolved);
  const engine = new Engine(
    resolved,
    recorder<EngineEvents>('event', EVENTS, () => facade, log, problems),
  );
  const sideOf = (name: string) => ((VIEWS as readonly string[]).includes(name) ? 'view' : 'command');
  facade.attach(
    recorder<EngineCommands & EngineView>(sideOf, [...COMMANDS, ...VIEWS], () => engine, log, problems),
  );
  const client = {
    state$: facade.state$,
    errors$: facade.errors$,
    authState$: facade.authState$,
    connect: () => facade.port.connect(),
    disconnect: (code = 1000, reason = '') => facade.port.disconnect(code, reason),
    close: () => facade.close(),
    invoke: (event: string, data?: unknown, timeout?: number) =>
      facade.calls.invoke(event, data, timeout === undefined ? undefined : { timeout }),
    transmit: (event: string, data?: unknown) =>
      facade.port.transmit(event, encodeEvent(facade.codec, event, data)),
    receiver: (event: string) => facade.inbound.receiver(event),
    procedure: (name: string): Observable<ProcedureRequest> => facade.inbound.procedure(name),
    channel: (name: string) => facade.channels.channel(name, undefined),
    channelState: (name: string) => facade.channels.state(name),
    publish: (channel: string, data: unknown) =>
      facade.calls.invoke('#publish', { channel, data }, undefined),
    authenticate: (token: string) => facade.calls.request((cid) => facade.port.authenticate(cid, token)),
    deauthenticate: () => facade.port.deauthenticate(),
    sampleStats: () => facade.port.sampleStats(1),
  };
  return { ws, client, log, problems };
}

/** The packets `socket` sent with event `event`. */
const sentWith = (socket: FakeWebSocket, event: string) => socket.packets.filter((p) => p.event === event);
const lastCid = (socket: FakeWebSocket, event: string) => sentWith(socket, event).at(-1)!.cid as number;

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

it('lists every method of both interfaces', () => {
  expect([allCommands, allEvents, allViews]).toEqual([true, true, true]);
});

describe('a realistic session through the recorded port', () => {
  it('uses every command and every event, and every argument clones', () => {
    const storedToken = fakeJwt({ sub: 'ann', exp: 1 });
    const { ws, client, log, problems } = recordedClient({
      tokenStore: memoryTokenStore({ [FAKE_TOKEN_KEY]: storedToken }),
    });
    const outcomes: { what: string; value?: unknown; error?: unknown }[] = [];
    const watch = (what: string, source: Observable<unknown>) =>
      source.subscribe({
        next: (value) => outcomes.push({ what, value }),
        error: (error: unknown) => outcomes.push({ what, error }),
      });
    const errors: unknown[] = [];
    client.errors$.subscribe((e) => errors.push(e));

    // connect; the server refuses the stored token in the handshake (an ErrorRecord in the open state)
    client.connect();
    const socket = ws.last();
    socket.handshake({
      isAuthenticated: false,
      authError: { name: 'AuthTokenExpiredError', message: 'jwt expired', expiry: 1 },
    });

    // invoke: ok, remote error, timeout, cancelled
    watch('ok', client.invoke('sum', { a: 1, b: [2, 3] }));
    socket.receive({ rid: lastCid(socket, 'sum'), data: { total: 6, parts: [1, 2, 3] } });
    watch('remote', client.invoke('fail', 'x'));
    socket.receive({
      rid: lastCid(socket, 'fail'),
      error: { name: 'BadArgs', message: 'no', statusCode: 400 },
    });
    watch('timeout', client.invoke('slow', null, 100));
    jest.advanceTimersByTime(100);
    watch('cancelled', client.invoke('never')).unsubscribe();

    // transmit, receiver event, server invoke answered
    client.transmit('log', { level: 'info', at: 1 });
    watch('news', client.receiver('news'));
    socket.receive({ event: 'news', data: { headline: 'hi', tags: ['a'] } });
    client.procedure('ask').subscribe((request) => request.end({ answer: 42 }));
    socket.receive({ event: 'ask', data: { question: '?' }, cid: 7 });

    // channels: subscribe, message, publish, kick-out; a refused subscription; leaving one
    watch('room', client.channel('room'));
    socket.receive({ rid: lastCid(socket, '#subscribe') });
    expect(client.channelState('room')).toBe('subscribed');
    socket.receive({ event: '#publish', data: { channel: 'room', data: { text: 'hello' } } });
    watch('publish', client.publish('room', { text: 'mine' }));
    socket.receive({ rid: lastCid(socket, '#publish') });
    socket.receive({ event: '#kickOut', data: { channel: 'room', message: 'behave' } });
    watch('admin', client.channel('admin'));
    socket.receive({
      rid: lastCid(socket, '#subscribe'),
      error: { name: 'Forbidden', message: 'admins only' },
    });
    const lobby = watch('lobby', client.channel('lobby'));
    socket.receive({ rid: lastCid(socket, '#subscribe') });
    lobby.unsubscribe();

    // auth: the server sets a token, the client authenticates (accepted, then refused), then signs out
    socket.receive({ event: '#setAuthToken', data: { token: fakeJwt({ sub: 'bob' }) } });
    watch('authenticate', client.authenticate(fakeJwt({ sub: 'cy' })));
    socket.receive({ rid: lastCid(socket, '#authenticate'), data: { isAuthenticated: true } });
    watch('refused', client.authenticate(fakeJwt({ sub: 'dee' })));
    socket.receive({
      rid: lastCid(socket, '#authenticate'),
      data: {
        isAuthenticated: false,
        authError: { name: 'AuthTokenInvalidError', message: 'bad signature' },
      },
    });
    client.deauthenticate();

    // a diagnostic: an answer to a call id never issued
    socket.receive({ rid: 10_001, data: null });

    // a stats sample, as clientStats() (rx-socketcluster/diagnostics) asks for one
    client.sampleStats();

    // disconnect, then close
    client.disconnect(4500, 'later');
    client.close();

    expect(problems).toEqual([]);
    const used = (side: PortCall['side']) => new Set(log.filter((c) => c.side === side).map((c) => c.name));
    expect([...used('command')].sort()).toEqual([...COMMANDS].sort());
    expect([...used('event')].sort()).toEqual([...EVENTS].sort());
    expect([...used('view')].sort()).toEqual([...VIEWS].sort());
    expect(log.at(-1)).toEqual({ side: 'event', name: 'closed', args: [] });
    // ErrorRecords crossed in events, nested ones included, and each was rebuilt from its clone above.
    const records = log.flatMap((c) => errorRecordsIn(c.args).map((r) => `${c.name} ${r.code}`));
    expect(records).toEqual(
      expect.arrayContaining([
        'connectionState REMOTE_ERROR',
        'diagnostic AUTH_TOKEN_EXPIRED',
        'callFailed REMOTE_ERROR',
        'callFailed ACK_TIMEOUT',
        'channelFailed CHANNEL_KICKED_OUT',
        'channelFailed CHANNEL_SUBSCRIBE_REJECTED',
        'callResult REMOTE_ERROR',
        'diagnostic PROTOCOL_ERROR',
      ]),
    );

    // The session did what it says, so the calls above carried real data.
    expect(outcomes).toEqual(
      expect.arrayContaining([
        { what: 'ok', value: { total: 6, parts: [1, 2, 3] } },
        { what: 'remote', error: expect.objectContaining({ code: 'REMOTE_ERROR', remoteName: 'BadArgs' }) },
        { what: 'timeout', error: expect.objectContaining({ code: 'ACK_TIMEOUT', timeout: 100 }) },
        { what: 'news', value: { headline: 'hi', tags: ['a'] } },
        { what: 'room', value: { text: 'hello' } },
        { what: 'room', error: expect.objectContaining({ code: 'CHANNEL_KICKED_OUT' }) },
        { what: 'admin', error: expect.objectContaining({ code: 'CHANNEL_SUBSCRIBE_REJECTED' }) },
        { what: 'authenticate', value: { isAuthenticated: true } },
        {
          what: 'refused',
          value: {
            isAuthenticated: false,
            authError: expect.objectContaining({ code: 'REMOTE_ERROR', message: 'bad signature' }),
          },
        },
      ]),
    );
    expect(outcomes.filter((o) => o.what === 'cancelled')).toEqual([]);
    expect(socket.packets).toContainEqual({ rid: 7, data: { answer: 42 } });
    expect(sentWith(socket, 'log')).toEqual([{ event: 'log', data: { level: 'info', at: 1 } }]);
    expect(sentWith(socket, '#unsubscribe')).toEqual([
      { event: '#unsubscribe', data: 'lobby', cid: expect.any(Number) },
    ]);
    expect(sentWith(socket, '#removeAuthToken')).toHaveLength(1);
    expect(errors).toContainEqual(expect.objectContaining({ code: 'PROTOCOL_ERROR', kind: 'unknown-rid' }));
  });

  it('clones the failures of calls cut off by a lost connection and by close()', () => {
    const { ws, client, log, problems } = recordedClient({ reconnect: false });
    const failures: unknown[] = [];
    client.connect();
    const socket = ws.last().handshake();
    client.invoke('lost').subscribe({ error: (e: unknown) => failures.push(e) });
    socket.serverClose(1011, 'server error');
    client.invoke('queued').subscribe({ error: (e: unknown) => failures.push(e) });
    client.close();
    // The lost connection is the one diagnostic, as a record.
    expect(log.filter((c) => c.name === 'diagnostic')).toEqual([
      expect.objectContaining({
        args: [expect.objectContaining({ code: 'CONNECTION_CLOSED', fields: expect.any(Object) })],
      }),
    ]);
    expect(problems).toEqual([]);
    expect(failures).toEqual([
      expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: 1011 }),
      expect.objectContaining({ code: 'CLIENT_CLOSED' }),
    ]);
    expect(log.filter((c) => c.name === 'callFailed')).toHaveLength(2);
  });

  it('clones a diagnostic whose cause is the error the codec threw', () => {
    const { ws, client, log, problems } = recordedClient();
    const errors: unknown[] = [];
    client.errors$.subscribe((e) => errors.push(e));
    client.connect();
    ws.last().handshake().receive('{ not json');
    expect(problems).toEqual([]);
    expect(log.filter((c) => c.name === 'diagnostic')).toHaveLength(1);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'CODEC_ERROR', cause: expect.any(SyntaxError) }),
    ]);
    client.close();
  });
});

describe('the recorder', () => {
  it('is transparent: an invoke through it goes as through createClient', async () => {
    const run = async (
      start: () => { invoke: () => Observable<unknown>; connect: () => void; close: () => void },
      ws: ReturnType<typeof fakeWebSocket>,
    ) => {
      const client = start();
      client.connect();
      const socket = ws.last().handshake({ id: 'same', pingTimeout: 20_000 });
      const answer = firstValueFrom(client.invoke());
      socket.receive({ rid: lastCid(socket, 'sum'), data: 3 });
      const result = await answer;
      client.close();
      return { result, sent: socket.sent, closedWith: socket.closedWith };
    };

    const viaCreateClient = fakeWebSocket();
    const direct = await run(() => {
      const client = createClient({
        url: 'ws://example.test/socketcluster/',
        WebSocket: viaCreateClient.WebSocket,
        batchWrites: false,
        livenessHints: false,
        tokenStore: memoryTokenStore(),
      });
      return {
        invoke: () => client.invoke('sum', { a: 1, b: 2 }),
        connect: () => client.connect(),
        close: () => client.close(),
      };
    }, viaCreateClient);

    const recorded = recordedClient();
    const throughRecorder = await run(
      () => ({
        invoke: () => recorded.client.invoke('sum', { a: 1, b: 2 }),
        connect: () => recorded.client.connect(),
        close: () => recorded.client.close(),
      }),
      recorded.ws,
    );

    expect(throughRecorder).toEqual(direct);
    expect(direct.result).toBe(3);
    expect(recorded.problems).toEqual([]);
    expect(recorded.log.map((c) => `${c.side} ${c.name}`)).toEqual(
      expect.arrayContaining([
        'command connect',
        'command invoke',
        'event callResult',
        'command close',
        'event closed',
      ]),
    );
  });

  it('fails a call whose arguments do not clone, and a side that reaches past the port', () => {
    const log: PortCall[] = [];
    const problems: string[] = [];
    const target = { diagnostic: () => undefined } as unknown as EngineEvents;
    const events = recorder<EngineEvents>('event', EVENTS, () => target, log, problems);
    events.diagnostic({ code: 'CODEC_ERROR', message: 'x', stack: undefined, fields: { bad: () => 1 } });
    expect(problems).toEqual([expect.stringContaining('event diagnostic: structuredClone threw')]);
    expect(() => (events as unknown as { codec: unknown }).codec).toThrow('not on the port');
  });
});

it('carries a command and an event as port messages that clone whole (the form for a port across tabs)', () => {
  // The message types check each name against its argument list at compile time.
  const command: CommandMessage = {
    name: 'invoke',
    args: [2, 'sum', '{"event":"sum","data":{"a":1},"cid":2}', 1000, false],
  };
  const event: EventMessage = {
    name: 'callFailed',
    args: [
      2,
      { code: 'ACK_TIMEOUT', message: 'late', stack: undefined, fields: { event: 'sum', timeout: 1000 } },
    ],
  };
  expect(structuredClone(command)).toEqual(command);
  expect(structuredClone(event)).toEqual(event);
});
