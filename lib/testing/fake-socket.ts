import type { SchedulerLike, Subscription } from 'rxjs';
import { PING_FRAMES, ScEvent, type Packet, type WireError } from '../protocol/packets';
import { expiryOf, signFakeToken, type FakeTokenOptions, type TokenCheck } from './fake-token';
import type { FakeWebSocket, ServerEnd, WireFrame } from './fake-web-socket';
import { ServerCalls, type ServerInvokeOptions } from './server-calls';
import type { Reply } from './reserved-events';
import { receiveFrame, type FakeSocketState, type PacketHost, type PacketSocket } from './socket-packets';

/** How a connection ended: the close code and reason, and which side closed it. */
export interface FakeSocketClose {
  readonly code: number;
  readonly reason: string;
  readonly by: 'client' | 'server';
}

/** What a fake socket needs of its server. @internal */
export interface SocketHost extends PacketHost<FakeSocket> {
  readonly scheduler: SchedulerLike;
  /** Ping period in ms; 0 for no pings. */
  readonly pingInterval: number;
  readonly pingTimeout: number;
  readonly ackTimeout: number;
  readonly authDefaultExpiry: number;
  handshakeRefusal(): WireError | undefined;
  checkToken(token: unknown): TokenCheck;
  received(socket: FakeSocket, packet: Packet): void;
  opened(socket: FakeSocket): void;
  closed(socket: FakeSocket): void;
}

/**
 * One connection to the fake server, as the server sees it: the socket a real socketcluster-server would hand to
 * its handlers. Get one from `server.sockets` or `server.lastSocket()`.
 *
 * @example
 * ```ts
 * const socket = server.lastSocket();
 * socket.emit('notice', { text: 'hello' });
 * socket.setAuthToken({ username: 'ann' }, { expiresIn: 60 });
 * expect(socket.subscriptions).toEqual(['news']);
 * socket.close(4100, 'bye');
 * ```
 */
export class FakeSocket implements ServerEnd, PacketSocket {
  /** The socket id, announced in the handshake reply: `socket-1`, `socket-2`... in the order of connection. */
  readonly id: string;
  /** Every packet the client sent on this connection, decoded, in order (the `#handshake` and pongs aside). */
  readonly received: Packet[] = [];
  #state: FakeSocketState = 'handshaking';
  #closedWith: FakeSocketClose | undefined;
  #token: { readonly signed: string; readonly claims: Record<string, unknown> } | undefined;
  readonly #channels = new Set<string>();
  #silent = false;
  #lastHeard: number;
  readonly #pinger: Subscription | undefined;
  readonly #calls: ServerCalls;
  readonly #host: SocketHost;
  readonly #client: FakeWebSocket;

  /** @internal */
  constructor(id: string, host: SocketHost, client: FakeWebSocket) {
    this.id = id;
    this.#host = host;
    this.#client = client;
    this.#calls = new ServerCalls(host.scheduler);
    this.#lastHeard = host.scheduler.now();
    // A real server pings from the moment the WebSocket is accepted, before the handshake.
    if (host.pingInterval > 0) {
      this.#pinger = host.scheduler.schedule(
        function tick(socket) {
          if (socket.#ping()) this.schedule(socket, socket.#host.pingInterval);
        },
        host.pingInterval,
        this,
      );
    }
  }

  /** Where the connection is. */
  get state(): FakeSocketState {
    return this.#state;
  }

  /** How the connection ended, once it has. */
  get closedWith(): FakeSocketClose | undefined {
    return this.#closedWith;
  }

  /** Whether the socket holds a valid token, as the server sees it. */
  get isAuthenticated(): boolean {
    return this.#token !== undefined;
  }

  /** The claims of the socket's token, or `undefined` when it has none. */
  get authToken(): Readonly<Record<string, unknown>> | undefined {
    return this.#token?.claims;
  }

  /** The socket's signed token, or `undefined` when it has none. */
  get signedAuthToken(): string | undefined {
    return this.#token?.signed;
  }

