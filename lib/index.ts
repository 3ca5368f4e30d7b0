/**
 * rx-socketcluster: an RxJS client for SocketCluster servers.
 *
 * @packageDocumentation
 * @module rx-socketcluster
 */
export { createClient } from './client/create-client';
export type { Client } from './client/client';
export type { ClientLifecycle } from './client/client-lifecycle';
export type { ClientOptions, TlsOptions } from './client/options';
export type { ClientFeature } from './engine/feature';
export type { MessagePortLike, SharedWorkerLike, ShareMode, ShareState } from './share/share-state';
export type { UrlPickContext, UrlPicker } from './connection/endpoints';
export type {
  ApiMessage,
  ApiName,
  ApiRequest,
  ApiResponse,
  DataArgs,
  ScApi,
  UntypedApi,
  UntypedParams,
  ValidApi,
} from './client/api';
export type { AuthenticateResult } from './auth/authenticate-reply';
export type { AuthenticatedState, AuthState, TokenClaims, TokenVerifier } from './auth/auth-state';
export {
  localStorageTokenStore,
  memoryTokenStore,
  type StorageLike,
  type TokenStore,
} from './auth/token-store';
export type { ChannelOptions } from './client/channel-options';
export type { ChannelState, ChannelStateChange } from './channels/channel-state';
export type { Codec } from './codec/codec';
export { jsonCodec } from './codec/json';
export type { ConnectionState, ConnectionStatus, OpenState } from './connection/connection-state';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './connection/backoff-delay';
export type { ReconnectDelay } from './connection/retry-policy';
export type { InvokeOptions } from './client/invoke-options';
export type { ProcedureRequest } from './client/procedure-request';
export type { ProtocolVersion } from './protocol/packets';
export type { WebSocketConstructor, WebSocketLike } from './transport/web-socket';
export {
  AckTimeoutError,
  AuthRefreshError,
  AuthTokenExpiredError,
  AuthTokenInvalidError,
  CallNotSentError,
  ChannelKickOutError,
  ChannelSubscribeError,
  ClientClosedError,
  CodecError,
  ConnectionError,
  HandshakeError,
  OutboxExpiredError,
  OutboxOverflowError,
  ProtocolError,
  RemoteError,
  ScClientError,
  TokenStoreError,
  type AnyScError,
  type ClosePhase,
  type ConnectionErrorCode,
  type ConnectionErrorOptions,
  type ProtocolErrorKind,
  type ScErrorCode,
} from './errors';
