import type { BehaviorSubject } from 'rxjs';
import type { RefreshToken } from '../auth/refresh-host';
import type { ChannelRequest } from '../channels/channel-request';
import type { ChannelState } from '../channels/channel-state';
import type {
  CommandMessage,
  EngineCommands,
  EngineEvents,
  EngineView,
  EventMessage,
  Frame,
} from '../engine/port';
import type { ErrorRecord } from '../errors';
import { INFO, WARN, type Log } from '../logging/log';
import { goAlone } from './go-alone';
import type { HubMessage, SharedOptions, ShareState, TabMessage } from './messages';
import { Outbox } from './outbox';
import { TabRefresh } from './shared-refresh';

/**
 * A tab's side of a shared connection: the engine's port, as the facade sees it, over a link to a hub (in a
 * shared worker, in the leader tab, or in this tab when it leads). It keeps what the tab holds (channels, served
 * procedures, its demand for a connection) to say it again in its `hello` whenever it joins a hub, and queues its
 * other commands until the hub has welcomed it.
 *
 * When the hub changes (the leader tab left), the calls sent to the old one fail with a `ConnectionError`, as on a
 * lost connection, except those with `resend`, which go to the new one; channels come back with the new hub's
 * `#subscribe`.
 * @internal
 */
export class TabPort implements EngineCommands, EngineView {
  readonly id: string;
  readonly #events: EngineEvents;
  readonly #log: Log | undefined;
  readonly #options: SharedOptions | undefined;
  readonly #share: BehaviorSubject<ShareState>;
  /** Runs the client's token refresh function when the hub asks (a shared worker's hub, which has none). */
  readonly #refresh: TabRefresh | undefined;
  /** The link to the hub that this tab said `hello` to, and the same once that hub welcomed it. */
  #link: ((message: TabMessage) => void) | undefined;
  #hub: ((message: TabMessage) => void) | undefined;
  #holder: string | undefined;
  readonly #channels = new Map<string, ChannelRequest>();
  readonly #states = new Map<string, ChannelState>();
  readonly #procedures = new Set<string>();
  /** The commands queued until the hub welcomes this tab, and the calls sent to it. */
  readonly #outbox: Outbox;
  #demand = false;
  #closed = false;
  /** The engine of this tab's own, once the hub turned it away. */
  #own: (EngineCommands & EngineView) | undefined;
  /** Called once, when the client closes (or goes alone). */
  onClose: (() => void) | undefined;
  /** Makes this tab an engine of its own, for when the hub turns it away. */
  alone: (() => EngineCommands & EngineView) | undefined;

  constructor(
    id: string,
    mode: ShareState['mode'],
    events: EngineEvents,
    share$: BehaviorSubject<ShareState>,
    log: Log | undefined,
    options?: SharedOptions,
    refresh?: RefreshToken,
  ) {
    this.id = id;
    this.#events = events;
    this.#outbox = new Outbox(events);
    this.#log = log;
    this.#options = options;
    this.#share = share$;
    this.#refresh = refresh && new TabRefresh(id, refresh);
    share$.next({ mode, role: 'joining', tabs: 0, tab: id, holder: '' });
  }

  /** The tab (or `worker`) that holds the connection this tab joined, if it has. */
  get holder(): string | undefined {
    return this.#holder;
  }

