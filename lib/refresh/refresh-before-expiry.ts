import {
  EMPTY,
  defer,
  distinctUntilChanged,
  first,
  from,
  ignoreElements,
  map,
  retry,
  switchMap,
  timer,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { AuthenticatedState, AuthState } from '../auth/auth-state';
import type { RefreshHost, RefreshToken } from '../auth/refresh-host';
import { backoffDelay, type BackoffOptions } from '../connection/backoff-delay';
import { AuthRefreshError } from '../errors';

/** The settings of a client's token refresh. @internal */
export interface RefreshSettings {
  readonly refresh: RefreshToken;
  /** How long before `exp` to refresh, in ms. */
  readonly margin: number;
  readonly backoff: BackoffOptions;
  readonly scheduler: SchedulerLike;
}

// Refresh `margin` before expiry, but never earlier than half-way through the token's life, so that a short-lived
// token does not start a refresh loop.
function refreshDelay(state: AuthenticatedState, margin: number, now: number): number {
  const expiresAt = state.expiresAt ?? now;
  const issuedAt = typeof state.claims.iat === 'number' ? state.claims.iat * 1000 : now;
  return Math.max(0, expiresAt - Math.min(margin, Math.max(0, (expiresAt - issuedAt) / 2)) - now);
}

/**
 * For each authenticated state whose token expires, waits until shortly before `exp`, fetches a new token with
 * `refresh` and authenticates with it through the auth controller (`host`), retrying failures with backoff (each
 * reported as `AuthRefreshError`). A new token, or leaving the authenticated state, cancels what was scheduled for
 * the previous one.
 * @internal
 */
export function refreshBeforeExpiry(
  state$: Observable<AuthState>,
  host: RefreshHost,
  settings: RefreshSettings,
): Subscription {
  const once = (state: AuthenticatedState): Observable<never> => {
    let failures = 0;
    const failed = (cause: unknown) => host.report(new AuthRefreshError(++failures, { cause }));
    return defer(() => from(settings.refresh(state))).pipe(
      // A refresh that ends without a token is a failure too (first() errors with EmptyError).
      first(),
      switchMap((token) => {
        if (typeof token !== 'string' || token === '')
          throw new TypeError('The refresh function produced no token');
        return host.checkRefreshed(token);
      }),
      // A refusal is reported from inside: it makes the client unauthenticated, which ends this refresh.
      switchMap((candidate) => host.authenticateRefreshed(candidate, failed)),
      retry({
        delay: (error: unknown) => {
          failed(error);
          return timer(backoffDelay(failures - 1, settings.backoff), settings.scheduler);
        },
      }),
      ignoreElements(),
    );
  };
  return state$
    .pipe(
      map((s) => (s.state === 'authenticated' && s.expiresAt !== undefined ? s : undefined)),
      distinctUntilChanged((a, b) => a?.token === b?.token),
      switchMap((s) =>
        s
          ? timer(refreshDelay(s, settings.margin, settings.scheduler.now()), settings.scheduler).pipe(
              switchMap(() => once(s)),
            )
          : EMPTY,
      ),
    )
    .subscribe();
}
