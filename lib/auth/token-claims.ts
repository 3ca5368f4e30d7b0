import { catchError, defer, from, map, of, throwError, type Observable } from 'rxjs';
import { AuthTokenExpiredError, AuthTokenInvalidError } from '../errors';
import type { TokenClaims, TokenVerifier } from './auth-state';
import { decodeToken } from './decode-token';

/** A token with its checked claims. @internal */
export interface Candidate {
  readonly token: string;
  readonly claims: TokenClaims;
}

/**
 * Decodes a token (and, with a verifier, verifies it): emits its claims, or errors with an
 * `AuthTokenInvalidError` that names where the token came from and never quotes it.
 * @internal
 */
export function tokenClaims(
  token: string,
  source: 'store' | 'server' | 'authenticate',
  verify: TokenVerifier | undefined,
): Observable<TokenClaims> {
  let claims: TokenClaims;
  try {
    claims = decodeToken(token);
  } catch (cause) {
    return throwError(() => new AuthTokenInvalidError(source, (cause as Error).message));
  }
  if (!verify) return of(claims);
  return defer(() => from(verify(token))).pipe(
    catchError((cause: unknown) =>
      throwError(() => new AuthTokenInvalidError(source, 'it failed verification', { cause })),
    ),
  );
}

/**
 * The token and its claims, or an error saying why it cannot be used: `AuthTokenInvalidError`, or for a stored
 * token whose `exp` has passed on the client's clock (`now`, epoch ms), `AuthTokenExpiredError`.
 * @internal
 */
export function usableToken(
  token: string,
  source: 'store' | 'server',
  verify: TokenVerifier | undefined,
  now: number,
): Observable<Candidate> {
  return tokenClaims(token, source, verify).pipe(
    map((claims) => {
      // Only a stored token is held to the client's clock. A server that sets a token is the authority on its
      // validity; refusing it because the client's clock runs ahead would sign users out.
      const exp = claims.exp;
      if (source === 'store' && typeof exp === 'number' && exp * 1000 <= now)
        throw new AuthTokenExpiredError(exp * 1000);
      return { token, claims };
    }),
  );
}
