import { Subject, map, throwError, type Observable } from 'rxjs';
import { AuthController, type AuthenticateResult } from '../auth/auth-controller';
import type { AuthState } from '../auth/auth-state';
import { ChannelRegistry, checkChannelOptions, type ChannelOptions } from '../channels/channel-registry';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import { Connection } from '../connection/connection';
import type { ConnectionState } from '../connection/connection-state';
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
import { createInvoke, type InvokeDependencies, type InvokeOptions } from '../rpc/invoke';
import type { ProcedureRequest } from '../rpc/procedure-request';
import type { ScApi, UntypedApi, ValidApi } from './api';
import type { Client } from './client';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options';

function checkCloseCode(code: number): void {
  if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
    throw new RangeError(`A close code must be 1000 or between 3000 and 4999, got ${code}`);
  }
}

class ScClient {
  readonly state$: Observable<ConnectionState>;
  readonly errors$: Observable<AnyScError>;
  readonly #options: ResolvedOptions;
  readonly #errors = new Subject<AnyScError>();
  readonly #calls: CallRegistry;
  readonly #router: InboundRouter;
  readonly #connection: Connection;
  readonly #invokeDeps: InvokeDependencies;
  readonly #channels: ChannelRegistry;
  readonly #auth: AuthController;
  #cid = 0;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.errors$ = this.#errors.asObservable();
    // Every error the client reports is one of the concrete classes of AnyScError.
    const report = (error: ScClientError) => this.#errors.next(error as AnyScError);
    const nextCid = () => ++this.#cid;
    this.#calls = new CallRegistry(options.scheduler);
    this.#router = new InboundRouter({
      codec: options.codec,
      calls: this.#calls,
      report,
      demand: () => this.#connection.demand(),
      lastCid: () => this.#cid,
    });
    this.#connection = new Connection(options, {
      dispatch: this.#router.dispatch,
      report,
      nextCid,
      authToken: () => this.#auth.handshakeToken(),
      beforeAttempt: () => this.#auth.prepare(),
      onClosed: (error) => {
        // Calls on the wire fail, except those that opted in to being sent again: they go back ahead of the outbox.
        const outbox = this.#connection.outbox;
        const again = this.#calls.connectionLost(error);
        for (const entry of outbox.requeue(again)) {
          entry.onDropped?.(new OutboxOverflowError(entry.event, outbox.limit));
        }
        this.#channels.suspend();
        this.#auth.onClosed();
      },
      onStopped: (error) => {
        // Nothing will carry the queued calls now: fail them rather than leave them to their timeout.
        if (error instanceof ConnectionError || error instanceof HandshakeError) {
          this.#calls.failWhere(() => true, error);
        } else {
          report(error);
        }
      },
      onSession: (session) => {
        // Authentication first: waitForAuth channels need its verdict.
        this.#auth.onSession(session);
        this.#channels.subscribePending();
      },
    });
    this.state$ = this.#connection.state$;
    this.#channels = new ChannelRegistry({
      codec: options.codec,
      calls: this.#calls,
      scheduler: options.scheduler,
      nextCid,
      session: () => this.#connection.session,
      isAuthenticated: () => this.#auth.state.state === 'authenticated',
      demand: () => this.#connection.demand(),
      report,
    });
    this.#auth = new AuthController(
      {
        store: options.tokenStore,
        key: options.authTokenKey,
        verify: options.verifyToken,
        refresh: options.refreshToken,
        refreshMargin: options.refreshMargin,
        backoff: options.backoff,
        scheduler: options.scheduler,
        codec: options.codec,
      },
      {
        report,
        session: () => this.#connection.session,
        invoke: (event, data) => createInvoke(this.#invokeDeps, event, data, undefined),
        onAuthenticated: () => this.#channels.subscribePending(),
      },
    );
    this.authState$ = this.#auth.state$;
    this.#router.handle(ScEvent.setAuthToken, this.#auth.onSetAuthToken);
    this.#router.handle(ScEvent.removeAuthToken, this.#auth.onRemoveAuthToken);
    this.#router.handle(ScEvent.publish, this.#channels.onPublish);
    this.#router.handle(ScEvent.kickOut, this.#channels.onKickOut);
    this.channelChanges$ = this.#channels.changes$;
    this.#invokeDeps = {
      codec: options.codec,
      calls: this.#calls,
      connection: this.#connection,
      scheduler: options.scheduler,
      ackTimeout: options.ackTimeout,
      nextCid,
      isClosed: () => this.#closed,
    };
  }

  get state(): ConnectionState {
    return this.#connection.state;
  }

  // Methods on the prototype, not per-instance arrow functions: a client is created per socket, and each closure
  // would cost every client.
  invoke(event: string, data?: unknown, options?: InvokeOptions): Observable<unknown> {
    return createInvoke(this.#invokeDeps, event, data, options);
  }

  transmit(event: string, data?: unknown): void {
    if (this.#closed) throw new ClientClosedError();
    checkEvent(event);
    const frame = encodeEvent(this.#options.codec, event, data);
    if (!this.#connection.send({ frame, event })) {
      this.#errors.next(new OutboxOverflowError(event, this.#connection.outbox.limit));
    }
  }

  receiver(event: string): Observable<unknown> {
    checkEvent(event);
    return this.#closed ? throwError(() => new ClientClosedError()) : this.#router.receiver(event);
  }

  procedure(name: string): Observable<ProcedureRequest> {
    checkEvent(name, 'procedure');
    return this.#closed ? throwError(() => new ClientClosedError()) : this.#router.procedure(name);
  }

  channel(name: string, options?: ChannelOptions): Observable<unknown> {
    checkEvent(name, 'channel');
    checkChannelOptions(options);
    return this.#channels.channel(name, options);
  }

  publish(channel: string, data?: unknown, options?: InvokeOptions): Observable<void> {
    checkEvent(channel, 'channel');
    return createInvoke(this.#invokeDeps, ScEvent.publish, { channel, data }, options).pipe(map(() => undefined));
  }

  transmitPublish(channel: string, data?: unknown): void {
    checkEvent(channel, 'channel');
    this.transmit(ScEvent.publish, { channel, data });
  }

  readonly channelChanges$: Observable<ChannelStateChange>;

  readonly authState$: Observable<AuthState>;

  get authState(): AuthState {
    return this.#auth.state;
  }

  authenticate(token: string): Observable<AuthenticateResult> {
    if (typeof token !== 'string' || token === '') throw new TypeError('authenticate() needs a signed token');
    if (this.#closed) return throwError(() => new ClientClosedError());
    return this.#auth.authenticate(token);
  }

  deauthenticate(): void {
    if (this.#closed) throw new ClientClosedError();
    this.#auth.deauthenticate();
  }

  channelState(name: string): ChannelState {
    checkEvent(name, 'channel');
    return this.#channels.state(name);
  }

  channelState$(name: string): Observable<ChannelState> {
    checkEvent(name, 'channel');
    return this.#channels.state$(name);
  }

  channels(): { readonly name: string; readonly state: ChannelState }[] {
    return this.#channels.list();
  }

  connect(): void {
    if (this.#closed) throw new ClientClosedError();
    this.#connection.demand();
  }

  disconnect(code = 1000, reason = ''): void {
    checkCloseCode(code);
    this.#connection.disconnect(code, reason);
    this.#calls.idle();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.complete();
    this.#calls.failWhere(() => true, new ClientClosedError());
    this.#connection.outbox.drain();
    this.#connection.close(1000, 'Client closed');
    this.#router.complete();
    this.#auth.dispose();
    this.#errors.complete();
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
