import { asyncScheduler } from 'rxjs';
import { AckTimeoutError, ClientClosedError, ConnectionError, ScClientError } from '../../lib/errors';
import { CallRegistry, type PendingCall } from '../../lib/rpc/call-registry';

interface TestCall extends PendingCall {
  resolve: jest.Mock<void, [unknown]>;
  fail: jest.Mock<void, [ScClientError]>;
}

/** A call registered now that times out after `timeout` ms. */
function call(cid: number, timeout: number, event = `proc${cid}`, sent = true): TestCall {
  return {
    cid,
    event,
    timeout,
    deadline: asyncScheduler.now() + timeout,
    sent,
    resolve: jest.fn<void, [unknown]>(),
    fail: jest.fn<void, [ScClientError]>(),
  };
}

describe('CallRegistry', () => {
  let registry: CallRegistry;

  beforeEach(() => {
    jest.useFakeTimers();
    registry = new CallRegistry(asyncScheduler);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('holds no timer before the first call', () => {
    expect(registry.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  describe('one timer for many calls', () => {
    it('arms a single timer however many calls wait', () => {
      for (let cid = 1; cid <= 100; cid++) registry.add(call(cid, 1_000 + cid));
      expect(registry.size).toBe(100);
      expect(jest.getTimerCount()).toBe(1);
    });

    it('keeps a single timer when a call with an earlier deadline re-arms it', () => {
      registry.add(call(1, 5_000));
      registry.add(call(2, 1_000));
      registry.add(call(3, 100));
      expect(jest.getTimerCount()).toBe(1);
    });

    it('does not touch the timer when calls are answered', () => {
      const calls = [call(1, 1_000), call(2, 2_000)];
      calls.forEach((c) => registry.add(c));
      expect(registry.take(1)).toBe(calls[0]);
      expect(registry.take(2)).toBe(calls[1]);
      expect(jest.getTimerCount()).toBe(1);
      // the sweep finds nothing, fails nothing and does not re-arm
      jest.advanceTimersByTime(1_000);
      expect(jest.getTimerCount()).toBe(0);
      calls.forEach((c) => expect(c.fail).not.toHaveBeenCalled());
    });

    it('re-arms after each sweep while calls remain, and leaves no timer after the last', () => {
      registry.add(call(1, 100));
      registry.add(call(2, 200));
      registry.add(call(3, 300));
      jest.advanceTimersByTime(100);
      expect(registry.size).toBe(2);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(100);
      expect(registry.size).toBe(1);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(100);
      expect(registry.size).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('timeouts', () => {
    it('fails a call exactly at its deadline, not before', () => {
      const c = call(1, 1_000);
      registry.add(c);
      jest.advanceTimersByTime(999);
      expect(c.fail).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(c.fail).toHaveBeenCalledTimes(1);
      expect(registry.size).toBe(0);
      expect(c.resolve).not.toHaveBeenCalled();
    });

    it('fails the earliest deadline first, whatever the order of adding', () => {
      const order: number[] = [];
      const late = call(1, 3_000);
      const early = call(2, 1_000);
      const middle = call(3, 2_000);
      for (const c of [late, early, middle]) {
        c.fail.mockImplementation(() => order.push(c.cid));
        registry.add(c);
      }
      jest.advanceTimersByTime(1_000);
      expect(order).toEqual([2]);
      jest.advanceTimersByTime(1_000);
      expect(order).toEqual([2, 3]);
      jest.advanceTimersByTime(1_000);
      expect(order).toEqual([2, 3, 1]);
    });

    it('fails a short call added after a long one on time', () => {
      const long = call(1, 10_000);
      registry.add(long);
      jest.advanceTimersByTime(2_000);
      const short = call(2, 500); // deadline 2_500
      registry.add(short);
      jest.advanceTimersByTime(500);
      expect(short.fail).toHaveBeenCalledTimes(1);
      expect(long.fail).not.toHaveBeenCalled();
      jest.advanceTimersByTime(7_499);
      expect(long.fail).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(long.fail).toHaveBeenCalledTimes(1);
    });

    it('fails every call due at the same time in one sweep', () => {
      const calls = [call(1, 500), call(2, 500), call(3, 500)];
      calls.forEach((c) => registry.add(c));
      jest.advanceTimersByTime(500);
      calls.forEach((c) => expect(c.fail).toHaveBeenCalledTimes(1));
      expect(jest.getTimerCount()).toBe(0);
    });

    it('fails with an AckTimeoutError carrying the event and timeout', () => {
      const c = call(7, 1_234, 'sum');
      registry.add(c);
      jest.advanceTimersByTime(1_234);
      const error = c.fail.mock.calls[0]![0];
      expect(error).toBeInstanceOf(AckTimeoutError);
      expect(error).toBeInstanceOf(ScClientError);
      expect(error).toMatchObject({
        name: 'AckTimeoutError',
        code: 'ACK_TIMEOUT',
        event: 'sum',
        timeout: 1_234,
        message: "No response to 'sum' within 1234 ms",
      });
    });

    it('gives each timed-out call its own error', () => {
      const a = call(1, 100, 'a');
      const b = call(2, 100, 'b');
      registry.add(a);
      registry.add(b);
      jest.advanceTimersByTime(100);
      const errA = a.fail.mock.calls[0]![0];
      const errB = b.fail.mock.calls[0]![0];
      expect(errA).not.toBe(errB);
      expect(errA).toMatchObject({ event: 'a' });
      expect(errB).toMatchObject({ event: 'b' });
    });

    it('fails a call with a timeout of 0 on the next timer tick', () => {
      const c = call(1, 0);
      registry.add(c);
      expect(c.fail).not.toHaveBeenCalled();
      jest.advanceTimersByTime(0);
      expect(c.fail).toHaveBeenCalledTimes(1);
    });

    it('arms a timer for a call added from a fail callback during a sweep', () => {
      const retried = call(2, 1_000);
      const first = call(1, 100);
      first.fail.mockImplementation(() =>
        registry.add({ ...retried, deadline: asyncScheduler.now() + 1_000 }),
      );
      registry.add(first);
      jest.advanceTimersByTime(100);
      expect(registry.size).toBe(1);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(1_000);
      expect(retried.fail).toHaveBeenCalledTimes(1);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('take', () => {
    it('removes and returns the call answered by rid', () => {
      const c = call(3, 1_000);
      registry.add(c);
      expect(registry.take(3)).toBe(c);
      expect(registry.size).toBe(0);
      expect(registry.take(3)).toBeUndefined();
    });

    it('returns undefined for a rid no call waits for', () => {
      registry.add(call(1, 1_000));
      expect(registry.take(2)).toBeUndefined();
      expect(registry.size).toBe(1);
    });

    it('keeps a taken call from timing out', () => {
      const c = call(1, 1_000);
      registry.add(c);
      registry.take(1);
      jest.advanceTimersByTime(5_000);
      expect(c.fail).not.toHaveBeenCalled();
    });

    it('does not resolve the call itself', () => {
      const c = call(1, 1_000);
      registry.add(c);
      registry.take(1);
      expect(c.resolve).not.toHaveBeenCalled();
    });
  });

  describe('remove', () => {
    it('drops the call without failing it, at the deadline or later', () => {
      const c = call(1, 1_000);
      const other = call(2, 2_000);
      registry.add(c);
      registry.add(other);
      registry.remove(1);
      expect(registry.size).toBe(1);
      jest.advanceTimersByTime(1_000);
      expect(c.fail).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1_000);
      expect(other.fail).toHaveBeenCalledTimes(1);
    });

    it('ignores an unknown cid', () => {
      registry.add(call(1, 1_000));
      registry.remove(42);
      expect(registry.size).toBe(1);
    });
  });

  describe('failWhere', () => {
    it('fails the matching calls with the given error and keeps the others', () => {
      const sent = call(1, 1_000, 'a', true);
      const queued = call(2, 1_000, 'b', false);
      registry.add(sent);
      registry.add(queued);
      const error = new ConnectionError(1006, '', 'disconnect');
      registry.failWhere((c) => c.sent, error);
      expect(sent.fail).toHaveBeenCalledWith(error);
      expect(queued.fail).not.toHaveBeenCalled();
      expect(registry.size).toBe(1);
      expect(registry.take(1)).toBeUndefined();
      expect(registry.take(2)).toBe(queued);
    });

    it('lets the remaining calls time out as before', () => {
      const sent = call(1, 1_000, 'a', true);
      const queued = call(2, 1_000, 'b', false);
      registry.add(sent);
      registry.add(queued);
      registry.failWhere((c) => c.sent, new ConnectionError(1006, '', 'disconnect'));
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(1_000);
      expect(queued.fail).toHaveBeenCalledTimes(1);
      expect(queued.fail.mock.calls[0]![0]).toBeInstanceOf(AckTimeoutError);
      expect(sent.fail).toHaveBeenCalledTimes(1);
    });

    it('stops the timer when it leaves no call', () => {
      registry.add(call(1, 1_000));
      registry.add(call(2, 2_000));
      registry.failWhere(() => true, new ClientClosedError());
      expect(registry.size).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('fails each call only once, however often it runs', () => {
      const calls = [call(1, 1_000), call(2, 1_000)];
      calls.forEach((c) => registry.add(c));
      const error = new ClientClosedError();
      registry.failWhere(() => true, error);
      registry.failWhere(() => true, error);
      jest.advanceTimersByTime(1_000);
      calls.forEach((c) => expect(c.fail).toHaveBeenCalledTimes(1));
    });

    it('does nothing when no call matches', () => {
      const c = call(1, 1_000);
      registry.add(c);
      registry.failWhere(() => false, new ClientClosedError());
      expect(c.fail).not.toHaveBeenCalled();
      expect(jest.getTimerCount()).toBe(1);
    });
  });

  describe('idle', () => {
    it('leaves zero timers once every call is answered', () => {
      registry.add(call(1, 10_000));
      registry.add(call(2, 20_000));
      registry.take(1);
      registry.take(2);
      expect(jest.getTimerCount()).toBe(1);
      registry.idle();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('keeps the timer while a call waits', () => {
      const c = call(1, 1_000);
      registry.add(c);
      registry.idle();
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(1_000);
      expect(c.fail).toHaveBeenCalledTimes(1);
    });

    it('is harmless with no timer armed', () => {
      registry.idle();
      registry.idle();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('lets a later call arm a fresh timer', () => {
      registry.add(call(1, 10_000));
      registry.take(1);
      registry.idle();
      const c = call(2, 5_000);
      registry.add(c);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(5_000);
      expect(c.fail).toHaveBeenCalledTimes(1);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});

describe('calls removed by another call failing', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('are not failed again, on timeout or by failWhere', () => {
    const registry = new CallRegistry(asyncScheduler);
    const failSecond = jest.fn();
    const make = (cid: number, fail: () => void): PendingCall => ({
      cid,
      event: 'e',
      timeout: 100,
      deadline: Date.now() + 100,
      sent: true,
      resolve: jest.fn(),
      fail,
    });
    registry.add(make(1, () => registry.remove(2)));
    registry.add(make(2, failSecond));
    jest.advanceTimersByTime(100);
    expect(failSecond).not.toHaveBeenCalled();
    registry.add(make(3, () => registry.remove(4)));
    registry.add(make(4, failSecond));
    registry.failWhere(() => true, new AckTimeoutError('e', 0));
    expect(failSecond).not.toHaveBeenCalled();
    expect(registry.size).toBe(0);
  });
});
