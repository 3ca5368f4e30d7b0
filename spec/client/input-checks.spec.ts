import { AckTimeoutError, type ScClientError } from '../../lib/errors';
import { QUOTE_LIMIT } from '../../lib/internal/quote';
import { fakeClient } from '../support/fake-client';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

/** The error a call throws. */
function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
}

describe('long names in error messages', () => {
  const huge = 'e'.repeat(1_000_000);
  const cut = `'${'e'.repeat(QUOTE_LIMIT)}…' (1000000 characters)`;

  it('a TypeError for data that cannot be encoded quotes at most the start of the event name', () => {
    const { client } = fakeClient();
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const call of [() => client.transmit(huge, cyclic), () => client.invoke(huge, cyclic)]) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toContain(`The data of ${cut} cannot be encoded`);
      expect(error.message.length).toBeLessThan(300);
    }
    client.close();
  });

  it('an AckTimeoutError bounds its message and keeps the whole event name', () => {
    const { client, open } = fakeClient({ ackTimeout: 100 });
    open();
    const errors: unknown[] = [];
    client.invoke(huge).subscribe({ error: (e: unknown) => errors.push(e) });
    jest.advanceTimersByTime(100);
    expect(errors).toHaveLength(1);
    const error = errors[0] as AckTimeoutError;
    expect(error).toBeInstanceOf(AckTimeoutError);
    expect(error.event).toBe(huge);
    expect(error.message).toBe(`No response to ${cut} within 100 ms`);
    client.close();
  });

  it('diagnostics about server events and procedures nobody handles bound the name', () => {
    const { client, open, errors } = fakeClient();
    const socket = open();
    socket.receive({ event: huge, data: 1 });
    socket.receive({ event: huge, data: 1, cid: 7 });
    socket.receive({ event: '#kickOut', data: { channel: huge } });
    expect(errors.map((e: ScClientError) => e.message)).toEqual([
      `No receiver for the event ${cut}`,
      `No procedure ${cut} on this client`,
      `Received #kickOut for ${cut}, a channel not held`,
    ]);
    client.close();
  });
});
