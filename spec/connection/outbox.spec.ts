import { asyncScheduler } from 'rxjs';
import { Outbox, type OutboxEntry } from '../../lib/connection/outbox';
import { OutboxExpiredError, type ScClientError } from '../../lib/errors';

const entry = (frame: string | Uint8Array, onSent?: () => void): OutboxEntry => ({
  frame,
  event: typeof frame === 'string' ? `e:${frame}` : 'binary',
  ...(onSent ? { onSent } : {}),
});

/** A send function that accepts `accept` frames, then refuses, recording what it accepted. */
function sink(accept = Infinity) {
  const sent: (string | Uint8Array)[] = [];
  const send = jest.fn((frame: string | Uint8Array) => {
    if (sent.length >= accept) return false;
    sent.push(frame);
    return true;
  });
  return { sent, send };
}

describe('Outbox', () => {
  it('starts empty with the given limit', () => {
    const outbox = new Outbox(3);
    expect(outbox.size).toBe(0);
    expect(outbox.limit).toBe(3);
  });

  describe('push', () => {
    it('queues entries up to the limit', () => {
      const outbox = new Outbox(2);
      expect(outbox.push(entry('a'))).toBe(true);
      expect(outbox.push(entry('b'))).toBe(true);
      expect(outbox.size).toBe(2);
    });

    it('refuses an entry when full and queues nothing', () => {
      const outbox = new Outbox(2);
      outbox.push(entry('a'));
      outbox.push(entry('b'));
      expect(outbox.push(entry('c'))).toBe(false);
      expect(outbox.size).toBe(2);
      expect(outbox.drain().map((e) => e.frame)).toEqual(['a', 'b']);
    });

    it('accepts again once room is made', () => {
      const outbox = new Outbox(1);
      const a = entry('a');
      outbox.push(a);
      expect(outbox.push(entry('b'))).toBe(false);
      outbox.remove(a);
      expect(outbox.push(entry('c'))).toBe(true);
      expect(outbox.drain().map((e) => e.frame)).toEqual(['c']);
    });

    it('refuses everything with a limit of 0', () => {
      const outbox = new Outbox(0);
      expect(outbox.push(entry('a'))).toBe(false);
      expect(outbox.size).toBe(0);
    });

    it('holds binary frames as they are', () => {
      const outbox = new Outbox(1);
      const bytes = new Uint8Array([1, 2, 3]);
      outbox.push(entry(bytes));
      const { sent, send } = sink();
      outbox.flush(send);
      expect(sent[0]).toBe(bytes);
    });
  });

  describe('flush', () => {
    it('sends every frame in FIFO order and empties the queue', () => {
      const outbox = new Outbox(10);
      for (const f of ['a', 'b', 'c']) outbox.push(entry(f));
      const { sent, send } = sink();
      outbox.flush(send);
      expect(sent).toEqual(['a', 'b', 'c']);
      expect(outbox.size).toBe(0);
    });

    it('calls onSent of each entry after its frame was accepted, in order', () => {
      const outbox = new Outbox(10);
      const log: string[] = [];
      const send = (frame: string | Uint8Array) => {
        log.push(`send ${String(frame)}`);
        return true;
      };
      outbox.push(entry('a', () => log.push('sent a')));
      outbox.push(entry('b'));
      outbox.push(entry('c', () => log.push('sent c')));
      outbox.flush(send);
      expect(log).toEqual(['send a', 'sent a', 'send b', 'send c', 'sent c']);
    });

    it('stops at the first refused frame and keeps it and the rest, in order', () => {
      const outbox = new Outbox(10);
      const onSent = ['a', 'b', 'c', 'd'].map(() => jest.fn());
      ['a', 'b', 'c', 'd'].forEach((f, i) => outbox.push(entry(f, onSent[i])));
      const first = sink(2);
      outbox.flush(first.send);
      expect(first.sent).toEqual(['a', 'b']);
      expect(first.send).toHaveBeenCalledTimes(3); // a, b, and the refused c
      expect(onSent.map((fn) => fn.mock.calls.length)).toEqual([1, 1, 0, 0]);
      expect(outbox.size).toBe(2);

      const second = sink();
      outbox.flush(second.send);
      expect(second.sent).toEqual(['c', 'd']);
      expect(onSent.map((fn) => fn.mock.calls.length)).toEqual([1, 1, 1, 1]);
      expect(outbox.size).toBe(0);
    });

    it('keeps everything when the first frame is refused', () => {
      const outbox = new Outbox(10);
      outbox.push(entry('a'));
      outbox.push(entry('b'));
      const { send } = sink(0);
      outbox.flush(send);
      expect(send).toHaveBeenCalledTimes(1);
      expect(outbox.size).toBe(2);
    });

    it('does not call send on an empty outbox', () => {
      const { send } = sink();
      new Outbox(5).flush(send);
      expect(send).not.toHaveBeenCalled();
    });

    it('sends entries pushed while flushing after the earlier ones', () => {
      const outbox = new Outbox(10);
      outbox.push(entry('a', () => outbox.push(entry('late'))));
      outbox.push(entry('b'));
      const { sent, send } = sink();
      outbox.flush(send);
      expect(sent).toEqual(['a', 'b', 'late']);
      expect(outbox.size).toBe(0);
    });
  });

  describe('remove', () => {
    it('takes out exactly that entry (by identity) and keeps the order of the rest', () => {
      const outbox = new Outbox(10);
      const a = entry('x');
      const b = entry('x');
      const c = entry('y');
      [a, b, c].forEach((e) => outbox.push(e));
      outbox.remove(b);
      expect(outbox.size).toBe(2);
      expect(outbox.drain()).toEqual([a, c]);
      expect(outbox.drain()).toHaveLength(0);
    });

    it('ignores an entry that is not waiting (already flushed or never queued)', () => {
      const outbox = new Outbox(10);
      const a = entry('a');
      const b = entry('b');
      outbox.push(a);
      outbox.push(b);
      outbox.flush(sink(1).send);
      outbox.remove(a);
      outbox.remove(entry('other'));
      expect(outbox.drain()).toEqual([b]);
    });

    it('makes the removed frame never be sent', () => {
      const outbox = new Outbox(10);
      const a = entry('a', jest.fn());
      outbox.push(a);
      outbox.push(entry('b'));
      outbox.remove(a);
      const { sent, send } = sink();
      outbox.flush(send);
      expect(sent).toEqual(['b']);
      expect(a.onSent).not.toHaveBeenCalled();
    });
  });

  describe('drain', () => {
    it('returns every waiting entry in order and leaves the outbox empty', () => {
      const outbox = new Outbox(10);
      const entries = ['a', 'b', 'c'].map((f) => entry(f));
      entries.forEach((e) => outbox.push(e));
      expect(outbox.drain()).toEqual(entries);
      expect(outbox.size).toBe(0);
      const { send } = sink();
      outbox.flush(send);
      expect(send).not.toHaveBeenCalled();
    });

    it('does not call onSent', () => {
      const outbox = new Outbox(10);
      const onSent = jest.fn();
      outbox.push(entry('a', onSent));
      outbox.drain();
      expect(onSent).not.toHaveBeenCalled();
    });

    it('frees the room of the limit', () => {
      const outbox = new Outbox(1);
      outbox.push(entry('a'));
      outbox.drain();
      expect(outbox.push(entry('b'))).toBe(true);
    });

    it('returns an empty array when nothing waits', () => {
      expect(new Outbox(3).drain()).toEqual([]);
    });
  });

  describe('age limit', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: 1_000_000 });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    function aged(maxAge: number) {
      const reported: ScClientError[] = [];
      const outbox = new Outbox(10, maxAge, { scheduler: asyncScheduler, report: (e) => reported.push(e) });
      return { outbox, reported };
    }

    it('drops each entry maxAge after it was queued, to its onDropped or else to report', () => {
      const { outbox, reported } = aged(1000);
      const dropped: ScClientError[] = [];
      outbox.push(entry('a'));
      jest.advanceTimersByTime(400);
      outbox.push({ frame: 'b', event: 'call', onDropped: (e) => dropped.push(e) });
      jest.advanceTimersByTime(600);
      expect(reported).toEqual([new OutboxExpiredError('e:a', 1000)]);
      expect(outbox.size).toBe(1);
      jest.advanceTimersByTime(400);
      expect(dropped).toEqual([new OutboxExpiredError('call', 1000)]);
      expect(outbox.size).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('expires an older entry behind a younger one put back at the head', () => {
      const { outbox, reported } = aged(1000);
      outbox.push(entry('old'));
      jest.advanceTimersByTime(900);
      outbox.requeue([entry('again')]);
      jest.advanceTimersByTime(100);
      expect(reported).toEqual([new OutboxExpiredError('e:old', 1000)]);
      jest.advanceTimersByTime(899);
      expect(outbox.size).toBe(1);
      jest.advanceTimersByTime(1);
      expect(outbox.size).toBe(0);
    });

    it('holds no timer once the last entry leaves', () => {
      const { outbox } = aged(1000);
      const a = entry('a');
      outbox.push(a);
      expect(jest.getTimerCount()).toBe(1);
      outbox.remove(a);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
