import type { Observable, Unsubscribable } from 'rxjs';
import type { ScClientError } from '../errors';
import type { AuthenticatedState, AuthState } from './auth-state';
import type { Candidate } from './token-claims';

/** Fetches a new signed token for the current one (from your auth service, say). */
export type RefreshToken = (current: AuthenticatedState) => Observable<string> | Promise<string>;

/**
 * What the auth controller lends a token refresh. The refresh itself comes from the `tokenRefresh()` feature
 * (`rx-socketcluster/refresh`): a client without it carries none of its code, only these types.
 * @internal
 */
export interface RefreshHost {
  /** Decodes (and verifies) a refreshed token; errors when it cannot be used. */
  checkRefreshed(token: string): Observable<Candidate>;
  /**
   * Authenticates with a refreshed token, which the next handshake sends until a server accepts it. `onRefused`
   * runs when the server refuses it, before the state changes.
   */
  authenticateRefreshed(
    candidate: Candidate,
    onRefused: (reason: Error) => void,
  ): Observable<{ isAuthenticated: boolean }>;
  report(error: ScClientError): void;
}

/**
 * Starts a client's token refresh over its auth state (which replays the current one) and its auth controller;
 * returns what stops it. The engine's settings carry one when the client has the `tokenRefresh()` feature.
 * @internal
 */
export type StartRefresh = (state$: Observable<AuthState>, host: RefreshHost) => Unsubscribable;
