import { ChannelLog } from '../../lib/server/channel-log';

// The server companion's history of one channel: sequences, the ring's count limit, the age limit, and the answers
// to recovery requests built from it. The clock is given, not read.

const EPOCH = 'e1';

function logOf(size: number, age = 60_000, count = 0, at = 0): ChannelLog {
  const log = new ChannelLog({ size, age }, EPOCH);
  for (let i = 1; i <= count; i++) log.append(`m${i}`, at);
  return log;
}

it('numbers messages from 1 and answers a cursor with what follows it, in order', () => {
  const log = logOf(10, 60_000, 5);
  expect(log.top).toBe(5);
  expect(log.recover({ channel: 'c', epoch: EPOCH, seq: 2 }, 0, 0)).toEqual({
    epoch: EPOCH,
    top: 5,
    messages: [
      [3, 'm3'],
      [4, 'm4'],
      [5, 'm5'],
    ],
  });
  expect(log.recover({ channel: 'c', epoch: EPOCH, seq: 5 }, 0, 0).messages).toEqual([]);
});

it('keeps the last `size` messages, and reports what fell out of the ring as lost', () => {
  const log = logOf(3, 60_000, 10);
  expect(log.oldest(0)).toBe(8);
  expect(log.recover({ channel: 'c', epoch: EPOCH, seq: 4 }, 0, 0)).toEqual({
    epoch: EPOCH,
    top: 10,
    messages: [
      [8, 'm8'],
      [9, 'm9'],
      [10, 'm10'],
    ],
    lost: { reason: 'history-exceeded', epoch: EPOCH, from: 5, to: 7 },
  });
});

it('drops messages older than `age`, and forgets a log that holds nothing', () => {
  const log = new ChannelLog({ size: 10, age: 1000 }, EPOCH);
  log.append('old', 0);
  log.append('new', 900);
  expect(log.oldest(1500)).toBe(2);
  expect(log.recover({ channel: 'c', epoch: EPOCH, seq: 0 }, 0, 1500)).toMatchObject({
    messages: [[2, 'new']],
    lost: { reason: 'history-exceeded', from: 1, to: 1 },
  });
  expect(log.idle(1500)).toBe(false);
  expect(log.idle(2000)).toBe(true);
});

it('reports an epoch change from the cursor on, and gives what was published since the socket subscribed', () => {
  const log = logOf(10, 60_000, 6);
  expect(log.recover({ channel: 'c', epoch: 'old', seq: 40 }, 4, 0)).toEqual({
    epoch: EPOCH,
    top: 6,
    messages: [
      [5, 'm5'],
      [6, 'm6'],
    ],
    lost: { reason: 'epoch-changed', epoch: 'old', from: 41 },
  });
});

it('answers a first request with what was published since the socket subscribed, or the last `rewind`', () => {
  const log = logOf(10, 60_000, 8);
  expect(log.recover({ channel: 'c' }, 7, 0).messages).toEqual([[8, 'm8']]);
  expect(log.recover({ channel: 'c', rewind: 3 }, 8, 0).messages).toEqual([
    [6, 'm6'],
    [7, 'm7'],
    [8, 'm8'],
  ]);
  // A rewind longer than the history gives what there is, and no loss: nothing before the subscription was owed.
  expect(logOf(2, 60_000, 8).recover({ channel: 'c', rewind: 5 }, 8, 0)).toEqual({
    epoch: EPOCH,
    top: 8,
    messages: [
      [7, 'm7'],
      [8, 'm8'],
    ],
  });
  // What was published since the subscription and has aged out is a loss.
  expect(logOf(2, 60_000, 8).recover({ channel: 'c' }, 4, 0)).toMatchObject({
    messages: [
      [7, 'm7'],
      [8, 'm8'],
    ],
    lost: { reason: 'history-exceeded', from: 5, to: 6 },
  });
});

it('stamps without keeping anything with a size of 0', () => {
  const log = logOf(0, 60_000, 3);
  expect(log.top).toBe(3);
  expect(log.recover({ channel: 'c', epoch: EPOCH, seq: 1 }, 0, 0)).toMatchObject({
    messages: [],
    lost: { reason: 'history-exceeded', from: 2, to: 3 },
  });
});
