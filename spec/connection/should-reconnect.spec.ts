import { closeCodeOf, reconnectsAtOnce, shouldReconnect } from '../../lib/connection/should-reconnect';
import {
  AckTimeoutError,
  ClientClosedError,
  CodecError,
  ConnectionError,
  HandshakeError,
  OutboxOverflowError,
  ProtocolError,
  RemoteError,
} from '../../lib/errors';

const closed = (code: number, phase: 'connectAbort' | 'disconnect' = 'disconnect') =>
  new ConnectionError(code, 'reason', phase);
const rejected = (statusCode: number) =>
  new HandshakeError('Handshake rejected', statusCode, new RemoteError('no', 'Error', { statusCode }));

describe('shouldReconnect', () => {
  it('does not reconnect after 1000 (a deliberate server disconnect)', () => {
    expect(shouldReconnect(closed(1000))).toBe(false);
    expect(shouldReconnect(closed(1000, 'connectAbort'))).toBe(false);
  });

  it.each([1001, 1002, 1003, 1006, 1007, 1008, 1009, 1010, 1011, 4002, 4003, 4005, 4007, 4008, 4009])(
    'reconnects after close code %i (backoff)',
    (code) => {
      expect(shouldReconnect(closed(code))).toBe(true);
      expect(reconnectsAtOnce(closed(code))).toBe(false);
    },
  );

  it.each([4010, 4100, 4499])('reconnects after application code %i (below 4500)', (code) => {
    expect(shouldReconnect(closed(code))).toBe(true);
    expect(reconnectsAtOnce(closed(code))).toBe(false);
  });

  it.each([4500, 4501, 4999])('does not reconnect after permanent code %i (4500 and above)', (code) => {
    expect(shouldReconnect(closed(code))).toBe(false);
  });

  it.each([4000, 4001, 1005])('reconnects at once after %i (ping timeouts, no status)', (code) => {
    expect(shouldReconnect(closed(code))).toBe(true);
    expect(reconnectsAtOnce(closed(code))).toBe(true);
  });

  it('treats a failed connection attempt like a lost connection', () => {
    expect(shouldReconnect(closed(1006, 'connectAbort'))).toBe(true);
    expect(shouldReconnect(closed(4007, 'connectAbort'))).toBe(true);
    expect(reconnectsAtOnce(closed(4000, 'connectAbort'))).toBe(true);
  });

  describe('HandshakeError', () => {
    it('reconnects after a rejection with the default 4008', () => {
      expect(shouldReconnect(rejected(4008))).toBe(true);
      expect(reconnectsAtOnce(rejected(4008))).toBe(false);
    });

    it('reconnects after a rejection below 4500', () => {
      expect(shouldReconnect(rejected(4100))).toBe(true);
      expect(shouldReconnect(rejected(4499))).toBe(true);
    });

    it('does not reconnect after a rejection with statusCode 4500 or above', () => {
      expect(shouldReconnect(rejected(4500))).toBe(false);
      expect(shouldReconnect(rejected(4999))).toBe(false);
    });

    it('does not reconnect after a rejection with statusCode 1000', () => {
      expect(shouldReconnect(rejected(1000))).toBe(false);
    });
  });

  describe('errors that are not connection errors', () => {
    const others: [string, unknown][] = [
      ['AckTimeoutError', new AckTimeoutError('sum', 10)],
      ['ClientClosedError', new ClientClosedError()],
      ['CodecError', new CodecError('bad frame')],
      ['OutboxOverflowError', new OutboxOverflowError('e', 1)],
      ['ProtocolError', new ProtocolError('malformed-packet', 'bad')],
      ['RemoteError', new RemoteError('nope', 'Error', { code: 1006 })],
      ['Error', new Error('1006')],
      ['TypeError', new TypeError('x')],
      ['a look-alike object', { name: 'ConnectionError', closeCode: 1006, statusCode: 4008 }],
      ['a number', 1006],
      ['a string', 'ConnectionError'],
      ['null', null],
      ['undefined', undefined],
    ];

    it.each(others)('does not reconnect after %s', (_label, error) => {
      expect(shouldReconnect(error)).toBe(false);
      expect(reconnectsAtOnce(error)).toBe(false);
      expect(closeCodeOf(error)).toBeUndefined();
    });
  });
});

describe('closeCodeOf', () => {
  it('reads closeCode of a ConnectionError', () => {
    expect(closeCodeOf(closed(4001))).toBe(4001);
  });

  it('reads statusCode of a HandshakeError', () => {
    expect(closeCodeOf(rejected(4555))).toBe(4555);
  });
});
