import { RemoteError, ScClientError } from '../../lib/errors';
import { dehydrateError, hydrateError } from '../../lib/protocol/remote-error';

describe('hydrateError', () => {
  it.each([null, undefined])('returns undefined for %p (no error)', (wire) => {
    expect(hydrateError(wire)).toBeUndefined();
  });

  it('keeps name, message and every other field', () => {
    const error = hydrateError({ message: 'nope', name: 'MyError', extra: 42, nested: { a: [1] } });
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toBeInstanceOf(ScClientError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'RemoteError',
      code: 'REMOTE_ERROR',
      message: 'nope',
      remoteName: 'MyError',
    });
    expect(error!.details).toEqual({ extra: 42, nested: { a: [1] } });
  });

  it('hydrates the sc-errors shapes seen on the wire', () => {
    const blocked = hydrateError({
      message: 'The subscribe AGAction was blocked by inbound middleware',
      name: 'SilentMiddlewareBlockedError',
      type: 'inbound',
    });
    expect(blocked!.remoteName).toBe('SilentMiddlewareBlockedError');
    expect(blocked!.details).toEqual({ type: 'inbound' });

    const expired = hydrateError({
      message: 'jwt expired',
      name: 'AuthTokenExpiredError',
      expiry: '2026-11-26T05:36:34.000Z',
      isBadToken: true,
    });
    expect(expired!.message).toBe('jwt expired');
    expect(expired!.remoteName).toBe('AuthTokenExpiredError');
    expect(expired!.details).toEqual({ expiry: '2026-11-26T05:36:34.000Z', isBadToken: true });
  });

  it('keeps fields whose names clash with the RemoteError fields in details', () => {
    const error = hydrateError({
      message: 'm',
      name: 'E',
      code: 4008,
      statusCode: 4500,
      stack: 'remote stack',
    });
    expect(error!.code).toBe('REMOTE_ERROR');
    expect(error!.details).toEqual({ code: 4008, statusCode: 4500, stack: 'remote stack' });
  });

  it("uses 'Error' when the name is missing or not a string", () => {
    expect(hydrateError({ message: 'm' })!.remoteName).toBe('Error');
    expect(hydrateError({ message: 'm', name: 42 })!.remoteName).toBe('Error');
  });

  it("uses 'Invalid error message format' when the message is missing or not a string", () => {
    expect(hydrateError({ name: 'E' })!.message).toBe('Invalid error message format');
    expect(hydrateError({ name: 'E', message: 7 })!.message).toBe('Invalid error message format');
    expect(hydrateError({})!.message).toBe('Invalid error message format');
  });

  it('leaves non-string name and message out of details', () => {
    expect(hydrateError({ name: 42, message: 7, x: 1 })!.details).toEqual({ x: 1 });
  });

  it('gives empty details when only name and message are sent', () => {
    expect(hydrateError({ name: 'E', message: 'm' })!.details).toEqual({});
  });

  it('does not alias the wire object', () => {
    const wire = { name: 'E', message: 'm', extra: 1 };
    const error = hydrateError(wire)!;
    wire.extra = 2;
    expect(error.details).toEqual({ extra: 1 });
  });

  it.each([
    ['a string', 'something broke', 'something broke'],
    ['a number', 404, '404'],
    ['a boolean', false, 'false'],
  ])('wraps %s in a RemoteError named Error', (_label, wire, message) => {
    const error = hydrateError(wire);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ message, remoteName: 'Error', details: {} });
  });

  it('treats an array as an object with index fields', () => {
    const error = hydrateError(['a', 'b']);
    expect(error).toMatchObject({ message: 'Invalid error message format', remoteName: 'Error' });
    expect(error!.details).toEqual({ 0: 'a', 1: 'b' });
  });
});

describe('dehydrateError', () => {
  it('sends name and message of a plain Error, without the stack', () => {
    const wire = dehydrateError(new Error('boom'));
    expect(wire).toEqual({ name: 'Error', message: 'boom' });
    expect(wire).not.toHaveProperty('stack');
  });

  it('sends the name of Error subclasses', () => {
    expect(dehydrateError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
  });

  it('sends own enumerable fields of the error', () => {
    const error = Object.assign(new Error('nope'), {
      name: 'MyError',
      extra: 42,
      statusCode: 4500,
      info: { a: 1 },
    });
    expect(dehydrateError(error)).toEqual({
      name: 'MyError',
      message: 'nope',
      extra: 42,
      statusCode: 4500,
      info: { a: 1 },
    });
  });

  it('sends fields of a custom class', () => {
    class ValidationError extends Error {
      override name = 'ValidationError';
      field = 'email';
    }
    expect(dehydrateError(new ValidationError('invalid'))).toEqual({
      name: 'ValidationError',
      message: 'invalid',
      field: 'email',
    });
  });

  it('drops function-valued fields', () => {
    const error = Object.assign(new Error('x'), { retry: () => 1, n: 1 });
    expect(dehydrateError(error)).toEqual({ name: 'Error', message: 'x', n: 1 });
  });

  it('produces a JSON-serialisable plain object', () => {
    const wire = dehydrateError(Object.assign(new Error('x'), { n: 1 }));
    expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
  });

  it.each([
    ['a string', 'just a string'],
    ['a number', 5],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { name: 'NotAnError', message: 'm' }],
  ])('sends %s as it is', (_label, value) => {
    expect(dehydrateError(value)).toBe(value);
  });

  it('sends the non-enumerable name and message of an Error whose own fields are hidden', () => {
    const error = new Error('hidden');
    Object.defineProperty(error, 'secret', { value: 1, enumerable: false });
    expect(dehydrateError(error)).toEqual({ name: 'Error', message: 'hidden' });
  });

  it('sends a RemoteError as the server sent it: remote name and details, not the client fields', () => {
    const remote = new RemoteError('nope', 'MyError', { extra: 42, type: 'inbound' });
    const wire = dehydrateError(remote);
    expect(wire).toEqual({ name: 'MyError', message: 'nope', extra: 42, type: 'inbound' });
    expect(wire).not.toHaveProperty('remoteName');
    expect(wire).not.toHaveProperty('details');
    expect(wire).not.toHaveProperty('code');
  });
});

describe('round trip', () => {
  it('hydrate(dehydrate(RemoteError)) gives back name, message and details', () => {
    const original = new RemoteError('jwt expired', 'AuthTokenExpiredError', {
      expiry: '2026-11-26T05:36:34.000Z',
      isBadToken: true,
    });
    const copy = hydrateError(JSON.parse(JSON.stringify(dehydrateError(original))))!;
    expect(copy).toBeInstanceOf(RemoteError);
    expect(copy.message).toBe(original.message);
    expect(copy.remoteName).toBe(original.remoteName);
    expect(copy.details).toEqual(original.details);
  });

  it('dehydrate(hydrate(wire)) gives back the wire object', () => {
    const wire = { message: 'nope', name: 'MyError', extra: 42 };
    expect(dehydrateError(hydrateError(wire))).toEqual(wire);
  });

  it('turns a local Error with fields into a RemoteError with the same name, message and fields', () => {
    const local = Object.assign(new Error('bad args'), { name: 'BadArgs', field: 'a' });
    const copy = hydrateError(dehydrateError(local))!;
    expect(copy).toMatchObject({ message: 'bad args', remoteName: 'BadArgs', details: { field: 'a' } });
  });
});
