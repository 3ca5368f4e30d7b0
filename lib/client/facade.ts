import { BehaviorSubject, Subject, type Observable, type SchedulerLike } from 'rxjs';
import { UNAUTHENTICATED, type AuthState } from '../auth/auth-state';
import type { ChannelState } from '../channels/channel-state';
import type { Codec } from '../codec/codec';
import type { ConnectionState } from '../connection/connection-state';
import type { EngineCommands, EngineEvents, PortConnectionState } from '../engine/port';
import {
  fromErrorRecord,
  mapAuthError,
  type AnyScError,
  type ErrorRecord,
  type ScClientError,
} from '../errors';
import { CallStreams, type CallStreamsHost } from './call-streams';
import { ChannelStreams, type ChannelStreamsHost } from './channel-streams';
import { InboundStreams, type InboundHost } from './inbound-streams';

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
  readonly codec: Codec;
  readonly scheduler: SchedulerLike;
  readonly ackTimeout: number;
  /** The engine's side of the port; set once by {@link Facade.attach}. */
  port: EngineCommands = undefined as never;
  readonly #state = new BehaviorSubject<ConnectionState>({ state: 'closed', attempt: 0 });
  readonly #auth = new BehaviorSubject<AuthState>(UNAUTHENTICATED);
  readonly #errors = new Subject<AnyScError>();
  readonly state$: Observable<ConnectionState> = this.#state.asObservable();
  readonly authState$: Observable<AuthState> = this.#auth.asObservable();
  readonly errors$: Observable<AnyScError> = this.#errors.asObservable();
  readonly calls: CallStreams;
  readonly channels: ChannelStreams;
  readonly inbound: InboundStreams;
  #closed = false;

  constructor(config: FacadeConfig) {
    this.codec = config.codec;
    this.scheduler = config.scheduler;
    this.ackTimeout = config.ackTimeout;
    this.calls = new CallStreams(this);
    this.channels = new ChannelStreams(this);
    this.inbound = new InboundStreams(this);
  }

  /** Joins the facade to its engine. */
  attach(port: EngineCommands): void {
    this.port = port;
  }

  /** The current connection state. */
  get connection(): ConnectionState {
    return this.#state.getValue();
  }

  /** The current authentication state. */
  get auth(): AuthState {
    return this.#auth.getValue();
  }

  isClosed(): boolean {
    return this.#closed;
  }

  connect(): void {
    this.port.connect();
  }

  report(error: ScClientError): void {
    this.#errors.next(error as AnyScError);
  }

  /** Closes the client for good: every stream completes or errors, the engine closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.channels.complete();
    this.port.close();
  }

  // EngineEvents

  connectionState(state: PortConnectionState): void {
    this.#state.next(mapAuthError(state, fromErrorRecord) as ConnectionState);
  }

  authState(state: AuthState): void {
    this.#auth.next(state);
  }

  channelState(channel: string, state: ChannelState, previous: ChannelState): void {
    this.channels.channelState(channel, state, previous);
  }

  channelMessage(channel: string, data: unknown): void {
    this.channels.channelMessage(channel, data);
  }

  channelFailed(channel: string, error: ErrorRecord): void {
    this.channels.channelFailed(channel, error);
  }

  callResult(call: number, data: unknown): void {
    this.calls.result(call, data);
  }

  callFailed(call: number, error: ErrorRecord): void {
    this.calls.failed(call, error);
  }

  serverEvent(event: string, data: unknown): void {
    this.inbound.serverEvent(event, data);
  }

  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void {
    this.inbound.serverInvoke(procedure, data, rid, session);
  }

  diagnostic(error: ErrorRecord): void {
    this.#errors.next(fromErrorRecord(error));
  }

  closed(): void {
    this.#closed = true;
    this.#state.complete();
    this.inbound.complete();
    this.#auth.complete();
    this.#errors.complete();
  }
}
