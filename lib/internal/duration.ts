/** The longest delay a timer takes (`setTimeout` fires at once beyond it), in ms. */
export const MAX_TIMER = 2 ** 31 - 1;

/**
 * Throws a `RangeError` unless `value` is a delay a timer can take (0 to {@link MAX_TIMER} ms); returns it. One
 * builder for every such message (options, invoke timeouts, linger).
 */
export function checkDuration(name: string, value: number): number {
  if (!(value >= 0 && value <= MAX_TIMER)) {
    throw new RangeError(`${name} must be between 0 and ${MAX_TIMER} ms, got ${value}`);
  }
  return value;
}
