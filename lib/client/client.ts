import type { Observable } from 'rxjs';
import type { AuthenticateResult } from '../auth/authenticate-reply';
import type { AuthState } from '../auth/auth-state';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import type { ConnectionState } from '../connection/connection-state';
import type { AnyScError } from '../errors';
import type {
  ApiPart,
  Channel,
  Invoke,
  Procedure,
  Publish,
  Receiver,
  ScApi,
  Transmit,
  TransmitPublish,
  UntypedApi,
} from './api';

/**
 * A SocketCluster client. Create it with {@link createClient}; it is inert until something needs the connection.
 * Its functions are methods: call them on the client, or bind them before passing them around.
 *
 * @typeParam Api - An {@link ScApi} describing the application's events and procedures, for typed calls.
 */
export interface Client<Api extends ScApi = UntypedApi> {
  /**
   * The connection state: `connecting`, `open` or `closed` (with close code, reason, attempt and next retry time).
   *
   * - Emits: the current state on subscription, then every change.
   * - Completes: when the client is closed with `close()`.
   * - Errors: never.
   * - Multicast: yes; replays the current state to each subscriber. Subscribing does not open the connection.
   */
  readonly state$: Observable<ConnectionState>;

  /** The current connection state, synchronously. */
  readonly state: ConnectionState;

  /**
   * Diagnostics: problems that belong to no caller's stream. `CodecError` for a frame that does not decode;
   * `ProtocolError` for a packet of no known shape, a response to a call id never issued, an event nobody listens
   * to, a server invoke of a procedure nobody handles, a handshake reply without data, or a ping of the other
   * protocol version; `OutboxOverflowError` for a transmit the full outbox refused.
   *
   * - Emits: each problem as it happens, with a stable `code` to `switch` on.
   * - Completes: when the client is closed.
   * - Errors: never.
   * - Multicast: yes, hot; no replay.
   */
  readonly errors$: Observable<AnyScError>;

  /**
   * Invokes a procedure on the server and emits its answer.
   *
   * - Emits: the server's response data, once.
   * - Completes: right after that value.
   * - Errors: `RemoteError` when the server answers with an error; `AckTimeoutError` after the timeout, or
   *   `CallNotSentError` when no connection carried the call before it;
   *   `ConnectionError` when the connection drops after the call was sent, or when the client stops
   *   reconnecting while the call waits to be sent (`HandshakeError` when that stop was a refused handshake);
   *   `OutboxOverflowError` when it cannot be queued; `ClientClosedError` when the client is or gets closed.
   * - Multicast: no; cold, one request per subscription. Unsubscribing before the answer drops the call.
   *
   * Calls made while the connection is not open wait for the next handshake, bounded by their timeout. Throws a
   * `TypeError` at once for an empty event name, a name starting with `#` (the protocol's), or data the codec
   * cannot encode.
   *
   * @example
   * ```ts
   * const sum = await firstValueFrom(client.invoke<number>('sum', { a: 1, b: 2 }, { timeout: 2000 }));
   * ```
   */
  readonly invoke: Invoke<ApiPart<Api, 'invoke'>>;

  /**
   * Sends an event without waiting for an answer. While the connection is not open the frame waits in the outbox
   * and is sent, in order, after the next handshake; a full outbox reports an `OutboxOverflowError` on
   * `errors$`. Throws a `TypeError` for an empty event name, a name starting with `#` (the protocol's) or data the
   * codec cannot encode, and `ClientClosedError` after `close()`.
   */
  readonly transmit: Transmit<ApiPart<Api, 'transmit'>>;

  /**
   * The events the server transmits under one name.
   *
   * - Emits: the `data` of each such event.
   * - Completes: when the client is closed.
   * - Errors: `ClientClosedError` when subscribed after `close()`.
   * - Multicast: yes; all subscribers share one dispatch entry. No replay. Subscribing opens the connection.
   *
   * Calls after `close()` are programmer errors: `transmit()` and `connect()` throw `ClientClosedError`, and the
   * Observable methods error with it. Throws a `TypeError` for an empty name or one starting with `#`.
   */
  readonly receiver: Receiver<ApiPart<Api, 'receive'>>;

  /**
   * The server's invokes of one procedure on this client. Answer each request with `end(result)` or
   * `error(err)`. A server invoke of a procedure nobody subscribes to is answered at once with an
   * `UnhandledProcedureError` and reported on `errors$`.
   *
   * - Emits: a {@link ProcedureRequest} per server invoke.
   * - Completes: when the client is closed.
   * - Errors: `ClientClosedError` when subscribed after `close()`.
   * - Multicast: yes; every subscriber sees every request, the first answer wins. Subscribing opens the connection.
   *
   * Throws a `TypeError` for an empty name or one starting with `#`.
   */
  readonly procedure: Procedure<ApiPart<Api, 'procedure'>>;

  /**
   * The messages published to a channel. The first subscriber sends one `#subscribe`; further subscribers share
   * it; when the last one leaves (after `options.linger` ms, if set) the client sends `#unsubscribe`. The options
   * of the first subscriber apply. While the connection is down the channel is `pending`; it is subscribed again
   * after every handshake, highest `priority` first, `waitForAuth` channels only once authenticated.
   *
   * - Emits: the data of each message published to the channel, including the client's own publishes (with a
   *   v20 server that has no outbound middleware, a subscribed publisher receives its message before the publish
   *   is acknowledged).
   * - Completes: when the client is closed.
   * - Errors: `ChannelSubscribeError` when the server refuses the subscription; `ChannelKickOutError` when the
   *   server kicks the client out; `ClientClosedError` when subscribed after `close()`. A lost connection is not
   *   an error. Nothing is retried unless the caller asks (for example with `retry`).
   * - Multicast: yes; one subscription per name shared by all subscribers. No replay. Every subscription opens
   *   the connection if it is closed.
   *
   * Throws a `TypeError` for an empty channel name and a `RangeError` for a `linger` outside 0 to 2^31 - 1 ms. A
   * channel name may start with `#`: it travels as data of `#subscribe`, not as an event name.
   *
   * @example
   * ```ts
   * client.channel<ChatMessage>('room:lobby').subscribe((msg) => render(msg));
   * ```
   */
  readonly channel: Channel<ApiPart<Api, 'channels'>>;

  /**
   * Publishes `data` to a channel and waits for the server's acknowledgement (the message was accepted and
   * fanned out, not necessarily delivered).
   *
   * - Emits: `undefined` once, on the acknowledgement.
   * - Completes: right after.
   * - Errors: as {@link Client.invoke}: `RemoteError` when the server refuses the publish (middleware, or client
   *   publish disabled), `AckTimeoutError`, `ConnectionError`, `OutboxOverflowError`, `ClientClosedError`.
   * - Multicast: no; cold, one publish per subscription.
   */
  readonly publish: Publish<ApiPart<Api, 'channels'>>;

  /** Publishes `data` to a channel without waiting for an acknowledgement (a `transmit` of `#publish`). */
  readonly transmitPublish: TransmitPublish<ApiPart<Api, 'channels'>>;

  /**
   * Every change of any channel's state.
   *
   * - Emits: `{ channel, state, previous }` on each change.
   * - Completes: when the client is closed.
   * - Errors: never.
   * - Multicast: yes, hot; no replay.
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
   * - Multicast: each subscriber gets its own view of the shared change stream.
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
   * - Multicast: yes; replays the current state to each subscriber. Subscribing does not open the connection.
   */
  readonly authState$: Observable<AuthState>;

  /** The current authentication state, synchronously. */
  readonly authState: AuthState;

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
   * - Multicast: no; cold, one `#authenticate` per subscription.
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
