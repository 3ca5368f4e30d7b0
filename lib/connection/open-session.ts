import { Observable, type SchedulerAction, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { Codec } from '../codec/codec';
import { CodecError, ConnectionError, HandshakeError, ProtocolError, type ScClientError } from '../errors';
import {
  PING_FRAMES,
  ScEvent,
  type HandshakeReply,
  type ProtocolVersion,
  type ResponsePacket,
} from '../protocol/packets';
import { hydrateError } from '../protocol/remote-error';
import { WS_OPEN, type WebSocketConstructor, type WebSocketLike } from '../transport/web-socket';
import { WriteBatcher } from '../transport/write-batcher';

/** A connection whose handshake succeeded. Lives until its socket closes. */
export interface Session {
  /** The server's id for this socket. */
  readonly id: string;
  /** The liveness limit the server set, in ms. */
  readonly pingTimeout: number;
  /** Whether the handshake token was accepted. */
  readonly isAuthenticated: boolean;
  /** Why the handshake token was refused, when one was. */
  readonly authError: Error | undefined;
  /** Sends a frame; returns `false` (sending nothing) when the socket is no longer open. */
  send(frame: string | Uint8Array): boolean;
  /** Closes the socket with 4000 now if nothing arrived within the ping timeout (the watchdog may run late). */
  checkLiveness(): void;
}

/** The settings of a connection attempt. @internal */
export interface SessionConfig {
  readonly WebSocket: WebSocketConstructor;
  readonly webSocketOptions: object | undefined;
  readonly codec: Codec;
  readonly protocolVersion: ProtocolVersion;
  readonly connectTimeout: number;
  readonly pingTimeoutDisabled: boolean;
  /** Largest inbound message accepted, in bytes (UTF-16 code units for text, a lower bound of its UTF-8 size). */
  readonly maxPayload: number;
  /** Coalesce the frames written in one task into one batch frame (when the codec can join frames). */
  readonly batchWrites: boolean;
  readonly scheduler: SchedulerLike;
}

/** What a connection attempt asks of its owner. @internal */
export interface SessionHooks {
  /** Work before the socket opens (loading the auth token). Its error fails the attempt with 4003. */
  beforeAttempt(): Observable<never>;
  /** The next call id (shared with invokes: ids are unique per client). */
  nextCid(): number;
  /** The signed token to send in the handshake, or `null`. */
  authToken(): string | null;
  /** Handles one inbound packet that is not the handshake reply. */
  dispatch(packet: unknown, session: Session | undefined): void;
  /** Reports a diagnostic on `errors$`. */
  report(error: ScClientError): void;
}

/** The close code and reason used when an attempt is unsubscribed (a deliberate close), read at that moment. */
export interface CloseRequest {
  code: number;
  reason: string;
}

const DEFAULT_PING_TIMEOUT = 30_000;
/** The event by which SocketCluster 14 (protocol 1) announces that it is closing the socket. */
const LEGACY_DISCONNECT = '#disconnect';

/** The EventEmitter side of the `ws` package's WebSocket, which the client prefers where it exists. */
interface NodeStyleSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

// A ping of the other protocol version means the client's `protocolVersion` does not match the server's.
function mismatch(frame: unknown, version: ProtocolVersion): ProtocolError | undefined {
  return frame === PING_FRAMES[version === 1 ? 2 : 1].ping ? otherVersion(version) : undefined;
}

/** The diagnostic for a ping of the other protocol version than the client's. */
function otherVersion(version: ProtocolVersion): ProtocolError {
  const other = version === 1 ? 2 : 1;
  return new ProtocolError(
    'unexpected-frame',
    `Received a protocol ${other} ping: the server speaks protocol version ${other}, set protocolVersion: ${other}`,
  );
}
const ignore = () => undefined;
const MAX_TIMER = 2 ** 31 - 1;
const MAX_REASON_BYTES = 123;

// WebSocket close reasons are limited to 123 UTF-8 bytes (a longer one throws); a server's error message can be
// longer. Closing is best effort: the connection is being abandoned either way.
function closeSocket(socket: WebSocketLike, code: number, reason: string): void {
  let text = reason;
  while (new TextEncoder().encode(text).length > MAX_REASON_BYTES) text = text.slice(0, -1);
  try {
    socket.close(code, text);
  } catch {
    // Nothing more to do for a socket that refuses to close.
  }
}

function isValidReply(data: unknown): data is HandshakeReply {
  const reply = data as Partial<HandshakeReply> | null | undefined;
  const pingTimeout = reply?.pingTimeout;
  return typeof reply?.id === 'string' && typeof pingTimeout === 'number' && pingTimeout > 0 && pingTimeout < Infinity;
}

/**
 * One connection attempt, and the {@link Session} it becomes once its handshake succeeds. One object per attempt
 * holds its whole state; its methods are on the prototype.
 */
class Attempt implements Session {
  readonly #config: SessionConfig;
  readonly #hooks: SessionHooks;
  readonly #subscriber: Subscriber<Session>;
  readonly #closeRequest: CloseRequest;
  readonly #legacy: boolean;
  readonly #ping: string;
  readonly #pong: string;
  #socket: WebSocketLike | undefined;
  /** Removes the EventEmitter listeners (`ws`); unset for DOM-style handlers. */
  #unlisten: (() => void) | undefined;
  #preparing: Subscription | undefined;
  #batcher: WriteBatcher | undefined;
  #connectTimer: Subscription | undefined;
  #watchdog: Subscription | undefined;
  #handshakeCid = -1;
  #established = false;
  #finished = false;
  #oversized = false;
  #disconnectReason = '';
  #lastSeen: number;

  id = '';
  pingTimeout = DEFAULT_PING_TIMEOUT;
  isAuthenticated = false;
  authError: Error | undefined = undefined;

  /** The connect timer's work (a shared function: no closure per attempt). */
  static #connectTimeout(this: SchedulerAction<Attempt>, attempt?: Attempt): void {
    if (attempt) attempt.#connectTimedOut();
  }

  /** The ping watchdog's work: re-arms itself for the rest of the ping timeout while frames arrive. */
  static #watch(this: SchedulerAction<Attempt>, attempt?: Attempt): void {
    const left = attempt ? attempt.#checkIdle() : 0;
    if (left > 0) this.schedule(attempt, left);
  }

  constructor(config: SessionConfig, hooks: SessionHooks, closeRequest: CloseRequest, subscriber: Subscriber<Session>) {
    this.#config = config;
    this.#hooks = hooks;
    this.#closeRequest = closeRequest;
    this.#subscriber = subscriber;
    this.#legacy = config.protocolVersion === 1;
    ({ ping: this.#ping, pong: this.#pong } = PING_FRAMES[config.protocolVersion]);
    this.#lastSeen = config.scheduler.now();
  }

  /** Prepares (the auth token), then opens the socket. */
  start(url: string): void {
    const preparing = this.#hooks.beforeAttempt().subscribe({
      error: (cause: unknown) => {
        this.#preparing = undefined;
        this.#finished = true;
        this.#subscriber.error(new ConnectionError(4003, 'Could not load the auth token', 'connectAbort', { cause }));
      },
      complete: () => {
        this.#preparing = undefined;
        this.#open(url);
      },
    });
    if (!preparing.closed) this.#preparing = preparing;
  }

  #open(url: string): void {
    const config = this.#config;
    this.#connectTimer = config.scheduler.schedule(Attempt.#connectTimeout, config.connectTimeout, this);
    let socket: WebSocketLike;
    try {
      socket = config.webSocketOptions
        ? new config.WebSocket(url, [], config.webSocketOptions as never)
        : new config.WebSocket(url);
    } catch (cause) {
      this.#finished = true;
      this.#connectTimer.unsubscribe();
      this.#subscriber.error(new ConnectionError(1006, 'Could not open the WebSocket', 'connectAbort', { cause }));
      return;
    }
    this.#socket = socket;
    socket.binaryType = config.codec.binaryType ?? 'arraybuffer';
    const { codec } = config;
    if (config.batchWrites && codec.batch) this.#batcher = new WriteBatcher(socket, codec);
    // Thin handlers: the work is in the methods.
    const onOpen = () => this.#opened();
    const onClose = (code: number, reason: string | Uint8Array) => this.#closed(code, reason.toString());
    const onError = (error: unknown) => this.#failed(error);
    const emitter = socket as Partial<NodeStyleSocket>;
    if (typeof emitter.on === 'function' && typeof emitter.off === 'function') {
      // `ws` in Node: its EventEmitter events spare the wrapper and the event object its DOM-style handlers make
      // per handler and per message (text arrives as a Buffer there, binary as the binaryType asks).
      const onMessage = (data: unknown, isBinary: boolean) =>
        this.#frame(isBinary ? data : (data as Uint8Array).toString());
      emitter.on('open', onOpen);
      emitter.on('message', onMessage);
      emitter.on('close', onClose);
      emitter.on('error', onError);
      this.#unlisten = () => {
        emitter.off?.('open', onOpen);
        emitter.off?.('message', onMessage);
        emitter.off?.('close', onClose);
        // The error listener stays (it ignores what comes now): `ws` emits an 'error' on a socket closed while
        // connecting, and an EventEmitter without an error listener would throw it.
      };
    } else {
      socket.onopen = onOpen;
      socket.onmessage = ({ data }) => {
        // `ws` enforces maxPayload while receiving (the options pass it whenever it differs from the `ws`
        // default); a browser socket delivers any size, so the limit is checked here, once a message is in. Text
        // is measured in UTF-16 code units, never more than its UTF-8 bytes: only a certain excess is refused.
        const size = typeof data === 'string' ? data.length : (data as ArrayBuffer).byteLength;
        if (size > config.maxPayload) this.#tooLarge();
        else this.#frame(data);
      };
      socket.onclose = ({ code, reason }) => onClose(code, reason);
      socket.onerror = (event) => onError((event as { error?: unknown } | null)?.error);
    }
  }

  // Session

  send(frame: string | Uint8Array): boolean {
    const socket = this.#socket;
    if (socket?.readyState !== WS_OPEN) return false;
    if (this.#batcher) this.#batcher.push(frame);
    else socket.send(frame);
    return true;
  }

  checkLiveness(): void {
    if (!this.#config.pingTimeoutDisabled) this.#checkIdle();
  }

  /** Closes with 4000 when nothing arrived within the ping timeout; else returns the time left, in ms. */
  #checkIdle(): number {
    const left = this.pingTimeout - (this.#config.scheduler.now() - this.#lastSeen);
    if (left <= 0) this.#abort(4000, 'Server ping timed out');
    return left;
  }

  // Socket events

  #opened(): void {
    const cid = this.#hooks.nextCid();
    this.#handshakeCid = cid;
    const authToken = this.#hooks.authToken();
    // Alone in its frame: the server must see #handshake before anything else.
    this.#write(this.#config.codec.encode({ event: ScEvent.handshake, data: { authToken }, cid }));
  }

  #frame(frame: unknown): void {
    const config = this.#config;
    this.#lastSeen = config.scheduler.now();
    // Pings are text frames compared before decoding, and answered only once the handshake is done: a pong
    // that reaches the server before our handshake makes it close the socket (4009).
    if (frame === this.#ping) {
      if (this.#established) this.#write(this.#pong); // never part of a batch
      return;
    }
    const { codec } = config;
    let decoded: unknown;
    try {
      decoded = codec.decode(frame as string | ArrayBuffer);
    } catch (cause) {
      this.#hooks.report(
        mismatch(frame, config.protocolVersion) ??
          new CodecError(`The ${codec.name} codec could not decode a frame`, { cause }),
      );
      return;
    }
    if (typeof decoded === 'string' && decoded === PING_FRAMES[1].ping) {
      // SocketCluster 14 sends its protocol 1 ping through the codec (binary with MessagePack): answer in kind.
      if (!this.#legacy) this.#hooks.report(otherVersion(config.protocolVersion));
      else if (this.#established) this.#write(codec.encode(PING_FRAMES[1].pong));
      return;
    }
    if (Array.isArray(decoded)) {
      for (let i = 0; i < decoded.length && !this.#finished; i++) this.#packet(decoded[i]);
    } else {
      this.#packet(decoded);
    }
  }

  /** A 'close' event always follows an error and carries the code. */
  #closed(code: number, reason: string): void {
    const socket = this.#socket;
    if (this.#finished || !socket) return;
    this.#detach(socket);
    this.#reportTooLarge();
    // `ws` drops the connection (1006) once it refused an oversized message: report the close it asked for.
    const phase = this.#established ? 'disconnect' : 'connectAbort';
    this.#subscriber.error(new ConnectionError(this.#oversized ? 1009 : code, reason || this.#disconnectReason, phase));
  }

  /** `ws` names an oversized message in its error; the 'close' that follows reports it. */
  #failed(error: unknown): void {
    if ((error as { code?: unknown } | null | undefined)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.#oversized = true;
    }
  }

  #tooLarge(): void {
    this.#oversized = true;
    this.#abort(1009, 'Message too big');
  }

  #connectTimedOut(): void {
    if (this.#socket?.readyState === WS_OPEN) this.#abort(4003, 'Handshake timed out');
    else this.#abort(4007, 'Connection establishment timed out');
  }

  /**
   * The client ends the connection itself: it does not wait for the close handshake, which a dead peer never
   * completes.
   */
  #abort(code: number, reason: string, error?: ScClientError): void {
    const socket = this.#socket;
    if (this.#finished || !socket) return;
    this.#detach(socket);
    this.#reportTooLarge();
    closeSocket(socket, code, reason);
    // A peer that stopped answering will not complete the close handshake either: `ws` would keep the socket for
    // its 30 s close timeout. Drop it now where the socket can (`terminate`, Node).
    if (code === 4000 || code === 4003 || code === 4007) (socket as { terminate?: () => void }).terminate?.();
    this.#subscriber.error(error ?? new ConnectionError(code, reason, this.#established ? 'disconnect' : 'connectAbort'));
  }

  /** The Observable's teardown: a deliberate close, with the owner's close request. */
  unsubscribe(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#preparing?.unsubscribe();
    const socket = this.#socket;
    if (!socket) return;
    const { code, reason } = this.#closeRequest;
    this.#batcher?.flush(); // what the application wrote before closing still goes out
    this.#detach(socket);
    closeSocket(socket, code, reason);
  }

  #write(frame: string | Uint8Array): void {
    const socket = this.#socket;
    if (socket?.readyState === WS_OPEN) socket.send(frame);
  }

  #packet(packet: unknown): void {
    if (!this.#established && (packet as ResponsePacket | null)?.rid === this.#handshakeCid) {
      this.#handshakeReply(packet as ResponsePacket);
    } else if (this.#legacy && (packet as { event?: unknown } | null)?.event === LEGACY_DISCONNECT) {
      // SocketCluster 14 announces a server-side disconnect with this event, then closes without a reason.
      const data = (packet as { data?: { data?: unknown } }).data?.data;
      this.#disconnectReason = typeof data === 'string' ? data : '';
    } else {
      this.#hooks.dispatch(packet, this.#established ? this : undefined);
    }
  }

  #handshakeReply(packet: ResponsePacket): void {
    this.#connectTimer?.unsubscribe();
    this.#connectTimer = undefined;
    const error = hydrateError(packet.error);
    if (error) {
      const status = error.details.statusCode;
      const code = typeof status === 'number' && status >= 4000 && status <= 4999 ? status : 4008;
      this.#abort(code, `${error.remoteName}: ${error.message}`, new HandshakeError(error.message, code, error));
      return;
    }
    let reply = packet.data;
    if (!isValidReply(reply)) {
      this.#hooks.report(
        new ProtocolError('bad-handshake-reply', 'Handshake reply without a socket id or a valid pingTimeout'),
      );
      reply = { id: '', pingTimeout: DEFAULT_PING_TIMEOUT, isAuthenticated: false };
    }
    const valid = reply as HandshakeReply;
    this.id = valid.id;
    this.pingTimeout = Math.min(valid.pingTimeout, MAX_TIMER);
    // Only a literal `true` from the server means authenticated.
    this.isAuthenticated = (valid as { isAuthenticated?: unknown }).isAuthenticated === true;
    this.authError = hydrateError(valid.authError);
    this.#established = true;
    if (!this.#config.pingTimeoutDisabled) {
      this.#watchdog = this.#config.scheduler.schedule(Attempt.#watch, this.pingTimeout, this);
    }
    this.#subscriber.next(this);
  }

  #reportTooLarge(): void {
    if (this.#oversized) {
      this.#hooks.report(
        new ProtocolError(
          'message-too-large',
          `An inbound message exceeded maxPayload (${this.#config.maxPayload} bytes)`,
        ),
      );
    }
  }

  #detach(socket: WebSocketLike): void {
    this.#finished = true;
    this.#connectTimer?.unsubscribe();
    this.#watchdog?.unsubscribe();
    this.#batcher?.clear();
    if (this.#unlisten) {
      this.#unlisten();
    } else {
      socket.onopen = socket.onmessage = socket.onclose = null;
      // Keep an error listener: `ws` emits an 'error' on a socket closed while connecting, and throws it when
      // nothing listens.
      socket.onerror = ignore;
    }
  }
}

/**
 * One connection attempt: runs the owner's `beforeAttempt` work, opens the WebSocket, sends `#handshake` first, applies the reply before the next frame,
 * answers pings before the codec and watches liveness.
 *
 * Emits: one {@link Session} when the handshake succeeds.
 * Completes: never.
 * Errors: `ConnectionError` when the socket closes or cannot open (own closes: 4000 ping timeout, 4003 handshake
 * timeout, 4007 connect timeout), `HandshakeError` when the server refuses the handshake.
 * Teardown closes the socket with the close request as it is at that moment.
 * @internal
 */
export function openSession(
  config: SessionConfig,
  hooks: SessionHooks,
  url: string,
  closeRequest: CloseRequest,
): Observable<Session> {
  return new Observable<Session>((subscriber) => {
    const attempt = new Attempt(config, hooks, closeRequest, subscriber);
    attempt.start(url);
    return attempt;
  });
}
