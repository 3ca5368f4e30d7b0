/**
 * Every error the client produces. Each class has a literal `name` (safe from minifiers) and a stable string
 * `code`, so callers can `switch (err.code)` over {@link AnyScError}.
 *
 * @packageDocumentation
 */
export { ScClientError, type ConnectionErrorCode, type ScErrorCode } from './base';
export type { AnyScError } from './any-error';
export { ConnectionError, HandshakeError, type ClosePhase, type ConnectionErrorOptions } from './connection';
export { CallNotSentError } from './not-sent';
export {
  AckTimeoutError,
  ClientClosedError,
  CodecError,
  OutboxExpiredError,
  OutboxOverflowError,
  RemoteError,
} from './calls';
export {
  ChannelKickOutError,
  ChannelSubscribeError,
  ProtocolError,
  type ProtocolErrorKind,
} from './protocol';
export { AuthRefreshError, AuthTokenExpiredError, AuthTokenInvalidError, TokenStoreError } from './auth';
export { fromErrorRecord, mapErrorFields, toErrorRecord, type ErrorRecord } from './record';
