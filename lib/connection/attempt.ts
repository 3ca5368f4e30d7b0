import type { Subscription } from 'rxjs';
import {
  ConnectionError,
  type ConnectionErrorOptions,
  type RemoteError,
  type ScClientError,
} from '../errors';
import { closeReason } from '../protocol/close-codes';
import { DEFAULT_PING_TIMEOUT, handshakePacket, readHandshakeReply } from '../protocol/handshake';
import { PING_FRAMES, type ResponsePacket } from '../protocol/packets';
import { decodeFrame, isDecodedLegacyPing, legacyDisconnectReason, otherVersion } from '../protocol/ping';
import { closeSocket, listen, openSocket, type SocketEvents } from '../transport/socket-events';
import { WS_OPEN, type WebSocketLike } from '../transport/web-socket';
import { WriteBatcher } from '../transport/write-batcher';
import { armConnectTimer, armWatchdog, type TimedAttempt } from './attempt-timers';
import type { AttemptOwner, Session, SessionConfig, SessionHooks } from './session';
import { frameSize } from './traffic';

/** Own closes after which the socket is dropped at once rather than left to finish its close handshake. */
const DEAD_PEER = new Set([4000, 4003, 4007]);
const TIMED_OUT: ConnectionErrorOptions = { code: 'CONNECT_TIMEOUT' };
const TOO_LARGE: ConnectionErrorOptions = { code: 'MESSAGE_TOO_LARGE' };
/** The reason of a socket that failed before it opened, on a platform that does not say why. */
const HIDDEN_CAUSE =
  'Socket hung up before it opened; the WebSocket gave no cause (a browser shows it in its console only)';

/**
 * One connection attempt, and the {@link Session} it becomes once its handshake succeeds: runs the owner's
 * `beforeAttempt` work, opens the WebSocket, sends `#handshake` first, applies the reply before the next frame,
 * answers pings before the codec and watches liveness. One object per attempt holds its whole state; its methods
 * are on the prototype (a client is created per socket, and closures per attempt would cost every client).
 *
 * Tells its owner (once each, at most): the session, when the handshake succeeds; the failure, when the socket
 * closes or cannot open (`ConnectionError`; own closes: 4000 ping timeout, 4003 handshake timeout, 4007 connect
 * timeout) or the server refuses the handshake (`HandshakeError`). {@link Attempt.close} ends it deliberately,
 * telling nothing.
 * @internal
 */
export class Attempt implements Session, SocketEvents, TimedAttempt {
  readonly #config: SessionConfig;
  readonly #hooks: SessionHooks;
  readonly #owner: AttemptOwner;
  readonly #ping: string;
  readonly #pong: string;
  #socket: WebSocketLike | undefined;
  #unlisten: (() => void) | undefined;
  #preparing: Subscription | undefined;
  #batcher: WriteBatcher | undefined;
  #connectTimer: Subscription | undefined;
  #watchdog: Subscription | undefined;
  #handshakeCid = -1;
  #opened = false;
  #established = false;
  #finished = false;
  #disconnectReason = '';
  #lastSeen: number;

  id = '';
  pingTimeout = DEFAULT_PING_TIMEOUT;
  isAuthenticated = false;
  authError: RemoteError | undefined = undefined;

