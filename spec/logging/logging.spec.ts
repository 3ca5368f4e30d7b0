import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { jsonCodec } from '../../lib';
import { logging, type Logger, type LogLevel } from '../../lib/diagnostics';
import { memoryTokenStore } from '../../lib/auth/token-store';
import { createClient } from '../../lib/client/create-client';
import { DEFAULT_BACKOFF } from '../../lib/connection/backoff-delay';
import type { EngineEvents } from '../../lib/engine/port';
import type { ErrorRecord } from '../../lib/errors';
import { createLog } from '../../lib/logging/log';
import * as loggedEngineModule from '../../lib/logging/logged-engine';
import { LoggedEvents } from '../../lib/logging/logged-events';
import { fakeClient } from '../support/fake-client';
import { HIDDEN_CAUSE, type FakeWebSocket } from '../support/fake-web-socket';
import { FAKE_TOKEN_KEY, fakeJwt } from '../support/jwt';
import { microtasks } from '../support/wait';

// The `logging()` feature of rx-socketcluster/diagnostics, through the public API on a fake WebSocket and jest's fake clock: what each
// level writes and what it leaves out, that a silent client installs nothing, and that no token is ever written.

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

interface Line {
  readonly method: keyof Logger;
  readonly text: string;
  readonly args: readonly unknown[];
}

/** A logger that records every call. */
function recorder() {
  const lines: Line[] = [];
  const record =
    (method: keyof Logger) =>
    (...args: unknown[]) =>
      lines.push({ method, text: String(args[0]), args });
  const logger: Logger = {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
  };
  return { logger, lines, texts: () => lines.map((line) => `${line.method} ${line.text}`) };
}

/** A client on a fake socket whose log is recorded. */
function logged(level: LogLevel | undefined, options: Parameters<typeof fakeClient>[0] = {}) {
  const log = recorder();
  const features = level === undefined ? [] : [logging({ level, logger: log.logger })];
  return { ...fakeClient({ features, reconnectDelay: () => 250, ...options }), ...log };
}

/** Runs the same script on a client: connect, an invoke answered and one refused, a transmit, a channel, a loss. */
function script(setup: ReturnType<typeof logged>): void {
  const { client, open } = setup;
  const socket = open();
  client.invoke('sum', { a: 1, b: 2 }).subscribe();
  socket.receive({ rid: socket.packets.at(-1)!.cid, data: 3 });
  client.invoke('fail').subscribe({ error: () => undefined });
  socket.receive({ rid: socket.packets.at(-1)!.cid, error: { name: 'Nope', message: 'no way' } });
  client.transmit('typing', { room: 'a' });
  client.channel('news').subscribe();
  socket.receive({ rid: socket.packets.at(-1)!.cid });
  socket.receive('not json');
  socket.serverClose(1006);
}

