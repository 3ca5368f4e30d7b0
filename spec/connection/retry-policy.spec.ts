import { DEFAULT_BACKOFF } from '../../lib/connection/backoff-delay';
import { retryDelay, STABLE_SESSION, type RetryConfig } from '../../lib/connection/retry-policy';
import { ConnectionError } from '../../lib/errors';

const config: RetryConfig = {
  reconnect: true,
  maxAttempts: Infinity,
  backoff: { ...DEFAULT_BACKOFF, randomness: 0 },
  reconnectDelay: undefined,
};
const closed = (code: number) => new ConnectionError(code, 'reason', 'disconnect');

describe('STABLE_SESSION', () => {
  // What it does to the count is tested through the client, in virtual time (virtual-time.spec.ts).
  it('is 5 s: a session open that long starts a new run of failures', () => {
    expect(STABLE_SESSION).toBe(5000);
  });
});

describe('retryDelay', () => {
  it.each([4000, 4001, 1005])('retries the first failure of a run after %i at once, and no other', (code) => {
    expect(retryDelay(config, closed(code), 1)).toBe(0);
    expect(retryDelay(config, closed(code), 2)).toBe(750);
    expect(retryDelay(config, closed(code), 3)).toBe(1125);
  });

  it('backs off from the first failure after other codes', () => {
    expect(retryDelay(config, closed(1006), 1)).toBe(500);
    expect(retryDelay(config, closed(1006), 2)).toBe(750);
  });

  it('passes the 0-based reconnect number to reconnectDelay, and skips it for the immediate retry', () => {
    const asked: number[] = [];
    const custom = { ...config, reconnectDelay: (n: number) => (asked.push(n), 42) };
    expect(retryDelay(custom, closed(4001), 1)).toBe(0);
    expect(retryDelay(custom, closed(4001), 2)).toBe(42);
    expect(retryDelay(custom, closed(1006), 1)).toBe(42);
    expect(asked).toEqual([1, 0]);
  });

  it('stops once maxAttempts failures in a row were retried', () => {
    const limited = { ...config, maxAttempts: 2 };
    expect(retryDelay(limited, closed(1006), 2)).toBe(750);
    expect(retryDelay(limited, closed(1006), 3)).toBeUndefined();
  });
});
