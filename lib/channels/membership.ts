import type { Session } from '../connection/session';
import {
  ChannelKickOutError,
  ChannelSubscribeError,
  ProtocolError,
  RemoteError,
  toErrorRecord,
  type ErrorRecord,
  type ScClientError,
} from '../errors';
import { ScEvent } from '../protocol/packets';
import type { CallOutcome, OutboundCall } from '../rpc/outbound-call';
import type { Rpc } from '../rpc/rpc';
import type { ChannelRequest } from './channel-request';
import { isChannelTransition, type ChannelState } from './channel-state';
import { quote } from '../internal/quote';

/** Where the channels' news goes (the port's events fit). @internal */
export interface ChannelSink {
  channelState(channel: string, state: ChannelState, previous: ChannelState): void;
  channelMessage(channel: string, data: unknown): void;
  channelFailed(channel: string, error: ErrorRecord): void;
}

/** What the channels need of the engine. @internal */
export interface MembershipHost {
  /** The open session, if any. */
  session(): Session | undefined;
  isAuthenticated(): boolean;
  /** Opens the connection unless it runs (the engine's `connect` command). */
  connect(): void;
  report(error: ScClientError): void;
}

// One record per held channel, kept small: a subscribed channel is the budgeted unit. It is also the outcome of
// its own `#subscribe`, so a request holds no closure.
class ChannelRecord implements CallOutcome {
  state: ChannelState = 'unsubscribed';
  /** Call id of the `#subscribe` in flight; 0 when none. */
  cid = 0;
  declare readonly name: string;
  declare readonly request: ChannelRequest;
  readonly #membership: ChannelMembership;

  constructor(name: string, request: ChannelRequest, membership: ChannelMembership) {
    this.name = name;
    this.request = request;
    this.#membership = membership;
  }

  resolved(call: OutboundCall): void {
    this.#membership.settled(this, call.cid);
  }

  failed(call: OutboundCall, error: ScClientError): void {
    this.#membership.refused(this, call.cid, error);
  }
}

/** The answer to an `#unsubscribe`: until it comes, the channel's late messages are expected. */
class Leaving implements CallOutcome {
  readonly #name: string;
  readonly #leaving: Map<string, number>;

  constructor(name: string, leaving: Map<string, number>) {
    this.#name = name;
    this.#leaving = leaving;
  }

  resolved(): void {
    const left = (this.#leaving.get(this.#name) ?? 1) - 1;
    if (left > 0) this.#leaving.set(this.#name, left);
    else this.#leaving.delete(this.#name);
  }

  failed(): void {
    this.resolved();
  }
}

/** The empty Map every membership starts with; it is replaced, not written to, on the first channel. */
const NO_RECORDS = new Map<string, never>();

/**
 * The server side of channel membership: one `#subscribe` per held channel, `#unsubscribe` on release,
 * re-subscription in priority order after every handshake (`waitForAuth` channels once authenticated), and
 * `#publish` / `#kickOut` routed to the held channel through one `Map` lookup.
 * @internal
 */
export class ChannelMembership {
  // A client without channels shares one empty Map (never written to) instead of holding its own.
  #records: Map<string, ChannelRecord> = NO_RECORDS;
  /** Channels released whose `#unsubscribe` the server has not answered yet. */
  #leaving: Map<string, number> | undefined; // created on the first release
  readonly #rpc: Rpc;
  readonly #host: MembershipHost;
  readonly #sink: ChannelSink;

  constructor(rpc: Rpc, host: MembershipHost, sink: ChannelSink) {
    this.#rpc = rpc;
    this.#host = host;
    this.#sink = sink;
  }

  /** The state of `name`: `unsubscribed` when not held. */
  state(name: string): ChannelState {
    return this.#records.get(name)?.state ?? 'unsubscribed';
  }

