import type { Observable, SchedulerLike } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { RemoteError, ScClientError } from '../errors';
import type { ProtocolVersion } from '../protocol/packets';
import type { ExplainSocketError } from '../transport/socket-failure';
import type { Traffic } from './traffic';
import type { WebSocketConstructor } from '../transport/web-socket';

/** A connection whose handshake succeeded. Lives until its socket closes. */
export interface Session {
  /** The server's id for this socket. */
  readonly id: string;
  /** The liveness limit the server set, in ms. */
  readonly pingTimeout: number;
  /** Whether the handshake token was accepted. */
  readonly isAuthenticated: boolean;
  /** Why the handshake token was refused, when one was. */
  readonly authError: RemoteError | undefined;
  /** When the latest frame arrived, on the scheduler's clock (frames are timed once, for the ping watchdog). */
  readonly receivedAt: number;
  /** Sends a frame; returns `false` (sending nothing) when the socket is no longer open. */
  send(frame: string | Uint8Array): boolean;
  /** Closes the socket with 4000 now if nothing arrived within the ping timeout (the watchdog may run late). */
  checkLiveness(): void;
}

/** Who started an attempt: told of its session (at most once), and of its failure or end (at most once, last). @internal */
export interface AttemptOwner {
  /** The handshake succeeded: the attempt is a session now. */
  sessionOpened(session: Session): void;
  /** The attempt failed, or its session ended (`ConnectionError`), or the server refused it (`HandshakeError`). */
  attemptFailed(error: ScClientError): void;
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
  /** Reads the cause of a failure out of the WebSocket's error (the Node entry's, for `ws`). */
  readonly explainSocketError: ExplainSocketError | undefined;
  /** The clock and timers of every part of the client (an internal option: tests pass a virtual one). */
  readonly scheduler: SchedulerLike;
}

/** What a connection attempt asks of its owner. @internal */
export interface SessionHooks {
  /** The client's frame and byte counters, which every attempt adds to. */
  readonly traffic: Traffic;
  /** Work before the socket opens (loading the auth token). Its error fails the attempt with 4003. */
  beforeAttempt(): Observable<never>;
  /** The next call id of the engine's own calls. */
  nextCid(): number;
  /** The signed token to send in the handshake, or `null`. */
  authToken(): string | null;
  /** Handles one inbound packet that is not the handshake reply. */
  dispatch(packet: unknown, session: Session | undefined): void;
  /** Reports a diagnostic on `errors$`. */
  report(error: ScClientError): void;
}
