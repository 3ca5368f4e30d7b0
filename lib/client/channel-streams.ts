import { Observable, Subject, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { ChannelRequest } from '../channels/channel-request';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import type { EngineCommands, EngineView } from '../engine/port';
import { ClientClosedError, fromErrorRecord, type ErrorRecord } from '../errors';
import type { ChannelOptions } from './channel-options';
import {
  deliver,
  hasSubscriber,
  listOf,
  withoutSubscriber,
  withSubscriber,
  type Subscribers,
} from './subscriber-set';

/** What the channel streams need: the engine's channel commands and view, and the clock of `linger`. @internal */
export interface ChannelStreamsHost {
  readonly port: Pick<EngineCommands & EngineView, 'subscribe' | 'unsubscribe' | 'connect' | 'channelState'>;
  readonly scheduler: SchedulerLike;
  /** Whether the client is closed: new channel streams error, new state streams complete. */
  isClosed(): boolean;
}

/** The subscribers of a channel held while no one subscribes (during its linger). */
const NONE: Subscribers<unknown> = [];
/** The empty Map every facade starts with; it is replaced, not written to, on the first channel. */
const NO_STREAMS = new Map<string, never>();
const NO_REQUEST: ChannelRequest = {};

/**
 * The facade's side of channels: one shared stream per name, asking the engine to hold the channel while it has
 * subscribers (and `linger` ms after), and the per-name streams of channel states. Every engine event for a
 * channel costs one `Map` lookup, whatever the number of channels and observers. A held channel costs one `Map`
 * entry here, its subscribers as the value (a subscribed channel is the budgeted unit, so there is no record
 * object: its state is the engine's, read through the port's view; a record mirroring it cost 65 B per channel,
 * 260 B of the client's own against 195 B, `npm run bench` row channels-10000).
 * @internal
 */
export class ChannelStreams {
  // A client without channels shares one empty Map (never written to) instead of holding its own.
  #streams: Map<string, Subscribers<unknown>> = NO_STREAMS;
  /** The subscribers of `state$(name)`, by name (created on first use). */
  #watchers: Map<string, Subscribers<ChannelState>> | undefined;
  /** The linger of each channel that has one, and the timers of those waiting to be released. */
  #linger: Map<string, number> | undefined;
  #lingering: Map<string, Subscription> | undefined;
  #changes: Subject<ChannelStateChange> | undefined;
  readonly #host: ChannelStreamsHost;

  constructor(host: ChannelStreamsHost) {
    this.#host = host;
  }

  /** Every change of any channel's state (the Subject is made on first use). */
  get changes$(): Observable<ChannelStateChange> {
    const changes = (this.#changes ??= new Subject<ChannelStateChange>());
    if (this.#host.isClosed()) changes.complete();
    return changes.asObservable();
  }

  /** The cold, shared Observable of the messages published to `name`. */
  channel(name: string, options: ChannelOptions | undefined): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      if (this.#host.isClosed()) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      const subscribers = this.#streams.get(name);
      if (subscribers) {
        this.#lingering?.get(name)?.unsubscribe();
        this.#lingering?.delete(name);
        this.#streams.set(name, withSubscriber(subscribers === NONE ? undefined : subscribers, subscriber));
        // Every subscriber opens the connection if it is closed (`disconnect()` closed it, say).
        this.#host.port.connect();
      } else {
        if (this.#streams === NO_STREAMS) this.#streams = new Map();
        this.#streams.set(name, subscriber);
        const linger = options?.linger ?? 0;
        if (linger > 0) (this.#linger ??= new Map<string, number>()).set(name, linger);
        // The options are plain data; the engine reads the ones it needs (linger stays here). Subscribing opens
        // the connection.
        this.#host.port.subscribe(name, options ?? NO_REQUEST);
      }
      return new Membership(this, name, subscriber);
    });
  }

  /** The current state of `name`, as the engine reported it. */
  state(name: string): ChannelState {
    return this.#host.port.channelState(name);
  }

  /** The state of `name` now and at every change. */
  state$(name: string): Observable<ChannelState> {
    return new Observable<ChannelState>((subscriber) => {
      subscriber.next(this.state(name));
      if (this.#host.isClosed()) {
        subscriber.complete();
        return undefined;
      }
      const watchers = (this.#watchers ??= new Map<string, Subscribers<ChannelState>>());
      watchers.set(name, withSubscriber(watchers.get(name), subscriber));
      return () => {
        const rest = withoutSubscriber(watchers.get(name), subscriber);
        if (rest) watchers.set(name, rest);
        else watchers.delete(name);
      };
    });
  }

  /** Every held channel and its state. */
  list(): { readonly name: string; readonly state: ChannelState }[] {
    return Array.from(this.#streams.keys(), (name) => ({ name, state: this.state(name) }));
  }

  // Engine events

  channelState(name: string, state: ChannelState, previous: ChannelState): void {
    if (this.#changes?.observed) this.#changes.next({ channel: name, state, previous });
    const watchers = this.#watchers?.get(name);
    if (watchers) deliver(watchers, state);
  }

  channelMessage(name: string, data: unknown): void {
    deliver(this.#streams.get(name), data);
  }

  channelFailed(name: string, error: ErrorRecord): void {
    const subscribers = this.#streams.get(name);
    if (!subscribers) return;
    this.#forget(name);
    const typed = fromErrorRecord(error);
    for (const subscriber of listOf(subscribers)) subscriber.error(typed);
  }

  /** Completes every channel stream, state stream and the change stream. */
  complete(): void {
    const streams = [...this.#streams.values()];
    this.#streams = NO_STREAMS;
    for (const timer of this.#lingering?.values() ?? []) timer.unsubscribe();
    this.#lingering = undefined;
    for (const subscribers of streams) for (const subscriber of listOf(subscribers)) subscriber.complete();
    const watchers = [...(this.#watchers?.values() ?? [])];
    this.#watchers = undefined;
    for (const subscribers of watchers) for (const subscriber of listOf(subscribers)) subscriber.complete();
    this.#changes?.complete();
  }

  /** A subscriber leaves `name` (its teardown). @internal */
  leave(name: string, subscriber: Subscriber<unknown>): void {
    const subscribers = this.#streams.get(name);
    // The channel was dropped (refused, kicked out) or closed since: nothing to leave.
    if (!hasSubscriber(subscribers, subscriber)) return;
    const rest = withoutSubscriber(subscribers, subscriber);
    if (rest) {
      this.#streams.set(name, rest);
      return;
    }
    const linger = this.#linger?.get(name) ?? 0;
    if (linger === 0) {
      this.#release(name);
      return;
    }
    this.#streams.set(name, NONE);
    const timer = this.#host.scheduler.schedule(() => this.#release(name), linger);
    (this.#lingering ??= new Map<string, Subscription>()).set(name, timer);
  }

  // The last subscriber left (and the linger passed): the engine lets the channel go.
  #release(name: string): void {
    this.#forget(name);
    this.#host.port.unsubscribe(name);
  }

  #forget(name: string): void {
    this.#streams.delete(name);
    this.#linger?.delete(name);
    this.#lingering?.get(name)?.unsubscribe();
    this.#lingering?.delete(name);
  }
}

/** The teardown of one subscription to a channel. */
class Membership {
  readonly #streams: ChannelStreams;
  readonly #name: string;
  readonly #subscriber: Subscriber<unknown>;

  constructor(streams: ChannelStreams, name: string, subscriber: Subscriber<unknown>) {
    this.#streams = streams;
    this.#name = name;
    this.#subscriber = subscriber;
  }

  unsubscribe(): void {
    this.#streams.leave(this.#name, this.#subscriber);
  }
}
