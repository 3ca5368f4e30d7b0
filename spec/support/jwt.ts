/** An unsigned-looking JWT with the given claims, for unit tests (the client only decodes tokens). */
export function fakeJwt(claims: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.${signature}`;
}

/** The default token key for the fake client's URL. */
export const FAKE_TOKEN_KEY = 'socketcluster.authToken.example.test:80';
