/**
 * Reconnect delay settings. The delay before reconnect attempt `n` (0 for the first) is
 * `min(maxDelay, round((initialDelay + randomness * random()) * multiplier ** n))`, the shape (and option names) of
 * the official client's backoff, with defaults that bring a dashboard back within about a second of a server
 * restart.
 */
export interface BackoffOptions {
  /** Base delay of the first attempt, in ms. Default: 500. */
  initialDelay: number;
  /** Up to this much random delay is added to the base, in ms (jitter). Default: 500. */
  randomness: number;
  /** Growth factor per attempt. Default: 1.5. */
  multiplier: number;
  /** Upper bound, in ms. Default: 30000. */
  maxDelay: number;
}

/** The default {@link BackoffOptions}: first retry after 0.5 to 1 s, growing 1.5x per attempt, capped at 30 s. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  initialDelay: 500,
  randomness: 500,
  multiplier: 1.5,
  maxDelay: 30_000,
});

/**
 * The delay before reconnect attempt `attempt` (0-based), in milliseconds. Pure: inject `random` to test it.
 *
 * @param attempt - 0 for the first reconnect after a failure, 1 for the next, and so on.
 * @param options - The backoff settings.
 * @param random - A source of numbers in [0, 1). Default: `Math.random`.
 * @returns The delay in ms, between `initialDelay` and `maxDelay`.
 * @example
 * ```ts
 * backoffDelay(0, DEFAULT_BACKOFF, () => 0); // 500
 * backoffDelay(2, DEFAULT_BACKOFF, () => 0); // 1125
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const base = options.initialDelay + options.randomness * random();
  const delay = Math.round(base * options.multiplier ** attempt);
  // 0 * Infinity (a zero base after very many attempts) is NaN.
  return Number.isNaN(delay) ? 0 : Math.min(options.maxDelay, delay);
}
