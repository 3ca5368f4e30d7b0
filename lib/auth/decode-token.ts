import { decodeJwt } from 'jose';
import type { TokenClaims } from './auth-state';

/**
 * The claims of a signed JWT, decoded without verification. Throws when the token is not a JWT; the error names
 * the problem but never contains the token.
 * @internal
 */
export function decodeToken(token: string): TokenClaims {
  try {
    return decodeJwt(token);
  } catch (error) {
    // jose's messages describe the problem without quoting the token; keep only them.
    throw new TypeError(error instanceof Error ? error.message : 'Invalid JWT');
  }
}
