import type { Observable } from 'rxjs';
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
import type { ClientLifecycle } from './client-lifecycle';
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
 * The members that do not depend on the API type (states, diagnostics, stats, sign-in and lifecycle) are those of
 * {@link ClientLifecycle}.
 *
 * @typeParam Api - An {@link ScApi} describing the application's events and procedures, for typed calls.
 */
export interface Client<Api extends ScApi = UntypedApi> extends ClientLifecycle {
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
}
