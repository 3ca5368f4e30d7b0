import { filter, firstValueFrom, timeout, type Observable } from 'rxjs';
import type { ConnectionState } from '../../lib';

/** The first state that matches, failing after `ms`. */
export function waitForState(
  state$: Observable<ConnectionState>,
  match: (state: ConnectionState) => boolean,
  ms = 5000,
): Promise<ConnectionState> {
  return firstValueFrom(state$.pipe(filter(match), timeout(ms)));
}

/** Resolves when `check()` holds, polling each event-loop turn, failing after `ms`. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Resources (handles, timers, requests) active now beyond those in `baseline`, the terminal left out. */
export function extraResources(baseline: readonly string[]): string[] {
  const left = [...baseline];
  return process.getActiveResourcesInfo().filter((resource) => {
    const i = left.indexOf(resource);
    if (i >= 0) left.splice(i, 1);
    return i < 0 && resource !== 'TTYWrap';
  });
}

/**
 * The resources left beyond `baseline` once they have had `ms` to settle: the client's side of a WebSocket close
 * handshake ends a moment after the server's, so a handle still there after `ms` is one the code really leaks.
 */
export async function leftoverResources(baseline: readonly string[], ms = 2000): Promise<string[]> {
  await until(() => extraResources(baseline).length === 0, ms).catch(() => undefined);
  return extraResources(baseline);
}

/**
 * Lets the microtasks queued so far run: the write batcher sends the rest of a burst from one (a promise job, which
 * fake timers neither hold nor run).
 */
export async function microtasks(): Promise<void> {
  await Promise.resolve();
}
