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

/**
 * The `#subscribe` of a channel while it is in flight, and its outcome (a request holds no closure). It is the
 * channel's entry until the answer comes; the channel waits for no other call. Once the server confirms, the entry
 * is a plain state again: a subscribed channel, the budgeted unit, costs no object of its own.
 */
class Subscribing implements CallOutcome {
  declare readonly name: string;
  readonly #membership: ChannelMembership;

  constructor(name: string, membership: ChannelMembership) {
    this.name = name;
    this.#membership = membership;
  }

  resolved(): void {
    this.#membership.settled(this);
  }

  failed(_call: OutboundCall, error: ScClientError): void {
    this.#membership.refused(this, error);
  }
}

/** A held channel: its state, or its `#subscribe` while that is in flight (the channel is `pending` then). */
type Entry = 'pending' | 'subscribed' | Subscribing;

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
const NO_ENTRIES = new Map<string, never>();
const NO_REQUEST: ChannelRequest = {};

/**
 * The server side of channel membership: one `#subscribe` per held channel, `#unsubscribe` on release,
 * re-subscription in priority order after every handshake (`waitForAuth` channels once authenticated), and
 * `#publish` / `#kickOut` routed to the held channel through one `Map` lookup.
 * @internal
 */
export class ChannelMembership {
  // A client without channels shares one empty Map (never written to) instead of holding its own.
  #entries: Map<string, Entry> = NO_ENTRIES;
  /** The requests of the held channels that ask for more than the defaults (created on first use). */
  #requests: Map<string, ChannelRequest> | undefined;
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
    const entry = this.#entries.get(name);
    return entry === undefined ? 'unsubscribed' : typeof entry === 'string' ? entry : 'pending';
  }

  /** Holds `name` (nothing happens when it is held already). */
  subscribe(name: string, request: ChannelRequest): void {
    if (this.#entries.has(name)) return;
    if (this.#entries === NO_ENTRIES) this.#entries = new Map();
    // Only a request that asks for more than the defaults is kept.
    if (request.waitForAuth || request.priority || request.data !== undefined)
      (this.#requests ??= new Map()).set(name, request);
    this.#set(name, 'pending');
    this.#request(name);
    this.#host.connect();
  }

  /**
   * Releases `name`: undoes the subscription on the server. A `#subscribe` still in flight is undone when it
   * settles (see {@link ChannelMembership.settled}), so no subscription is left behind.
   */
  unsubscribe(name: string): void {
    if (this.#set(name, 'unsubscribed') === 'subscribed') this.#sendUnsubscribe(name);
  }

  /**
   * Requests every pending channel that can be subscribed now, highest priority first: after each handshake, and
   * when the client becomes authenticated (for `waitForAuth` channels).
   */
  subscribePending(): void {
    const pending = [...this.#entries.keys()].filter((name) => this.#entries.get(name) === 'pending');
    pending.sort((a, b) => (this.#requestOf(b).priority ?? 0) - (this.#requestOf(a).priority ?? 0));
    for (const name of pending) this.#request(name);
  }

  /** The connection closed: every channel waits for the next session. */
  suspend(): void {
    for (const name of this.#entries.keys()) this.#set(name, 'pending');
  }

  /** An inbound `#publish`: the message goes to the channel's holder. */
  onPublish(data: unknown): void {
    const packet = data as { channel?: unknown; data?: unknown } | null | undefined;
    const channel = packet?.channel;
    if (this.#held(channel, ScEvent.publish)) this.#sink.channelMessage(channel, packet?.data);
  }

  /** An inbound `#kickOut`: the channel is dropped. */
  onKickOut(data: unknown): void {
    const packet = data as { channel?: unknown; message?: unknown } | null | undefined;
    const channel = packet?.channel;
    if (this.#held(channel, ScEvent.kickOut))
      this.#drop(channel, new ChannelKickOutError(channel, packet?.message));
  }

  /** Forgets every channel, quietly (the client is closing). */
  clear(): void {
    this.#entries = NO_ENTRIES;
    this.#requests = undefined;
  }

  /** The server confirmed `call`. @internal */
  settled(call: Subscribing): void {
    const { name } = call;
    if (this.#entries.get(name) === call) this.#set(name, 'subscribed');
    // Released while in flight: undo it, unless a newer hold of the name now relies on the subscription.
    else if (!this.#entries.has(name)) this.#sendUnsubscribe(name);
  }

  /** `call` failed. @internal */
  refused(call: Subscribing, error: ScClientError): void {
    const { name } = call;
    // Released while in flight: nothing is left to update.
    if (this.#entries.get(name) !== call) return;
    // A lost connection leaves the channel pending for the next session; only the server's refusal is final.
    if (!(error instanceof RemoteError) || this.#waitsForAuth(name)) this.#entries.set(name, 'pending');
    else this.#drop(name, new ChannelSubscribeError(name, error));
  }

  /** Whether `channel` names a held channel; what does not is reported (unless it is being left). */
  #held(channel: unknown, event: string): channel is string {
    if (typeof channel !== 'string') {
      this.#host.report(new ProtocolError('malformed-packet', `Received ${event} without a channel name`));
      return false;
    }
    const held = this.#entries.has(channel);
    if (!held && !this.#leaving?.has(channel)) {
      this.#host.report(
        new ProtocolError('unknown-channel', `Received ${event} for ${quote(channel)}, a channel not held`),
      );
    }
    return held;
  }

  #drop(name: string, error: ChannelKickOutError | ChannelSubscribeError): void {
    this.#set(name, 'unsubscribed');
    this.#sink.channelFailed(name, toErrorRecord(error));
  }

  #requestOf(name: string): ChannelRequest {
    return this.#requests?.get(name) ?? NO_REQUEST;
  }

  #waitsForAuth(name: string): boolean {
    return !!this.#requestOf(name).waitForAuth && !this.#host.isAuthenticated();
  }

  /** Sends the `#subscribe` of `name`, if it is pending with none in flight and can be sent now. */
  #request(name: string): void {
    const session = this.#host.session();
    if (!session || this.#entries.get(name) !== 'pending' || this.#waitsForAuth(name)) return;
    const { data, waitForAuth } = this.#requestOf(name);
    const payload: { channel: string; data?: unknown; waitForAuth?: true } = { channel: name };
    if (data !== undefined) payload.data = data;
    if (waitForAuth) payload.waitForAuth = true;
    const call = new Subscribing(name, this);
    if (this.#rpc.request(session, ScEvent.subscribe, payload, call)) this.#entries.set(name, call);
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

  /** Puts `name` in `state` (`unsubscribed` takes it out); returns the state it was in. */
  #set(name: string, state: ChannelState): ChannelState {
    const previous = this.state(name);
    if (state === 'unsubscribed') {
      this.#entries.delete(name);
      this.#requests?.delete(name);
    } else {
      this.#entries.set(name, state);
    }
    if (previous === state) return previous;
    if (!isChannelTransition(previous, state)) {
      this.#host.report(
        new ProtocolError('illegal-transition', `Channel ${quote(name)}: ${previous} -> ${state}`),
      );
    }
    this.#sink.channelState(name, state, previous);
    return previous;
  }
}