  /** The channels the socket is subscribed to, in the order it subscribed. */
  get subscriptions(): string[] {
    return [...this.#channels];
  }

  /** Whether the socket is subscribed to `channel`. */
  isSubscribed(channel: string): boolean {
    return this.#channels.has(channel);
  }

  /** Transmits `event` with `data` to the client (its `receiver(event)` gets `data`). */
  emit(event: string, data?: unknown): void {
    this.send(data === undefined ? { event } : { event, data });
  }

  /**
   * Invokes the client's procedure `procedure` (its `procedure(name)` stream). Resolves with the client's answer;
   * rejects with its error (an `Error` with the name, message and fields it sent), with a `TimeoutError` after
   * `ackTimeout`, or with a `BadConnectionError` when the connection ends first.
   */
  invoke(procedure: string, data?: unknown, options: ServerInvokeOptions = {}): Promise<unknown> {
    const { cid, answer } = this.#calls.start(procedure, options.ackTimeout ?? this.#host.ackTimeout);
    this.send(data === undefined ? { event: procedure, cid } : { event: procedure, data, cid });
    return answer;
  }

  /**
   * Signs `claims` into a token, makes it the socket's token and sends it to the client (`#setAuthToken`), as
   * socketcluster-server's `socket.setAuthToken` does. Returns the signed token.
   *
   * @throws Error when the handshake has not completed (a real server throws too).
   */
  setAuthToken(claims: Record<string, unknown>, options?: FakeTokenOptions): string {
    if (this.#state !== 'open') throw new Error(`setAuthToken on socket ${this.id}, which is ${this.#state}`);
    const signed = signFakeToken(claims, this.#host.scheduler.now(), options, this.#host.authDefaultExpiry);
    this.#token = { signed, claims: { ...this.#host.checkToken(signed).claims } };
    this.send({ event: ScEvent.setAuthToken, data: { token: signed } });
    return signed;
  }

  /** Drops the socket's token and tells the client (`#removeAuthToken`), as `socket.deauthenticate()` does. */
  removeAuthToken(): void {
    this.#token = undefined;
    this.send({ event: ScEvent.removeAuthToken });
  }

  /** Unsubscribes the socket from `channel` and tells the client (`#kickOut`), with `message` when given. */
  kickOut(channel: string, message?: unknown): void {
    this.#channels.delete(channel);
    this.send({
      event: ScEvent.kickOut,
      data: message === undefined ? { channel } : { channel, message },
    });
  }

  /**
   * Closes the connection with `code` and `reason`. Default: 1000, as socketcluster-server's `socket.disconnect()`
   * (which the client takes as final: it does not reconnect after 1000).
   */
  close(code = 1000, reason = ''): void {
    if (this.#end(code, reason, 'server')) this.#client.serverClose(code, reason);
  }

  /**
   * The server hangs: from now on it sends nothing on this connection (no pings, no answers, no deliveries) and
   * reads nothing. The client notices when its ping watchdog (the handshake's `pingTimeout`) fires.
   */
  goSilent(): void {
    this.#silent = true;
  }

  /** Sends a packet to the client. @internal */
  send(packet: unknown): void {
    if (this.#state === 'closed' || this.#silent) return;
    this.#client.deliver(this.#host.codec.encode(packet));
  }

  /** Whether {@link FakeSocket.goSilent} was called. */
  get isSilent(): boolean {
    return this.#silent;
  }

  /** A frame from the client. @internal */
  frame(data: WireFrame): void {
    receiveFrame(this, this.#host, data);
  }

  /** The client was heard from: the ping timeout counts from now. @internal */
  heard(): void {
    this.#lastHeard = this.#host.scheduler.now();
  }

  /** The client closed the connection. @internal */
  clientClosed(code: number, reason: string): void {
    this.#end(code, reason, 'client');
  }

  /** Answers a `#handshake`: refused as the server says, or the socket opens. @internal */
  handshake(cid: number, authToken: unknown): void {
    const refusal = this.#host.handshakeRefusal();
    if (refusal) {
      this.reply(cid, { error: refusal });
      const status = refusal.statusCode;
      this.close(typeof status === 'number' ? status : 4008, refusal.message);
      return;
    }
    const authError = authToken == null ? undefined : this.authenticate(authToken);
    this.#state = 'open';
    this.reply(cid, {
      data: {
        id: this.id,
        pingTimeout: this.#host.pingTimeout,
        ...(authError && { authError }),
        isAuthenticated: this.isAuthenticated,
      },
    });
    if (authError?.isBadToken) this.send({ event: ScEvent.removeAuthToken });
    this.#host.opened(this);
  }

  /** Checks `token` and makes it the socket's token, or drops the socket's token and returns why. @internal */
  authenticate(token: unknown): WireError | undefined {
    const check = this.#host.checkToken(token);
    this.#token = check.error ? undefined : { signed: token as string, claims: check.claims };
    return check.error;
  }

  /** Deauthenticates without telling the client (it asked for it). @internal */
  forgetToken(): void {
    this.#token = undefined;
  }

  /** Settles the server's call `rid` with the client's answer. @internal */
  settle(rid: number, error: unknown, data: unknown): void {
    this.#calls.settle(rid, error, data);
  }

  /** Subscribes or unsubscribes, server side. @internal */
  membership(channel: string, subscribed: boolean): void {
    if (subscribed) this.#channels.add(channel);
    else this.#channels.delete(channel);
  }

  /** Answers the client's call `cid`. @internal */
  reply(cid: number, answer: Reply): void {
    if ('error' in answer) this.send({ rid: cid, error: answer.error });
    else this.send(answer.data === undefined ? { rid: cid } : { rid: cid, data: answer.data });
  }

  /** Keeps a packet the client sent, here and on the server. @internal */
  record(packet: Packet): void {
    this.received.push(packet);
    this.#host.received(this, packet);
  }

  /**
   * As a real server: the token's `exp` is checked on pongs and inbound events; expired, it is removed.
   * @internal
   */
  checkExpiry(): void {
    const exp = expiryOf(this.#token?.claims);
    if (exp !== undefined && this.#host.scheduler.now() >= exp * 1000) this.removeAuthToken();
  }

  /** One ping tick; false when pings stop. */
  #ping(): boolean {
    if (this.#state === 'closed' || this.#silent) return false;
    const { scheduler, pingTimeout, protocolVersion } = this.#host;
    if (scheduler.now() - this.#lastHeard >= pingTimeout) {
      this.close(4001, 'Client pong timed out');
      return false;
    }
    this.#client.deliver(PING_FRAMES[protocolVersion].ping);
    return true;
  }

  #end(code: number, reason: string, by: 'client' | 'server'): boolean {
    if (this.#state === 'closed') return false;
    this.#state = 'closed';
    this.#closedWith = { code, reason, by };
    this.#pinger?.unsubscribe();
    this.#channels.clear();
    this.#calls.abort(code, reason);
    this.#host.closed(this);
    return true;
  }
}
