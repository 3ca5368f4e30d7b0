/**
 * The port between the engine (socket, protocol, reconnect loop, outbox, calls, channel membership, auth) and the
 * facade (the public `Client`: Observables, typed API, errors on the streams they concern).
 *
 * Two interfaces of methods: {@link EngineCommands}, which the facade calls on the engine, and
 * {@link EngineEvents}, which the engine calls on the facade; and {@link EngineView}, the one synchronous read,
 * of what the events have reported. In one process they are plain method calls, with no
 * serialization. Every argument is structured-clone-able (strings, numbers, booleans, plain objects and arrays,
 * `Uint8Array`, {@link ErrorRecord}s; no functions, no class instances), so that the same port can run over a
 * `MessagePort` or a `BroadcastChannel`, one message per call: {@link PortMessage} is that message.
 *
 * Call ids: the facade draws its call ids from its own counter and the engine its own from another; the facade's
 * are even and the engine's odd, so the ids on the wire never collide and neither side asks the other for one.
 *
 * Order: the engine emits events in the order things happen, and a command's effects reach the facade as events
 * (in one process, before the command returns). A command never returns a value: what it produces comes back as
 * an event.
 *
 * @internal
 */
import type { AuthState } from '../auth/auth-state';
import type { ChannelRequest } from '../channels/channel-request';
import type { ChannelState } from '../channels/channel-state';
import type { ConnectionState } from '../connection/connection-state';
import type { ErrorRecord } from '../errors';
import type { ClientStats } from './stats';

/** An encoded frame, as the codec made it. */
export type Frame = string | Uint8Array;

/**
 * The connection state as it crosses the port: the public {@link ConnectionState}, with the handshake's
 * `authError` and the failure's `error` as records.
 */
export type PortConnectionState =
  | Extract<ConnectionState, { state: 'connecting' }>
  | (Omit<Extract<ConnectionState, { state: 'open' }>, 'authError'> & { readonly authError?: ErrorRecord })
  | (Omit<Extract<ConnectionState, { state: 'closed' }>, 'error'> & { readonly error?: ErrorRecord });

/** The facade's orders to the engine. */
export interface EngineCommands {
  /** Open the connection unless it is open or opening (the first stream or call that needs it says so). */
  connect(): void;
  /** Close the socket with `code` and `reason`, and do not reconnect until the next demand. */
  disconnect(code: number, reason: string): void;
  /**
   * Close for good: calls fail with `CLIENT_CLOSED`, queued frames are dropped, the socket closes, and
   * {@link EngineEvents.closed} is the last event.
   */
  close(): void;
  /**
   * Send the invoke `call` (its frame encoded by the facade, with `call` as its cid), or queue it until the next
   * handshake. It ends with exactly one {@link EngineEvents.callResult} or {@link EngineEvents.callFailed} for
   * `call`, unless cancelled first. `timeout` counts from now, in ms; with `resend`, a call on the wire when the
   * connection drops is sent again after the next handshake instead of failing.
   */
  invoke(call: number, event: string, frame: Frame, timeout: number, resend: boolean): void;
  /** Forget `call` (its caller left): no event follows for it, and an unsent frame is not sent. */
  cancel(call: number): void;
  /** Send a fire-and-forget frame, or queue it; a full outbox is reported as a diagnostic. */
  transmit(event: string, frame: Frame): void;
  /**
   * Send the facade's answer to a server invoke (see {@link EngineEvents.serverInvoke}), if the connection it came
   * on (`session`) is still the open one; otherwise it is dropped (the server has failed that call already).
   */
  respond(session: number, frame: Frame): void;
  /**
   * Hold `channel`: `#subscribe` now or after each handshake (highest priority first, `waitForAuth` channels only
   * when authenticated), with {@link EngineEvents.channelState} at every change.
   */
  subscribe(channel: string, request: ChannelRequest): void;
  /** Release `channel`: `#unsubscribe` when it was subscribed; late messages for it are dropped quietly. */
  unsubscribe(channel: string): void;
  /**
   * Authenticate with `token` (checked, and verified when a verifier is configured, before anything is sent):
   * {@link EngineEvents.callResult} for `call` with an {@link AuthenticateAnswer}, or
   * {@link EngineEvents.callFailed}.
   */
  authenticate(call: number, token: string): void;
  /** Sign out: `#removeAuthToken` when connected, the store cleared, the state `unauthenticated`. */
  deauthenticate(): void;
  /** Take a sample of the client's traffic and health now: {@link EngineEvents.stats} answers with `request`. */
  sampleStats(request: number): void;
  /**
   * The facade serves `procedure` (`on`), or no longer does. One engine ignores it; a hub shared by many tabs sends
   * each server invoke to a tab that serves it.
   */
  listen(procedure: string, on: boolean): void;
}

/**
 * What the facade may read of the engine synchronously: only what the events have already reported, so that a port
 * across a boundary answers it from the last events it received.
 */
export interface EngineView {
  /** The state of `channel`, as its last {@link EngineEvents.channelState} said; `unsubscribed` when not held. */
  channelState(channel: string): ChannelState;
}

/** The server's answer to `#authenticate`, as it crosses the port. */
export interface AuthenticateAnswer {
  readonly isAuthenticated: boolean;
  readonly authError?: ErrorRecord;
}

/** What the engine tells the facade. */
export interface EngineEvents {
  /** The connection state changed. The first state, before any event, is `{ state: 'idle', attempt: 0 }`. */
  connectionState(state: PortConnectionState): void;
  /** The authentication state changed (a new token is a change). The first is `unauthenticated`. */
  authState(state: AuthState): void;
  /** A held channel's state changed. */
  channelState(channel: string, state: ChannelState, previous: ChannelState): void;
  /** A message was published to a held channel: the hot path, one call per message. */
  channelMessage(channel: string, data: unknown): void;
  /**
   * The engine dropped `channel`: the server refused the subscription (`CHANNEL_SUBSCRIBE_REJECTED`) or kicked the
   * client out (`CHANNEL_KICKED_OUT`). Its `unsubscribed` state came just before.
   */
  channelFailed(channel: string, error: ErrorRecord): void;
  /** The server answered `call`. */
  callResult(call: number, data: unknown): void;
  /** `call` failed: the server's error, a timeout, a lost connection, an outbox that refused or dropped it, close. */
  callFailed(call: number, error: ErrorRecord): void;
  /** The server transmitted `event` (a name the engine does not handle itself). */
  serverEvent(event: string, data: unknown): void;
  /** The server invoked `procedure` with call id `rid` on connection `session`; answer with `respond(session, ...)`. */
  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void;
  /** A problem that belongs to no caller's stream, for `errors$`. */
  diagnostic(error: ErrorRecord): void;
  /** The sample that {@link EngineCommands.sampleStats} asked for with `request`. */
  stats(request: number, sample: ClientStats): void;
  /** The engine closed for good; no event follows. */
  closed(): void;
}

/** One port call as a message, for a port that crosses a process or tab boundary. */
export type PortMessage<Port> = {
  [Name in keyof Port]: Port[Name] extends (...args: infer Args) => void
    ? { readonly name: Name; readonly args: Args }
    : never;
}[keyof Port];

/** A command as a message. */
export type CommandMessage = PortMessage<EngineCommands>;
/** An event as a message. */
export type EventMessage = PortMessage<EngineEvents>;
