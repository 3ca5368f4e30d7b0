/**
 * What sharing needs of the browser's global scope, typed as far as it is used, so that a test can hand in fakes:
 * Web Locks (`navigator.locks`), `BroadcastChannel`, `SharedWorker`, and page events.
 * @internal
 */

/** `navigator.locks`: the Web Locks API. */
export interface LocksLike {
  request(
    name: string,
    options: { readonly signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}

/** A `BroadcastChannel`. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  close(): void;
}

/** The global scope of a page or worker, as sharing reads it. */
export interface ShareScope {
  readonly navigator?: { readonly locks?: LocksLike };
  readonly BroadcastChannel?: new (name: string) => BroadcastChannelLike;
  readonly SharedWorker?: unknown;
}

/**
 * Holds the lock of tab `id` for as long as the tab lives: a hub that asks for the same lock gets it when the tab
 * is gone, even when it died without a word (a crash, a killed process). Resolves once held, with its release;
 * at once, with nothing to release, where there are no Web Locks.
 */
export function holdTabLock(locks: LocksLike | undefined, id: string): Promise<() => void> {
  if (!locks) return Promise.resolve(() => undefined);
  return new Promise((held) => {
    void locks.request(tabLock(id), {}, () => new Promise<void>((release) => held(release)));
  });
}

/** Calls `gone` when tab `id` no longer holds its lock, unless `signal` aborts first. */
export function watchTab(
  locks: LocksLike | undefined,
  id: string,
  signal: AbortSignal,
  gone: () => void,
): void {
  // An aborted request rejects: that is the expected end of a watch.
  locks?.request(tabLock(id), { signal }, gone).catch(() => undefined);
}

/** The lock a tab holds while it lives (tab ids are random: one name for all clients). */
function tabLock(id: string): string {
  return `rx-socketcluster:tab:${id}`;
}
