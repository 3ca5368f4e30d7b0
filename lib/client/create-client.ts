import { Subject, map, throwError, type Observable, type SchedulerLike } from 'rxjs';
import { AuthController, type AuthenticateResult } from '../auth/auth-controller';
import type { AuthState } from '../auth/auth-state';
import { ChannelRegistry, checkChannelOptions, type ChannelOptions } from '../channels/channel-registry';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import type { Codec } from '../codec/codec';
import { Connection } from '../connection/connection';
import type { ConnectionState } from '../connection/connection-state';
import type { Session } from '../connection/open-session';
import {
  ClientClosedError,
  ConnectionError,
  HandshakeError,
  OutboxOverflowError,
  type AnyScError,
  type ScClientError,
} from '../errors';
import { ScEvent } from '../protocol/packets';
import { CallRegistry } from '../rpc/call-registry';
import { checkEvent, encodeEvent } from '../rpc/encode-packet';
import { InboundRouter } from '../rpc/inbound-router';
import { createInvoke, type InvokeOptions } from '../rpc/invoke';
import type { ProcedureRequest } from '../rpc/procedure-request';
import type { ScApi, UntypedApi, ValidApi } from './api';
import type { Client } from './client';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options';

function checkCloseCode(code: number): void {
  if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
    throw new RangeError(`A close code must be 1000 or between 3000 and 4999, got ${code}`);
  }
}

/**
 * The parts of one client and the wiring between them. It is every part's dependencies object at once (the
 * router's, the connection's hooks, the channels', the auth controller's and the invokes'), with methods on the
 * prototype: a client is created per socket, and a closure per hook would cost every client.
 */
