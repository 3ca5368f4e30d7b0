import type { RefreshToken } from '../auth/refresh-host';
import type { ClientFeature, EngineFactory } from '../engine/feature';
import { checkDuration } from '../internal/duration';
import { refreshBeforeExpiry } from './refresh-before-expiry';

/** Options of {@link tokenRefresh}. */
export interface TokenRefreshOptions {
  /**
   * How long before the token's `exp` the refresh runs, in ms; never earlier than half-way through the token's
   * life, so that a short-lived token does not start a refresh loop. Default: 60000.
   */
  margin?: number;
}

/** A `tokenRefresh()` feature, which also lends its function to the sharing of tabs. @internal */
export interface TokenRefreshFeature extends ClientFeature {
  readonly feature: 'token-refresh';
  readonly refresh: RefreshToken;
  readonly margin: number;
}

/**
 * Keeps a client signed in, for the `features` option of `createClient`: shortly before the current token expires
 * (`margin` before its `exp`), the client calls `refresh` with its authenticated state and authenticates with the
 * token it returns (one `#authenticate`, on the open connection); the server's answer replaces the token, in the
 * store too. A failure (an error, no token, a token that does not decode or verify, or the server refusing it) is
 * reported on `errors$` as an `AuthRefreshError` with its `attempt` number and `cause`, and tried again after the
 * client's `backoff` delays, except a refusal, which signs the client out. A new token from elsewhere, or signing
 * out, cancels what was scheduled for the old one. A reconnect while the server has not answered yet presents the
 * new token in the handshake. A client without it has no refresh code at all, in its bundle or on its paths.
 *
 * @param refresh - Fetches a new signed token for the current one: an Observable (its first value) or a Promise.
 * @param options - The margin before expiry (default 60 s).
 * @returns The feature, to pass in `features`.
 * @throws TypeError when `refresh` is not a function, RangeError for a margin outside 0 to 2^31 - 1 ms.
 * @example
 * ```ts
 * import { createClient, type Client } from 'rx-socketcluster';
 * import { tokenRefresh } from 'rx-socketcluster/refresh';
 *
 * const client: Client = createClient({
 *   url,
 *   features: [tokenRefresh(() => client.invoke<string>('renewToken'), { margin: 120_000 })],
 * });
 * ```
 * @see docs/auth.md
 */
export function tokenRefresh(refresh: RefreshToken, options: TokenRefreshOptions = {}): ClientFeature {
  if (typeof refresh !== 'function')
    throw new TypeError('tokenRefresh() needs a function that fetches a token');
  const margin = checkDuration('margin', options.margin ?? 60_000);
  const feature: TokenRefreshFeature = {
    feature: 'token-refresh',
    refresh,
    margin,
    // The auth controller starts the refresh over its state; the backoff and the clock are the client's.
    wrapEngine:
      (next: EngineFactory): EngineFactory =>
      (config, events) =>
        next(
          {
            ...config,
            refresh: (state$, host) =>
              refreshBeforeExpiry(state$, host, {
                refresh,
                margin,
                backoff: config.backoff,
                scheduler: config.scheduler,
              }),
          },
          events,
        ),
  };
  return feature;
}
