import type { AuthState } from '../auth/auth-state';
import { UNAUTHENTICATED } from '../auth/auth-state';
import type { RefreshToken } from '../auth/refresh-host';
import type { ChannelState } from '../channels/channel-state';
import type { ClientStats } from '../engine/stats';
import type {
  EngineCommands,
  EngineEvents,
  EngineView,
  EventMessage,
  PortConnectionState,
} from '../engine/port';
import type { Codec } from '../codec/codec';
import type { ErrorRecord } from '../errors';
import { runCommand, type CommandContext, type Tab } from './hub-commands';
import { HubChannels } from './hub-channels';
import { HubIds } from './hub-ids';
import type { SharedOptions, TabLink, TabMessage } from './messages';
import { HubRefresh } from './shared-refresh';
import { checkCodec, refusalRecord } from './refusal';

/** The hub's engine, and its codec. */
export interface HubEngine {
  readonly engine: EngineCommands & EngineView;
  readonly codec: Codec;
}

/** Makes the hub's engine, which reports to `events`, from the options of the tab that first joins. */
export type MakeEngine = (events: EngineEvents, options?: SharedOptions, refresh?: RefreshToken) => HubEngine;

/**
 * The engine of many tabs: one engine, and the tabs' facades behind it, each reached by a {@link TabLink}. It runs
 * in a shared worker or in the leader tab, and keeps what one engine cannot know of its many facades:
 *
 * - call ids: each tab draws even ids from its own counter, so the hub gives every call (and stats request) an id
 *   of its own (re-encoding an invoke's frame with it) and takes the answer back to the tab that asked, and to no
 *   other;
 * - channels, reference-counted: the engine holds a channel while any tab does (one `#subscribe`), and lets it go
 *   when the last one leaves (one `#unsubscribe`); messages and states go to the tabs that hold it;
 * - procedures: a server invoke goes to one tab, the first that serves the procedure;
 * - token refresh: the `refresh` given to the engine asks one tab whose client has a token refresh (`tokenRefresh()`) to run it
 *   ({@link HubRefresh}), for an engine without one of its own (a shared worker's);
 * - everything else (connection and auth states, server events, diagnostics) goes to every tab.
 *
 * A tab that leaves (its `bye`, or its host noticing it is gone) releases what it held.
 * @internal
 */
