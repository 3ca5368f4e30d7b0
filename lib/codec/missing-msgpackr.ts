/** What Node's module loaders put on the error for a package they cannot find. */
interface LoadError {
  readonly code?: unknown;
  readonly message?: unknown;
}

/** The codes Node gives a package it cannot find, in CommonJS and in ESM. */
const NOT_FOUND: readonly unknown[] = ['MODULE_NOT_FOUND', 'ERR_MODULE_NOT_FOUND'];

/**
 * What the Node entries of `rx-socketcluster/codec/msgpack` throw when loading msgpackr failed with `error`. When
 * msgpackr itself is not installed ("Cannot find module 'msgpackr'", "Cannot find package 'msgpackr'"), an Error
 * that says how to install it, keeping the loader's `code` (code that tells a missing module by its code still
 * does) and the original as its `cause`. Any other failure (msgpackr installed but broken) is returned as it is.
 *
 * @internal
 */
export function missingMsgpackr(error: unknown): unknown {
  const { code, message } = (error ?? {}) as LoadError;
  if (!NOT_FOUND.includes(code) || typeof message !== 'string') return error;
  if (!message.includes(`'msgpackr'`)) return error;
  return Object.assign(
    new Error('rx-socketcluster/codec/msgpack needs the msgpackr package: npm install msgpackr', {
      cause: error,
    }),
    { code },
  );
}
