import {
  createClient,
  memoryTokenStore,
  type Client,
  type ClientOptions,
  type ScApi,
  type UntypedApi,
  type ValidApi,
  type WebSocketConstructor,
} from '../index';
import { ScEvent, type Packet } from '../protocol/packets';
import { ExpectingServer } from './expecting-server';
import { Expectations, wireErrorOf, type ServerError } from './expectations';
import { FakeSocket, type SocketHost } from './fake-socket';
import { signFakeToken, type FakeTokenOptions } from './fake-token';
import { FakeWebSocket, type Wire } from './fake-web-socket';
import { Refusals, type HandshakeRefusal } from './refusals';
import { resolveServerOptions, type FakeServerOptions, type ServerSettings } from './server-options';

/**
 * An in-memory SocketCluster server for tests, reached by real rx-socketcluster clients through a fake WebSocket:
 * no port, no network. Create it with {@link createFakeServer}; see there for an example.
 *
 * It speaks the wire protocol of socketcluster-server v20 (protocol 1 or 2, with the client's codec): handshakes
 * with or without a token, pings, `#subscribe`, `#unsubscribe`, `#publish`, `#authenticate`, `#removeAuthToken`.
 * Application invokes are answered by {@link FakeServer.answer} or one by one through
 * {@link FakeServer.expectInvoke}; an invoke neither answers stays unanswered, as a real server leaves a procedure
 * nobody handles, and the client's call ends with its ack timeout.
 */
export class FakeServer extends ExpectingServer {
  /** The packets every socket sent, decoded, in the order they arrived (`#handshake` and pongs aside). */
  readonly received: Packet[] = [];
  /** A WebSocket constructor whose sockets connect to this server. */
  readonly WebSocket: WebSocketConstructor;
  readonly #settings: ServerSettings;
  readonly #sockets: FakeSocket[] = [];
  readonly #clients: { close(): void }[] = [];
  readonly #refusals: Refusals;
  #delay = 0;
  #framesToLose = 0;
  #socketCount = 0;
  #stopped = false;

