import type { Observable } from 'rxjs';
import type { AuthenticateResult } from '../auth/authenticate-reply';
import type { AuthState } from '../auth/auth-state';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import type { ConnectionState, OpenState } from '../connection/connection-state';
import type { AnyScError } from '../errors';
import type { ShareState } from '../share/share-state';

/**
 * The members of a {@link Client} that do not depend on its API type: the connection and authentication states,
 * the diagnostics, the channels' states, the stats, signing in and out, and the connection's lifecycle.
 */
export interface ClientLifecycle {
  /**
   * The connection state: `connecting`, `open` or `closed` (with close code, reason, attempt and next retry time).
   *
   * - Emits: the current state on subscription, then every change.
   * - Completes: when the client is closed with `close()`.
   * - Errors: never.
   * - Shared; replays the latest (the current state) to each new subscriber. Does not open the connection.
   */
  readonly state$: Observable<ConnectionState>;

  /** The current connection state, synchronously. */
  readonly state: ConnectionState;

  /**
   * Waits for an open connection, opening it if nothing has yet: `await firstValueFrom(client.whenOpen())`.
   *
   * - Emits: the `open` state once: the current one if the connection is open, else the next.
   * - Completes: right after it.
   * - Errors: when the client stops trying before a connection opens: the `ConnectionError` or `HandshakeError`
   *   of the attempt it gave up on (a code of 4500 or more, `maxAttempts`, `reconnect: false`), a
   *   `ConnectionError` with your code after `disconnect()`, `ClientClosedError` after `close()`.
   * - Lazy; each subscriber waits on its own, no replay. Opens the connection.
   *
   * @returns A lazy Observable of the open state.
   * @example
   * ```ts
   * const { id } = await firstValueFrom(client.whenOpen());
   * ```
   */
  whenOpen(): Observable<OpenState>;

  /**
   * Diagnostics: problems that belong to no caller's stream. `CodecError` for a frame that does not decode;
   * `ProtocolError` for a packet of no known shape, a response to a call id never issued, an event nobody listens
   * to, a server invoke of a procedure nobody handles, a handshake reply without data, or a ping of the other
   * protocol version; `OutboxOverflowError` for a transmit the full outbox refused.
   *
   * - Emits: each problem as it happens, with a stable `code` to `switch` on.
   * - Completes: when the client is closed.
   * - Errors: never.
   * - Shared (hot); no replay. Does not open the connection.
   */
  readonly errors$: Observable<AnyScError>;

  /**
   * Every change of any channel's state.
   *
   * - Emits: `{ channel, state, previous }` on each change.
   * - Completes: when the client is closed.
   * - Errors: never.
   * - Shared (hot); no replay. Does not open the connection.
   */
  readonly channelChanges$: Observable<ChannelStateChange>;

  /** The current state of a channel: `unsubscribed` for a channel the client does not hold. */
  channelState(name: string): ChannelState;

  /**
   * The state of one channel.
   *
   * - Emits: the current state on subscription, then each change.
   * - Completes: when the client is closed.
   * - Errors: never.
   * - Shared change stream, one entry per subscriber; replays the latest (the channel's current state). Does not
   *   open the connection.
   */
  channelState$(name: string): Observable<ChannelState>;

  /** The channels the client holds now, with their states (for dashboards and debugging). */
  channels(): { readonly name: string; readonly state: ChannelState }[];

  /**
   * The client's authentication: `unauthenticated`, or `authenticated` with the signed token, its decoded claims
   * and its expiry (`expiresAt`, epoch ms) when it has one.
   *
   * - Emits: the current state on subscription, then every change (a new token is a change).
   * - Completes: when the client is closed.
   * - Errors: never.
   * - Shared; replays the latest (the current state) to each new subscriber. Does not open the connection.
   */
  readonly authState$: Observable<AuthState>;

  /** The current authentication state, synchronously. */
  readonly authState: AuthState;

  /**
   * Where this client's connection is, with the `share` option: its mode, this tab's role (`leader` when it holds
   * the connection, `follower` when another tab or the shared worker does), and how many tabs share it; for a
   * debug panel. Without sharing: `{ mode: 'off', role: 'alone', tabs: 1 }`. With sharing, `role` is `joining`
   * until the tab has joined (or found that the browser cannot share: then `alone`).
   *
   * - Emits: the current state on subscription, then every change (a tab joins or leaves, a new leader).
   * - Completes: when the client is closed (at once without sharing).
   * - Errors: never.
   * - Shared; replays the latest to each new subscriber. Does not open the connection.
   */
  readonly share$: Observable<ShareState>;

  /**
   * Sends `#authenticate` with a signed token (after the handshake). When the server accepts it the client is
   * authenticated with it and stores it; when it does not, the client is unauthenticated and the store is left
   * alone (the server may also send `#removeAuthToken`, which clears it).
   *
   * - Emits: the server's answer, `{ isAuthenticated, authError? }`, once.
   * - Completes: right after.
   * - Errors: `AuthTokenInvalidError` when the token is not a JWT or fails the configured verification (nothing is
   *   sent); `RemoteError` when the server rejects the token (for example `AuthTokenExpiredError` by name);
   *   `AckTimeoutError`, `ConnectionError`, `ClientClosedError` as for `invoke`.
   * - Lazy (cold): one `#authenticate` per subscription, no replay. Opens the connection.
   *
   * Throws a `TypeError` for a token that is not a non-empty string.
   */
  authenticate(token: string): Observable<AuthenticateResult>;

  /**
   * Signs out: sends `#removeAuthToken` when connected, removes the token from the store and becomes
   * `unauthenticated`. Channels stay subscribed (the server does not drop them either). Throws
   * `ClientClosedError` after `close()`.
   */
  deauthenticate(): void;

  /** Opens the connection now rather than on first demand. Throws `ClientClosedError` after `close()`. */
  connect(): void;

  /**
   * Closes the connection with `code` (1000, or 3000 to 4999) and does not reconnect until something needs the
   * connection again. Calls in flight fail with `ConnectionError`; queued frames stay queued.
   */
  disconnect(code?: number, reason?: string): void;

  /**
   * Closes the client for good: the socket closes, pending calls fail with `ClientClosedError`, every stream
   * completes, and no timer or listener remains. Idempotent.
   */
  close(): void;
}