describe('logging', () => {
  it("installs nothing without the feature or at 'silent', where a logger writes nothing", () => {
    const install = jest.spyOn(loggedEngineModule, 'loggedEngine');
    const codec = jsonCodec();
    for (const level of [undefined, 'silent'] as const) {
      const setup = logged(level, { codec });
      script(setup);
      expect(setup.lines).toEqual([]);
      // The sockets are the constructor's own.
      expect(Object.hasOwn(setup.ws.last(), 'send')).toBe(false);
      setup.client.close();
    }
    expect(install).not.toHaveBeenCalled();
    // A silent feature hands back the engine factory it was given.
    const next = () => ({}) as never;
    expect(logging({ level: 'silent', logger: recorder().logger }).wrapEngine(next)).toBe(next);
  });

  it("'error' writes the problems of errors$ and the connection giving up, nothing else", () => {
    const setup = logged('error', { reconnect: false });
    script(setup);
    expect(setup.texts()).toEqual([
      'error [rx-socketcluster] CODEC_ERROR: The json codec could not decode a frame',
      'error [rx-socketcluster] closed, not reconnecting (reconnect is off): 1006 Socket hung up',
    ]);
    // Structured details come as the second argument.
    expect(setup.lines[1]!.args[1]).toMatchObject({ state: 'closed', code: 1006, reason: 'Socket hung up' });
    setup.client.close();
  });

  it("'error' names the rule that stopped the reconnects", () => {
    const setup = logged('error', { maxAttempts: 1 });
    setup.client.connect();
    setup.ws.last().serverClose(1006);
    jest.advanceTimersByTime(250);
    setup.ws.last().serverClose(1006);
    setup.client.connect();
    setup.ws.last().handshake();
    setup.ws.last().serverClose(4500, 'go away');
    expect(setup.texts()).toEqual([
      `error [rx-socketcluster] closed, not reconnecting (maxAttempts (1) reached): 1006 ${HIDDEN_CAUSE}`,
      'error [rx-socketcluster] closed, not reconnecting (close code 4500): 4500 go away',
    ]);
    setup.client.close();
  });

  it("'warn' adds a refused handshake token and refused channels", () => {
    const setup = logged('warn', {
      tokenStore: memoryTokenStore({ [FAKE_TOKEN_KEY]: fakeJwt({ sub: 'ann' }) }),
    });
    const { client, ws } = setup;
    client.connect();
    ws.last().handshake({ authError: { name: 'AuthTokenExpiredError', message: 'jwt expired' } });
    client.channel('admin').subscribe({ error: () => undefined });
    const socket = ws.last();
    socket.receive({ rid: socket.packets.at(-1)!.cid, error: { name: 'Forbidden', message: 'admins only' } });
    expect(setup.texts()).toEqual([
      "warn [rx-socketcluster] the server refused the handshake's token: jwt expired",
      'warn [rx-socketcluster] channel admin failed: CHANNEL_SUBSCRIBE_REJECTED',
    ]);
    client.close();
  });

  it("'info' adds the connection's life, with the delay before each retry", () => {
    const setup = logged('info');
    script(setup);
    jest.advanceTimersByTime(250);
    setup.ws.last().handshake({ id: 'socket-2' });
    setup.client.disconnect(1000, 'bye');
    setup.client.close();
    expect(setup.texts()).toEqual([
      'info [rx-socketcluster] connecting to ws://example.test/socketcluster/ (attempt 1)',
      'info [rx-socketcluster] open: id socket-1, pingTimeout 30000 ms',
      'error [rx-socketcluster] CODEC_ERROR: The json codec could not decode a frame',
      'warn [rx-socketcluster] closed: 1006 Socket hung up; retrying in 250 ms',
      'info [rx-socketcluster] connecting to ws://example.test/socketcluster/ (attempt 1)',
      'info [rx-socketcluster] open: id socket-2, pingTimeout 30000 ms',
      'info [rx-socketcluster] closed: 1000 bye',
      'info [rx-socketcluster] client closed',
    ]);
    expect(setup.lines[1]!.args[1]).toMatchObject({
      id: 'socket-1',
      pingTimeout: 30000,
      isAuthenticated: false,
    });
    expect(setup.lines[3]!.args[1]).toMatchObject({ code: 1006, retryIn: 250 });
  });

  it("'warn' shows a failure the client retries, with the typed cause its closed state carries", () => {
    const { logger, texts } = recorder();
    const connectionState = jest.fn();
    const facade = { connectionState } as unknown as EngineEvents;
    const config = {
      reconnect: true,
      maxAttempts: Infinity,
      backoff: DEFAULT_BACKOFF,
      reconnectDelay: undefined,
    };
    const events = new LoggedEvents(facade, createLog(logger, 'info')!, config);
    const error: ErrorRecord = {
      code: 'CONNECTION_REFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
      stack: undefined,
      fields: {},
    };
    const state = {
      state: 'closed',
      attempt: 1,
      code: 1006,
      reason: 'Socket hung up',
      retryIn: 700,
      error,
    } as const;
    events.connectionState(state);
    expect(texts()).toEqual([
      'warn [rx-socketcluster] closed: 1006 Socket hung up (CONNECTION_REFUSED); retrying in 700 ms',
    ]);
    expect(connectionState).toHaveBeenCalledWith(state);
  });

  it("'debug' adds calls, transmits, channels, auth and the reconnect rule, but no frames", () => {
    const setup = logged('debug');
    script(setup);
    setup.client.authenticate(fakeJwt({ sub: 'ann' })).subscribe();
    setup.client.close();
    expect(setup.texts()).toEqual([
      'info [rx-socketcluster] connecting to ws://example.test/socketcluster/ (attempt 1)',
      'info [rx-socketcluster] open: id socket-1, pingTimeout 30000 ms',
      'debug [rx-socketcluster] call 2: invoke sum',
      'debug [rx-socketcluster] call 2: answered',
      'debug [rx-socketcluster] call 4: invoke fail',
      'debug [rx-socketcluster] call 4: failed REMOTE_ERROR',
      'debug [rx-socketcluster] transmit typing',
      'debug [rx-socketcluster] subscribe news',
      'debug [rx-socketcluster] channel news: unsubscribed -> pending',
      'debug [rx-socketcluster] channel news: pending -> subscribed',
      'error [rx-socketcluster] CODEC_ERROR: The json codec could not decode a frame',
      'debug [rx-socketcluster] channel news: subscribed -> pending',
      'warn [rx-socketcluster] closed: 1006 Socket hung up; retrying in 250 ms',
      'debug [rx-socketcluster] reconnectDelay: attempt 1 in 250 ms',
      'debug [rx-socketcluster] call 6: authenticate',
      'debug [rx-socketcluster] close()',
      'debug [rx-socketcluster] call 6: failed CLIENT_CLOSED',
      'info [rx-socketcluster] closed: 1000 Client closed',
      'info [rx-socketcluster] client closed',
    ]);
    expect(setup.lines[5]!.args[1]).toMatchObject({ code: 'REMOTE_ERROR', message: 'no way' });
  });

  it("'debug' logs cancelled calls, released channels, sign-out and disconnect", () => {
    const setup = logged('debug');
    const socket = setup.open();
    setup.client.invoke('slow').subscribe().unsubscribe();
    const news = setup.client.channel('news', { waitForAuth: true }).subscribe();
    news.unsubscribe();
    jest.advanceTimersByTime(10_000);
    setup.client.deauthenticate();
    setup.client.disconnect(4321, 'done');
    expect(socket.closedWith).toEqual({ code: 4321, reason: 'done' });
    expect(setup.texts().filter((text) => text.startsWith('debug'))).toEqual([
      'debug [rx-socketcluster] call 2: invoke slow',
      'debug [rx-socketcluster] call 2: cancelled',
      'debug [rx-socketcluster] subscribe news (waitForAuth)',
      'debug [rx-socketcluster] channel news: unsubscribed -> pending',
      'debug [rx-socketcluster] unsubscribe news',
      'debug [rx-socketcluster] channel news: pending -> unsubscribed',
      'debug [rx-socketcluster] deauthenticate',
      'debug [rx-socketcluster] disconnect(4321, done)',
    ]);
    expect(setup.texts().at(-1)).toBe('info [rx-socketcluster] closed: 4321 done');
    setup.client.close();
  });

  it("'debug' names an immediate retry and the backoff", () => {
    const setup = logged('debug', { reconnectDelay: undefined });
    setup.open();
    setup.ws.last().serverClose(4000);
    jest.advanceTimersByTime(0);
    setup.ws.last().serverClose(1006);
    const rules = setup.texts().filter((text) => /retry|backoff/.test(text) && text.startsWith('debug'));
    expect(rules).toEqual([
      'debug [rx-socketcluster] immediate retry: attempt 1 in 0 ms',
      expect.stringMatching(/^debug \[rx-socketcluster\] backoff: attempt 2 in \d+ ms$/),
    ]);
    setup.client.close();
  });

  it("'debug' logs auth changes without the token", () => {
    const token = fakeJwt({ sub: 'ann', exp: 2_000_000 });
    const setup = logged('debug');
    const socket = setup.open();
    socket.receive({ event: '#setAuthToken', data: { token } });
    const auth = setup.lines.find((line) => line.text.includes('auth: authenticated'));
    expect(auth?.args[1]).toEqual({
      state: 'authenticated',
      token: '[redacted]',
      claims: { sub: 'ann', exp: 2_000_000 },
      expiresAt: 2_000_000_000,
    });
    setup.client.close();
  });

  it("'trace' adds every frame in and out, decoded, through debug", async () => {
    const setup = logged('trace', { batchWrites: true });
    const socket = setup.open();
    setup.client.invoke('sum', { a: 1, b: 2 }).subscribe();
    setup.client.transmit('typing');
    await microtasks(); // the write batch leaves from a microtask
    socket.receive([
      { rid: 2, data: 3 },
      { event: 'news', data: 'hi' },
    ]);
    socket.receive(''); // a protocol 2 ping: answered with a pong, which is not decoded
    const frames = setup.lines.filter((line) => /^\[rx-socketcluster\] [<>] /.test(line.text));
    expect(frames.map((line) => `${line.method} ${line.text}`)).toEqual([
      'debug [rx-socketcluster] > #handshake cid 1',
      'debug [rx-socketcluster] < rid 1',
      'debug [rx-socketcluster] > sum cid 2',
      'debug [rx-socketcluster] > typing',
      'debug [rx-socketcluster] < rid 2',
      'debug [rx-socketcluster] < news',
      'debug [rx-socketcluster] > pong',
    ]);
    expect(frames[2]!.args[1]).toEqual({ event: 'sum', data: { a: 1, b: 2 }, cid: 2 });
    expect(frames[5]!.args[1]).toEqual({ event: 'news', data: 'hi' });
    // Only the trace level wraps the sockets.
    expect(Object.hasOwn(socket, 'send')).toBe(true);
    setup.client.close();
  });

  it("'trace' logs nothing for a frame that is never sent", () => {
    const setup = logged('trace');
    setup.open();
    void setup.client.invoke('never'); // cold: encoded, never subscribed
    expect(setup.texts().filter((text) => text.includes('never'))).toEqual([]);
    setup.client.close();
  });

  it("writes through console at 'info' when given no options", () => {
    const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
    const debug = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    const { client } = fakeClient({ features: [logging()] });
    client.connect();
    expect(info).toHaveBeenCalledWith(
      '[rx-socketcluster] connecting to ws://example.test/socketcluster/ (attempt 1)',
    );
    expect(debug).not.toHaveBeenCalled();
    client.close();
  });

  it('goes on when the logger throws', async () => {
    const failing = () => {
      throw new Error('logger down');
    };
    const { client, ws } = fakeClient({
      features: [
        logging({ level: 'trace', logger: { error: failing, warn: failing, info: failing, debug: failing } }),
      ],
    });
    const answer = firstValueFrom(client.invoke('sum'));
    const socket = ws.last();
    socket.handshake();
    socket.receive({ rid: socket.packets.at(-1)!.cid, data: 3 });
    await expect(answer).resolves.toBe(3);
    client.close();
  });

  it('refuses an unknown level and a logger without the four methods', () => {
    expect(() => logging({ level: 'verbose' as LogLevel })).toThrow(
      /level must be one of silent, error, warn, info, debug, trace/,
    );
    expect(() => logging({ logger: { info: () => undefined } as never })).toThrow(TypeError);
  });

  it('is refused in features unless it is one', () => {
    const { WebSocket } = fakeClient().ws;
    expect(() => createClient({ url: 'ws://h/', WebSocket, features: [{ feature: 'x' } as never] })).toThrow(
      /features must be features/,
    );
  });
});

