import { BehaviorSubject } from 'rxjs';
import { resolveOptions } from '../../lib/client/options';
import { Engine } from '../../lib/engine/engine';
import type { EngineEvents } from '../../lib/engine/port';
import { leadOrFollow } from '../../lib/share/leader-tab';
import { ShareHub } from '../../lib/share/share-hub';
import type { BroadcastChannelLike, LocksLike } from '../../lib/share/share-scope';
import type { ShareState } from '../../lib/share/share-state';
import { TabPort } from '../../lib/share/tab-port';
import { fakeWebSocket, type FakeWebSocket } from '../support/fake-web-socket';

// The election of a leader tab, with a fake Web Locks manager and a fake BroadcastChannel that are shared by the
// "pages" of one browser, in virtual time: a page can crash, which releases its locks and closes its channels
// without a word, as a browser does for a killed tab.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** One browser's Web Locks: exclusive locks, granted in request order; a crashed page's locks are released. */
class FakeLockManager {
  readonly #held = new Map<string, { page: string; release: () => void }>();
  readonly #waiting = new Map<string, { page: string; grant: () => void }[]>();

  view(page: string): LocksLike {
    return {
      request: (name, { signal }, callback) =>
        new Promise((resolve, reject) => {
          const grant = () => {
            let released = false;
            const release = () => {
              if (released) return;
              released = true;
              this.#held.delete(name);
              resolve(undefined);
              this.#waiting.get(name)?.shift()?.grant();
            };
            this.#held.set(name, { page, release });
            void Promise.resolve(callback()).then(release);
          };
          if (!this.#held.has(name)) {
            grant();
            return;
          }
          const entry = { page, grant };
          const queue = this.#waiting.get(name) ?? [];
          this.#waiting.set(name, [...queue, entry]);
          signal?.addEventListener('abort', () => {
            this.#waiting.set(
              name,
              (this.#waiting.get(name) ?? []).filter((e) => e !== entry),
            );
            reject(new Error('aborted'));
          });
        }),
    };
  }

  /** The page is gone: its requests are dropped and its locks released. */
  crash(page: string): void {
    for (const [name, queue] of this.#waiting)
      this.#waiting.set(
        name,
        queue.filter((e) => e.page !== page),
      );
    for (const held of [...this.#held.values()]) if (held.page === page) held.release();
  }
}

/** One browser's BroadcastChannels: a message reaches every other open channel of its name, a task later. */
class FakeChannelBus {
  readonly #open = new Set<{ page: string; name: string; listener?: (event: { data: unknown }) => void }>();

  channel(page: string, name: string): BroadcastChannelLike {
    const entry: { page: string; name: string; listener?: (event: { data: unknown }) => void } = {
      page,
      name,
    };
    this.#open.add(entry);
    return {
      postMessage: (message) => {
        for (const other of this.#open) {
          if (other === entry || other.name !== name) continue;
          const data = structuredClone(message);
          setTimeout(() => this.#open.has(other) && other.listener?.({ data }), 0);
        }
      },
      addEventListener: (_type, listener) => (entry.listener = listener),
      close: () => this.#open.delete(entry),
    };
  }

  crash(page: string): void {
    for (const entry of this.#open) if (entry.page === page) this.#open.delete(entry);
  }
}

function browser() {
  const locks = new FakeLockManager();
  const bus = new FakeChannelBus();
  const ws = fakeWebSocket();
  const resolved = resolveOptions({
    url: 'ws://example.test/socketcluster/',
    WebSocket: ws.WebSocket,
    batchWrites: false,
  });
  /** A page whose client shares with leader-tab. */
  const page = (id: string) => {
    const share$ = new BehaviorSubject<ShareState>({} as ShareState);
    const facade = new Proxy({} as EngineEvents, { get: () => () => undefined });
    const port = new TabPort(id, 'leader-tab', facade, share$, undefined);
    leadOrFollow(
      port,
      locks.view(id),
      bus.channel(id, 'rx-socketcluster:app'),
      'rx-socketcluster:app',
      (holder) =>
        new ShareHub(
          (events) => ({ engine: new Engine(resolved, events), codec: resolved.codec }),
          holder,
          false,
        ),
    );
    const crash = () => {
      locks.crash(id);
      bus.crash(id);
    };
    return { port, share: () => share$.getValue(), crash };
  };
  return { ws, page };
}

const settle = () => jest.advanceTimersByTimeAsync(50);

function packets(socket: FakeWebSocket, event: string): unknown[] {
  return socket.sent
    .map((frame) => JSON.parse(frame as string) as { event?: string; data?: unknown })
    .filter((p) => p.event === event)
    .map((p) => p.data);
}

describe('leader-tab sharing', () => {
  it('elects one leader, which the other tabs join', async () => {
    const { page, ws } = browser();
    const [a, b, c] = [page('a'), page('b'), page('c')];
    await settle();
    expect(a.share()).toMatchObject({ role: 'leader', holder: 'a', tabs: 3 });
    expect(b.share()).toMatchObject({ role: 'follower', holder: 'a', tabs: 3 });
    expect(c.share()).toMatchObject({ role: 'follower', holder: 'a', tabs: 3 });
    b.port.subscribe('news', {});
    c.port.subscribe('news', {});
    b.port.connect();
    await settle();
    expect(ws.sockets).toHaveLength(1);
    const socket = ws.last().handshake();
    await settle();
    expect(packets(socket, '#subscribe')).toEqual([{ channel: 'news' }]);
  });

  it('hands over when the leader crashes: a follower leads and holds the channels again', async () => {
    const { page, ws } = browser();
    const [a, b, c] = [page('a'), page('b'), page('c')];
    await settle();
    b.port.subscribe('news', {});
    c.port.subscribe('news', {});
    c.port.connect();
    await settle();
    ws.last().handshake();

    a.crash();
    await settle();
    expect(b.share()).toMatchObject({ role: 'leader', holder: 'b', tabs: 2 });
    expect(c.share()).toMatchObject({ role: 'follower', holder: 'b', tabs: 2 });
    expect(ws.sockets).toHaveLength(2);
    const socket = ws.last().handshake();
    await settle();
    expect(packets(socket, '#subscribe')).toEqual([{ channel: 'news' }]);
  });

  it('releases the channels of a follower that crashed; the last holder lets a channel go', async () => {
    const { page, ws } = browser();
    const [a, b, c] = [page('a'), page('b'), page('c')];
    await settle();
    b.port.subscribe('news', {});
    c.port.subscribe('solo', {});
    a.port.connect();
    await settle();
    const socket = ws.last().handshake();
    await settle();
    for (const p of socket.sent.map((f) => JSON.parse(f as string) as { cid: number }))
      socket.receive({ rid: p.cid });

    c.crash();
    await settle();
    expect(packets(socket, '#unsubscribe')).toEqual(['solo']);
    expect(a.share().tabs).toBe(2);
    b.port.close();
    await settle();
    expect(packets(socket, '#unsubscribe')).toEqual(['solo', 'news']);
    expect(a.share().tabs).toBe(1);
  });
});