export class ShareHub implements EngineEvents {
  readonly #make: MakeEngine;
  /** `worker`, or the id of the leader tab. */
  readonly #holder: string;
  /** Whether the engine closes when the last tab leaves (a worker's), to open again with the next. */
  readonly #closeWhenEmpty: boolean;
  #engine: HubEngine | undefined;
  readonly #tabs = new Map<string, Tab>();
  /** The tabs that hold each channel. */
  readonly #channels = new HubChannels((id, message) => this.#to(id, message));
  /** The hub's call ids (even, as the facade's) and stats requests. */
  readonly #calls = new HubIds(2);
  readonly #samples = new HubIds(1);
  /** What a tab's command works with besides the engine. */
  readonly #commands: CommandContext = {
    calls: this.#calls,
    samples: this.#samples,
    channels: this.#channels,
    leave: (id) => this.leave(id),
  };
  readonly #refresh = new HubRefresh((id, message) => this.#tabs.get(id)?.link(message));
  /** The engine's last connection state; none while it is idle. */
  #state: PortConnectionState | undefined;
  #auth: AuthState = UNAUTHENTICATED;
  #closing = false;

  constructor(make: MakeEngine, holder: string, closeWhenEmpty: boolean) {
    this.#make = make;
    this.#holder = holder;
    this.#closeWhenEmpty = closeWhenEmpty;
  }

  /** The number of tabs joined. */
  get tabs(): number {
    return this.#tabs.size;
  }

  /** Whether tab `id` has joined. */
  has(id: string): boolean {
    return this.#tabs.has(id);
  }

  /** A message from tab `message.tab`, which `link` reaches. */
  receive(message: TabMessage, link: TabLink): void {
    if (this.#closing) return;
    if (message.t === 'hello') {
      this.#join(message, link);
    } else if (message.t === 'cmd') {
      const tab = this.#tabs.get(message.tab);
      if (tab && this.#engine) runCommand(this.#commands, this.#engine, message.tab, tab, message.m);
    } else if (message.t === 'refreshed') {
      this.#refresh.answer(message);
    } else {
      this.leave(message.tab);
    }
  }

  /** Tab `id` is gone: what it held is released. Nothing if it had left already. */
  leave(id: string): void {
    const tab = this.#tabs.get(id);
    const hub = this.#engine;
    if (!tab || !hub) return;
    this.#tabs.delete(id);
    this.#refresh.leave(id);
    const { engine } = hub;
    for (const call of this.#calls.drop(id)) engine.cancel(call);
    this.#samples.drop(id);
    this.#channels.leave(engine, id);
    if (this.#tabs.size === 0 && this.#closeWhenEmpty) {
      this.#engine = undefined;
      this.#closing = true;
      engine.close();
      this.#closing = false;
      this.#state = undefined;
      return;
    }
    this.#broadcastTabs();
  }

  /** Closes the engine; no event reaches a tab any more (a leader tab resigning). */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#engine?.engine.close();
    this.#tabs.clear();
  }

  /** A tab joins; one that had joined already (its `hello` crossed the new leader's announcement) is brought up to date. */
  #join(hello: Extract<TabMessage, { t: 'hello' }>, link: TabLink): void {
    let hub: HubEngine;
    try {
      // A tab the hub cannot serve is turned away, and the hub stays as it was (without an engine, if it had none).
      hub = this.#engine ??= this.#make(this, hello.options, this.#refresh.refresh);
      checkCodec(hub.codec, hello.options);
    } catch (error) {
      link({ t: 'refused', to: hello.tab, error: refusalRecord(error) });
      return;
    }
    const { engine } = hub;
    let tab = this.#tabs.get(hello.tab);
    if (tab) {
      tab.link = link;
      tab.procedures = new Set(hello.procedures);
      const keep = new Set(hello.channels.map(([channel]) => channel));
      for (const channel of [...this.#channels.of(hello.tab)]) {
        if (!keep.has(channel)) this.#channels.release(engine, hello.tab, channel, false);
      }
    } else {
      tab = { link, procedures: new Set(hello.procedures) };
      this.#tabs.set(hello.tab, tab);
    }
    link({
      t: 'welcome',
      to: hello.tab,
      holder: this.#holder,
      tabs: this.#tabs.size,
      ...(this.#state && { state: this.#state }),
      auth: this.#auth,
    });
    this.#broadcastTabs(hello.tab);
    for (const [channel, request] of hello.channels) this.#channels.hold(engine, hello.tab, channel, request);
    if (hello.demand) engine.connect();
    this.#refresh.join(hello.tab, hello.refresh === true);
  }

  #to(id: string, message: EventMessage): void {
    this.#tabs.get(id)?.link({ t: 'evt', to: id, m: message });
  }

  #all(message: EventMessage): void {
    if (this.#closing) return;
    for (const [id, tab] of this.#tabs) tab.link({ t: 'evt', to: id, m: message });
  }

  #holders(channel: string, message: EventMessage): void {
    if (this.#closing) return;
    for (const id of this.#channels.holders(channel)) this.#to(id, message);
  }

  #broadcastTabs(except?: string): void {
    const tabs = this.#tabs.size;
    for (const [id, tab] of this.#tabs) if (id !== except) tab.link({ t: 'tabs', tabs });
  }

  // EngineEvents: the engine's, to the tabs they concern.

  connectionState(state: PortConnectionState): void {
    this.#state = state;
    this.#all({ name: 'connectionState', args: [state] });
  }

  authState(state: AuthState): void {
    this.#auth = state;
    this.#all({ name: 'authState', args: [state] });
  }

  channelState(channel: string, state: ChannelState, previous: ChannelState): void {
    this.#holders(channel, { name: 'channelState', args: [channel, state, previous] });
  }

  channelMessage(channel: string, data: unknown): void {
    this.#holders(channel, { name: 'channelMessage', args: [channel, data] });
  }

  channelFailed(channel: string, error: ErrorRecord): void {
    this.#holders(channel, { name: 'channelFailed', args: [channel, error] });
    this.#channels.dropped(channel);
  }

  callResult(call: number, data: unknown): void {
    const caller = this.#settled(call);
    if (caller) this.#to(caller[0], { name: 'callResult', args: [caller[1], data] });
  }

  callFailed(call: number, error: ErrorRecord): void {
    const caller = this.#settled(call);
    if (caller) this.#to(caller[0], { name: 'callFailed', args: [caller[1], error] });
  }

  serverEvent(event: string, data: unknown): void {
    this.#all({ name: 'serverEvent', args: [event, data] });
  }

  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void {
    if (this.#closing) return;
    // One tab answers: the first that serves the procedure, or else any, which answers that nobody does.
    let chosen: string | undefined;
    for (const [id, tab] of this.#tabs) {
      chosen ??= id;
      if (tab.procedures.has(procedure)) {
        chosen = id;
        break;
      }
    }
    if (chosen !== undefined) {
      this.#to(chosen, { name: 'serverInvoke', args: [procedure, data, rid, session] });
    }
  }

  diagnostic(error: ErrorRecord): void {
    this.#all({ name: 'diagnostic', args: [error] });
  }

  stats(request: number, sample: ClientStats): void {
    const asker = this.#samples.owner(request);
    if (asker && !this.#closing) this.#to(asker[0], { name: 'stats', args: [asker[1], sample] });
  }

  closed(): void {
    // The hub closes its engine only when no tab is left, or when it resigns: nobody to tell.
  }

  #settled(call: number): readonly [string, number] | undefined {
    return this.#closing ? undefined : this.#calls.owner(call, true);
  }
}