  /** Holds `name` (nothing happens when it is held already). */
  subscribe(name: string, request: ChannelRequest): void {
    if (this.#records.has(name)) return;
    const record = new ChannelRecord(name, request, this);
    if (this.#records === NO_RECORDS) this.#records = new Map();
    this.#records.set(name, record);
    this.#setState(record, 'pending');
    this.#request(record);
    this.#host.connect();
  }

  /**
   * Releases `name`: undoes the subscription on the server. A `#subscribe` still in flight is undone when it
   * settles (see {@link ChannelMembership.settled}), so no subscription is left behind.
   */
  unsubscribe(name: string): void {
    const record = this.#records.get(name);
    if (record && this.#remove(record) === 'subscribed') this.#sendUnsubscribe(name);
  }

  /**
   * Requests every pending channel that can be subscribed now, highest priority first: after each handshake, and
   * when the client becomes authenticated (for `waitForAuth` channels).
   */
  subscribePending(): void {
    const pending = [...this.#records.values()].filter((r) => r.state === 'pending' && !r.cid);
    pending.sort((a, b) => (b.request.priority ?? 0) - (a.request.priority ?? 0));
    for (const record of pending) this.#request(record);
  }

  /** The connection closed: every channel waits for the next session. */
  suspend(): void {
    for (const record of this.#records.values()) {
      record.cid = 0;
      this.#setState(record, 'pending');
    }
  }

  /** An inbound `#publish`: the message goes to the channel's holder. */
  onPublish(data: unknown): void {
    const packet = data as { channel?: unknown; data?: unknown } | null | undefined;
    const record = this.#find(packet?.channel, ScEvent.publish);
    if (record) this.#sink.channelMessage(record.name, packet?.data);
  }

  /** An inbound `#kickOut`: the channel is dropped. */
  onKickOut(data: unknown): void {
    const packet = data as { channel?: unknown; message?: unknown } | null | undefined;
    const record = this.#find(packet?.channel, ScEvent.kickOut);
    if (record) this.#drop(record, new ChannelKickOutError(record.name, packet?.message));
  }

  /** Forgets every channel, quietly (the client is closing). */
  clear(): void {
    this.#records = NO_RECORDS;
  }

  /** The server confirmed the `#subscribe` `cid` of `record`. @internal */
  settled(record: ChannelRecord, cid: number): void {
    if (record.cid !== cid) return;
    record.cid = 0;
    if (record.state === 'unsubscribed') {
      // Released while in flight: undo it, unless a newer record for the name now relies on the subscription.
      if (!this.#records.has(record.name)) this.#sendUnsubscribe(record.name);
      return;
    }
    this.#setState(record, 'subscribed');
  }

  /** The `#subscribe` `cid` of `record` failed. @internal */
  refused(record: ChannelRecord, cid: number, error: ScClientError): void {
    if (record.cid !== cid) return;
    record.cid = 0;
    // A lost connection leaves the channel pending for the next session; only the server's refusal is final.
    if (!(error instanceof RemoteError) || record.state === 'unsubscribed' || this.#waitsForAuth(record))
      return;
    this.#drop(record, new ChannelSubscribeError(record.name, error));
  }

  #find(channel: unknown, event: string): ChannelRecord | undefined {
    if (typeof channel !== 'string') {
      this.#host.report(new ProtocolError('malformed-packet', `Received ${event} without a channel name`));
      return undefined;
    }
    const record = this.#records.get(channel);
    if (!record && !this.#leaving?.has(channel)) {
      this.#host.report(
        new ProtocolError('unknown-channel', `Received ${event} for ${quote(channel)}, a channel not held`),
      );
    }
    return record;
  }

  #drop(record: ChannelRecord, error: ChannelKickOutError | ChannelSubscribeError): void {
    record.cid = 0;
    this.#remove(record);
    this.#sink.channelFailed(record.name, toErrorRecord(error));
  }

  /** Takes `record` out; returns the state it was in. */
  #remove(record: ChannelRecord): ChannelState {
    const previous = record.state;
    this.#records.delete(record.name);
    this.#setState(record, 'unsubscribed');
    return previous;
  }

  #waitsForAuth(record: ChannelRecord): boolean {
    return !!record.request.waitForAuth && !this.#host.isAuthenticated();
  }

  #request(record: ChannelRecord): void {
    const session = this.#host.session();
    if (!session || record.cid || this.#waitsForAuth(record)) return;
    const { name, request } = record;
    const payload: { channel: string; data?: unknown; waitForAuth?: true } = { channel: name };
    if (request.data !== undefined) payload.data = request.data;
    if (request.waitForAuth) payload.waitForAuth = true;
    const call = this.#rpc.request(session, ScEvent.subscribe, payload, record);
    if (call) record.cid = call.cid;
  }

  // Sent as an invoke: its answer tells when the server has stopped delivering, and until then the messages still
  // in flight for the channel are dropped quietly rather than reported.
  #sendUnsubscribe(name: string): void {
    const session = this.#host.session();
    if (!session) return;
    const leaving = (this.#leaving ??= new Map<string, number>());
    if (this.#rpc.request(session, ScEvent.unsubscribe, name, new Leaving(name, leaving))) {
      leaving.set(name, (leaving.get(name) ?? 0) + 1);
    }
  }

  #setState(record: ChannelRecord, state: ChannelState): void {
    const previous = record.state;
    if (previous === state) return;
    if (!isChannelTransition(previous, state)) {
      this.#host.report(
        new ProtocolError('illegal-transition', `Channel ${quote(record.name)}: ${previous} -> ${state}`),
      );
    }
    record.state = state;
    this.#sink.channelState(record.name, state, previous);
  }
}
