import {
  BehaviorSubject,
  catchError,
  defer,
  ignoreElements,
  map,
  of,
  switchMap,
  throwError,
  type Observable,
  type Unsubscribable,
} from 'rxjs';
import type { Session } from '../connection/session';
import { RemoteError, type ScClientError } from '../errors';
import { ScEvent } from '../protocol/packets';
import { authenticated, UNAUTHENTICATED, type AuthenticatedState, type AuthState } from './auth-state';
import type { AuthConfig, AuthHost } from './auth-host';
import { readAuthenticateReply, type AuthenticateResult } from './authenticate-reply';
import type { RefreshHost } from './refresh-host';
import { ServerAuthFrames, type ServerAuthHost } from './server-auth-frames';
import { tokenClaims, usableToken, type Candidate } from './token-claims';
import { TokenWriter } from './token-writer';

function isBadToken(error: Error | undefined): boolean {
  return error instanceof RemoteError && error.details.isBadToken === true;
}

/**
 * The client's authentication: the token for each handshake (from the store, never an expired one), the reply's
 * verdict, server-set and server-removed tokens, `authenticate()` / `deauthenticate()`, and what a token refresh
 * needs (it is the refresh's host; the refresh itself is the `tokenRefresh()` feature's, started here when the
 * engine's settings carry one). The token is kept out of every error and diagnostic.
 * @internal
 */
export class AuthController implements ServerAuthHost, RefreshHost {
  #state: AuthState = UNAUTHENTICATED;
  /** The state as a stream, for the token refresh (only when one is configured). */
  readonly #state$: BehaviorSubject<AuthState> | undefined;
  readonly #config: AuthConfig;
  readonly #deps: AuthHost;
  readonly #writer: TokenWriter;
  readonly #refresh: Unsubscribable | undefined;
  /** Made on first use: most clients never receive one. */
  #server: ServerAuthFrames | undefined;
  /** The token sent in the current handshake. */
  #handshake: Candidate | undefined;
  /** A refreshed token the server has not accepted yet: the next handshake sends it. */
  #newest: Candidate | undefined;

  constructor(config: AuthConfig, deps: AuthHost) {
    this.#config = config;
    this.#deps = deps;
    this.#writer = new TokenWriter(config.tokenStore, config.authTokenKey, deps);
    // The host is this controller, through methods on the prototype: no closure per client.
    if (config.refresh) {
      this.#state$ = new BehaviorSubject<AuthState>(UNAUTHENTICATED);
      this.#refresh = config.refresh(this.#state$, this);
    }
  }

