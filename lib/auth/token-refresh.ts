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
import { backoffDelay, type BackoffOptions } from '../connection/backoff-delay';
import { AuthRefreshError, type ScClientError } from '../errors';
import type { AuthState, TokenClaims } from './auth-state';

/** The authenticated state, as handed to a `refreshToken` function. */
export type AuthenticatedState = Extract<AuthState, { state: 'authenticated' }>;

/** Fetches a new signed token for the current one (from your auth service, say). */
export type RefreshToken = (current: AuthenticatedState) => Observable<string> | Promise<string>;

/** A token with its checked claims. @internal */
export interface Candidate {
  readonly token: string;
  readonly claims: TokenClaims;
}

/** @internal */
export interface RefreshConfig {
  readonly refresh: RefreshToken;
  /** How long before `exp` to refresh, in ms. */
  readonly refreshMargin: number;
  readonly backoff: BackoffOptions;
  readonly scheduler: SchedulerLike;
  /** Decodes (and verifies) a token; errors when it cannot be used. */
  check(token: string): Observable<Candidate>;
  /** Authenticates with the new token; `onRefused` runs before a refusal changes the state. */
  exchange(
    candidate: Candidate,
    onRefused: (reason: Error) => void,
  ): Observable<{ isAuthenticated: boolean }>;
  report(error: ScClientError): void;
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
 * `refresh` and authenticates with it, retrying failures with backoff (each reported as `AuthRefreshError`). A
 * new token, or leaving the authenticated state, cancels what was scheduled for the previous one.
 * @internal
 */
export function refreshBeforeExpiry(state$: Observable<AuthState>, config: RefreshConfig): Subscription {
  const once = (state: AuthenticatedState): Observable<never> => {
    let failures = 0;
    const failed = (cause: unknown) => config.report(new AuthRefreshError(++failures, { cause }));
    return defer(() => from(config.refresh(state))).pipe(
      // A refresh that ends without a token is a failure too (first() errors with EmptyError).
      first(),
      switchMap((token) => {
        if (typeof token !== 'string' || token === '') throw new TypeError('refreshToken produced no token');
        return config.check(token);
      }),
      // A refusal is reported from inside: it makes the client unauthenticated, which ends this refresh.
      switchMap((candidate) => config.exchange(candidate, failed)),
      retry({
        delay: (error: unknown) => {
          failed(error);
          return timer(backoffDelay(failures - 1, config.backoff), config.scheduler);
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
          ? timer(refreshDelay(s, config.refreshMargin, config.scheduler.now()), config.scheduler).pipe(
              switchMap(() => once(s)),
            )
          : EMPTY,
      ),
    )
    .subscribe();
}
