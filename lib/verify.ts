/**
 * Token verification with jose, as its own entry point (`rx-socketcluster/verify`) so that applications that do
 * not verify tokens do not ship jose's verification code.
 *
 * @packageDocumentation
 * @module rx-socketcluster/verify
 */
import {
  createLocalJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyOptions,
  type KeyObject,
} from 'jose';
import type { TokenVerifier } from './auth/auth-state';

/** A key to verify tokens with: a shared secret (string or bytes), a public key, a JWK, or a local JWK set. */
export type VerificationKey = string | Uint8Array | CryptoKey | KeyObject | JWK | JSONWebKeySet;

function isKeySet(key: VerificationKey): key is JSONWebKeySet {
  return typeof key === 'object' && Array.isArray((key as Partial<JSONWebKeySet>).keys);
}

/**
 * Builds a {@link TokenVerifier} that checks a token's signature (and `exp` / `nbf`, plus any claims required by
 * `options`) with jose before the client trusts its claims. Pass it as the `verifyToken` option.
 *
 * @param key - The server's secret (its `authKey`, for HS256), its public key, a JWK, or a local JWK set.
 * @param options - jose verification options, for example `{ algorithms: ['RS256'], issuer: 'auth.example' }`.
 * @returns The verifier.
 * @example
 * ```ts
 * import { createClient } from 'rx-socketcluster';
 * import { jwtVerifier } from 'rx-socketcluster/verify';
 *
 * const client = createClient({ url, verifyToken: jwtVerifier(publicJwk, { algorithms: ['ES256'] }) });
 * ```
 */
export function jwtVerifier(key: VerificationKey, options?: JWTVerifyOptions): TokenVerifier {
  if (isKeySet(key)) {
    const keySet = createLocalJWKSet(key);
    return async (token) => (await jwtVerify(token, keySet, options)).payload;
  }
  const material = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  return async (token) => (await jwtVerify(token, material, options)).payload;
}