  /** The server's `#setAuthToken` and `#removeAuthToken`. */
  get server(): ServerAuthFrames {
    return (this.#server ??= new ServerAuthFrames(this.#config.codec, this));
  }

  get state(): AuthState {
    return this.#state;
  }

  /** The signed token for the handshake being sent, or `null`. */
  handshakeToken(): string | null {
    return this.#handshake?.token ?? null;
  }

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
    if (session.isAuthenticated) {
      if (sent) {
        // A refreshed token is stored once a server has accepted it.
        this.#accept(sent, this.#newest?.token === sent.token);
        return;
      }
      // deauthenticate() ran while this handshake, token included, was on the wire: sign the socket out.
      this.#sendRemove(session);
    } else if (sent && isBadToken(session.authError)) {
      if (this.#newest?.token === sent.token) this.#newest = undefined;
      this.#writer.remove();
    }
    this.#set(UNAUTHENTICATED);
  }

  /** Sends `#authenticate` with `token`; stores it only when the server accepts it. */
  authenticate(token: string): Observable<AuthenticateResult> {
    return defer(() => tokenClaims(token, 'authenticate', this.#config.verifyToken)).pipe(
      switchMap((claims) => this.exchange({ token, claims })),
    );
  }

  /**
   * Sends `#authenticate` for a checked token. `onRefused` runs when the server refuses it, before the state
   * changes (a refresh reports the failure there: the state change ends the refresh).
   */
  exchange(candidate: Candidate, onRefused?: (reason: Error) => void): Observable<AuthenticateResult> {
    return this.#deps.invokeOwn(ScEvent.authenticate, candidate.token).pipe(
      map((reply) => {
        const result = readAuthenticateReply(reply);
        if (result.isAuthenticated) {
          this.#accept(candidate, true);
        } else {
          onRefused?.(result.authError ?? new Error('The server did not accept the token'));
          this.#set(UNAUTHENTICATED);
        }
        return result;
      }),
      catchError((error: unknown) => {
        // The server refused the token; timeouts and lost connections leave the state as it was.
        if (error instanceof RemoteError) {
          onRefused?.(error);
          this.#set(UNAUTHENTICATED);
        }
        return throwError(() => error);
      }),
    );
  }

  /** A refreshed token, decoded (and verified): the refresh's check. */
  checkRefreshed(token: string): Observable<Candidate> {
    return tokenClaims(token, 'authenticate', this.#config.verifyToken).pipe(
      map((claims) => ({ token, claims })),
    );
  }

  /** Sends `#authenticate` with a refreshed token, which the next handshake sends until a server accepts it. */
  authenticateRefreshed(
    candidate: Candidate,
    onRefused: (reason: Error) => void,
  ): Observable<AuthenticateResult> {
    this.#newest = candidate;
    return this.exchange(candidate, onRefused);
  }

  /** Forgets the token: tells the server (when connected), clears the store, becomes unauthenticated. */
  deauthenticate(): void {
    this.#server?.cancel(true);
    this.#newest = undefined;
    // A handshake already carrying the token is signed out when its reply comes (see onSession).
    this.#handshake = undefined;
    this.#sendRemove(this.#deps.session());
    this.#writer.remove();
    this.#set(UNAUTHENTICATED);
  }

  /** The connection closed: a server-set token still being checked is dropped with it. */
  onClosed(): void {
    this.#server?.cancel(false);
  }

  /** Stops the refresh and any check still running. */
  dispose(): void {
    this.#refresh?.unsubscribe();
    this.#server?.cancel(false);
    this.#state$?.complete();
  }

  /** A token the server set, once checked: `undefined` when the client cannot use it (it says why). */
  checkServerToken(token: string): Observable<Candidate | undefined> {
    return this.#usable(token, 'server');
  }

  /** Authenticates with a token the server set and stores it. */
  acceptServerToken(candidate: Candidate): void {
    this.#accept(candidate, true);
  }

  /** The server removed the token: forget it, without telling the server. */
  forget(): void {
    this.#newest = undefined;
    this.#writer.remove();
    this.#set(UNAUTHENTICATED);
  }

  report(error: ScClientError): void {
    this.#deps.report(error);
  }

  #accept(candidate: Candidate, save: boolean): void {
    // Whatever token is accepted now supersedes a refreshed one still waiting for the server.
    this.#newest = undefined;
    if (save) this.#writer.save(candidate.token);
    const wasAuthenticated = this.state.state === 'authenticated';
    this.#set(authenticated(candidate.token, candidate.claims));
    if (!wasAuthenticated) this.#deps.onAuthenticated();
  }

  #set(state: AuthState): void {
    // An unauthenticated state has no token: the states differ when their kinds or tokens do.
    const current = this.state as Partial<AuthenticatedState>;
    if (current.state !== state.state || current.token !== (state as Partial<AuthenticatedState>).token) {
      this.#state = state;
      this.#deps.onAuthState(state);
      this.#state$?.next(state);
    }
  }

  /** The token and its claims when it can be used; otherwise reports why, drops a stored one, and emits `undefined`. */
  #usable(token: string, source: 'store' | 'server'): Observable<Candidate | undefined> {
    return usableToken(token, source, this.#config.verifyToken, this.#config.scheduler.now()).pipe(
      catchError((error: unknown) => {
        // It fails only with AuthTokenInvalidError or AuthTokenExpiredError.
        this.#deps.report(error as ScClientError);
        if (source === 'store') this.#writer.remove();
        return of(undefined);
      }),
    );
  }

  #sendRemove(session: Session | undefined): void {
    session?.send(this.#config.codec.encode({ event: ScEvent.removeAuthToken }));
  }
}
