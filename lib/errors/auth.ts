import { ScClientError } from './base';

/**
 * A token the client was given or found cannot be used: it is not a well-formed JWT, or it failed the configured
 * verification. The token itself is never part of the message. The token is not sent, stored or trusted.
 */
export class AuthTokenInvalidError extends ScClientError {
  override readonly name = 'AuthTokenInvalidError';
  readonly code = 'AUTH_TOKEN_INVALID';
  /** Where the token came from. */
  declare readonly source: 'store' | 'server' | 'authenticate';

  constructor(source: 'store' | 'server' | 'authenticate', reason: string, options?: ErrorOptions) {
    super(
      `Unusable auth token from ${source === 'store' ? 'the token store' : source === 'server' ? 'the server' : 'authenticate()'}: ${reason}`,
      options,
    );
    this.source = source;
  }
}

/** A token's `exp` has passed; it is not sent. */
export class AuthTokenExpiredError extends ScClientError {
  override readonly name = 'AuthTokenExpiredError';
  readonly code = 'AUTH_TOKEN_EXPIRED';
  /** When the token expired, in epoch ms. */
  declare readonly expiredAt: number;

  constructor(expiredAt: number) {
    super(`The auth token expired at ${new Date(expiredAt).toISOString()}`);
    this.expiredAt = expiredAt;
  }
}

/** The token store failed to load, save or remove the token; its error is `cause`. */
export class TokenStoreError extends ScClientError {
  override readonly name = 'TokenStoreError';
  readonly code = 'TOKEN_STORE_FAILED';
  /** The operation that failed. */
  declare readonly operation: 'load' | 'save' | 'remove';

  constructor(operation: 'load' | 'save' | 'remove', options?: ErrorOptions) {
    super(`The token store failed to ${operation} the auth token`, options);
    this.operation = operation;
  }
}

/** One attempt of the `refreshToken` function (or of authenticating its result) failed; it is retried. */
export class AuthRefreshError extends ScClientError {
  override readonly name = 'AuthRefreshError';
  readonly code = 'AUTH_REFRESH_FAILED';
  /** 1 for the first failed attempt since the refresh began. */
  declare readonly attempt: number;

  constructor(attempt: number, options?: ErrorOptions) {
    super(`Refreshing the auth token failed (attempt ${attempt}); retrying`, options);
    this.attempt = attempt;
  }
}
