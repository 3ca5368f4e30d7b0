import type { BehaviorSubject } from 'rxjs';
import type { ChannelRequest } from '../channels/channel-request';
import type { CommandMessage, EngineCommands } from '../engine/port';
import type { ShareState } from './share-state';

/** The commands that change what a tab holds: their net effect is in the tab's channels, procedures and demand. */
const HELD = new Set<CommandMessage['name']>(['connect', 'disconnect', 'subscribe', 'unsubscribe', 'listen']);

/**
 * A tab the hub turned away goes alone: `share$` says so (and ends), and the tab's engine of its own gets what the
 * tab holds and the commands it queued for the hub: its channels, procedures and demand for a connection first,
 * then the rest of the queue, in order.
 * @internal
 */
export function goAlone(
  own: EngineCommands,
  share$: BehaviorSubject<ShareState>,
  channels: ReadonlyMap<string, ChannelRequest>,
  procedures: ReadonlySet<string>,
  demand: boolean,
  queue: readonly CommandMessage[],
): void {
  share$.next({ mode: 'off', role: 'alone', tabs: 1, tab: '', holder: '' });
  share$.complete();
  for (const [channel, request] of channels) own.subscribe(channel, request);
  for (const procedure of procedures) own.listen(procedure, true);
  if (demand) own.connect();
  for (const { name, args } of queue) {
    if (!HELD.has(name)) (own[name] as (...values: unknown[]) => void).apply(own, args);
  }
}