class ClientCore {
  readonly codec: Codec;
  readonly scheduler: SchedulerLike;
  readonly ackTimeout: number;
  readonly #errors = new Subject<AnyScError>();
  readonly errors$ = this.#errors.asObservable();
  readonly calls: CallRegistry;
  readonly router: InboundRouter;
  /** The connection's packet handler: the router's, called directly (it is on the inbound hot path). */
  readonly dispatch: InboundRouter['dispatch'];
  readonly connection: Connection;
  readonly channels: ChannelRegistry;
  readonly auth: AuthController;
  #cid = 0;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.codec = options.codec;
    this.scheduler = options.scheduler;
    this.ackTimeout = options.ackTimeout;
    this.calls = new CallRegistry(options.scheduler);
    this.router = new InboundRouter(this);
    this.dispatch = this.router.dispatch;
    this.connection = new Connection(options, this);
    this.channels = new ChannelRegistry(this);
    this.auth = new AuthController(options, this);
  }

  // Shared by every part.

  /** Every error the client reports is one of the concrete classes of AnyScError. */
  report(error: ScClientError): void {
    this.#errors.next(error as AnyScError);
  }

  /** Closes the client for good: every stream completes or errors, the socket closes, nothing reconnects. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.channels.complete();
    this.calls.failWhere(() => true, new ClientClosedError());
    this.connection.outbox.drain();
    this.connection.close(1000, 'Client closed');
    this.router.complete();
    this.auth.dispose();
    this.#errors.complete();
  }

  nextCid(): number {
    return ++this.#cid;
  }

  lastCid(): number {
    return this.#cid;
  }

  demand(): void {
    this.connection.demand();
  }

  session(): Session | undefined {
    return this.connection.session;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  // The router's.

  reserved(event: string, data: unknown, cid: number | undefined, session: Session | undefined): boolean {
    switch (event) {
      case ScEvent.publish:
        this.channels.onPublish(data);
        return true;
      case ScEvent.kickOut:
        this.channels.onKickOut(data);
        return true;
      case ScEvent.setAuthToken:
        this.auth.onSetAuthToken(data, cid, session);
        return true;
      case ScEvent.removeAuthToken:
        this.auth.onRemoveAuthToken(data, cid, session);
        return true;
      default:
        return false;
    }
  }

  // The channels' and the auth controller's.

  isAuthenticated(): boolean {
    return this.auth.state.state === 'authenticated';
  }

  invoke(event: string, data: unknown): Observable<unknown> {
    return createInvoke(this, event, data, undefined);
  }

  onAuthenticated(): void {
    this.channels.subscribePending();
  }

  // The connection's hooks.

  authToken(): string | null {
    return this.auth.handshakeToken();
  }

  beforeAttempt(): Observable<never> {
    return this.auth.prepare();
  }

  onClosed(error: ConnectionError): void {
    // Calls on the wire fail, except those that opted in to being sent again: they go back ahead of the outbox.
    const outbox = this.connection.outbox;
    for (const entry of outbox.requeue(this.calls.connectionLost(error))) {
      entry.onDropped?.(new OutboxOverflowError(entry.event, outbox.limit));
    }
    this.channels.suspend();
    this.auth.onClosed();
  }

  onStopped(error: ScClientError): void {
    // Nothing will carry the queued calls now: fail them rather than leave them to their timeout.
    if (error instanceof ConnectionError || error instanceof HandshakeError) {
      this.calls.failWhere(() => true, error);
    } else {
      this.report(error);
    }
  }

  onSession(session: Session): void {
    // Authentication first: waitForAuth channels need its verdict.
    this.auth.onSession(session);
    this.channels.subscribePending();
  }
}

// The streams are getters over the parts that own them: one field per client instead of five.
class ScClient {
  readonly #core: ClientCore;

  constructor(options: ResolvedOptions) {
    this.#core = new ClientCore(options);
  }

  get state$(): Observable<ConnectionState> {
    return this.#core.connection.state$;
  }

  get errors$(): Observable<AnyScError> {
    return this.#core.errors$;
  }

  get channelChanges$(): Observable<ChannelStateChange> {
    return this.#core.channels.changes$;
  }

  get authState$(): Observable<AuthState> {
    return this.#core.auth.state$;
  }

  get state(): ConnectionState {
    return this.#core.connection.state;
  }

  // Methods on the prototype, not per-instance arrow functions: a client is created per socket, and each closure
  // would cost every client.
  invoke(event: string, data?: unknown, options?: InvokeOptions): Observable<unknown> {
    return createInvoke(this.#core, event, data, options);
  }

  transmit(event: string, data?: unknown): void {
    if (this.#core.isClosed()) throw new ClientClosedError();
    checkEvent(event);
    const frame = encodeEvent(this.#core.codec, event, data);
    if (!this.#core.connection.send({ frame, event })) {
      this.#core.report(new OutboxOverflowError(event, this.#core.connection.outbox.limit));
    }
  }

  receiver(event: string): Observable<unknown> {
    checkEvent(event);
    return this.#core.isClosed() ? throwError(() => new ClientClosedError()) : this.#core.router.receiver(event);
  }

  procedure(name: string): Observable<ProcedureRequest> {
    checkEvent(name, 'procedure');
    return this.#core.isClosed() ? throwError(() => new ClientClosedError()) : this.#core.router.procedure(name);
  }

  channel(name: string, options?: ChannelOptions): Observable<unknown> {
    checkEvent(name, 'channel');
    checkChannelOptions(options);
    return this.#core.channels.channel(name, options);
  }

  publish(channel: string, data?: unknown, options?: InvokeOptions): Observable<void> {
    checkEvent(channel, 'channel');
    return createInvoke(this.#core, ScEvent.publish, { channel, data }, options).pipe(map(() => undefined));
  }

  transmitPublish(channel: string, data?: unknown): void {
    checkEvent(channel, 'channel');
    this.transmit(ScEvent.publish, { channel, data });
  }

  get authState(): AuthState {
    return this.#core.auth.state;
  }

  authenticate(token: string): Observable<AuthenticateResult> {
    if (typeof token !== 'string' || token === '') throw new TypeError('authenticate() needs a signed token');
    if (this.#core.isClosed()) return throwError(() => new ClientClosedError());
    return this.#core.auth.authenticate(token);
  }

  deauthenticate(): void {
    if (this.#core.isClosed()) throw new ClientClosedError();
    this.#core.auth.deauthenticate();
  }

  channelState(name: string): ChannelState {
    checkEvent(name, 'channel');
    return this.#core.channels.state(name);
  }

  channelState$(name: string): Observable<ChannelState> {
    checkEvent(name, 'channel');
    return this.#core.channels.state$(name);
  }

  channels(): { readonly name: string; readonly state: ChannelState }[] {
    return this.#core.channels.list();
  }

  connect(): void {
    if (this.#core.isClosed()) throw new ClientClosedError();
    this.#core.connection.demand();
  }

  disconnect(code = 1000, reason = ''): void {
    checkCloseCode(code);
    this.#core.connection.disconnect(code, reason);
    this.#core.calls.idle();
  }

  close(): void {
    this.#core.close();
  }
}

/**
 * Creates a SocketCluster client. Nothing happens until a stream or call needs the connection (or `connect()` is
 * called); from then on the connection stays up, reconnecting with backoff, until `disconnect()` or `close()`.
 *
 * In Node, import from `rx-socketcluster` as usual: the package's Node entry supplies the `ws` WebSocket. In
 * browsers the global `WebSocket` is used. Any constructor can be passed as the `WebSocket` option.
 *
 * @typeParam Api - Optional description of the application's events and procedures, for typed calls.
 * @param options - At least `url`.
 * @returns The {@link Client}.
 * @throws TypeError or RangeError for invalid options (a missing or malformed `url`, no WebSocket constructor).
 * @example
 * ```ts
 * import { firstValueFrom } from 'rxjs';
 * import { createClient } from 'rx-socketcluster';
 *
 * const client = createClient({ url: 'ws://localhost:8000/socketcluster/' });
 * client.state$.subscribe((s) => console.log(s.state));
 * console.log(await firstValueFrom(client.invoke('sum', { a: 1, b: 2 })));
 * client.close();
 * ```
 * @see {@link Client}
 */
export function createClient<Api extends ScApi & ValidApi<Api> = UntypedApi>(options: ClientOptions): Client<Api> {
  return new ScClient(resolveOptions(options)) as unknown as Client<Api>;
}
