import type { MessagePortLike, TabLink, TabMessage } from './messages';
import { ShareHub, type MakeEngine } from './share-hub';
import type { LocksLike } from './share-scope';
import { watchTab } from './share-scope';

/** The global scope of a shared worker, as far as {@link serveHub} uses it. */
export interface SharedWorkerScopeLike {
  readonly navigator?: { readonly locks?: LocksLike };
  addEventListener(
    type: 'connect',
    listener: (event: { readonly ports: readonly MessagePortLike[] }) => void,
  ): void;
}

/**
 * Shared-worker sharing, the worker's side: one {@link ShareHub} for every tab that connects, made with the first
 * tab's options, closing its engine when the last tab leaves. A tab leaves with its `bye`, or when the worker gets
 * the tab's lock (the tab is gone).
 * @internal
 */
export function serveHub(scope: SharedWorkerScopeLike, make: MakeEngine): void {
  const hub = new ShareHub(make, 'worker', true);
  const locks = scope.navigator?.locks;
  const never = new AbortController().signal;
  scope.addEventListener('connect', ({ ports }) => {
    const [messages] = ports;
    if (!messages) return;
    const link: TabLink = (message) => messages.postMessage(message);
    messages.addEventListener('message', ({ data }) => {
      const message = data as TabMessage;
      if (message.t === 'hello' && !hub.has(message.tab)) {
        watchTab(locks, message.tab, never, () => hub.leave(message.tab));
      }
      hub.receive(message, link);
    });
    messages.start();
  });
}
