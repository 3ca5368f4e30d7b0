import { Observable, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
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

/** What one connection attempt needs from its owner. @internal */
export interface SessionContext {
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
  /** The next call id (shared with invokes: ids are unique per client). */
  nextCid(): number;
  /** The signed token to send in the handshake, or `null`. */
  authToken(): string | null;
  /** Handles one inbound packet that is not the handshake reply. */
  dispatch(packet: unknown, session: Session | undefined): void;
  /** Reports a diagnostic on `errors$`. */
  report(error: ScClientError): void;
  /** Close code and reason used when the attempt is unsubscribed (a deliberate close). */
  closeRequest(): { code: number; reason: string };
}

const DEFAULT_PING_TIMEOUT = 30_000;
/** The event by which SocketCluster 14 (protocol 1) announces that it is closing the socket. */
const LEGACY_DISCONNECT = '#disconnect';

/** The EventEmitter side of the `ws` package's WebSocket. */
interface NodeStyleSocket {
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  off(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
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
 * One connection attempt: opens the WebSocket, sends `#handshake` first, applies the reply before the next frame,
 * answers pings before the codec and watches liveness.
 *
 * Emits: one {@link Session} when the handshake succeeds.
 * Completes: never.
 * Errors: `ConnectionError` when the socket closes or cannot open (own closes: 4000 ping timeout, 4003 handshake
 * timeout, 4007 connect timeout), `HandshakeError` when the server refuses the handshake.
 * Teardown closes the socket with {@link SessionContext.closeRequest}.
 * @internal
 */
export function openSession(ctx: SessionContext, url: string): Observable<Session> {
  return new Observable<Session>((subscriber) => {
    const { ping, pong } = PING_FRAMES[ctx.protocolVersion];
    const { codec, scheduler } = ctx;
    let session: Session | undefined;
    let handshakeCid = -1;
    const legacy = ctx.protocolVersion === 1;
    let disconnectReason = '';
    let finished = false;
    let lastSeen = scheduler.now();
    let watchdog: Subscription | undefined;
    let socket: WebSocketLike;
    let stopListening: (() => void) | undefined;
    let tooLarge = false;

    const detach = () => {
      finished = true;
      connectTimer.unsubscribe();
      watchdog?.unsubscribe();
      batcher?.clear();
      stopListening?.();
      socket.onopen = socket.onmessage = socket.onclose = null;
      // Keep an error listener: `ws` throws an 'error' event that has none (closing a socket still connecting).
      socket.onerror = ignore;
    };
    // The client ends the connection itself: it does not wait for the close handshake, which a dead peer never
    // completes.
    const abort = (code: number, reason: string, error?: ScClientError) => {
      if (finished) return;
      detach();
      reportTooLarge();
      closeSocket(socket, code, reason);
      // A peer that stopped answering will not complete the close handshake either: `ws` would keep the socket for
      // its 30 s close timeout. Drop it now where the socket can (`terminate`, Node).
      if (code === 4000 || code === 4003 || code === 4007) (socket as { terminate?: () => void }).terminate?.();
      subscriber.error(error ?? new ConnectionError(code, reason, session ? 'disconnect' : 'connectAbort'));
    };
    const reportTooLarge = () => {
      if (tooLarge) {
        ctx.report(
          new ProtocolError('message-too-large', `An inbound message exceeded maxPayload (${ctx.maxPayload} bytes)`),
        );
      }
    };
    const write = (frame: string | Uint8Array) => {
      if (socket.readyState === WS_OPEN) socket.send(frame);
    };
    const batcher =
      ctx.batchWrites && codec.batch ? new WriteBatcher(write, (frames) => codec.batch?.(frames) ?? '') : undefined;
    const send = (frame: string | Uint8Array) => {
      if (socket.readyState !== WS_OPEN) return false;
      if (batcher) batcher.push(frame);
      else socket.send(frame);
      return true;
    };

    const onHandshakeReply = (packet: ResponsePacket) => {
      connectTimer.unsubscribe();
      const error = hydrateError(packet.error);
      if (error) {
        const status = error.details.statusCode;
        const code = typeof status === 'number' && status >= 4000 && status <= 4999 ? status : 4008;
        abort(code, `${error.remoteName}: ${error.message}`, new HandshakeError(error.message, code, error));
        return;
      }
      let reply = packet.data;
      if (!isValidReply(reply)) {
        ctx.report(new ProtocolError('bad-handshake-reply', 'Handshake reply without a socket id or a valid pingTimeout'));
        reply = { id: '', pingTimeout: DEFAULT_PING_TIMEOUT, isAuthenticated: false };
      }
      const { id, authError } = reply as HandshakeReply;
      const pingTimeout = Math.min((reply as HandshakeReply).pingTimeout, MAX_TIMER);
      // Only a literal `true` from the server means authenticated.
      const isAuthenticated = (reply as { isAuthenticated?: unknown }).isAuthenticated === true;
      const checkLiveness = () => {
        if (!ctx.pingTimeoutDisabled && scheduler.now() - lastSeen >= pingTimeout) abort(4000, 'Server ping timed out');
      };
      session = { id, pingTimeout, isAuthenticated, authError: hydrateError(authError), send, checkLiveness };
      if (!ctx.pingTimeoutDisabled) {
        watchdog = scheduler.schedule(function (this: SchedulerAction<unknown>) {
          const idle = scheduler.now() - lastSeen;
          if (idle >= pingTimeout) abort(4000, 'Server ping timed out');
          else this.schedule(undefined, pingTimeout - idle);
        }, pingTimeout);
      }
      subscriber.next(session);
    };

    const onPacket = (packet: unknown) => {
      if (session === undefined && (packet as ResponsePacket | null)?.rid === handshakeCid) {
        onHandshakeReply(packet as ResponsePacket);
      } else if (legacy && (packet as { event?: unknown } | null)?.event === LEGACY_DISCONNECT) {
        // SocketCluster 14 announces a server-side disconnect with this event, then closes without a reason.
        const data = (packet as { data?: { data?: unknown } }).data?.data;
        disconnectReason = typeof data === 'string' ? data : '';
      } else {
        ctx.dispatch(packet, session);
      }
    };

    const onFrame = (frame: unknown) => {
      lastSeen = scheduler.now();
      // Pings are text frames compared before decoding, and answered only once the handshake is done: a pong
      // that reaches the server before our handshake makes it close the socket (4009).
      if (frame === ping) {
        if (session) write(pong); // never part of a batch
        return;
      }
      let decoded: unknown;
      try {
        decoded = codec.decode(frame as string | ArrayBuffer);
      } catch (cause) {
        ctx.report(mismatch(frame, ctx.protocolVersion) ?? new CodecError(`The ${codec.name} codec could not decode a frame`, { cause }));
        return;
      }
      if (typeof decoded === 'string' && decoded === PING_FRAMES[1].ping) {
        // SocketCluster 14 sends its protocol 1 ping through the codec (binary with MessagePack): answer in kind.
        if (!legacy) ctx.report(otherVersion(ctx.protocolVersion));
        else if (session) write(codec.encode(PING_FRAMES[1].pong));
        return;
      }
      if (Array.isArray(decoded)) {
        for (let i = 0; i < decoded.length && !finished; i++) onPacket(decoded[i]);
      } else {
        onPacket(decoded);
      }
    };

    const connectTimer = scheduler.schedule(() => {
      if (socket.readyState === WS_OPEN) abort(4003, 'Handshake timed out');
      else abort(4007, 'Connection establishment timed out');
    }, ctx.connectTimeout);

    try {
      socket = ctx.webSocketOptions
        ? new ctx.WebSocket(url, [], ctx.webSocketOptions as never)
        : new ctx.WebSocket(url);
    } catch (cause) {
      connectTimer.unsubscribe();
      subscriber.error(new ConnectionError(1006, 'Could not open the WebSocket', 'connectAbort', { cause }));
      return undefined;
    }
    socket.binaryType = codec.binaryType ?? 'arraybuffer';
    socket.onopen = () => {
      handshakeCid = ctx.nextCid();
      const authToken = ctx.authToken();
      // Alone in its frame: the server must see #handshake before anything else.
      write(codec.encode({ event: ScEvent.handshake, data: { authToken }, cid: handshakeCid }));
    };
    // `ws` in Node: listen to 'message' directly, which spares the MessageEvent the DOM-style handler allocates per
    // frame (text arrives as a Buffer there, binary as the binaryType asks).
    const emitter = socket as Partial<NodeStyleSocket>;
    if (typeof emitter.on === 'function' && typeof emitter.off === 'function') {
      const listener = (data: unknown, isBinary: boolean) => onFrame(isBinary ? data : (data as Uint8Array).toString());
      emitter.on('message', listener);
      stopListening = () => emitter.off?.('message', listener);
    } else {
      // `ws` enforces maxPayload while receiving (the options pass it whenever it differs from the `ws` default); a
      // browser socket delivers any size, so the limit is checked here, once a message is in. Text is measured in
      // UTF-16 code units, never more than its UTF-8 bytes: only a certain excess is refused.
      socket.onmessage = ({ data }) => {
        const size = typeof data === 'string' ? data.length : (data as ArrayBuffer).byteLength;
        if (size > ctx.maxPayload) {
          tooLarge = true;
          abort(1009, 'Message too big');
        } else {
          onFrame(data);
        }
      };
    }
    // A 'close' event always follows an error and carries the code; `ws` names an oversized message in the error.
    socket.onerror = (event) => {
      if ((event as { error?: { code?: unknown } } | null)?.error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        tooLarge = true;
      }
    };
    socket.onclose = ({ code, reason }) => {
      if (finished) return;
      detach();
      reportTooLarge();
      // `ws` drops the connection (1006) once it refused an oversized message: report the close it asked for.
      const phase = session ? 'disconnect' : 'connectAbort';
      subscriber.error(new ConnectionError(tooLarge ? 1009 : code, reason || disconnectReason, phase));
    };

    return () => {
      if (finished) return;
      const { code, reason } = ctx.closeRequest();
      batcher?.flush(); // what the application wrote before closing still goes out
      detach();
      closeSocket(socket, code, reason);
    };
  });
}
