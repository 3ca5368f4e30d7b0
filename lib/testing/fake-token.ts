import { toBase64 } from '../internal/base64';
import type { WireError } from '../protocol/packets';

// Tokens of the fake server: JWT-shaped (header.payload.signature, base64url, an HS256 header) so that the client
// decodes their claims as it decodes a real server's, and signed synchronously without a key, so that a test never
// awaits a signature. The "signature" is a checksum of the first two parts: it proves the token came from a fake
// server unaltered, nothing more. A real verifier (`jwtVerifier` of rx-socketcluster/verify) refuses it.

/** Options of a token the fake server signs. */
export interface FakeTokenOptions {
  /**
   * Lifetime in seconds, from now on the server's clock: sets the `exp` claim. Default: the server's
   * `authDefaultExpiry` (86400, as socketcluster-server's).
   */
  expiresIn?: number;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string): string {
  return toBase64(new TextEncoder().encode(text)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): string {
  const standard = text.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(standard), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Four rounds of 32-bit FNV-1a with different seeds: 16 bytes that change with every character of `text`. */
function checksum(text: string): string {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let round = 0; round < 4; round++) {
    let hash = (0x811c9dc5 ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0;
    for (let i = 0; i < text.length; i++) {
      hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    }
    view.setUint32(round * 4, hash);
  }
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Signs `claims` the fake server's way, adding `iat` and `exp` (`expiresIn`, else `defaultExpiry`, seconds after
 * `nowMs`). An `exp` among the claims takes precedence, as with socketcluster-server. A `defaultExpiry` of 0 adds no
 * `exp` when `expiresIn` is not given.
 */
export function signFakeToken(
  claims: Record<string, unknown>,
  nowMs: number,
  options: FakeTokenOptions = {},
  defaultExpiry = 0,
): string {
  const iat = Math.floor(nowMs / 1000);
  const payload: Record<string, unknown> = { ...claims, iat: claims.iat ?? iat };
  const expiresIn = options.expiresIn ?? (defaultExpiry > 0 ? defaultExpiry : undefined);
  if (expiresIn !== undefined && claims.exp === undefined) payload.exp = iat + expiresIn;
  const body = `${HEADER}.${base64url(JSON.stringify(payload))}`;
  return `${body}.${checksum(body)}`;
}

/** A token checked: its claims, or the error a socketcluster-server v20 gives for it. */
export type TokenCheck =
  | { readonly claims: Record<string, unknown>; readonly error?: undefined }
  | { readonly error: WireError; readonly claims?: undefined };

/** The `authError` of a token that is not one of ours, as jsonwebtoken words it. */
export function invalidToken(message: string): WireError {
  return { message, name: 'AuthTokenInvalidError', isBadToken: true };
}

/** The `authError` of an expired token: `expiry` is the `exp` instant as an ISO string, as on the wire. */
export function expiredToken(exp: number): WireError {
  return {
    message: 'jwt expired',
    name: 'AuthTokenExpiredError',
    expiry: new Date(exp * 1000).toISOString(),
    isBadToken: true,
  };
}

/** The `exp` claim of `claims`, when it is a number. */
export function expiryOf(claims: Record<string, unknown> | undefined): number | undefined {
  const exp = claims?.exp;
  return typeof exp === 'number' ? exp : undefined;
}

/** Checks a token sent by a client: signed by a fake server and unaltered, and not expired at `nowMs`. */
export function checkFakeToken(token: unknown, nowMs: number): TokenCheck {
  if (typeof token !== 'string' || token === '') return { error: invalidToken('jwt must be provided') };
  const [header = '', payload = '', signature, ...rest] = token.split('.');
  let claims: unknown;
  try {
    claims = signature !== undefined && rest.length === 0 ? JSON.parse(fromBase64url(payload)) : undefined;
  } catch {
    claims = undefined;
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    return { error: invalidToken('jwt malformed') };
  }
  if (signature !== checksum(`${header}.${payload}`)) {
    return { error: invalidToken('invalid signature') };
  }
  const record = claims as Record<string, unknown>;
  const exp = expiryOf(record);
  if (exp !== undefined && nowMs >= exp * 1000) return { error: expiredToken(exp) };
  return { claims: record };
}
