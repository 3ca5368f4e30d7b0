import { missingMsgpackr } from '../../lib/codec/missing-msgpackr';

// The errors Node's loaders give when msgpackr is not installed (spec/examples/optional-msgpackr.spec.ts loads the
// built entries without it, for real).
const notFound = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('missingMsgpackr', () => {
  it.each([
    ['require()', 'MODULE_NOT_FOUND', "Cannot find module 'msgpackr'\nRequire stack:\n- /app/x.cjs"],
    ['import()', 'ERR_MODULE_NOT_FOUND', "Cannot find package 'msgpackr' imported from /app/x.mjs"],
  ])('says what to install when %s cannot find msgpackr', (_, code, message) => {
    const cause = notFound(code, message);
    const error = missingMsgpackr(cause) as Error & { code: string };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(
      'rx-socketcluster/codec/msgpack needs the msgpackr package: npm install msgpackr',
    );
    expect(error.cause).toBe(cause);
    expect(error.code).toBe(code);
  });

  it.each([
    ['a module msgpackr needs', notFound('MODULE_NOT_FOUND', "Cannot find module './unpack.js'")],
    ['another failure', new SyntaxError('Unexpected token')],
    ['a thrown non-error', 'nope'],
    ['undefined', undefined],
  ])('returns %s as it is', (_, error) => {
    expect(missingMsgpackr(error)).toBe(error);
  });
});
