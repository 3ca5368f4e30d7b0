import {
  BehaviorSubject,
  EMPTY,
  Subscription,
  catchError,
  defer,
  distinctUntilChanged,
  from,
  ignoreElements,
  map,
  of,
  retry,
  switchMap,
  take,
  throwError,
  timer,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import type { Codec } from '../codec/codec';
import { backoffDelay, type BackoffOptions } from '../connection/backoff-delay';
import type { Session } from '../connection/open-session';
import {
  AuthRefreshError,
  AuthTokenExpiredError,
  AuthTokenInvalidError,
  ProtocolError,
  RemoteError,
  type ScClientError,
} from '../errors';
import { ScEvent } from '../protocol/packets';
import { hydrateError } from '../protocol/remote-error';
import { authenticated, UNAUTHENTICATED, type AuthState, type TokenClaims, type TokenVerifier } from './auth-state';
import { decodeToken } from './decode-token';
import { TokenWriter } from './token-writer';
import type { TokenStore } from './token-store';

/** The authenticated state, as handed to a `refreshToken` function. */
export type AuthenticatedState = Extract<AuthState, { state: 'authenticated' }>;

/** Fetches a new signed token for the current one (from your auth service, say). */
export type RefreshToken = (current: AuthenticatedState) => Observable<string> | Promise<string>;

/** The server's answer to `authenticate()`. */
export interface AuthenticateResult {
  /** Whether the server accepted the token. */
  readonly isAuthenticated: boolean;
  /** Why it did not, when it said (for example a middleware refusal). */
  readonly authError?: RemoteError;
}

/** @internal */
export interface AuthConfig {
  readonly store: TokenStore;
  readonly key: string;
  readonly verify: TokenVerifier | undefined;
  readonly refresh: RefreshToken | undefined;
  readonly refreshMargin: number;
  readonly backoff: BackoffOptions;
  readonly scheduler: SchedulerLike;
  readonly codec: Codec;
}

/** @internal */
export interface AuthDependencies {
  report(error: ScClientError): void;
  session(): Session | undefined;
  invoke(event: string, data: unknown): Observable<unknown>;
  /** The client became authenticated mid-session: `waitForAuth` channels may subscribe. */
  onAuthenticated(): void;
}

interface Candidate {
  readonly token: string;
  readonly claims: TokenClaims;
}

function isBadToken(error: Error | undefined): boolean {
  return error instanceof RemoteError && error.details.isBadToken === true;
}

/**
 * The client's authentication: the token for each handshake (from the store, never an expired one), the reply's
 * verdict, server-set and server-removed tokens, `authenticate()` / `deauthenticate()`, and the refresh before
 * expiry. The token is kept out of every error and diagnostic.
 * @internal
 */
export class AuthController {
  readonly #state = new BehaviorSubject<AuthState>(UNAUTHENTICATED);
  readonly state$: Observable<AuthState> = this.#state.asObservable();
  readonly #config: AuthConfig;
  readonly #deps: AuthDependencies;
  readonly #writer: TokenWriter;
  readonly #refresh: Subscription | undefined;
  /** Verifications of server-set tokens still running. */
  readonly #checks = new Subscription();
  /** The token sent in the current handshake. */
  #handshake: Candidate | undefined;
  /** A refreshed token the server has not accepted yet: the next handshake sends it. */
  #newest: Candidate | undefined;

  constructor(config: AuthConfig, deps: AuthDependencies) {
    this.#config = config;
    this.#deps = deps;
    this.#writer = new TokenWriter(config.store, config.key, (error) => deps.report(error));
    const refresh = config.refresh;
    if (refresh) {
      this.#refresh = this.#state
        .pipe(
          map((s) => (s.state === 'authenticated' && s.expiresAt !== undefined ? s : undefined)),
          distinctUntilChanged((a, b) => a?.token === b?.token),
          switchMap((s) => (s ? timer(this.#refreshDelay(s), config.scheduler).pipe(switchMap(() => this.#refreshOnce(s, refresh))) : EMPTY)),
        )
        .subscribe();
    }
  }

  get state(): AuthState {
    return this.#state.getValue();
  }

  /** The signed token for the handshake being sent, or `null`. */
  readonly handshakeToken = (): string | null => this.#handshake?.token ?? null;

  /**
   * Loads the token for the next handshake: the newest refreshed one, else the stored one. An expired, malformed or
   * (with a verifier) unverifiable token is reported, removed from the store and not sent. Errors only when the
   * store fails to load.
   */
  prepare(): Observable<never> {
    return defer(() => {
      this.#handshake = undefined;
      const token$ = this.#newest ? of(this.#newest.token) : this.#writer.load();
      return token$.pipe(
        switchMap((token) => (token === null ? of(undefined) : this.#usable(token, 'store'))),
        map((candidate) => void (this.#handshake = candidate)),
        ignoreElements(),
      );
    });
  }

  /** Applies the handshake reply: authenticated with the token sent, or not. */
  onSession(session: Session): void {
    const sent = this.#handshake;
    if (sent && session.isAuthenticated) {
      // A refreshed token is stored once a server has accepted it.
      const refreshed = this.#newest?.token === sent.token;
      if (refreshed) this.#newest = undefined;
      this.#accept(sent, refreshed);
      return;
    }
    if (sent && isBadToken(session.authError)) {
      if (this.#newest?.token === sent.token) this.#newest = undefined;
      this.#writer.remove();
    }
    this.#set(UNAUTHENTICATED);
  }

  /** Handles the server's `#setAuthToken`: the token is stored and the client authenticated. */
  readonly onSetAuthToken = (data: unknown, cid: number | undefined, session: Session | undefined): void => {
    const token = (data as { token?: unknown } | null | undefined)?.token;
    if (typeof token !== 'string' || token === '') {
      this.#deps.report(new ProtocolError('malformed-packet', 'Received #setAuthToken without a token'));
      this.#answer(cid, session, { name: 'InvalidMessageError', message: 'No token data provided by #setAuthToken event' });
      return;
    }
    // With a verifier this settles later; close() cancels it.
    const check = this.#usable(token, 'server').subscribe((candidate) => {
      if (candidate) {
        this.#newest = undefined;
        this.#accept(candidate, true);
        this.#answer(cid, session);
      } else {
        this.#answer(cid, session, { name: 'AuthTokenInvalidError', message: 'The client could not use the token' });
        this.#sendRemove(session);
      }
    });
    this.#checks.add(check);
  };

  /** Handles the server's `#removeAuthToken`. */
  readonly onRemoveAuthToken = (_data: unknown, cid: number | undefined, session: Session | undefined): void => {
    this.#writer.remove();
    this.#set(UNAUTHENTICATED);
    this.#answer(cid, session);
  };

  /** Sends `#authenticate` with `token`; stores it only when the server accepts it. */
  authenticate(token: string): Observable<AuthenticateResult> {
    return defer(() => this.#claims(token, 'authenticate')).pipe(
      switchMap((claims) =>
        this.#deps.invoke(ScEvent.authenticate, token).pipe(
          map((reply): AuthenticateResult => {
            const answer = reply as { isAuthenticated?: unknown; authError?: unknown } | null | undefined;
            const accepted = answer?.isAuthenticated === true;
            if (accepted) this.#accept({ token, claims }, true);
            else this.#set(UNAUTHENTICATED);
            const authError = hydrateError(answer?.authError);
            return authError ? { isAuthenticated: accepted, authError } : { isAuthenticated: accepted };
          }),
        ),
      ),
      catchError((error: unknown) => {
        // The server refused the token; timeouts and lost connections leave the state as it was.
        if (error instanceof RemoteError) this.#set(UNAUTHENTICATED);
        return throwError(() => error);
      }),
    );
  }

  /** Forgets the token: tells the server (when connected), clears the store, becomes unauthenticated. */
  deauthenticate(): void {
    this.#newest = undefined;
    this.#sendRemove(this.#deps.session());
    this.#writer.remove();
    this.#set(UNAUTHENTICATED);
  }

  /** Stops the refresh and completes `state$`. */
  dispose(): void {
    this.#refresh?.unsubscribe();
    this.#checks.unsubscribe();
    this.#state.complete();
  }

  #accept(candidate: Candidate, save: boolean): void {
    if (save) this.#writer.save(candidate.token);
    const wasAuthenticated = this.state.state === 'authenticated';
    this.#set(authenticated(candidate.token, candidate.claims));
    if (!wasAuthenticated) this.#deps.onAuthenticated();
  }

  #set(state: AuthState): void {
    const current = this.state;
    if (current.state === state.state && (current.state === 'unauthenticated' || current.token === (state as AuthenticatedState).token)) {
      return;
    }
    this.#state.next(state);
  }

  /** Decodes (and, with a verifier, verifies) a token; errors with a typed error that does not quote it. */
  #claims(token: string, source: 'store' | 'server' | 'authenticate'): Observable<TokenClaims> {
    let claims: TokenClaims;
    try {
      claims = decodeToken(token);
    } catch (cause) {
      return throwError(() => new AuthTokenInvalidError(source, (cause as Error).message));
    }
    const verify = this.#config.verify;
    if (!verify) return of(claims);
    return defer(() => from(verify(token))).pipe(
      catchError((cause: unknown) =>
        throwError(() => new AuthTokenInvalidError(source, 'it failed verification', { cause })),
      ),
    );
  }

  /** The token and its claims when it can be used; otherwise reports why, drops a stored one, and emits nothing useful. */
  #usable(token: string, source: 'store' | 'server'): Observable<Candidate | undefined> {
    return this.#claims(token, source).pipe(
      map((claims): Candidate | undefined => {
        const exp = claims.exp;
        if (typeof exp === 'number' && exp * 1000 <= this.#config.scheduler.now()) {
          this.#deps.report(new AuthTokenExpiredError(exp * 1000));
          if (source === 'store') this.#writer.remove();
          return undefined;
        }
        return { token, claims };
      }),
      catchError((error: unknown) => {
        // #claims fails only with AuthTokenInvalidError.
        this.#deps.report(error as ScClientError);
        if (source === 'store') this.#writer.remove();
        return of(undefined);
      }),
    );
  }

  #answer(cid: number | undefined, session: Session | undefined, error?: object): void {
    if (cid === undefined || session === undefined) return;
    session.send(this.#config.codec.encode(error ? { rid: cid, error } : { rid: cid }));
  }

  #sendRemove(session: Session | undefined): void {
    session?.send(this.#config.codec.encode({ event: ScEvent.removeAuthToken }));
  }

  // Refresh `refreshMargin` before expiry, but never earlier than half-way through the token's life, so that a
  // short-lived token does not trigger a refresh loop.
  #refreshDelay(state: AuthenticatedState): number {
    const now = this.#config.scheduler.now();
    const expiresAt = state.expiresAt ?? now;
    const issuedAt = typeof state.claims.iat === 'number' ? state.claims.iat * 1000 : now;
    const margin = Math.min(this.#config.refreshMargin, Math.max(0, (expiresAt - issuedAt) / 2));
    return Math.max(0, expiresAt - margin - now);
  }

  #refreshOnce(state: AuthenticatedState, refresh: RefreshToken): Observable<never> {
    return defer(() => from(refresh(state))).pipe(
      take(1),
      switchMap((token) => {
        if (typeof token !== 'string' || token === '') throw new TypeError('refreshToken produced no token');
        return this.#claims(token, 'authenticate').pipe(
          switchMap((claims) => {
            this.#newest = { token, claims };
            return this.authenticate(token);
          }),
        );
      }),
      map((result) => {
        if (!result.isAuthenticated) throw result.authError ?? new Error('The server did not accept the new token');
      }),
      retry({
        delay: (error: unknown, attempt: number) => {
          this.#deps.report(new AuthRefreshError(attempt, { cause: error }));
          return timer(backoffDelay(attempt - 1, this.#config.backoff), this.#config.scheduler);
        },
      }),
      ignoreElements(),
    );
  }
}
