import { retry, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../lib/connection/backoff-delay';

const fixed = (value: number) => () => value;

describe('backoffDelay', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('formula', () => {
    it('is initialDelay * multiplier ** attempt without jitter', () => {
      const options: BackoffOptions = { initialDelay: 100, randomness: 0, multiplier: 2, maxDelay: 100_000 };
      expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, options, fixed(0)))).toEqual([
        100, 200, 400, 800, 1600,
      ]);
    });

    it('grows the defaults 1.5x per attempt (500, 750, 1125, ...)', () => {
      expect([0, 1, 2, 3].map((n) => backoffDelay(n, DEFAULT_BACKOFF, fixed(0)))).toEqual([
        500, 750, 1125, 1688,
      ]);
    });

    it('multiplies the jitter along with the base', () => {
      // (500 + 500 * 0.5) * 1.5 ** n
      expect([0, 1, 2].map((n) => backoffDelay(n, DEFAULT_BACKOFF, fixed(0.5)))).toEqual([750, 1125, 1688]);
    });

    it('rounds to whole milliseconds', () => {
      const options: BackoffOptions = { initialDelay: 10, randomness: 1, multiplier: 1.1, maxDelay: 1_000 };
      for (let n = 0; n < 10; n++) {
        for (const r of [0, 0.123, 0.5, 0.777, 0.999]) {
          const delay = backoffDelay(n, options, fixed(r));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBe(Math.round((10 + r) * 1.1 ** n));
        }
      }
    });

    it('keeps a multiplier of 1 constant', () => {
      const options: BackoffOptions = { initialDelay: 250, randomness: 0, multiplier: 1, maxDelay: 1_000 };
      expect([0, 5, 50].map((n) => backoffDelay(n, options, fixed(0)))).toEqual([250, 250, 250]);
    });
  });

  describe('jitter bounds', () => {
    const samples = [0, 0.0001, 0.25, 0.5, 0.75, 0.9999, 0.999999999];

    it('keeps the first delay between initialDelay and initialDelay + randomness', () => {
      for (const r of samples) {
        const delay = backoffDelay(0, DEFAULT_BACKOFF, fixed(r));
        expect(delay).toBeGreaterThanOrEqual(500);
        expect(delay).toBeLessThanOrEqual(1000);
      }
      expect(backoffDelay(0, DEFAULT_BACKOFF, fixed(0))).toBe(500);
      expect(backoffDelay(0, DEFAULT_BACKOFF, fixed(0.999999999))).toBe(1000);
    });

    it('keeps attempt n between the scaled lower and upper bounds', () => {
      for (let n = 0; n < 6; n++) {
        const low = Math.round(500 * 1.5 ** n);
        const high = Math.round(1000 * 1.5 ** n);
        for (const r of samples) {
          const delay = backoffDelay(n, DEFAULT_BACKOFF, fixed(r));
          expect(delay).toBeGreaterThanOrEqual(low);
          expect(delay).toBeLessThanOrEqual(high);
        }
      }
    });

    it('calls the injected random source once per delay', () => {
      const random = jest.fn(() => 0.2);
      expect(backoffDelay(1, DEFAULT_BACKOFF, random)).toBe(900); // (500 + 100) * 1.5
      expect(random).toHaveBeenCalledTimes(1);
    });

    it('uses Math.random when no source is given', () => {
      const random = jest.spyOn(Math, 'random').mockReturnValue(0.25);
      expect(backoffDelay(0, DEFAULT_BACKOFF)).toBe(625);
      expect(random).toHaveBeenCalledTimes(1);
    });
  });

  describe('cap', () => {
    it('never exceeds maxDelay', () => {
      for (let n = 0; n < 40; n++) {
        expect(backoffDelay(n, DEFAULT_BACKOFF, fixed(0.999))).toBeLessThanOrEqual(30_000);
      }
      expect(backoffDelay(20, DEFAULT_BACKOFF, fixed(0))).toBe(30_000);
    });

    it('applies after the jitter', () => {
      const options: BackoffOptions = { initialDelay: 500, randomness: 500, multiplier: 1, maxDelay: 600 };
      expect(backoffDelay(0, options, fixed(0))).toBe(500);
      expect(backoffDelay(0, options, fixed(0.1))).toBe(550);
      expect(backoffDelay(0, options, fixed(0.9))).toBe(600);
    });

    it('holds when multiplier ** attempt overflows to Infinity', () => {
      expect(1.5 ** 2000).toBe(Infinity);
      expect(backoffDelay(2000, DEFAULT_BACKOFF, fixed(0))).toBe(30_000);
    });
  });

  describe('DEFAULT_BACKOFF', () => {
    it('is 500 ms + up to 500 ms jitter, x1.5, capped at 30 s', () => {
      expect(DEFAULT_BACKOFF).toEqual({
        initialDelay: 500,
        randomness: 500,
        multiplier: 1.5,
        maxDelay: 30_000,
      });
    });

    it('is frozen', () => {
      expect(Object.isFrozen(DEFAULT_BACKOFF)).toBe(true);
    });

    it('reaches the cap from the 9th attempt without jitter', () => {
      // 500 * 1.5 ** 10 = 28833 (under), 500 * 1.5 ** 11 = 43249 (capped)
      expect(backoffDelay(10, DEFAULT_BACKOFF, fixed(0))).toBe(28_833);
      expect(backoffDelay(11, DEFAULT_BACKOFF, fixed(0))).toBe(30_000);
      // with full jitter the cap comes earlier: 1000 * 1.5 ** 9 = 38443
      expect(backoffDelay(8, DEFAULT_BACKOFF, fixed(0.999999999))).toBe(25_629);
      expect(backoffDelay(9, DEFAULT_BACKOFF, fixed(0.999999999))).toBe(30_000);
    });
  });

  describe('driving retry (marble)', () => {
    let testScheduler: TestScheduler;

    beforeEach(() => {
      testScheduler = new TestScheduler((actual, expected) => {
        expect(actual).toEqual(expected);
      });
    });

    it('resubscribes after 10, 20 and 40 frames', () => {
      const options: BackoffOptions = { initialDelay: 10, randomness: 0, multiplier: 2, maxDelay: 1_000 };
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('#', undefined, 'down');
        const result = source.pipe(
          retry({ count: 3, delay: (_error, n) => timer(backoffDelay(n - 1, options, () => 0)) }),
        );
        expectObservable(result).toBe('70ms #', undefined, 'down');
        expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)', '30ms (^!)', '70ms (^!)']);
      });
    });

    it('spaces attempts by the capped delay once maxDelay is reached', () => {
      const options: BackoffOptions = { initialDelay: 10, randomness: 0, multiplier: 2, maxDelay: 30 };
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('#', undefined, 'down');
        const result = source.pipe(
          retry({ count: 4, delay: (_error, n) => timer(backoffDelay(n - 1, options, () => 0)) }),
        );
        // delays 10, 20, 30 (capped from 40), 30 (capped from 80)
        expectObservable(result).toBe('90ms #', undefined, 'down');
        expectSubscriptions(source.subscriptions).toBe([
          '(^!)',
          '10ms (^!)',
          '30ms (^!)',
          '60ms (^!)',
          '90ms (^!)',
        ]);
      });
    });

    it('runs the default backoff in virtual time (500, 750, 1125 ms)', () => {
      testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('a#', { a: 1 }, 'down');
        const result = source.pipe(
          retry({ count: 3, delay: (_error, n) => timer(backoffDelay(n - 1, DEFAULT_BACKOFF, () => 0)) }),
        );
        // each attempt emits `a` at its first frame and errors one frame later
        expectObservable(result).toBe('a 500ms a 750ms a 1125ms a#', { a: 1 }, 'down');
        expectSubscriptions(source.subscriptions).toBe(['^!', '501ms ^!', '1252ms ^!', '2378ms ^!']);
      });
    });
  });
});

describe('a zero base after very many attempts', () => {
  it('gives 0, not NaN', () => {
    const options = { initialDelay: 0, randomness: 0, multiplier: 1.5, maxDelay: 30_000 };
    expect(backoffDelay(2000, options, () => 0)).toBe(0);
  });
});