  /**
   * Joins the hub that `link` reaches (again, after a new leader was elected): calls sent to an earlier hub fail
   * or go again, and the `hello` says what this tab holds.
   */
  join(link: (message: TabMessage) => void): void {
    if (this.#closed || this.#own) return;
    if (this.#hub) this.#lost();
    this.#hub = undefined;
    this.#link = link;
    this.#share.next({ ...this.#share.getValue(), role: 'joining', holder: '' });
    link({
      t: 'hello',
      tab: this.id,
      channels: [...this.#channels],
      procedures: [...this.#procedures],
      demand: this.#demand,
      ...(this.#options && { options: this.#options }),
      ...(this.#refresh && { refresh: true }),
    });
  }

  /** A message from the hub (one for another tab is ignored). */
  receive(message: HubMessage): void {
    if (this.#closed || this.#own) return;
    switch (message.t) {
      case 'welcome':
        if (message.to !== this.id) return;
        this.#welcome(message);
        return;
      case 'refused':
        if (message.to === this.id && !this.#hub) this.#refused(message.error);
        return;
      case 'evt':
        if (message.to === this.id && this.#hub) this.#event(message.m);
        return;
      case 'tabs':
        if (this.#hub) this.#share.next({ ...this.#share.getValue(), tabs: message.tabs });
        return;
      case 'refresh':
        if (message.to === this.id && this.#hub) this.#refresh?.run(message, this.#hub);
        return;
      default:
    }
  }

  #welcome(message: Extract<HubMessage, { t: 'welcome' }>): void {
    const hub = this.#link;
    if (!hub) return;
    this.#hub = hub;
    this.#holder = message.holder;
    const leader = message.holder === this.id;
    this.#share.next({
      ...this.#share.getValue(),
      role: leader ? 'leader' : 'follower',
      tabs: message.tabs,
      holder: message.holder,
    });
    this.#log?.write(
      INFO,
      leader
        ? `share: this tab (${this.id}) holds the connection (${message.tabs} tab(s))`
        : message.holder === 'worker'
          ? `share: the shared worker holds the connection (${message.tabs} tab(s))`
          : `share: tab ${message.holder} holds the connection (${message.tabs} tab(s))`,
    );
    if (message.state) this.#events.connectionState(message.state);
    this.#events.authState(message.auth);
    for (const command of this.#outbox.take()) this.#send(hub, command);
  }

  /** The hub turned this tab away: the error goes to `errors$`, and the tab holds a connection of its own. */
  #refused(error: ErrorRecord): void {
    const own = this.alone?.();
    this.#log?.write(WARN, `share: the shared connection refused this tab: ${error.message}`);
    this.#events.diagnostic(error);
    if (!own) return;
    this.#own = own;
    this.onClose?.();
    this.onClose = undefined;
    goAlone(own, this.#share, this.#channels, this.#procedures, this.#demand, this.#outbox.take());
  }

  #event(message: EventMessage): void {
    switch (message.name) {
      case 'channelState': {
        const [channel, state] = message.args;
        if (state === 'unsubscribed') this.#states.delete(channel);
        else this.#states.set(channel, state);
        break;
      }
      case 'callResult':
      case 'callFailed':
        if (!this.#outbox.settled(message.args[0])) return;
        break;
      default:
    }
    (this.#events[message.name] as (...args: unknown[]) => void).apply(this.#events, message.args);
  }

  /** The hub this tab had joined is gone: what was sent to it is lost. */
  #lost(): void {
    this.#outbox.lost();
    for (const [channel, state] of this.#states) {
      if (state === 'subscribed') this.#events.channelState(channel, 'pending', state);
      this.#states.set(channel, 'pending');
    }
  }

  #send(hub: (message: TabMessage) => void, command: CommandMessage): void {
    this.#outbox.sent(command);
    hub({ t: 'cmd', tab: this.id, m: command });
  }

  #command(command: CommandMessage): void {
    if (this.#closed) return;
    if (this.#own) (this.#own[command.name] as (...args: unknown[]) => void).apply(this.#own, command.args);
    else if (this.#hub) this.#send(this.#hub, command);
    else this.#outbox.queue(command);
  }

  /**
   * A command that changes what the tab holds: said in the `hello` when no hub was asked yet; queued like the others
   * between the `hello` and the welcome (the hub takes it again harmlessly).
   */
  #held(command: CommandMessage): void {
    if (this.#link) this.#command(command);
  }

  // EngineCommands

  connect(): void {
    this.#demand = true;
    this.#held({ name: 'connect', args: [] });
  }

  disconnect(code: number, reason: string): void {
    this.#demand = false;
    this.#command({ name: 'disconnect', args: [code, reason] });
  }

  close(): void {
    if (this.#closed) return;
    this.#hub?.({ t: 'bye', tab: this.id });
    this.#closed = true;
    this.#refresh?.stop();
    this.#own?.close();
    if (this.#own) return;
    this.#outbox.close();
    this.#share.complete();
    this.onClose?.();
    this.#events.closed();
  }

  invoke(call: number, event: string, frame: Frame, timeout: number, resend: boolean): void {
    this.#command({ name: 'invoke', args: [call, event, frame, timeout, resend] });
  }

  cancel(call: number): void {
    if (!this.#outbox.cancel(call)) this.#command({ name: 'cancel', args: [call] });
  }

  transmit(event: string, frame: Frame): void {
    this.#command({ name: 'transmit', args: [event, frame] });
  }

  respond(session: number, frame: Frame): void {
    this.#command({ name: 'respond', args: [session, frame] });
  }

  subscribe(channel: string, request: ChannelRequest): void {
    this.#channels.set(channel, request);
    this.#held({ name: 'subscribe', args: [channel, request] });
  }

  unsubscribe(channel: string): void {
    this.#channels.delete(channel);
    if (this.#link) {
      this.#held({ name: 'unsubscribe', args: [channel] });
      return;
    }
    const state = this.#states.get(channel);
    this.#states.delete(channel);
    if (state) this.#events.channelState(channel, 'unsubscribed', state);
  }

  authenticate(call: number, token: string): void {
    this.#command({ name: 'authenticate', args: [call, token] });
  }

  deauthenticate(): void {
    this.#command({ name: 'deauthenticate', args: [] });
  }

  sampleStats(request: number): void {
    this.#command({ name: 'sampleStats', args: [request] });
  }

  listen(procedure: string, on: boolean): void {
    if (on) this.#procedures.add(procedure);
    else this.#procedures.delete(procedure);
    this.#held({ name: 'listen', args: [procedure, on] });
  }

  // EngineView

  channelState(channel: string): ChannelState {
    if (this.#own) return this.#own.channelState(channel);
    return this.#states.get(channel) ?? (this.#channels.has(channel) ? 'pending' : 'unsubscribed');
  }
}
