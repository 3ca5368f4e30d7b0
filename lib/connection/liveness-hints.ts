/** What the page's hints act on. */
export interface HintTarget {
  /** Cut a pending reconnect delay short. */
  wake(): void;
  /** Check that the open connection is still alive (timers of hidden pages are throttled). */
  checkLiveness(): void;
}

/**
 * Browsers: reconnect now rather than at the end of the backoff delay when the network comes back (`online`) or
 * the page becomes visible, and (when visible again) check that the open connection is still alive. Returns the
 * function that removes the listeners. Never installed unless the `livenessHints` option asks (no global listener
 * by default).
 * @internal
 */
export function listenToPage(target: HintTarget): () => void {
  const page = globalThis as unknown as EventTarget & { document?: Document };
  const doc = page.document;
  const onOnline = () => target.wake();
  const onVisible = () => {
    if (doc?.visibilityState !== 'visible') return;
    target.checkLiveness();
    target.wake();
  };
  page.addEventListener('online', onOnline);
  doc?.addEventListener('visibilitychange', onVisible);
  return () => {
    page.removeEventListener('online', onOnline);
    doc?.removeEventListener('visibilitychange', onVisible);
  };
}
