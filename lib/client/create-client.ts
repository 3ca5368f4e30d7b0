import { BehaviorSubject, map, Observable, of, throwError } from 'rxjs';
import type { AuthenticateResult } from '../auth/authenticate-reply';
import type { AuthState } from '../auth/auth-state';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import type { ConnectionState, OpenState } from '../connection/connection-state';
import { Engine } from '../engine/engine';
import type { EngineFactory } from '../engine/feature';
import type {
  AuthenticateAnswer,
  CommandMessage,
  EngineCommands,
  EngineEvents,
  EngineView,
} from '../engine/port';
import {
  ClientClosedError,
  ConnectionError,
  fromErrorRecord,
  mapErrorFields,
  type AnyScError,
} from '../errors';
import { checkEvent, checkUserEvent, encodeEvent } from '../protocol/encode-packet';
import { ScEvent } from '../protocol/packets';
import type { ShareState } from '../share/share-state';
import type { ScApi, UntypedApi, ValidApi } from './api';
import { checkChannelOptions, type ChannelOptions } from './channel-options';
import type { Client } from './client';
import { Facade } from './facade';
import type { InvokeOptions } from './invoke-options';
import type { ProcedureRequest } from './procedure-request';
import { resolveOptions, type ClientOptions } from './options';

function checkCloseCode(code: number): void {
  if (!(code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999))) {
    throw new RangeError(`A close code must be 1000 or between 3000 and 4999, got ${code}`);
  }
}

/**
 * The public client: argument checks, then the facade's streams and the engine's commands. The streams are getters
 * over the facade, and the methods are on the prototype: a client is created per socket, and each per-instance
 * field or closure would cost every client.
 */
class ScClient implements Client {
  readonly #core: Facade;

  constructor(core: Facade) {
    this.#core = core;
  }

  get state$(): Observable<ConnectionState> {
    return this.#core.state$;
  }

  get errors$(): Observable<AnyScError> {
    return this.#core.errors$;
  }

  get channelChanges$(): Observable<ChannelStateChange> {
    return this.#core.channels.changes$;
  }

  get authState$(): Observable<AuthState> {
    return this.#core.authState$;
  }

  get state(): ConnectionState {
    return this.#core.connection;
  }

  // Event and procedure names starting with '#' are the protocol's: checkUserEvent refuses them here, at the
  // public API; the client's own reserved calls (`#publish` below) go to the facade directly.
  invoke(event: string, data?: unknown, options?: InvokeOptions): Observable<unknown> {
    checkUserEvent(event);
    return this.#core.calls.invoke(event, data, options);
  }

  transmit(event: string, data?: unknown): void {
    if (this.#core.isClosed()) throw new ClientClosedError();
    checkUserEvent(event);
    this.#transmit(event, data);
  }

  #transmit(event: string, data: unknown): void {
    this.#core.port.transmit(event, encodeEvent(this.#core.codec, event, data));
  }

  receiver(event: string): Observable<unknown> {
    checkUserEvent(event);
    return this.#core.isClosed()
      ? throwError(() => new ClientClosedError())
      : this.#core.inbound.receiver(event);
  }

  procedure(name: string): Observable<ProcedureRequest> {
    checkUserEvent(name, 'procedure');
    return this.#core.isClosed()
      ? throwError(() => new ClientClosedError())
      : this.#core.inbound.procedure(name);
  }

  channel(name: string, options?: ChannelOptions): Observable<unknown> {
    checkEvent(name, 'channel');
    checkChannelOptions(options);
    return this.#core.channels.channel(name, options);
  }

  publish(channel: string, data?: unknown, options?: InvokeOptions): Observable<void> {
    checkEvent(channel, 'channel');
    return this.#core.calls.invoke(ScEvent.publish, { channel, data }, options, true) as Observable<void>;
  }

