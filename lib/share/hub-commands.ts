import type { Codec } from '../codec/codec';
import type { CommandMessage, EngineCommands, EngineView } from '../engine/port';
import type { HubChannels } from './hub-channels';
import type { HubIds } from './hub-ids';
import type { TabLink } from './messages';

/** A tab that joined a hub: how to reach it, and what it holds. */
export interface Tab {
  link: TabLink;
  procedures: Set<string>;
}

/** What a tab's command works with besides the hub's engine: the hub's ids and channels, and its `leave`. */
export interface CommandContext {
  /** The hub's call ids (even, as the facade's). */
  readonly calls: HubIds;
  /** The hub's stats requests. */
  readonly samples: HubIds;
  /** The tabs that hold each channel. */
  readonly channels: HubChannels;
  /** Releases what tab `id` held. */
  readonly leave: (id: string) => void;
}

/**
 * Carries out tab `id`'s command on the hub's engine: calls and stats requests under ids of the hub's own (an
 * invoke's frame re-encoded with it), channels reference-counted, procedures noted for server invokes, and the
 * rest passed on as it is.
 * @internal
 */
export function runCommand(
  { calls, samples, channels, leave }: CommandContext,
  { engine, codec }: { readonly engine: EngineCommands & EngineView; readonly codec: Codec },
  id: string,
  tab: Tab,
  message: CommandMessage,
): void {
  switch (message.name) {
    case 'invoke': {
      const [own, event, frame, timeout, resend] = message.args;
      const call = calls.issue(id, own);
      // The tab's frame carries the tab's call id: it goes to the server with the hub's.
      engine.invoke(
        call,
        event,
        codec.encode({ ...(codec.decode(frame) as object), cid: call }),
        timeout,
        resend,
      );
      return;
    }
    case 'authenticate':
      engine.authenticate(calls.issue(id, message.args[0]), message.args[1]);
      return;
    case 'cancel': {
      const call = calls.withdraw(id, message.args[0]);
      if (call !== undefined) engine.cancel(call);
      return;
    }
    case 'sampleStats':
      engine.sampleStats(samples.issue(id, message.args[0], true));
      return;
    case 'subscribe':
      channels.hold(engine, id, message.args[0], message.args[1]);
      return;
    case 'unsubscribe':
      channels.release(engine, id, message.args[0], true);
      return;
    case 'listen':
      if (message.args[1]) tab.procedures.add(message.args[0]);
      else tab.procedures.delete(message.args[0]);
      return;
    case 'close':
      leave(id);
      return;
    default:
      // connect, disconnect, transmit, respond, deauthenticate: the same for every tab.
      (engine[message.name] as (...args: unknown[]) => void)(...message.args);
  }
}
