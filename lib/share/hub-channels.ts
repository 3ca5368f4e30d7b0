import type { ChannelRequest } from '../channels/channel-request';
import type { EngineCommands, EngineView, EventMessage } from '../engine/port';

type ChannelEngine = Pick<EngineCommands & EngineView, 'subscribe' | 'unsubscribe' | 'channelState'>;

/**
 * The channels of a shared connection, reference-counted across tabs: the engine holds a channel while any tab does
 * (one `#subscribe`) and lets it go with the last (one `#unsubscribe`). A tab that joins a channel held already is
 * told its state; one that leaves it while others stay is told it is `unsubscribed`.
 * @internal
 */
export class HubChannels {
  /** The tabs that hold each channel, and the channels each tab holds. */
  readonly #holders = new Map<string, Set<string>>();
  readonly #held = new Map<string, Set<string>>();
  readonly #tell: (tab: string, message: EventMessage) => void;

  constructor(tell: (tab: string, message: EventMessage) => void) {
    this.#tell = tell;
  }

  /** The tabs that hold `channel`. */
  holders(channel: string): ReadonlySet<string> {
    return this.#holders.get(channel) ?? new Set();
  }

  /** The channels `tab` holds. */
  of(tab: string): ReadonlySet<string> {
    return this.#held.get(tab) ?? new Set();
  }

  hold(engine: ChannelEngine, tab: string, channel: string, request: ChannelRequest): void {
    const held = this.#held.get(tab) ?? new Set<string>();
    this.#held.set(tab, held);
    if (held.has(channel)) return;
    held.add(channel);
    const holders = this.#holders.get(channel);
    if (holders) {
      holders.add(tab);
      // Held already, for other tabs: this one learns its state now.
      this.#tell(tab, {
        name: 'channelState',
        args: [channel, engine.channelState(channel), 'unsubscribed'],
      });
    } else {
      this.#holders.set(channel, new Set([tab]));
      engine.subscribe(channel, request);
    }
  }

  /** `tab` lets `channel` go; `tell` it that its channel is now `unsubscribed` (not when the tab is gone). */
  release(engine: ChannelEngine, tab: string, channel: string, tell: boolean): void {
    if (!this.#held.get(tab)?.delete(channel)) return;
    const holders = this.#holders.get(channel);
    if (!holders) return;
    if (holders.size === 1) {
      // The last holder: the engine's `unsubscribed` event still reaches it.
      engine.unsubscribe(channel);
      this.#holders.delete(channel);
      return;
    }
    holders.delete(tab);
    if (tell) {
      this.#tell(tab, {
        name: 'channelState',
        args: [channel, 'unsubscribed', engine.channelState(channel)],
      });
    }
  }

  /** `tab` is gone: every channel it held is released. */
  leave(engine: ChannelEngine, tab: string): void {
    for (const channel of [...this.of(tab)]) this.release(engine, tab, channel, false);
    this.#held.delete(tab);
  }

  /** The engine dropped `channel` (refused, kicked out): no tab holds it any more. */
  dropped(channel: string): void {
    for (const tab of this.holders(channel)) this.#held.get(tab)?.delete(channel);
    this.#holders.delete(channel);
  }
}
