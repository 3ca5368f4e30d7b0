import type { Observable, SchedulerLike } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { Session } from '../connection/session';
import type { ScClientError } from '../errors';
import type { AuthState, TokenVerifier } from './auth-state';
import type { StartRefresh } from './refresh-host';
import type { TokenStore } from './token-store';

/** The auth controller's settings. @internal */
export interface AuthConfig {
  readonly tokenStore: TokenStore;
  readonly authTokenKey: string;
  readonly verifyToken: TokenVerifier | undefined;
  /** The token refresh, when the client has the `tokenRefresh()` feature. */
  readonly refresh?: StartRefresh | undefined;
  readonly scheduler: SchedulerLike;
  readonly codec: Codec;
}

/** What the auth controller needs of the engine. @internal */
export interface AuthHost {
  report(error: ScClientError): void;
  session(): Session | undefined;
  /** Invokes one of the engine's own procedures (`#authenticate`). */
  invokeOwn(event: string, data: unknown): Observable<unknown>;
  /** The client became authenticated mid-session: `waitForAuth` channels may subscribe. */
  onAuthenticated(): void;
  /** The authentication state changed. */
  onAuthState(state: AuthState): void;
}
