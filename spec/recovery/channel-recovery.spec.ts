import { Subject, type Observable } from 'rxjs';
import type { ChannelState } from '../../lib/channels/channel-state';
import { AckTimeoutError, ConnectionError } from '../../lib/errors';
import type { RecoverReply, RecoverRequest } from '../../lib/protocol/recovery-wire';
import { messages, recoverChannel, resyncOnGap, type ChannelEvent } from '../../lib/recovery';

// The client side of recovery against a scripted client: the channel's messages, its state and the answers to the
// recovery requests are pushed by the test, synchronously.

class ScriptedClient {
  // eslint-disable-next-line rxjs-x/no-exposed-subjects -- the test pushes through it
  readonly messages = new Subject<unknown>();
  // eslint-disable-next-line rxjs-x/no-exposed-subjects -- the test pushes through it
  readonly states = new Subject<ChannelState>();
  readonly requests: { data: RecoverRequest; answer: Subject<unknown> }[] = [];

  channel(): Observable<unknown> {
    return this.messages;
  }

  channelState$(): Observable<ChannelState> {
    return this.states;
  }

  invoke(_event: string, data: unknown): Observable<unknown> {
    const answer = new Subject<unknown>();
    this.requests.push({ data: data as RecoverRequest, answer });
    return answer;
  }

  reply(reply: RecoverReply, index = this.requests.length - 1): void {
    const { answer } = this.requests[index]!;
    answer.next(reply);
    answer.complete();
  }
}

const stamped = (seq: number) => ({ $seq: seq, $data: seq * 10 });

function setup(options = {}) {
  const client = new ScriptedClient();
  const events: ChannelEvent<number>[] = [];
  recoverChannel<number>(client, 'c', options).subscribe((e) => events.push(e));
  const data = () => events.flatMap((e) => (e.type === 'message' ? [e.data] : []));
  return { client, events, data };
}

it('merges the answer with the live messages held meanwhile, by sequence, dropping duplicates', () => {
  const { client, events, data } = setup();
  client.states.next('subscribed');
  client.reply({ epoch: 'e', top: 2, messages: [] });
  client.messages.next(stamped(3));
  client.states.next('pending');
  client.states.next('subscribed');
  expect(client.requests[1]!.data).toEqual({ channel: 'c', epoch: 'e', seq: 3 });
  // Before the answer: an unstamped leftover, then live stamped messages, one already in the answer.
  client.messages.next(40);
  client.messages.next(stamped(6));
  client.messages.next(stamped(5));
  client.reply({
    epoch: 'e',
    top: 5,
    messages: [
      [4, 40],
      [5, 50],
    ],
  });
  client.messages.next(stamped(6));
  client.messages.next(stamped(7));

  expect(data()).toEqual([30, 40, 50, 60, 70]);
  expect(events.filter((e) => e.type !== 'message')).toEqual([
    { type: 'recovered', channel: 'c', epoch: 'e', from: 4, to: 5 },
  ]);
});

it('reports the gap of the answer, then goes on from the first message it has', () => {
  const { client, events, data } = setup();
  client.states.next('subscribed');
  client.reply({ epoch: 'e', top: 1, messages: [[1, 10]] });
  client.states.next('pending');
  client.states.next('subscribed');
  client.reply({
    epoch: 'e',
    top: 9,
    messages: [
      [8, 80],
      [9, 90],
    ],
    lost: { reason: 'history-exceeded', epoch: 'e', from: 2, to: 7 },
  });
  client.messages.next(stamped(10));
  expect(events.map((e) => e.type)).toEqual(['message', 'gap', 'message', 'message', 'message']);
  expect(events[1]).toEqual({
    type: 'gap',
    channel: 'c',
    reason: 'history-exceeded',
    epoch: 'e',
    from: 2,
    to: 7,
  });
  expect(data()).toEqual([10, 80, 90, 100]);
});

it('ignores the answer to a request of an earlier connection', () => {
  const { client, data } = setup();
  client.states.next('subscribed');
  client.states.next('pending');
  client.states.next('subscribed');
  client.reply({ epoch: 'e', top: 1, messages: [[1, 10]] }, 0);
  expect(data()).toEqual([]);
  client.reply({ epoch: 'e', top: 1, messages: [[1, 10]] }, 1);
  expect(data()).toEqual([10]);
});

it('reports a hole in the live sequence as a gap', () => {
  const { client, events } = setup();
  client.states.next('subscribed');
  client.reply({ epoch: 'e', top: 0, messages: [] });
  client.messages.next(stamped(1));
  client.messages.next(stamped(4));
  expect(events.filter((e) => e.type === 'gap')).toEqual([
    { type: 'gap', channel: 'c', reason: 'sequence-jump', epoch: 'e', from: 2, to: 3 },
  ]);
});

it('asks again on the next connection when the request was cut off, and says unsupported when it is refused', () => {
  const { client, events, data } = setup();
  client.states.next('subscribed');
  client.messages.next(1);
  client.requests[0]!.answer.error(new ConnectionError(1006, '', 'disconnect'));
  expect(events).toEqual([]);
  client.states.next('pending');
  client.states.next('subscribed');
  client.messages.next(2);
  client.requests[1]!.answer.error(new AckTimeoutError('rx-socketcluster/recover', 10000));
  client.messages.next(3);
  expect(events[0]).toEqual({ type: 'gap', channel: 'c', reason: 'unsupported', epoch: undefined, from: 1 });
  expect(data()).toEqual([2, 3]);
  client.states.next('pending');
  client.states.next('subscribed');
  expect(client.requests).toHaveLength(2);
});

it('sends rewind on the first request only', () => {
  const { client } = setup({ rewind: 5 });
  client.states.next('subscribed');
  client.reply({ epoch: 'e', top: 9, messages: [[9, 90]] });
  client.states.next('pending');
  client.states.next('subscribed');
  expect(client.requests.map((r) => r.data)).toEqual([
    { channel: 'c', rewind: 5 },
    { channel: 'c', epoch: 'e', seq: 9 },
  ]);
});

it('checks rewind and timeout', () => {
  const client = new ScriptedClient();
  expect(() => recoverChannel(client, 'c', { rewind: -1 })).toThrow(RangeError);
  expect(() => recoverChannel(client, 'c', { rewind: 1.5 })).toThrow(RangeError);
  expect(() => recoverChannel(client, 'c', { timeout: -1 })).toThrow(RangeError);
});

it('messages() keeps the data; resyncOnGap() puts a snapshot in the place of each gap, before what follows', () => {
  const { client } = setup();
  const source = new Subject<ChannelEvent<number>>();
  const data: number[] = [];
  source.pipe(messages()).subscribe((n) => data.push(n));
  const snapshot = new Subject<string>();
  const out: unknown[] = [];
  source
    .pipe(resyncOnGap(() => snapshot))
    .subscribe((e) => out.push(e.type === 'snapshot' || e.type === 'message' ? e.data : e.type));
  const gap = { type: 'gap', channel: 'c', reason: 'epoch-changed', epoch: 'e', from: 3 } as const;
  source.next({ type: 'message', channel: 'c', seq: 1, data: 1 });
  source.next(gap);
  source.next({ type: 'message', channel: 'c', seq: 4, data: 2 });
  expect(out).toEqual([1]);
  snapshot.next('snap');
  expect(out).toEqual([1, 'snap', 2]);
  expect(data).toEqual([1, 2]);
  expect(client.requests).toHaveLength(0);
});
