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
