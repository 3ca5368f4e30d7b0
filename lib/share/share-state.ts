// The public types of cross-tab sharing (the `share` option, `share$`), apart from the internal messages so
// that the public declarations reach nothing internal.

/** How a client's connection is shared across the tabs of one browser. */
export type ShareMode = 'off' | 'auto' | 'shared-worker' | 'leader-tab';

/**
 * Where this tab's connection is, for a debug panel: {@link Client.share$}.
 *
 * - `mode`: `off` when this client holds its own connection (sharing is off, or the browser has neither a
 *   SharedWorker nor Web Locks with BroadcastChannel), else `shared-worker` or `leader-tab`.
 * - `role`: `alone` (mode `off`); `joining` until the tab has joined the shared connection; `leader` when this tab
 *   holds it; `follower` when another tab or the shared worker holds it.
 * - `tabs`: the clients that share the connection (1 when alone, 0 while joining).
 * - `tab`: this client's id among them (random, new at each page load; `''` when alone).
 * - `holder`: who holds the connection: `worker`, or the id of the leader tab (`''` when alone or joining).
 */
export interface ShareState {
  readonly mode: 'off' | 'shared-worker' | 'leader-tab';
  readonly role: 'alone' | 'joining' | 'leader' | 'follower';
  readonly tabs: number;
  readonly tab: string;
  readonly holder: string;
}

/** A `SharedWorker`, as far as the client uses one. */
export interface SharedWorkerLike {
  readonly port: MessagePortLike;
}

/** A `MessagePort`, as far as the client uses one. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  start(): void;
}