describe('redaction', () => {
  /** Every logged argument, deeply serialized two ways. */
  const everything = (lines: readonly Line[]) =>
    lines
      .flatMap((line) => line.args)
      .map((arg) => `${inspect(arg, { depth: Infinity })}\n${JSON.stringify(arg) as string | undefined}`)
      .join('\n');

  it('never writes a token, whatever carries it (at trace, which writes every line)', async () => {
    const stored = fakeJwt({ sub: 'stored', iat: 1000 }, 'c3RvcmVkLXNpZ25hdHVyZQ');
    const signedIn = fakeJwt({ sub: 'signed-in', iat: 1000 }, 'c2lnbmVkLWluLXNpZ25hdHVyZQ');
    const fromServer = fakeJwt({ sub: 'from-server', iat: 1000 }, 'ZnJvbS1zZXJ2ZXItc2lnbmF0dXJl');
    const secrets = [stored, signedIn, fromServer, 'opaque-query-secret'];
    const setup = logged('trace', {
      url: 'ws://example.test/socketcluster/?token=opaque-query-secret',
      tokenStore: memoryTokenStore({ 'socketcluster.authToken.example.test:80': stored }),
    });
    const { client, ws } = setup;
    client.connect();
    let socket: FakeWebSocket = ws.last();
    socket.handshake({ isAuthenticated: true });
    // Sign in with a token; the server answers, then sets another, then quotes it in an error and a close reason.
    client.authenticate(signedIn).subscribe();
    socket.receive({ rid: socket.packets.at(-1)!.cid, data: { isAuthenticated: true } });
    socket.receive({ event: '#setAuthToken', data: { token: fromServer }, cid: 9 });
    socket.receive({ event: '#setAuthToken', data: { signedAuthToken: fromServer } });
    client.invoke('whoami').subscribe({ error: () => undefined });
    socket.receive({
      rid: socket.packets.at(-1)!.cid,
      error: { name: 'AuthTokenInvalidError', message: `bad token ${fromServer}`, authToken: fromServer },
    });
    client.transmit('echo', { jwt: signedIn, nested: { note: `Bearer ${signedIn}` } });
    socket.serverClose(4001, `token ${fromServer} expired`);
    jest.advanceTimersByTime(250);
    socket = ws.last();
    socket.handshake();
    await jest.advanceTimersByTimeAsync(0);
    client.close();

    // The tokens did travel: in the handshake, in #authenticate, in the handshake after the reconnect.
    expect(ws.sockets[0]!.packets[0]!.data).toEqual({ authToken: stored });
    expect(ws.sockets[0]!.packets.find((p) => p.event === '#authenticate')!.data).toBe(signedIn);
    const written = everything(setup.lines);
    // The test saw the places tokens travel through...
    for (const expected of [
      '> #handshake cid 1',
      '> #authenticate cid',
      '< #setAuthToken cid 9',
      'auth: authenticated',
    ])
      expect(setup.texts().some((text) => text.includes(expected))).toBe(true);
    expect(written).toContain('[redacted]');
    // ...and no token, nor its signature, is in anything written.
    for (const secret of secrets) {
      expect(written).not.toContain(secret);
      const signature = secret.split('.')[2];
      if (signature) expect(written).not.toContain(signature);
    }
  });
});
