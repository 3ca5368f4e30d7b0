import type { ConnectionError, HandshakeError } from '../errors';
import { backoffDelay, type BackoffOptions } from './backoff-delay';
import { reconnectsAtOnce, shouldReconnect } from './should-reconnect';

/** Computes the delay before reconnect attempt `attempt` (0-based) after `error` ended the connection. */
export type ReconnectDelay = (attempt: number, error: ConnectionError | HandshakeError) => number;

/** The reconnect settings. @internal */
export interface RetryConfig {
  readonly reconnect: boolean;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  readonly reconnectDelay: ReconnectDelay | undefined;
}

const MAX_DELAY = 2 ** 31 - 1;

/**
 * How long a session must have been open (from its handshake reply) to count as stable, in ms. A session that ends
 * sooner is one more consecutive failure for the backoff, `maxAttempts` and the immediate retry: a server that
 * accepts the handshake and drops the connection at once (or announces a `pingTimeout` the client cannot keep)
 * meets the backoff rather than a reconnect loop with no delay.
 * @internal
 */
export const STABLE_SESSION = 5_000;

// A custom delay function may return anything; timers take 0 to 2^31 - 1 ms. NaN falls back to the backoff.
function clampDelay(ms: number, fallback: () => number): number {
  return Number.isNaN(ms) ? fallback() : Math.min(MAX_DELAY, Math.max(0, ms));
}

/**
 * The delay before the next attempt after `error` ended the `failures`-th consecutive failed attempt or lost
 * connection (1 for the first; see {@link STABLE_SESSION}), or `undefined` when the client stops: reconnecting is
 * off, the error says not to come back, or `maxAttempts` is spent. The first failure of a run, and only it, is
 * retried at once after a ping timeout (4000, 4001) or 1005: a one-off, since a session that ends before it is
 * stable does not start a new run.
 * @internal
 */
export function retryDelay(config: RetryConfig, error: unknown, failures: number): number | undefined {
  const n = failures - 1;
  if (!config.reconnect || !shouldReconnect(error) || n >= config.maxAttempts) return undefined;
  const cause = error as ConnectionError | HandshakeError;
  if (n === 0 && reconnectsAtOnce(cause)) return 0;
  const { backoff, reconnectDelay } = config;
  return reconnectDelay
    ? clampDelay(reconnectDelay(n, cause), () => backoffDelay(n, backoff))
    : backoffDelay(n, backoff);
}
