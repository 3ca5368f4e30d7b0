import { decodeJwt } from 'jose';
import { decodeToken } from '../../lib/auth/decode-token';
import { fakeJwt } from '../support/jwt';

// decodeToken(): the claims of a JWT without verification, as jose's decodeJwt reads them, and the same refusals.

const b64url = (text: string) => Buffer.from(text).toString('base64url');
const header = b64url('{"alg":"HS256","typ":"JWT"}');

describe('decodeToken()', () => {
  it('reads the claims of a JWT, UTF-8 included, as jose does', () => {
    for (const token of [
      fakeJwt({ sub: 'ann', exp: 2_000_000_000, iat: 1 }),
      fakeJwt({ name: 'Zoë 東京 🚀', roles: ['a', 'b'], nested: { n: null } }),
      // The payload's length leaves 1 and 2 characters of padding out.
      fakeJwt({ a: 'x' }),
      fakeJwt({ a: 'xy' }),
      fakeJwt({ a: 'xyz' }),
      // A payload with its padding kept, which jose reads too.
      `${header}.${Buffer.from('{"sub":"ada"}').toString('base64')}.sig`,
    ]) {
      expect(decodeToken(token)).toEqual(decodeJwt(token));
    }
  });

  it.each([
    ['two parts', `${header}.${b64url('{}')}`],
    ['five parts (an encrypted JWT)', `${header}.${b64url('{}')}.a.b.c`],
    ['an empty payload', `${header}..sig`],
    [
      'a payload outside the base64url alphabet',
      `${header}.${Buffer.from('{"a":1}').toString('base64')}+/=.sig`,
    ],
    ['a payload that is not JSON', `${header}.${b64url('not json')}.sig`],
    ['a payload that is a JSON array', `${header}.${b64url('[1]')}.sig`],
    ['a payload that is a JSON number', `${header}.${b64url('42')}.sig`],
    ['a payload that is JSON null', `${header}.${b64url('null')}.sig`],
  ])('refuses %s with a TypeError that does not quote the token, as jose refuses it', (_, token) => {
    expect(() => decodeJwt(token)).toThrow();
    let error: unknown;
    try {
      decodeToken(token);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/^Invalid JWT: /);
    expect((error as Error).message).not.toContain(token.split('.')[1] || token);
  });
});