  transmitPublish(channel: string, data?: unknown): void {
    checkEvent(channel, 'channel');
    if (this.#core.isClosed()) throw new ClientClosedError();
    this.#transmit(ScEvent.publish, { channel, data });
  }

  get authState(): AuthState {
    return this.#core.auth;
  }

  get share$(): Observable<ShareState> {
    return this.#core.share$ ?? of<ShareState>({ mode: 'off', role: 'alone', tabs: 1, tab: '', holder: '' });
  }

  authenticate(token: string): Observable<AuthenticateResult> {
    if (typeof token !== 'string' || token === '') throw new TypeError('authenticate() needs a signed token');
    if (this.#core.isClosed()) return throwError(() => new ClientClosedError());
    const core = this.#core;
    return core.calls
      .request((cid) => core.port.authenticate(cid, token))
      .pipe(
        map((answer) => mapErrorFields(answer as AuthenticateAnswer, fromErrorRecord) as AuthenticateResult),
      );
  }

  deauthenticate(): void {
    if (this.#core.isClosed()) throw new ClientClosedError();
    this.#core.port.deauthenticate();
  }

  channelState(name: string): ChannelState {
    checkEvent(name, 'channel');
    return this.#core.channels.state(name);
  }

  channelState$(name: string): Observable<ChannelState> {
    checkEvent(name, 'channel');
    return this.#core.channels.state$(name);
  }

  whenOpen(): Observable<OpenState> {
    return new Observable<OpenState>((subscriber) => {
      const core = this.#core;
      if (core.isClosed()) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      // Demand first: a stopped client starts again, so the state read next is a live one.
      core.port.connect();
      return core.state$.subscribe({
        next: (state) => {
          if (state.state === 'open') {
            subscriber.next(state);
            subscriber.complete();
          } else if (state.state === 'closed' && state.retryAt === undefined) {
            // Given up, disconnected on purpose or closed: no connection will come without a new demand.
            const { error, code = 1000, reason = '' } = state;
            subscriber.error(
              core.isClosed()
                ? new ClientClosedError()
                : (error ?? new ConnectionError(code, reason, 'disconnect')),
            );
          }
        },
        complete: () => subscriber.error(new ClientClosedError()),
      });
    });
  }

  channels(): { readonly name: string; readonly state: ChannelState }[] {
    return this.#core.channels.list();
  }

  connect(): void {
    if (this.#core.isClosed()) throw new ClientClosedError();
    this.#core.port.connect();
  }

  disconnect(code = 1000, reason = ''): void {
    checkCloseCode(code);
    this.#core.port.disconnect(code, reason);
  }

  close(): void {
    this.#core.close();
  }

  /** The facade of a client this module made, for the features that reach it (`clientStats()`). @internal */
  static facadeOf(client: object): Facade | undefined {
    return #core in client ? client.#core : undefined;
  }
}

/**
 * The facade behind a client that `createClient` made.
 * @throws TypeError for anything else.
 * @internal
 */
export function facadeOf(client: object): Facade {
  const facade = ScClient.facadeOf(client);
  if (!facade) throw new TypeError('Expected a client made by createClient()');
  return facade;
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
export function createClient<Api extends ScApi & ValidApi<Api> = UntypedApi>(
  options: ClientOptions,
): Client<Api> {
  const resolved = resolveOptions(options);
  // The facade and the engine, joined by the port: the engine tells the facade, the facade commands the engine.
  // A feature may wrap the engine (a log, on the port in both directions); without one nothing is in between.
  let make: EngineFactory = (config, events) => new Engine(config, events);
  for (const feature of resolved.features) make = feature.wrapEngine(make);
  const facade = new Facade(resolved);
  if (resolved.share === 'off') {
    facade.attach(make(resolved, facade));
  } else {
    // Sharing is a chunk of its own, loaded only by a client that asks for it; meanwhile the facade's commands wait.
    const queued: CommandMessage[] = [];
    const share = new BehaviorSubject<ShareState>({
      mode: 'off',
      role: 'joining',
      tabs: 0,
      tab: '',
      holder: '',
    });
    facade.share$ = share.asObservable();
    facade.attach(
      new Proxy({} as EngineCommands & EngineView, {
        get: (_, name) =>
          name === 'channelState'
            ? () => 'unsubscribed'
            : (...args: unknown[]) => queued.push({ name, args } as CommandMessage),
      }),
    );
    void import('../share/attach-shared').then((shared) =>
      shared.attachShared(
        facade,
        resolved,
        options as Readonly<Record<string, unknown>>,
        (events: EngineEvents) => make(resolved, events),
        queued,
        share,
      ),
    );
  }
  return new ScClient(facade);
}