  /** @internal */
  constructor(options: FakeServerOptions = {}) {
    const expectations = new Expectations();
    super(expectations);
    const settings = resolveServerOptions(options);
    this.#settings = settings;
    const refusals = (this.#refusals = new Refusals(settings.enforceWaitForAuth));
    const host: SocketHost = {
      ...settings,
      handshakeRefusal: () => refusals.handshake,
      checkToken: (token) => refusals.checkToken(token, settings.scheduler.now()),
      subscribeRefusal: (socket, channel, waitForAuth) =>
        refusals.subscribeRefusal(socket, channel, waitForAuth),
      received: (_socket, packet) => this.received.push(packet),
      opened: () => undefined,
      closed: (socket) => {
        const index = this.#sockets.indexOf(socket);
        if (index !== -1) this.#sockets.splice(index, 1);
      },
      publish: (channel, data) => this.publish(channel, data),
      subscribed: (socket, channel, data, accepted) =>
        expectations.subscribed(socket, channel, data, accepted),
      invoked: (socket, procedure, data, reply) => expectations.invoked(socket, procedure, data, reply),
      transmitted: (socket, event, data) => expectations.transmitted(socket, event, data),
    };
    const wire: Wire = {
      scheduler: settings.scheduler,
      delay: () => this.#delay,
      lose: () => this.#framesToLose > 0 && this.#framesToLose-- > 0,
      accept: (socket) => this.#accept(socket, host),
    };
    this.WebSocket = function FakeServerWebSocket(url: string) {
      return new FakeWebSocket(url, wire);
    } as unknown as WebSocketConstructor;
  }

  /** The open connections (the handshake done or under way), oldest first. */
  get sockets(): readonly FakeSocket[] {
    return [...this.#sockets];
  }

  /**
   * The newest open connection.
   *
   * @throws Error when no socket is connected.
   */
  lastSocket(): FakeSocket {
    const socket = this.#sockets.at(-1);
    if (!socket) throw new Error('No socket is connected to the fake server');
    return socket;
  }

  /**
   * Client options that connect to this server: its `url`, its `WebSocket`, its `codec` and `protocolVersion`, a
   * token store of the client's own (in memory), page liveness hints off, and the server's `scheduler` when one was
   * given, with `batchWrites` off (a batch leaves from a microtask, which a `TestScheduler.run` never reaches);
   * `options` over them.
   *
   * @example
   * ```ts
   * const client = createClient(server.clientOptions({ ackTimeout: 1000 }));
   * ```
   */
  clientOptions(options: ClientOptions = {}): ClientOptions {
    const { url, codec, protocolVersion, scheduler, schedulerGiven } = this.#settings;
    return {
      url,
      WebSocket: this.WebSocket,
      codec,
      protocolVersion,
      tokenStore: memoryTokenStore(),
      livenessHints: false,
      ...(schedulerGiven && { scheduler, batchWrites: false }),
      ...options,
    };
  }

  /**
   * A real client connected to this server (see {@link FakeServer.clientOptions}); {@link FakeServer.close} closes it.
   *
   * @example
   * ```ts
   * const client = server.createClient<MyApi>();
   * ```
   */
  createClient<Api extends ScApi & ValidApi<Api> = UntypedApi>(options?: ClientOptions): Client<Api> {
    const client = createClient<Api>(this.clientOptions(options));
    this.#clients.push(client);
    return client;
  }

  /** Publishes `data` to `channel`: every socket subscribed to it receives it. */
  publish(channel: string, data?: unknown): void {
    const packet = { event: ScEvent.publish, data: { channel, data } };
    for (const socket of this.#sockets) if (socket.isSubscribed(channel)) socket.send(packet);
  }

  /** Transmits `event` with `data` to every connected socket. */
  emit(event: string, data?: unknown): void {
    for (const socket of this.#sockets) if (socket.state === 'open') socket.emit(event, data);
  }

  /**
   * Signs `claims` into a token this server (and any fake server) accepts, with `iat`, and `exp` after
   * `expiresIn` seconds when given (no `exp` otherwise, as socketcluster-server's `auth.signToken`; its
   * `socket.setAuthToken` applies `authDefaultExpiry`), on the server's clock. Synchronous: the signature is a
   * checksum, not an HMAC, so a real verifier (`jwtVerifier` of `rx-socketcluster/verify`, a real server) refuses
   * it.
   *
   * @example
   * ```ts
   * const token = server.signToken({ username: 'ann' }, { expiresIn: 3600 });
   * const client = server.createClient({ authTokenKey: 'token', tokenStore: memoryTokenStore({ token }) });
   * ```
   */
  signToken(claims: Record<string, unknown>, options?: FakeTokenOptions): string {
    return signFakeToken(claims, this.#settings.scheduler.now(), options);
  }

  /** Refuses every token from now on, as a server whose key changed: `AuthTokenInvalidError`, `invalid signature`. */
  refuseTokens(): void {
    this.#refusals.tokens = true;
  }

  /** Accepts the tokens fake servers signed again (the default). */
  acceptTokens(): void {
    this.#refusals.tokens = false;
  }

  /** Answers every `#handshake` from now on with `error`, then closes with its `statusCode` (default 4008). */
  refuseHandshakes(error: HandshakeRefusal): void {
    this.#refusals.handshake = wireErrorOf(error);
  }

  /** Completes handshakes again (the default). */
  acceptHandshakes(): void {
    this.#refusals.handshake = undefined;
  }

  /**
   * The next `count` connection attempts fail as a server that is down: a socket that never opens, closed 1006.
   *
   * @example
   * ```ts
   * server.refuseConnections(2); // the client's first two attempts fail, the third opens after the backoff
   * ```
   */
  refuseConnections(count: number): void {
    this.#refusals.connections = count;
  }

  /**
   * Refuses every `#subscribe` to `channel` with `error`, as a server's middleware would.
   *
   * @example
   * ```ts
   * server.refuseSubscribe('admin', { name: 'Forbidden', message: 'admins only' });
   * // client.channel('admin') errors with a ChannelSubscribeError whose remote error is that one
   * ```
   */
  refuseSubscribe(channel: string, error: ServerError): void {
    this.#refusals.subscribe.set(channel, wireErrorOf(error));
  }

  /** Accepts subscriptions to `channel` again. */
  acceptSubscribe(channel: string): void {
    this.#refusals.subscribe.delete(channel);
  }

  /** Closes every socket with `code` (default 1000, after which clients do not reconnect) and `reason`. */
  disconnectAll(code = 1000, reason = ''): void {
    for (const socket of this.sockets) socket.close(code, reason);
  }

  /**
   * Drops every socket as a server that restarts does (1006, no reason); new connections are accepted.
   *
   * @example
   * ```ts
   * server.restart();
   * await jest.advanceTimersByTimeAsync(2000); // the client's backoff, then its handshake and re-subscriptions
   * expect(client.state.state).toBe('open');
   * ```
   */
  restart(): void {
    this.disconnectAll(1006);
  }

  /** Every frame and close sent from now on, both ways, arrives `ms` later. Default: 0. */
  delayFrames(ms: number): void {
    this.#delay = ms;
  }

  /** The next `count` frames sent, both ways, pings and pongs included, are lost. */
  loseNextFrames(count: number): void {
    this.#framesToLose = count;
  }

  /** Closes the clients it created, drops every socket (1006) and refuses connections from now on. */
  close(): void {
    this.#stopped = true;
    for (const client of this.#clients.splice(0)) client.close();
    this.disconnectAll(1006);
  }

  #accept(client: FakeWebSocket, host: SocketHost): FakeSocket | undefined {
    if (this.#stopped) return undefined;
    if (this.#refusals.refuseConnection()) return undefined;
    const socket = new FakeSocket(`socket-${++this.#socketCount}`, host, client);
    this.#sockets.push(socket);
    return socket;
  }
}

/**
 * Creates an in-memory SocketCluster server for tests; clients from `server.createClient()` (or
 * `createClient(server.clientOptions())`) connect to it with no network.
 *
 * @param options - Protocol version, codec, pings, scheduler: see {@link FakeServerOptions}.
 * @returns The {@link FakeServer}.
 * @example
 * ```ts
 * import { firstValueFrom } from 'rxjs';
 * import { createFakeServer, type FakeServer } from 'rx-socketcluster/testing';
 *
 * let server: FakeServer;
 * beforeEach(() => {
 *   server = createFakeServer();
 * });
 * afterEach(() => {
 *   server.verify();
 *   server.close(); // closes its clients; a closed server accepts no connection again
 * });
 *
 * it('loads the profile', async () => {
 *   server.answer('profile', { name: 'ann' });
 *   const client = server.createClient();
 *   await expect(firstValueFrom(client.invoke('profile'))).resolves.toEqual({ name: 'ann' });
 * });
 * ```
 */
export function createFakeServer(options?: FakeServerOptions): FakeServer {
  return new FakeServer(options);
}
