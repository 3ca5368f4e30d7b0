import type { HubMessage, TabLink, TabMessage } from './messages';
import type { ShareHub } from './share-hub';
import { holdTabLock, watchTab, type BroadcastChannelLike, type LocksLike } from './share-scope';
import type { TabPort } from './tab-port';

/**
 * Leader-tab sharing: the tabs elect a leader with a Web Lock (`<key>:leader`), which holds the connection in a
 * {@link ShareHub} of its own; the others reach it over a `BroadcastChannel` named `key`. When the leader goes
 * (closed, crashed, its client closed), the lock passes to a waiting tab, which makes a hub, announces itself
 * (`leader`), and every other tab joins it again: channels come back with one `#subscribe` each, and the token
 * is the one the leader's store holds (a page's `localStorage` is the origin's).
 *
 * Each tab also holds a lock of its own while it lives, which the leader asks for: granted, it means the tab is
 * gone, and what it held is released.
 * @internal
 */
export function leadOrFollow(
  port: TabPort,
  locks: LocksLike,
  channel: BroadcastChannelLike,
  key: string,
  makeHub: (holder: string) => ShareHub,
): void {
  let hub: ShareHub | undefined;
  let resign: (() => void) | undefined;
  let releaseTab: (() => void) | undefined;
  const ended = new AbortController();
  const toHub = (message: TabMessage) => channel.postMessage(message);
  const toFollowers: TabLink = (message) => channel.postMessage(message);
  const watched = new Set<string>();

  channel.addEventListener('message', ({ data }) => {
    const message = data as TabMessage | HubMessage;
    switch (message.t) {
      case 'hello':
        if (!hub) return;
        hub.receive(message, toFollowers);
        if (watched.has(message.tab)) return;
        watched.add(message.tab);
        watchTab(locks, message.tab, ended.signal, () => {
          watched.delete(message.tab);
          hub?.leave(message.tab);
        });
        return;
      case 'cmd':
      case 'bye':
      case 'refreshed':
        hub?.receive(message, toFollowers);
        return;
      case 'leader':
        // A new leader: join it (a tab that leads has no other).
        if (!hub && message.id !== port.holder) port.join(toHub);
        return;
      default:
        port.receive(message);
    }
  });

  port.onClose = () => {
    ended.abort();
    hub?.close();
    resign?.();
    releaseTab?.();
    channel.close();
  };

  void holdTabLock(locks, port.id).then((release) => {
    releaseTab = release;
    if (ended.signal.aborted) {
      release();
      return;
    }
    // A follower until elected: the current leader, if any, welcomes this tab.
    port.join(toHub);
    locks
      .request(`${key}:leader`, { signal: ended.signal }, () => {
        const own = (hub = makeHub(port.id));
        port.join((message) => own.receive(message, (answer) => port.receive(answer)));
        channel.postMessage({ t: 'leader', id: port.id } satisfies HubMessage);
        return new Promise<void>((done) => (resign = done));
      })
      .catch(() => undefined); // aborted: the client closed before it was elected
  });
}