  constructor(config: SessionConfig, hooks: SessionHooks, owner: AttemptOwner) {
    this.#config = config;
    this.#hooks = hooks;
    this.#owner = owner;
    ({ ping: this.#ping, pong: this.#pong } = PING_FRAMES[config.protocolVersion]);
    this.#lastSeen = config.scheduler.now();
  }

  /** Prepares (the auth token), then opens the socket. */
  start(url: string): void {
    const preparing = this.#hooks.beforeAttempt().subscribe({
      error: (cause: unknown) => {
        this.#preparing = undefined;
        this.#fail(new ConnectionError(4003, 'Could not load the auth token', 'connectAbort', { cause }));
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
    const { codec } = config;
    this.#connectTimer = armConnectTimer(config.scheduler, this, config.connectTimeout);
    let socket: WebSocketLike;
    try {
      socket = openSocket(config.WebSocket, url, config.webSocketOptions, codec.binaryType ?? 'arraybuffer');
    } catch (cause) {
      this.#connectTimer.unsubscribe();
      this.#fail(new ConnectionError(1006, 'Could not open the WebSocket', 'connectAbort', { cause }));
      return;
    }
    this.#socket = socket;
    this.#unlisten = listen(socket, this, config.maxPayload);
  }

  // Session

  get receivedAt(): number {
    return this.#lastSeen;
  }

  send(frame: string | Uint8Array): boolean {
    const socket = this.#socket;
    if (socket?.readyState !== WS_OPEN) return false;
    const { batchWrites, codec } = this.#config;
    // The batcher is made at the first frame sent: a connected client that sends nothing holds none.
    if (batchWrites && codec.batch) (this.#batcher ??= new WriteBatcher(socket, codec)).push(frame);
    else socket.send(frame);
    const traffic = this.#hooks.traffic;
    traffic.framesOut++;
    traffic.bytesOut += frameSize(frame);
    return true;
  }

  checkLiveness(): void {
    if (!this.#config.pingTimeoutDisabled) this.checkIdle();
  }

  // Timers

  checkIdle(): number {
    const left = this.pingTimeout - (this.#config.scheduler.now() - this.#lastSeen);
    if (left <= 0) this.#abort(4000, 'Server ping timed out');
    return left;
  }

  connectTimedOut(): void {
    if (this.#socket?.readyState === WS_OPEN) this.#abort(4003, 'Handshake timed out', TIMED_OUT);
    else this.#abort(4007, 'Connection establishment timed out', TIMED_OUT);
  }

  // Socket events

  opened(): void {
    this.#opened = true;
    const cid = this.#hooks.nextCid();
    this.#handshakeCid = cid;
    // Alone in its frame: the server must see #handshake before anything else.
    this.#write(this.#config.codec.encode(handshakePacket(cid, this.#hooks.authToken())));
  }

  frame(frame: unknown): void {
    const config = this.#config;
    this.#lastSeen = config.scheduler.now();
    const traffic = this.#hooks.traffic;
    traffic.framesIn++;
    traffic.bytesIn += frameSize(frame);
    // Pings are text frames compared before decoding, and answered only once the handshake is done: a pong
    // that reaches the server before our handshake makes it close the socket (4009).
    if (frame === this.#ping) {
      if (this.#established) this.#write(this.#pong); // never part of a batch
      return;
    }
    const { codec, protocolVersion } = config;
    let decoded: unknown;
    try {
      decoded = decodeFrame(codec, frame, protocolVersion);
    } catch (error) {
      this.#hooks.report(error as ScClientError);
      return;
    }
    if (isDecodedLegacyPing(decoded)) {
      // SocketCluster 14 sends its protocol 1 ping through the codec (binary with MessagePack): answer in kind.
      if (protocolVersion !== 1) this.#hooks.report(otherVersion(protocolVersion));
      else if (this.#established) this.#write(codec.encode(PING_FRAMES[1].pong));
      return;
    }
    if (Array.isArray(decoded)) {
      for (let i = 0; i < decoded.length && !this.#finished; i++) this.#packet(decoded[i]);
    } else {
      this.#packet(decoded);
    }
  }

  closed(code: number, reason: string, oversized: boolean, error: unknown): void {
    if (this.#finished || !this.#socket) return;
    this.#detach();
    const phase = this.#established ? 'disconnect' : 'connectAbort';
    // `ws` drops the connection (1006) once it refused an oversized message: report the close it asked for.
    if (oversized) {
      this.#fail(new ConnectionError(1009, this.#tooLarge(), phase, TOO_LARGE));
      return;
    }
    // A socket that hung up says why in its error, where the platform tells: refused, unknown host, HTTP status.
    const failure = code === 1006 && !reason ? this.#config.explainSocketError?.(error) : undefined;
    if (failure) {
      const { code: cause, reason: text, httpStatus } = failure;
      this.#fail(new ConnectionError(1006, text, phase, { code: cause, httpStatus, cause: error }));
      return;
    }
    // A socket that never opened and hung up without a word: the platform (a browser) hides why, so say that.
    // Otherwise a close without a reason gets SocketCluster 14's #disconnect reason, else its code's standard text.
    const hidden = code === 1006 && !reason && !this.#opened;
    const text = hidden ? HIDDEN_CAUSE : reason || this.#disconnectReason;
    this.#fail(new ConnectionError(code, closeReason(code, text), phase));
  }

  tooLarge(): void {
    this.#abort(1009, this.#tooLarge(), TOO_LARGE);
  }

  /**
   * Ends the attempt deliberately: what the application wrote still goes out, then the socket closes with `code`
   * and `reason`. Nothing is emitted. Idempotent.
   */
  close(code: number, reason: string): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#preparing?.unsubscribe();
    const socket = this.#socket;
    if (!socket) return;
    this.#batcher?.flush();
    this.#detach();
    closeSocket(socket, code, reason);
  }

  /** The client ends the connection itself: it does not wait for the close handshake, which a dead peer never completes. */
  #abort(code: number, reason: string, options?: ConnectionErrorOptions, error?: ScClientError): void {
    const socket = this.#socket;
    if (this.#finished || !socket) return;
    this.#detach();
    closeSocket(socket, code, reason, DEAD_PEER.has(code));
    const phase = this.#established ? 'disconnect' : 'connectAbort';
    this.#fail(error ?? new ConnectionError(code, reason, phase, options));
  }

  #fail(error: ScClientError): void {
    this.#finished = true;
    this.#owner.attemptFailed(error);
  }

  #write(frame: string | Uint8Array): void {
    const socket = this.#socket;
    if (socket?.readyState !== WS_OPEN) return;
    socket.send(frame);
    const traffic = this.#hooks.traffic;
    traffic.framesOut++;
    traffic.bytesOut += frameSize(frame);
  }

  #packet(packet: unknown): void {
    if (!this.#established && (packet as ResponsePacket | null)?.rid === this.#handshakeCid) {
      this.#handshakeReply(packet as ResponsePacket);
      return;
    }
    const reason = this.#config.protocolVersion === 1 ? legacyDisconnectReason(packet) : undefined;
    // SocketCluster 14 announces a server-side disconnect with this event, then closes without a reason.
    if (reason !== undefined) this.#disconnectReason = reason;
    else this.#hooks.dispatch(packet, this.#established ? this : undefined);
  }

  #handshakeReply(packet: ResponsePacket): void {
    this.#connectTimer?.unsubscribe();
    this.#connectTimer = undefined;
    const outcome = readHandshakeReply(packet);
    if (outcome.refused) {
      this.#abort(outcome.refused.statusCode, outcome.closeReason, undefined, outcome.refused);
      return;
    }
    if (outcome.problem) this.#hooks.report(outcome.problem);
    ({
      id: this.id,
      pingTimeout: this.pingTimeout,
      isAuthenticated: this.isAuthenticated,
      authError: this.authError,
    } = outcome.info);
    this.#established = true;
    if (!this.#config.pingTimeoutDisabled) {
      this.#watchdog = armWatchdog(this.#config.scheduler, this, this.pingTimeout);
    }
    this.#owner.sessionOpened(this);
  }

  /** Stops listening and the timers. */
  #detach(): void {
    this.#finished = true;
    this.#connectTimer?.unsubscribe();
    this.#watchdog?.unsubscribe();
    this.#batcher?.clear();
    this.#unlisten?.();
  }

  /** The reason of a close for an inbound message over `maxPayload`. */
  #tooLarge(): string {
    return `An inbound message exceeded maxPayload (${this.#config.maxPayload} bytes)`;
  }
}
