import { ProtocolError } from '../../lib/errors';
import { MIN_PING_TIMEOUT, readHandshakeReply } from '../../lib/protocol/handshake';

const reply = (pingTimeout: number) => readHandshakeReply({ rid: 1, data: { id: 's', pingTimeout } });

describe('readHandshakeReply: the pingTimeout', () => {
  it('keeps a pingTimeout of 1000 ms or more, without a diagnostic', () => {
    expect(MIN_PING_TIMEOUT).toBe(1000);
    for (const ms of [1000, 1001, 20_000]) {
      const outcome = reply(ms);
      expect(outcome).toEqual({ info: expect.objectContaining({ pingTimeout: ms }) });
    }
  });

  it.each([1, 0.5, 999, 999.9])('raises %p ms to 1000 ms, with a ping-timeout-too-short diagnostic', (ms) => {
    const outcome = reply(ms);
    expect(outcome.refused).toBeUndefined();
    if (outcome.refused) return;
    expect(outcome.info).toEqual({
      id: 's',
      pingTimeout: 1000,
      isAuthenticated: false,
      authError: undefined,
    });
    expect(outcome.problem).toBeInstanceOf(ProtocolError);
    expect(outcome.problem).toMatchObject({
      kind: 'ping-timeout-too-short',
      message: `pingTimeout ${ms} ms raised to 1000 ms`,
    });
  });

  it('lowers a pingTimeout above 2^31 - 1 ms to that, without a diagnostic', () => {
    expect(reply(1e12)).toEqual({ info: expect.objectContaining({ pingTimeout: 2 ** 31 - 1 }) });
  });

  it.each([0, -5, Infinity, NaN])('takes %p as no usable pingTimeout: 30 s, bad-handshake-reply', (ms) => {
    const outcome = reply(ms);
    if (outcome.refused) throw new Error('refused');
    expect(outcome.info.pingTimeout).toBe(30_000);
    expect(outcome.problem).toMatchObject({ kind: 'bad-handshake-reply' });
  });
});
