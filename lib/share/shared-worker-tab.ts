import type { HubMessage, SharedWorkerLike, TabMessage } from './messages';
import { holdTabLock, type LocksLike } from './share-scope';
import type { TabPort } from './tab-port';

/**
 * Shared-worker sharing, a tab's side: the tab talks to the hub in the worker over the worker's `MessagePort`. It
 * holds its tab lock first (where there are Web Locks), so that the worker learns when it is gone, even without a
 * `bye`.
 * @internal
 */
export function joinSharedWorker(
  port: TabPort,
  worker: SharedWorkerLike,
  locks: LocksLike | undefined,
): void {
  const messages = worker.port;
  messages.addEventListener('message', ({ data }) => port.receive(data as HubMessage));
  messages.start();
  let closed = false;
  let releaseTab: (() => void) | undefined;
  port.onClose = () => {
    closed = true;
    releaseTab?.();
  };
  void holdTabLock(locks, port.id).then((release) => {
    releaseTab = release;
    if (closed) {
      release();
      return;
    }
    port.join((message: TabMessage) => messages.postMessage(message));
  });
}
