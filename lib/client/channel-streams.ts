import { Observable, Subject, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import type { ChannelRequest } from '../channels/channel-request';
import type { ChannelState, ChannelStateChange } from '../channels/channel-state';
import type { EngineCommands } from '../engine/port';
import { ClientClosedError, fromErrorRecord, type ErrorRecord } from '../errors';
import type { ChannelOptions } from './channel-options';
import { deliver, listOf, withoutSubscriber, withSubscriber, type Subscribers } from './subscriber-set';

/** What the channel streams need: the engine's channel commands, and the clock of `linger`. @internal */
export interface ChannelStreamsHost {
  readonly port: Pick<EngineCommands, 'subscribe' | 'unsubscribe' | 'connect'>;
  readonly scheduler: SchedulerLike;
  /** Whether the client is closed: new channel streams error, new state streams complete. */
  isClosed(): boolean;
}

// One record per channel the facade holds: its subscribers (one without an array), its state as the engine last
// reported it, and the linger timer while it waits to be released.
class ChannelStream {
  subscribers: Subscribers<unknown> | undefined;
  state: ChannelState = 'unsubscribed';
  linger: Subscription | undefined;
  declare readonly name: string;
  declare readonly lingerMs: number;

  constructor(name: string, lingerMs: number) {
    this.name = name;
    this.lingerMs = lingerMs;
  }
}

/** The empty Map every facade starts with; it is replaced, not written to, on the first channel. */
const NO_STREAMS = new Map<string, never>();
const NO_REQUEST: ChannelRequest = {};

/**
 * The facade's side of channels: one shared stream per name, asking the engine to hold the channel while it has
 * subscribers (and `linger` ms after), and the per-name streams of channel states. Every engine event for a
 * channel costs one `Map` lookup, whatever the number of channels and observers.
 * @internal
 */
export class ChannelStreams {
  // A client without channels shares one empty Map (never written to) instead of holding its own.
  #streams: Map<string, ChannelStream> = NO_STREAMS;
  /** The subscribers of `state$(name)`, by name (created on first use). */
  #watchers: Map<string, Subscribers<ChannelState>> | undefined;
  readonly #changes = new Subject<ChannelStateChange>();
  readonly changes$: Observable<ChannelStateChange> = this.#changes.asObservable();
  readonly #host: ChannelStreamsHost;

  constructor(host: ChannelStreamsHost) {
    this.#host = host;
  }

  /** The cold, shared Observable of the messages published to `name`. */
  channel(name: string, options: ChannelOptions | undefined): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      if (this.#host.isClosed()) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      let stream = this.#streams.get(name);
      if (stream) {
        stream.linger?.unsubscribe();
        stream.linger = undefined;
        stream.subscribers = withSubscriber(stream.subscribers, subscriber);
        // Every subscriber opens the connection if it is closed (`disconnect()` closed it, say).
        this.#host.port.connect();
      } else {
        stream = new ChannelStream(name, options?.linger ?? 0);
        if (this.#streams === NO_STREAMS) this.#streams = new Map();
        this.#streams.set(name, stream);
        stream.subscribers = subscriber;
        // The options are plain data; the engine reads the ones it needs (linger stays here). Subscribing opens
        // the connection.
        this.#host.port.subscribe(name, options ?? NO_REQUEST);
      }
      return new Membership(this, stream, subscriber);
    });
  }

  /** The current state of `name`, as the engine last reported it. */
  state(name: string): ChannelState {
    return this.#streams.get(name)?.state ?? 'unsubscribed';
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
    return Array.from(this.#streams.values(), ({ name, state }) => ({ name, state }));
  }

  // Engine events

  channelState(name: string, state: ChannelState, previous: ChannelState): void {
    const stream = this.#streams.get(name);
    if (stream) stream.state = state;
    if (this.#changes.observed) this.#changes.next({ channel: name, state, previous });
    const watchers = this.#watchers?.get(name);
    if (watchers) deliver(watchers, state);
  }

  channelMessage(name: string, data: unknown): void {
    const stream = this.#streams.get(name);
    if (stream) deliver(stream.subscribers, data);
  }

  channelFailed(name: string, error: ErrorRecord): void {
    const stream = this.#streams.get(name);
    if (!stream) return;
    this.#streams.delete(name);
    stream.state = 'unsubscribed';
    stream.linger?.unsubscribe();
    const subscribers = listOf(stream.subscribers);
    stream.subscribers = undefined;
    const typed = fromErrorRecord(error);
    for (const subscriber of subscribers) subscriber.error(typed);
  }

  /** Completes every channel stream, state stream and the change stream. */
  complete(): void {
    const streams = [...this.#streams.values()];
    this.#streams = NO_STREAMS;
    for (const stream of streams) {
      stream.linger?.unsubscribe();
      for (const subscriber of listOf(stream.subscribers)) subscriber.complete();
    }
    const watchers = [...(this.#watchers?.values() ?? [])];
    this.#watchers = undefined;
    for (const subscribers of watchers) for (const subscriber of listOf(subscribers)) subscriber.complete();
    this.#changes.complete();
  }

  /** A subscriber leaves `stream` (its teardown). @internal */
  leave(stream: ChannelStream, subscriber: Subscriber<unknown>): void {
    if (this.#streams.get(stream.name) !== stream) return;
    stream.subscribers = withoutSubscriber(stream.subscribers, subscriber);
    if (stream.subscribers) return;
    if (stream.lingerMs > 0)
      stream.linger = this.#host.scheduler.schedule(() => this.#release(stream), stream.lingerMs);
    else this.#release(stream);
  }

  // The last subscriber left (and the linger passed): the engine lets the channel go.
  #release(stream: ChannelStream): void {
    stream.linger = undefined;
    this.#streams.delete(stream.name);
    this.#host.port.unsubscribe(stream.name);
  }
}

/** The teardown of one subscription to a channel. */
class Membership {
  readonly #streams: ChannelStreams;
  readonly #stream: ChannelStream;
  readonly #subscriber: Subscriber<unknown>;

  constructor(streams: ChannelStreams, stream: ChannelStream, subscriber: Subscriber<unknown>) {
    this.#streams = streams;
    this.#stream = stream;
    this.#subscriber = subscriber;
  }

  unsubscribe(): void {
    this.#streams.leave(this.#stream, this.#subscriber);
  }
}
