import type { Observable } from 'rxjs';
import type { AuthenticateResult } from '../auth/authenticate-reply';
import type { AuthState } from '../auth/auth-state';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import type { ConnectionState, OpenState } from '../connection/connection-state';
import type { ClientStats } from '../engine/stats';
import type { AnyScError } from '../errors';
import type {
  ApiMessage,
  ApiName,
  ApiRequest,
  ApiResponse,
  DataArgs,
  ScApi,
  UntypedApi,
  UntypedParams,
} from './api';
import type { ChannelOptions } from './channel-options';
import type { InvokeOptions } from './invoke-options';
import type { ProcedureRequest } from './procedure-request';

/**
 * A SocketCluster client. Create it with {@link createClient}; it is inert until something needs the connection.
 *
 * Its members are methods, on the client's prototype: call them on the client. To pass one around, pass an arrow
 * function (`mergeMap((name) => client.channelState$(name))`) or bind it (`client.invoke.bind(client)`); a detached
 * method (`const { invoke } = client`, `mergeMap(client.channelState$)`) throws a `TypeError` when called. The lint
 * rule `@typescript-eslint/unbound-method` reports such uses. The Observable properties (`state$`, `authState$`,
 * `errors$`, `channelChanges$`) can be passed around as they are.
 *
 * With an {@link ScApi} type argument, `invoke`, `transmit`, `receiver`, `procedure`, `channel`, `publish` and
 * `transmitPublish` take the names the API declares and the payloads it gives them; each has a second signature,
 * for a part the API leaves untyped, that takes the payload type as a type argument (`invoke<number>(...)`).
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
   * Invokes a procedure on the server and emits its answer.
   *
   * - Emits: the server's response data, once.
   * - Completes: right after that value.
   * - Errors: `RemoteError` when the server answers with an error; `AckTimeoutError` after the timeout, or
   *   `CallNotSentError` when no connection carried the call before it;
   *   `ConnectionError` when the connection drops after the call was sent, or when the client stops
   *   reconnecting while the call waits to be sent (`HandshakeError` when that stop was a refused handshake);
   *   `OutboxOverflowError` when it cannot be queued; `ClientClosedError` when the client is or gets closed.
   * - Lazy (cold): one request per subscription, no replay. Opens the connection. Unsubscribing before the answer
   *   drops the call.
   *
   * Calls made while the connection is not open wait for the next handshake, bounded by their timeout. Throws a
   * `TypeError` at once for an empty event name, a name starting with `#` (the protocol's), or data the codec
   * cannot encode.
   *
   * @typeParam R - The type of the response (not checked: the server decides what it sends).
   * @param args - `procedure`, the name of the procedure on the server; `data`, the request data, encoded by the
   *   client's codec (default: `undefined`); `options`, the call's {@link InvokeOptions} (`timeout`, `resend`).
   *   These are the parameters when the API's `invoke` part is untyped; with a typed part, see the typed form.
   * @returns A cold Observable of the response.
   * @example
   * ```ts
   * const sum = await firstValueFrom(client.invoke<number>('sum', { a: 1, b: 2 }, { timeout: 2000 }));
   * ```
   */
  invoke<R = unknown>(
    ...args: UntypedParams<Api, 'invoke', [procedure: string, data?: unknown, options?: InvokeOptions]>
  ): Observable<R>;
  /**
   * Invokes a procedure of the API's `invoke` part and emits its typed response; otherwise as the untyped form
   * above.
   *
   * @typeParam K - The procedure's name, inferred from `procedure`: one of {@link ApiName}`<Api, 'invoke'>`.
   * @param procedure - A procedure the API declares (any string when its `invoke` part is untyped).
   * @param args - `data`, the procedure's request (optional when the request type admits `undefined`), then
   *   `options`, the call's {@link InvokeOptions}.
   * @returns A cold Observable of the procedure's response.
   * @example
   * ```ts
   * const client = createClient<{ invoke: { sum: { request: { a: number; b: number }; response: number } } }>({ url });
   * client.invoke('sum', { a: 1, b: 2 }); // Observable<number>
   * ```
   */
  invoke<K extends ApiName<Api, 'invoke'>>(
    procedure: K,
    ...args: DataArgs<ApiRequest<Api, 'invoke', K>, [options?: InvokeOptions]>
  ): Observable<ApiResponse<Api, 'invoke', K>>;

  /**
   * Sends an event without waiting for an answer. While the connection is not open the frame waits in the outbox
   * and is sent, in order, after the next handshake; a full outbox reports an `OutboxOverflowError` on
   * `errors$`. Throws a `TypeError` for an empty event name, a name starting with `#` (the protocol's) or data the
   * codec cannot encode, and `ClientClosedError` after `close()`.
   *
   * @typeParam K - The event's name, inferred from `event`: one of {@link ApiName}`<Api, 'transmit'>`.
   * @param event - An event the API's `transmit` part declares, or any string when that part is untyped.
   * @param args - `data`, the event's data (optional when its type admits `undefined`; `unknown` when untyped).
   */
  transmit<K extends ApiName<Api, 'transmit'>>(
    event: K,
    ...args: DataArgs<ApiMessage<Api, 'transmit', K>, []>
  ): void;

  /**
   * The events the server transmits under one name.
   *
   * - Emits: the `data` of each such event.
   * - Completes: when the client is closed.
   * - Errors: `ClientClosedError` when subscribed after `close()`.
   * - Shared: one dispatch entry per event name for all subscribers; no replay. Opens the connection.
   *
   * Calls after `close()` are programmer errors: `transmit()` and `connect()` throw `ClientClosedError`, and the
   * Observable methods error with it. Throws a `TypeError` for an empty name or one starting with `#`.
   *
   * @typeParam T - The type of the events' data (not checked).
   * @param args - `event`, the event's name (when the API's `receive` part is untyped; else see the typed form).
   * @returns An Observable of the events' data.
   */
  receiver<T = unknown>(...args: UntypedParams<Api, 'receive', [event: string]>): Observable<T>;
  /**
   * The events of the API's `receive` part, with their typed data; otherwise as the untyped form above.
   *
   * @typeParam K - The event's name, inferred from `event`: one of {@link ApiName}`<Api, 'receive'>`.
   * @param event - An event the API declares (any string when its `receive` part is untyped).
   * @returns An Observable of the events' data.
   */
  receiver<K extends ApiName<Api, 'receive'>>(event: K): Observable<ApiMessage<Api, 'receive', K>>;

  /**
   * The server's invokes of one procedure on this client. Answer each request with `end(result)` or
   * `error(err)`. A server invoke of a procedure nobody subscribes to is answered at once with an
   * `UnhandledProcedureError` and reported on `errors$`.
   *
   * - Emits: a {@link ProcedureRequest} per server invoke.
   * - Completes: when the client is closed.
   * - Errors: `ClientClosedError` when subscribed after `close()`.
   * - Shared: every subscriber sees every request, the first answer wins; no replay. Opens the connection.
   *
   * Throws a `TypeError` for an empty name or one starting with `#`.
   *
   * @typeParam T - The type of the requests' data (not checked).
   * @typeParam R - The type of the answer that `end()` takes.
   * @param args - `name`, the procedure's name (when the API's `procedure` part is untyped; else see the typed
   *   form).
   * @returns An Observable of the server's requests.
   */
  procedure<T = unknown, R = unknown>(
    ...args: UntypedParams<Api, 'procedure', [name: string]>
  ): Observable<ProcedureRequest<T, R>>;
  /**
   * The server's invokes of a procedure of the API's `procedure` part, with typed request and answer; otherwise as
   * the untyped form above.
   *
   * @typeParam K - The procedure's name, inferred from `name`: one of {@link ApiName}`<Api, 'procedure'>`.
   * @param name - A procedure the API declares (any string when its `procedure` part is untyped).
   * @returns An Observable of the server's requests.
   */
  procedure<K extends ApiName<Api, 'procedure'>>(
    name: K,
  ): Observable<ProcedureRequest<ApiRequest<Api, 'procedure', K>, ApiResponse<Api, 'procedure', K>>>;

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
   * - Shared and reference-counted: one server subscription per name for all subscribers; no replay. Every
   *   subscription opens the connection if it is closed.
   *
   * Throws a `TypeError` for an empty channel name and a `RangeError` for a `linger` outside 0 to 2^31 - 1 ms. A
   * channel name may start with `#`: it travels as data of `#subscribe`, not as an event name.
   *
   * @example
   * ```ts
   * client.channel<ChatMessage>('room:lobby').subscribe((msg) => render(msg));
   * ```
   *
   * @typeParam T - The type of the channel's messages (not checked).
   * @param args - `name`, the channel's name; `options`, its {@link ChannelOptions} (`waitForAuth`, `priority`,
   *   `data`, `linger`), set by its first subscriber. These are the parameters when the API's `channels` part is
   *   untyped; with a typed part, see the typed form.
   * @returns An Observable of the channel's messages.
   */
  channel<T = unknown>(
    ...args: UntypedParams<Api, 'channels', [name: string, options?: ChannelOptions]>
  ): Observable<T>;
  /**
   * The messages of a channel of the API's `channels` part, typed; otherwise as the untyped form above.
   *
   * @typeParam K - The channel's name, inferred from `name`: one of {@link ApiName}`<Api, 'channels'>`.
   * @param name - A channel the API declares (any string when its `channels` part is untyped).
   * @param options - The channel's {@link ChannelOptions}, set by its first subscriber.
   * @returns An Observable of the channel's messages.
   */
  channel<K extends ApiName<Api, 'channels'>>(
    name: K,
    options?: ChannelOptions,
  ): Observable<ApiMessage<Api, 'channels', K>>;

  /**
   * Publishes `data` to a channel and waits for the server's acknowledgement (the message was accepted and
   * fanned out, not necessarily delivered).
   *
   * - Emits: `undefined` once, on the acknowledgement.
   * - Completes: right after.
   * - Errors: as {@link Client.invoke}: `RemoteError` when the server refuses the publish (middleware, or client
   *   publish disabled), `AckTimeoutError`, `ConnectionError`, `OutboxOverflowError`, `ClientClosedError`.
   * - Lazy (cold): one publish per subscription, no replay. Opens the connection.
   *
   * @typeParam K - The channel's name, inferred from `channel`: one of {@link ApiName}`<Api, 'channels'>`.
   * @param channel - A channel the API's `channels` part declares, or any string when that part is untyped.
   * @param args - `data`, the message (optional when its type admits `undefined`; `unknown` when untyped), then
   *   `options`, the publish call's {@link InvokeOptions}.
   * @returns A cold Observable that emits `undefined` on the acknowledgement.
   */
  publish<K extends ApiName<Api, 'channels'>>(
    channel: K,
    ...args: DataArgs<ApiMessage<Api, 'channels', K>, [options?: InvokeOptions]>
  ): Observable<void>;

  /**
   * Publishes `data` to a channel without waiting for an acknowledgement (a `transmit` of `#publish`).
   *
   * @typeParam K - The channel's name, inferred from `channel`: one of {@link ApiName}`<Api, 'channels'>`.
   * @param channel - A channel the API's `channels` part declares, or any string when that part is untyped.
   * @param args - `data`, the message (optional when its type admits `undefined`; `unknown` when untyped).
   */
  transmitPublish<K extends ApiName<Api, 'channels'>>(
    channel: K,
    ...args: DataArgs<ApiMessage<Api, 'channels', K>, []>
  ): void;

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

  /**
   * Samples of the client's traffic and health, for dashboards and health checks: frames and bytes in and out,
   * reconnects, time connected, the outbox, calls waiting for an answer, and a round-trip estimate from answered
   * calls (see {@link ClientStats}). The counters cost two additions per frame and are always on; a sample is taken
   * only when one is due.
   *
   * - Emits: a sample at once, then one every `period` ms.
   * - Completes: when the client is closed.
   * - Errors: never.
   * - Lazy: each subscriber has its own timer; the first sample is taken for it, none is replayed. Does not open
   *   the connection.
   *
   * @param period - Time between samples, in ms (default 1000).
   * @throws RangeError for a `period` that is not more than 0 ms (or is beyond what a timer takes).
   * @example
   * ```ts
   * client.stats$(5000).subscribe((s) => console.log(`${s.framesIn} in, ${s.framesOut} out, rtt ${s.rtt} ms`));
   * ```
   */
  stats$(period?: number): Observable<ClientStats>;

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
