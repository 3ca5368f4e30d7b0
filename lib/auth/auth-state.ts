/** The claims of a JWT: registered claims and whatever the server put in its payload. */
export interface TokenClaims {
  /** Expiry, in seconds since the epoch. */
  exp?: number;
  /** Issued at, in seconds since the epoch. */
  iat?: number;
  /** Not before, in seconds since the epoch. */
  nbf?: number;
  [claim: string]: unknown;
}

/**
 * The client's authentication, as emitted by `authState$`.
 *
 * - `unauthenticated`: no token in use.
 * - `authenticated`: the server accepted `token`; `claims` are its decoded payload (verified when a `verifyToken`
 *   function is configured, else only decoded) and `expiresAt` its `exp` in epoch ms, when it has one.
 */
export type AuthState =
  | { readonly state: 'unauthenticated' }
  | {
      readonly state: 'authenticated';
      readonly token: string;
      readonly claims: TokenClaims;
      readonly expiresAt?: number;
    };

/** The authenticated state, as handed to a token refresh function. */
export type AuthenticatedState = Extract<AuthState, { state: 'authenticated' }>;

/**
 * Checks a token and returns its trusted claims, or throws. Build one with `jwtVerifier()` from
 * `rx-socketcluster/verify`, or write your own.
 */
export type TokenVerifier = (token: string) => Promise<TokenClaims>;

/** The state for a token and its claims. @internal */
export function authenticated(token: string, claims: TokenClaims): AuthState {
  return typeof claims.exp === 'number'
    ? { state: 'authenticated', token, claims, expiresAt: claims.exp * 1000 }
    : { state: 'authenticated', token, claims };
}

/** @internal */
export const UNAUTHENTICATED: AuthState = Object.freeze({ state: 'unauthenticated' });
