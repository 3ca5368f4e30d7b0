import {
  Observable,
  Subject,
  defer,
  distinctUntilChanged,
  filter,
  map,
  startWith,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from 'rxjs';
import type { Codec } from '../codec/codec';
import type { Session } from '../connection/open-session';
import {
  ChannelKickOutError,
  ChannelSubscribeError,
  ClientClosedError,
  ProtocolError,
  RemoteError,
  type ScClientError,
} from '../errors';
import { ScEvent } from '../protocol/packets';
import type { CallRegistry } from '../rpc/call-registry';
import { encodeEvent } from '../rpc/encode-packet';
import { isChannelTransition, type ChannelState, type ChannelStateChange } from './channel-state';

/** Options of one channel, set by its first subscriber. */
export interface ChannelOptions {
  /** Subscribe only while the socket is authenticated (after reconnects too). Default: false. */
  waitForAuth?: boolean;
  /** Order of re-subscription after a reconnect: higher first. Default: 0. */
  priority?: number;
  /** Data sent with `#subscribe`, for the server's subscribe middleware. Default: none. */
  data?: unknown;
  /** Keep the subscription this many ms after the last subscriber leaves. Default: 0 (release at once). */
  linger?: number;
}

const MAX_LINGER = 2 ** 31 - 1;

/**
 * Throws for invalid channel options (a `linger` that is not a number of ms between 0 and 2^31 - 1).
 * @internal
 */
export function checkChannelOptions(options: ChannelOptions | undefined): void {
  const linger = options?.linger;
  if (linger !== undefined && !(linger >= 0 && linger <= MAX_LINGER)) {
    throw new RangeError(`linger must be between 0 and ${MAX_LINGER} ms, got ${linger}`);
  }
}

/** @internal */
export interface ChannelDependencies {
  readonly codec: Codec;
  readonly calls: CallRegistry;
  readonly scheduler: SchedulerLike;
  nextCid(): number;
  session(): Session | undefined;
  isAuthenticated(): boolean;
  demand(): void;
  report(error: ScClientError): void;
}

type Subscribers = Subscriber<unknown> | readonly Subscriber<unknown>[];

const isList = Array.isArray as (subscribers: Subscribers | undefined) => subscribers is readonly Subscriber<unknown>[];

/** The subscribers as a list (a single subscriber is stored without an array). */
function list(subscribers: Subscribers | undefined): readonly Subscriber<unknown>[] {
  return isList(subscribers) ? subscribers : subscribers ? [subscribers] : [];
}

// One record per held channel, kept small: a subscribed channel with one subscriber is the budgeted unit, so a lone
// subscriber is stored without an array, and a subscription's teardown is a three-field object, not a closure.
class ChannelRecord {
  state: ChannelState = 'unsubscribed';
  /** One subscriber, or an array of them (replaced, never mutated, so a delivery loop is never disturbed). */
  subscribers: Subscribers | undefined;
  /** Call id of the `#subscribe` in flight; 0 when none. */
  cid = 0;
  linger: Subscription | undefined;
  declare readonly name: string;
  declare readonly options: ChannelOptions | undefined;

  constructor(name: string, options: ChannelOptions | undefined) {
    this.name = name;
    this.options = options;
  }
}

/** The empty Map every channel registry starts with; it is replaced, not written to, on the first channel. */
const NO_RECORDS = new Map<string, ChannelRecord>();

/**
 * The channels the client holds: one `#subscribe` per name however many subscribers, `#unsubscribe` when the last
 * leaves (after the optional linger), re-subscription in priority order after every handshake, and delivery of
 * `#publish` / `#kickOut` to the right subscribers through one `Map` lookup.
 * @internal
 */
export class ChannelRegistry {
  // A client without channels shares one empty Map (never written to) instead of holding its own.
  #records: Map<string, ChannelRecord> = NO_RECORDS;
  /** Channels released whose `#unsubscribe` the server has not answered yet: their late messages are expected. */
  #leaving: Map<string, number> | undefined; // created on the first leave

  readonly #changes = new Subject<ChannelStateChange>();
  readonly #deps: ChannelDependencies;
  #closed = false;
  readonly changes$: Observable<ChannelStateChange> = this.#changes.asObservable();

  constructor(deps: ChannelDependencies) {
    this.#deps = deps;
  }

  /** The cold, shared Observable of the messages published to `name`. */
  channel(name: string, options: ChannelOptions | undefined): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      if (this.#closed) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      let record = this.#records.get(name);
      if (!record) {
        record = new ChannelRecord(name, options);
        if (this.#records === NO_RECORDS) this.#records = new Map();
        this.#records.set(name, record);
        record.subscribers = subscriber;
        this.#setState(record, 'pending');
        this.#request(record);
      } else {
        record.linger?.unsubscribe();
        record.linger = undefined;
        record.subscribers = [...list(record.subscribers), subscriber];
      }
      this.#deps.demand();
      return new Membership(this, record, subscriber);
    });
  }

  /** The current state of `name`. */
  state(name: string): ChannelState {
    return this.#records.get(name)?.state ?? 'unsubscribed';
  }

  /** The state of `name` now and at every change. */
  state$(name: string): Observable<ChannelState> {
    return defer(() =>
      this.changes$.pipe(
        filter((change) => change.channel === name),
        map((change) => change.state),
        startWith(this.state(name)),
        distinctUntilChanged(),
      ),
    );
  }

  /** Every held channel and its state. */
  list(): { readonly name: string; readonly state: ChannelState }[] {
    return Array.from(this.#records.values(), ({ name, state }) => ({ name, state }));
  }

  /**
   * Requests every pending channel that can be subscribed now, highest priority first: after each handshake, and
   * when the client becomes authenticated (for `waitForAuth` channels).
   */
  subscribePending(): void {
    const pending = [...this.#records.values()].filter((r) => r.state === 'pending' && !r.cid);
    pending.sort((a, b) => (b.options?.priority ?? 0) - (a.options?.priority ?? 0));
    for (const record of pending) this.#request(record);
  }

  /** The connection closed: every channel waits for the next session. */
  suspend(): void {
    for (const record of this.#records.values()) {
      record.cid = 0;
      this.#setState(record, 'pending');
    }
  }

  /** Handles an inbound `#publish`: the message goes to the subscribers of that channel only. */
  onPublish(data: unknown): void {
    const packet = data as { channel?: unknown; data?: unknown } | null | undefined;
    const record = this.#find(packet?.channel, ScEvent.publish);
    if (!record) return;
    const message = packet?.data;
    const subscribers = record.subscribers;
    if (isList(subscribers)) for (const subscriber of subscribers) subscriber.next(message);
    else subscribers?.next(message);
  }

  /** Handles an inbound `#kickOut`: the channel is dropped and its Observable errors. */
  onKickOut(data: unknown): void {
    const packet = data as { channel?: unknown; message?: unknown } | null | undefined;
    const record = this.#find(packet?.channel, ScEvent.kickOut);
    if (!record) return;
    this.#drop(record, new ChannelKickOutError(record.name, packet?.message));
  }

  /** Completes every channel stream and the change stream. */
  complete(): void {
    this.#closed = true;
    const records = [...this.#records.values()];
    this.#records.clear();
    for (const record of records) {
      record.linger?.unsubscribe();
      for (const subscriber of list(record.subscribers)) subscriber.complete();
    }
    this.#changes.complete();
  }

  #find(channel: unknown, event: string): ChannelRecord | undefined {
    if (typeof channel !== 'string') {
      this.#deps.report(new ProtocolError('malformed-packet', `Received ${event} without a channel name`));
      return undefined;
    }
    const record = this.#records.get(channel);
    if (!record && !this.#leaving?.has(channel)) {
      this.#deps.report(new ProtocolError('unknown-channel', `Received ${event} for '${channel}', a channel not held`));
    }
    return record;
  }

  /** A subscriber leaves `record` (its teardown). @internal */
  leave(record: ChannelRecord, subscriber: Subscriber<unknown>): void {
    if (this.#records.get(record.name) !== record) return;
    const rest = list(record.subscribers).filter((s) => s !== subscriber);
    record.subscribers = rest.length > 1 ? rest : rest[0];
    if (rest.length > 0) return;
    const linger = record.options?.linger ?? 0;
    if (linger > 0) record.linger = this.#deps.scheduler.schedule(() => this.#release(record), linger);
    else this.#release(record);
  }

  // The last subscriber left: undo the subscription on the server. A `#subscribe` still in flight is undone when
  // it settles (see #request), so no subscription is left behind.
  #release(record: ChannelRecord): void {
    record.linger = undefined;
    if (this.#remove(record) === 'subscribed') this.#sendUnsubscribe(record.name, this.#deps.session());
  }

  #drop(record: ChannelRecord, error: ScClientError): void {
    record.linger?.unsubscribe();
    record.cid = 0;
    this.#remove(record);
    const subscribers = list(record.subscribers);
    record.subscribers = undefined;
    for (const subscriber of subscribers) subscriber.error(error);
  }

  /** Takes `record` out of the registry; returns the state it was in. */
  #remove(record: ChannelRecord): ChannelState {
    const previous = record.state;
    this.#records.delete(record.name);
    this.#setState(record, 'unsubscribed');
    return previous;
  }

  /** Whether `record` must wait for authentication before it subscribes. */
  #waitsForAuth(record: ChannelRecord): boolean {
    return !!record.options?.waitForAuth && !this.#deps.isAuthenticated();
  }

  #request(record: ChannelRecord): void {
    const session = this.#deps.session();
    if (!session || record.cid || this.#waitsForAuth(record)) return;
    const { name, options } = record;
    const cid = this.#deps.nextCid();
    const payload: { channel: string; data?: unknown; waitForAuth?: true } = { channel: name };
    if (options?.data !== undefined) payload.data = options.data;
    if (options?.waitForAuth) payload.waitForAuth = true;
    const sent = this.#call(
      session,
      ScEvent.subscribe,
      payload,
      cid,
      () => this.#settled(record, cid, session),
      (error) => this.#refused(record, cid, error),
    );
    if (sent) record.cid = cid;
  }

  // Subscribes and unsubscribes are invokes with no ack timeout: they wait for the answer or for the connection to
  // drop. Returns whether the frame was sent.
  #call(
    session: Session,
    event: string,
    data: unknown,
    cid: number,
    resolve: () => void,
    fail: (error: ScClientError) => void,
  ): boolean {
    if (!session.send(encodeEvent(this.#deps.codec, event, data, cid))) return false;
    this.#deps.calls.add({ cid, event, timeout: Infinity, deadline: Infinity, sent: true, resolve, fail });
    return true;
  }

  #settled(record: ChannelRecord, cid: number, session: Session): void {
    if (record.cid !== cid) return;
    record.cid = 0;
    if (record.state === 'unsubscribed') {
      // Released while in flight: undo it, unless a newer record for the name now relies on the subscription.
      if (!this.#records.has(record.name)) this.#sendUnsubscribe(record.name, session);
      return;
    }
    this.#setState(record, 'subscribed');
  }

  #refused(record: ChannelRecord, cid: number, error: ScClientError): void {
    if (record.cid !== cid) return;
    record.cid = 0;
    // A lost connection leaves the channel pending for the next session; only the server's refusal is final.
    if (!(error instanceof RemoteError) || record.state === 'unsubscribed' || this.#waitsForAuth(record)) return;
    this.#drop(record, new ChannelSubscribeError(record.name, error));
  }

  // Sent as an invoke: its answer tells when the server has stopped delivering, and until then the messages still
  // in flight for the channel are dropped quietly rather than reported.
  #sendUnsubscribe(name: string, session: Session | undefined): void {
    if (!session) return;
    const leaving = (this.#leaving ??= new Map<string, number>());
    const done = () => {
      const left = (leaving.get(name) ?? 1) - 1;
      if (left > 0) leaving.set(name, left);
      else leaving.delete(name);
    };
    if (this.#call(session, ScEvent.unsubscribe, name, this.#deps.nextCid(), done, done)) {
      leaving.set(name, (leaving.get(name) ?? 0) + 1);
    }
  }

  #setState(record: ChannelRecord, state: ChannelState): void {
    const previous = record.state;
    if (previous === state) return;
    if (!isChannelTransition(previous, state)) {
      this.#deps.report(new ProtocolError('illegal-transition', `Channel '${record.name}': ${previous} -> ${state}`));
    }
    record.state = state;
    if (this.#changes.observed) this.#changes.next({ channel: record.name, state, previous });
  }
}

/** The teardown of one subscription to a channel. */
class Membership {
  readonly #registry: ChannelRegistry;
  readonly #record: ChannelRecord;
  readonly #subscriber: Subscriber<unknown>;

  constructor(registry: ChannelRegistry, record: ChannelRecord, subscriber: Subscriber<unknown>) {
    this.#registry = registry;
    this.#record = record;
    this.#subscriber = subscriber;
  }

  unsubscribe(): void {
    this.#registry.leave(this.#record, this.#subscriber);
  }
}
