import type { AuthRefreshError, AuthTokenExpiredError, AuthTokenInvalidError, TokenStoreError } from './auth';
import type {
  AckTimeoutError,
  ClientClosedError,
  CodecError,
  OutboxExpiredError,
  OutboxOverflowError,
  RemoteError,
} from './calls';
import type { ConnectionError, HandshakeError } from './connection';
import type { CallNotSentError } from './not-sent';
import type { ChannelKickOutError, ChannelSubscribeError, ProtocolError } from './protocol';

/** Union of every concrete error class, discriminated by `code`. */
export type AnyScError =
  | ConnectionError
  | HandshakeError
  | AckTimeoutError
  | CallNotSentError
  | RemoteError
  | CodecError
  | ClientClosedError
  | OutboxOverflowError
  | OutboxExpiredError
  | ProtocolError
  | ChannelSubscribeError
  | ChannelKickOutError
  | AuthTokenInvalidError
  | AuthTokenExpiredError
  | TokenStoreError
  | AuthRefreshError;
