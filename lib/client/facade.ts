import { BehaviorSubject, Observable, Subject, timer, type SchedulerLike, type Subscriber } from 'rxjs';
import { UNAUTHENTICATED, type AuthState } from '../auth/auth-state';
import type { ChannelState } from '../channels/channel-state';
import type { Codec } from '../codec/codec';
import { IDLE, type ConnectionState } from '../connection/connection-state';
import type { EngineCommands, EngineEvents, EngineView, PortConnectionState } from '../engine/port';
import type { ClientStats } from '../engine/stats';
import { checkDuration } from '../internal/duration';
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
  readonly #state = new BehaviorSubject<ConnectionState>(IDLE);
  readonly #auth = new BehaviorSubject<AuthState>(UNAUTHENTICATED);
  // The parts below are made on first use, and the streams are made at each read: a client is created per socket,
  // and many use a few of its streams only. (Heap per connected socket: each part or kept stream is 50 to 150 B.)
  #errors: Subject<AnyScError> | undefined;
  #calls: CallStreams | undefined;
  #channels: ChannelStreams | undefined;
  #inbound: InboundStreams | undefined;
  /** The subscribers of `stats$`, by the request number their samples carry. */
  #samplers: Map<number, Subscriber<ClientStats>> | undefined;
  #sampler = 0;
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
    return this.#auth.asObservable();
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

  /**
   * A sample at once, then one every `period` ms, for as long as the subscriber stays; completes on `close()`. The
   * engine answers each request with its number, so subscribers with different periods get only their own.
   */
  stats$(period: number): Observable<ClientStats> {
    if (!(checkDuration('period', period) > 0)) throw new RangeError('period must be more than 0 ms');
    return new Observable<ClientStats>((subscriber) => {
      if (this.#closed) {
        subscriber.complete();
        return undefined;
      }
      const request = ++this.#sampler;
      const samplers = (this.#samplers ??= new Map());
      samplers.set(request, subscriber);
      // The first sample now, in the subscriber's turn (timer(0) would wait a task).
      const ticks = timer(period, period, this.scheduler).subscribe(() => this.port.sampleStats(request));
      this.port.sampleStats(request);
      return () => {
        ticks.unsubscribe();
        samplers.delete(request);
      };
    });
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
    return this.#auth.getValue();
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
    this.#auth.next(state);
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
    this.#samplers?.get(request)?.next(sample);
  }

  diagnostic(error: ErrorRecord): void {
    // Nobody can be listening before errors$ was first read: no error is built for nobody.
    if (this.#errors?.observed) this.#errors.next(fromErrorRecord(error));
  }

  closed(): void {
    this.#closed = true;
    this.#state.complete();
    this.#inbound?.complete();
    this.#auth.complete();
    this.#errors?.complete();
    if (this.#samplers) for (const subscriber of [...this.#samplers.values()]) subscriber.complete();
  }
}
