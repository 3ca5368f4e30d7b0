import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import { jwtVerifier } from '../lib/verify';

// jwtVerifier (the `rx-socketcluster/verify` entry point): signatures, keys and registered claims, with jose.

const SECRET = 'test-only-secret';
const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: JWTPayload, secret: string | Uint8Array = SECRET): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

/** An ES256 key pair, its public JWK (with a `kid`), and a signer. */
async function es256(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign = (claims: JWTPayload) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
  return { jwk, sign };
}

describe('an HS256 secret', () => {
  it('as a string: the verified claims of a token it signed', async () => {
    const iat = now();
    const token = await hs256({ username: 'ann', iat, exp: iat + 60 });
    await expect(jwtVerifier(SECRET)(token)).resolves.toEqual({ username: 'ann', iat, exp: iat + 60 });
  });

  it('as bytes', async () => {
    const secret = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
    const token = await hs256({ username: 'bob' }, secret);
    await expect(jwtVerifier(secret)(token)).resolves.toEqual({ username: 'bob' });
    await expect(jwtVerifier(new Uint8Array(32))(token)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('accepts tokens of the socketcluster-server auth engine (jsonwebtoken) signed with the same authKey', async () => {
    // ag-auth is what socketcluster-server signs with by default.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const AuthEngine = require('ag-auth') as new () => {
      signToken(payload: object, key: string, options?: object): Promise<string>;
    };
    const token = await new AuthEngine().signToken({ username: 'carol' }, SECRET, { expiresIn: 60 });
    await expect(jwtVerifier(SECRET)(token)).resolves.toMatchObject({
      username: 'carol',
      exp: expect.any(Number),
    });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await hs256({ username: 'mallory' }, 'another-secret');
    await expect(jwtVerifier(SECRET)(token)).rejects.toMatchObject({
      name: 'JWSSignatureVerificationFailed',
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses a tampered payload', async () => {
    const token = await hs256({ username: 'ann', admin: false });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ username: 'ann', admin: true })).toString('base64url')}.${signature}`;
    await expect(jwtVerifier(SECRET)(forged)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses an expired token, and one not valid yet', async () => {
    const expired = await hs256({ username: 'ann', iat: now() - 120, exp: now() - 60 });
    await expect(jwtVerifier(SECRET)(expired)).rejects.toMatchObject({
      name: 'JWTExpired',
      code: 'ERR_JWT_EXPIRED',
    });
    const early = await hs256({ username: 'ann', nbf: now() + 60 });
    await expect(jwtVerifier(SECRET)(early)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'nbf',
    });
  });

  it('refuses what is not a JWS', async () => {
    for (const token of ['not-a-jwt', 'a.b.c', '']) {
      await expect(jwtVerifier(SECRET)(token)).rejects.toBeInstanceOf(Error);
    }
  });
});

describe('an ES256 public key', () => {
  it('in a JWK set: picks the key by kid and returns the claims', async () => {
    const first = await es256('key-1');
    const second = await es256('key-2');
    const verify = jwtVerifier({ keys: [first.jwk, second.jwk] });
    await expect(verify(await first.sign({ username: 'ann' }))).resolves.toEqual({ username: 'ann' });
    await expect(verify(await second.sign({ username: 'bob' }))).resolves.toEqual({ username: 'bob' });
  });

  it('as a single JWK', async () => {
    const { jwk, sign } = await es256('only');
    await expect(jwtVerifier(jwk)(await sign({ username: 'ann' }))).resolves.toEqual({ username: 'ann' });
  });

  it('refuses a token signed with a key not in the set', async () => {
    const trusted = await es256('trusted');
    const intruder = await es256('intruder');
    const verify = jwtVerifier({ keys: [trusted.jwk] });
    await expect(verify(await intruder.sign({ username: 'mallory' }))).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    // The same kid does not help a different key.
    const impostor = await es256('trusted');
    await expect(verify(await impostor.sign({ username: 'mallory' }))).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it('refuses an expired token', async () => {
    const { jwk, sign } = await es256('k');
    const token = await sign({ username: 'ann', exp: now() - 1 });
    await expect(jwtVerifier({ keys: [jwk] })(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('refuses an HS256 token made with the public key as a secret (algorithm confusion)', async () => {
    const { jwk } = await es256('k');
    const token = await hs256({ username: 'mallory' }, new TextEncoder().encode(JSON.stringify(jwk)));
    await expect(jwtVerifier({ keys: [jwk] })(token)).rejects.toBeInstanceOf(Error);
    await expect(jwtVerifier(jwk)(token)).rejects.toBeInstanceOf(Error);
  });
});

describe('options', () => {
  it('are passed to jose: allowed algorithms, issuer, clock tolerance', async () => {
    const iat = now();
    const token = await new SignJWT({ username: 'ann', exp: iat - 5 })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('auth.example')
      .sign(new TextEncoder().encode(SECRET));
    await expect(
      jwtVerifier(SECRET, { clockTolerance: 30, issuer: 'auth.example' })(token),
    ).resolves.toMatchObject({
      username: 'ann',
    });
    await expect(jwtVerifier(SECRET, { clockTolerance: 30, issuer: 'other' })(token)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim: 'iss',
    });
    await expect(
      jwtVerifier(SECRET, { clockTolerance: 30, algorithms: ['HS512'] })(token),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    });
  });

  it('keep the token out of the error messages', async () => {
    const token = await hs256({ username: 'mallory' }, 'another-secret');
    const error = await jwtVerifier(SECRET)(token).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(`${error!.message} ${String(error!.cause)}`).not.toContain(token);
    expect(error!.message).not.toContain(token.split('.')[2]);
  });
});
