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

describe("names starting with '#'", () => {
  it('transmit() refuses them with a TypeError and sends nothing: the server would act on them', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const before = socket.sent.length;
    for (const name of ['#subscribe', '#unsubscribe', '#publish', '#authenticate', '#', '#custom']) {
      const error = thrown(() => client.transmit(name, { channel: 'news' }));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(
        `The event name '${name}' starts with '#', which the SocketCluster protocol reserves`,
      );
    }
    expect(socket.sent.length).toBe(before);
    expect(client.channels()).toEqual([]);
    client.close();
  });

  it('invoke() refuses them at call time, before any subscription, and the auth state stays', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const before = socket.sent.length;
    expect(() => client.invoke('#removeAuthToken')).toThrow(TypeError);
    expect(() => client.invoke('#subscribe', { channel: 'news' })).toThrow(TypeError);
    expect(() => client.invoke('#handshake', { authToken: null }, { timeout: 10 })).toThrow(TypeError);
    expect(socket.sent.length).toBe(before);
    expect(client.authState).toEqual({ state: 'unauthenticated' });
    client.close();
  });

  it('receiver() and procedure() refuse them: the client answers those events itself', () => {
    const { client } = fakeClient();
    expect(() => client.receiver('#publish')).toThrow(TypeError);
    expect(() => client.receiver('#setAuthToken')).toThrow(TypeError);
    expect(() => client.procedure('#setAuthToken')).toThrow(TypeError);
    expect(thrown(() => client.procedure('#x')).message).toBe(
      "The procedure name '#x' starts with '#', which the SocketCluster protocol reserves",
    );
    client.close();
  });

  it('a refused name is quoted bounded', () => {
    const { client } = fakeClient();
    const error = thrown(() => client.transmit(`#${'x'.repeat(1_000_000)}`));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message.length).toBeLessThan(200);
    client.close();
  });

  it('other names are unchanged, and a name may hold a # after its first character', () => {
    const { client, open } = fakeClient();
    const socket = open();
    client.transmit('chat#1', 1);
    client.invoke('a#b').subscribe();
    expect(socket.packets.slice(-2)).toMatchObject([
      { event: 'chat#1', data: 1 },
      { event: 'a#b', cid: expect.any(Number) },
    ]);
    client.close();
  });

  it('channel names may start with #: they travel as data of #subscribe and #publish', () => {
    const { client, open } = fakeClient();
    const socket = open();
    const seen: unknown[] = [];
    client.channel('#room').subscribe((m) => seen.push(m));
    const subscribe = socket.packets.at(-1)!;
    expect(subscribe).toMatchObject({ event: '#subscribe', data: { channel: '#room' } });
    socket.receive({ rid: subscribe.cid });
    expect(client.channelState('#room')).toBe('subscribed');
    client.publish('#room', 'hi').subscribe();
    client.transmitPublish('#room', 'there');
    expect(socket.packets.slice(-2)).toMatchObject([
      { event: '#publish', data: { channel: '#room', data: 'hi' }, cid: expect.any(Number) },
      { event: '#publish', data: { channel: '#room', data: 'there' } },
    ]);
    socket.receive({ event: '#publish', data: { channel: '#room', data: 'm' } });
    expect(seen).toEqual(['m']);
    client.close();
  });
});
