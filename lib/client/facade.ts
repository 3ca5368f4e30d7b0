import { BehaviorSubject, Subject, type Observable, type SchedulerLike } from 'rxjs';
import { UNAUTHENTICATED, type AuthState } from '../auth/auth-state';
import type { ChannelState } from '../channels/channel-state';
import type { Codec } from '../codec/codec';
import { IDLE, type ConnectionState } from '../connection/connection-state';
import type { EngineCommands, EngineEvents, EngineView, PortConnectionState } from '../engine/port';
import type { ClientStats } from '../engine/stats';
import type { ShareState } from '../share/share-state';
import {
  fromErrorRecord,
  mapErrorFields,
  type AnyScError,
  type ErrorRecord,
  type ScClientError,
} from '../errors';
import { CallStreams, type CallStreamsHost } from './call-streams';
import { ChannelStreams, type ChannelStreamsHost } from './channel-streams';
import { InboundStreams, type InboundHost } from './inbound-streams';

/**
 * The receiver of the engine's stats samples, which the facade holds only once `clientStats()` asked for one: the
 * stats stream is in rx-socketcluster/diagnostics, and the core keeps only this hook.
 * @internal
 */
export interface StatsSink {
  /** The sample the engine took for `request`. */
  stats(request: number, sample: ClientStats): void;
  /** The client was closed. */
  closed(): void;
}

/** What the facade needs to know of the options. @internal */
export interface FacadeConfig {
  readonly codec: Codec;
  readonly scheduler: SchedulerLike;
  readonly ackTimeout: number;
}

/**
 * The facade's state: the streams of one client, fed by the engine's {@link EngineEvents}, and the engine's
 * commands ({@link Facade.port}) for the client's methods. It implements what its parts need of it
 * (`CallStreamsHost`, `ChannelStreamsHost`, `InboundHost`); nothing here reaches into the engine.
 * @internal
 */
export class Facade implements EngineEvents, CallStreamsHost, ChannelStreamsHost, InboundHost {
  readonly #config: FacadeConfig;
  /** The engine's side of the port; set once by {@link Facade.attach}. */
  port: EngineCommands & EngineView = undefined as never;
  /** Where the connection is, when it is shared across tabs (see `share$`); set by the sharing chunk. */
  share$: Observable<ShareState> | undefined;
  readonly #state = new BehaviorSubject<ConnectionState>(IDLE);
  /** The authentication state; its subject is made on the first read of `authState$` (many clients never read it). */
  #authState: AuthState = UNAUTHENTICATED;
  #auth: BehaviorSubject<AuthState> | undefined;
  // The parts below are made on first use, and the streams are made at each read: a client is created per socket,
  // and many use a few of its streams only. (Heap per connected socket: each part or kept stream is 50 to 150 B.)
  #errors: Subject<AnyScError> | undefined;
  #calls: CallStreams | undefined;
  #channels: ChannelStreams | undefined;
  #inbound: InboundStreams | undefined;
  /** Where the engine's stats samples go: set by `clientStats()` (rx-socketcluster/diagnostics) on first use. */
  statsSink: StatsSink | undefined;
  #closed = false;

  constructor(config: FacadeConfig) {
    this.#config = config;
  }

  get codec(): Codec {
    return this.#config.codec;
  }

  get scheduler(): SchedulerLike {
    return this.#config.scheduler;
  }

  get ackTimeout(): number {
    return this.#config.ackTimeout;
  }

  get state$(): Observable<ConnectionState> {
    return this.#state.asObservable();
  }

  get authState$(): Observable<AuthState> {
    const auth = (this.#auth ??= new BehaviorSubject(this.#authState));
    if (this.#closed) auth.complete();
    return auth.asObservable();
  }

  get errors$(): Observable<AnyScError> {
    const errors = (this.#errors ??= new Subject<AnyScError>());
    if (this.#closed) errors.complete();
    return errors.asObservable();
  }

  get calls(): CallStreams {
    return (this.#calls ??= new CallStreams(this));
  }

  get channels(): ChannelStreams {
    return (this.#channels ??= new ChannelStreams(this));
  }

  get inbound(): InboundStreams {
    return (this.#inbound ??= new InboundStreams(this));
  }

  /** Joins the facade to its engine. */
  attach(port: EngineCommands & EngineView): void {
    this.port = port;
  }

  /** The current connection state. */
  get connection(): ConnectionState {
    return this.#state.getValue();
  }

  /** The current authentication state. */
  get auth(): AuthState {
    return this.#authState;
  }

  isClosed(): boolean {
    return this.#closed;
  }

  connect(): void {
    this.port.connect();
  }

  report(error: ScClientError): void {
    this.#errors?.next(error as AnyScError);
  }

  /** Closes the client for good: every stream completes or errors, the engine closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels?.complete();
    this.port.close();
  }

  // EngineEvents

  connectionState(state: PortConnectionState): void {
    this.#state.next(mapErrorFields(state, fromErrorRecord) as ConnectionState);
  }

  authState(state: AuthState): void {
    this.#authState = state;
    this.#auth?.next(state);
  }

  channelState(channel: string, state: ChannelState, previous: ChannelState): void {
    this.#channels?.channelState(channel, state, previous);
  }

  channelMessage(channel: string, data: unknown): void {
    this.#channels?.channelMessage(channel, data);
  }

  channelFailed(channel: string, error: ErrorRecord): void {
    this.#channels?.channelFailed(channel, error);
  }

  callResult(call: number, data: unknown): void {
    this.#calls?.result(call, data);
  }

  callFailed(call: number, error: ErrorRecord): void {
    this.#calls?.failed(call, error);
  }

  serverEvent(event: string, data: unknown): void {
    this.inbound.serverEvent(event, data);
  }

  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void {
    this.inbound.serverInvoke(procedure, data, rid, session);
  }

  stats(request: number, sample: ClientStats): void {
    this.statsSink?.stats(request, sample);
  }

  diagnostic(error: ErrorRecord): void {
    // Nobody can be listening before errors$ was first read: no error is built for nobody.
    if (this.#errors?.observed) this.#errors.next(fromErrorRecord(error));
  }

  closed(): void {
    this.#closed = true;
    this.#state.complete();
    this.#inbound?.complete();
    this.#auth?.complete();
    this.#errors?.complete();
    this.statsSink?.closed();
  }
}
