import { createLog } from '../../lib/logging/log';
import { REDACTED, redact } from '../../lib/logging/redact';
import { fakeJwt } from '../support/jwt';

const jwt = fakeJwt({ sub: 'ann' });

describe('redact()', () => {
  it('replaces the values of fields named like credentials, at any depth', () => {
    const secrets = [
      'token',
      'authToken',
      'signedAuthToken',
      'JWT',
      'Authorization',
      'password',
      'clientSecret',
    ];
    const nested = Object.fromEntries(secrets.map((key) => [key, 'opaque']));
    expect(redact({ event: 'x', data: { list: [nested] } })).toEqual({
      event: 'x',
      data: { list: [Object.fromEntries(secrets.map((key) => [key, REDACTED]))] },
    });
  });

  it('cuts JWTs out of any string, messages included', () => {
    expect(redact(jwt)).toBe(REDACTED);
    expect(redact({ message: `the token ${jwt} expired`, list: [`Bearer ${jwt}`] })).toEqual({
      message: `the token ${REDACTED} expired`,
      list: [`Bearer ${REDACTED}`],
    });
    // An unsecured JWT has an empty signature.
    expect(redact(`${jwt.split('.').slice(0, 2).join('.')}.`)).toBe(REDACTED);
  });

  it('cuts the values of query parameters named like credentials out of URLs', () => {
    expect(redact('wss://h/socketcluster/?room=1&access_token=abc&x=2#top')).toBe(
      `wss://h/socketcluster/?room=1&access_token=${REDACTED}&x=2#top`,
    );
  });

  it('turns errors into plain objects without their stack, cause included', () => {
    const cause = Object.assign(new Error(`refused ${jwt}`), { code: 'ECONNREFUSED' });
    const error = new Error('failed', { cause });
    expect(redact(error)).toEqual({
      name: 'Error',
      message: 'failed',
      cause: { name: 'Error', message: `refused ${REDACTED}`, code: 'ECONNREFUSED' },
    });
  });

  it('shows binary data as its size, bounds the depth and leaves its input alone', () => {
    const input = { data: new Uint8Array(3), token: 'x' };
    expect(redact(input)).toEqual({ data: '[3 bytes]', token: REDACTED });
    expect(input.token).toBe('x');
    const deep: Record<string, unknown> = {};
    deep.self = deep;
    expect(JSON.stringify(redact(deep))).toContain('[...]');
  });
});

describe('createLog()', () => {
  it('is undefined when silent, and writes through debug at trace', () => {
    expect(createLog(undefined, 'silent')).toBeUndefined();
    expect(createLog(console, 'silent')).toBeUndefined();
    const debug = jest.fn();
    const log = createLog({ error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug }, 'trace')!;
    log.write(5, `frame ${jwt}`, { authToken: jwt });
    expect(debug).toHaveBeenCalledWith(`[rx-socketcluster] frame ${REDACTED}`, { authToken: REDACTED });
  });
});
