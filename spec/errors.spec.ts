import {
  AckTimeoutError,
  AuthRefreshError,
  AuthTokenExpiredError,
  AuthTokenInvalidError,
  CallNotSentError,
  TokenStoreError,
  ChannelKickOutError,
  ChannelSubscribeError,
  ClientClosedError,
  CodecError,
  ConnectionError,
  HandshakeError,
  OutboxExpiredError,
  OutboxOverflowError,
  ProtocolError,
  RemoteError,
  ScClientError,
  type AnyScError,
  type ScErrorCode,
} from '../lib/errors';
import { clip, quote, QUOTE_LIMIT } from '../lib/internal/quote';

const remote = new RemoteError('blocked', 'HandshakeBlocked', { statusCode: 4501 });

const cases: [string, ScErrorCode, () => AnyScError][] = [
  ['ConnectionError', 'CONNECTION_CLOSED', () => new ConnectionError(1006, 'gone', 'disconnect')],
  [
    'ConnectionError',
    'UPGRADE_REFUSED',
    () => new ConnectionError(1006, 'HTTP 404', 'connectAbort', { code: 'UPGRADE_REFUSED', httpStatus: 404 }),
  ],
  [
    'ConnectionError',
    'CONNECTION_REFUSED',
    () => new ConnectionError(1006, 'refused', 'connectAbort', { code: 'CONNECTION_REFUSED' }),
  ],
  ['HandshakeError', 'HANDSHAKE_REJECTED', () => new HandshakeError('rejected', 4501, remote)],
  ['AckTimeoutError', 'ACK_TIMEOUT', () => new AckTimeoutError('sum', 100)],
  ['CallNotSentError', 'CALL_NOT_SENT', () => new CallNotSentError('sum', 100, 2, '1006 Socket hung up')],
  ['RemoteError', 'REMOTE_ERROR', () => new RemoteError('nope', 'MyError', {})],
  ['CodecError', 'CODEC_ERROR', () => new CodecError('bad frame')],
  ['ClientClosedError', 'CLIENT_CLOSED', () => new ClientClosedError()],
  ['OutboxOverflowError', 'OUTBOX_OVERFLOW', () => new OutboxOverflowError('chat', 2)],
  ['OutboxExpiredError', 'OUTBOX_EXPIRED', () => new OutboxExpiredError('chat', 500)],
  ['ProtocolError', 'PROTOCOL_ERROR', () => new ProtocolError('unknown-rid', 'no call 9')],
  ['ChannelSubscribeError', 'CHANNEL_SUBSCRIBE_REJECTED', () => new ChannelSubscribeError('admin', remote)],
  ['ChannelKickOutError', 'CHANNEL_KICKED_OUT', () => new ChannelKickOutError('room', 'bye')],
  ['AuthTokenInvalidError', 'AUTH_TOKEN_INVALID', () => new AuthTokenInvalidError('store', 'not a JWT')],
  ['AuthTokenExpiredError', 'AUTH_TOKEN_EXPIRED', () => new AuthTokenExpiredError(0)],
  ['TokenStoreError', 'TOKEN_STORE_FAILED', () => new TokenStoreError('save')],
  ['AuthRefreshError', 'AUTH_REFRESH_FAILED', () => new AuthRefreshError(2)],
];

describe('error classes', () => {
  it.each(cases)('%s has its literal name and the code %s', (name, code, make) => {
    const error = make();
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
  });

  it.each(cases)('%s is an ScClientError and an Error', (_name, _code, make) => {
    const error = make();
    expect(error).toBeInstanceOf(ScClientError);
    expect(error).toBeInstanceOf(Error);
  });

  it.each(cases)('%s keeps its name through toString and a stack', (name, _code, make) => {
    const error = make();
    expect(String(error)).toBe(`${name}: ${error.message}`);
    expect(error.stack).toEqual(expect.any(String));
  });

  it.each(cases)(
    '%s keeps name and code as own properties (they survive serialisation)',
    (name, code, make) => {
      const error = make();
      expect(Object.keys(error)).toEqual(expect.arrayContaining(['name', 'code']));
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name, code });
    },
  );

  it('gives every class a distinct code', () => {
    const codes = cases.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('lets a switch over code narrow AnyScError', () => {
    const summary = (error: AnyScError): string => {
      switch (error.code) {
        case 'CONNECTION_CLOSED':
          return `close ${error.closeCode}`;
        case 'UPGRADE_REFUSED':
          return `HTTP ${error.httpStatus}`;
        case 'CONNECTION_REFUSED':
        case 'HOST_NOT_FOUND':
        case 'TLS_FAILED':
        case 'CONNECT_TIMEOUT':
        case 'MESSAGE_TOO_LARGE':
          return `${error.code} ${error.closeCode}`;
        case 'HANDSHAKE_REJECTED':
          return `status ${error.statusCode}`;
        case 'ACK_TIMEOUT':
          return `timeout ${error.event}`;
        case 'CALL_NOT_SENT':
          return `not sent ${error.event} after ${error.attempts}`;
        case 'REMOTE_ERROR':
          return `remote ${error.remoteName}`;
        case 'OUTBOX_OVERFLOW':
          return `full ${error.limit}`;
        case 'OUTBOX_EXPIRED':
          return `expired ${error.event} after ${error.maxAge}`;
        case 'PROTOCOL_ERROR':
          return `protocol ${error.kind}`;
        case 'CHANNEL_SUBSCRIBE_REJECTED':
          return `refused ${error.channel} ${error.remote.remoteName}`;
        case 'CHANNEL_KICKED_OUT':
          return `kicked ${error.channel} ${String(error.kickOutMessage)}`;
        case 'AUTH_TOKEN_INVALID':
          return `invalid from ${error.source}`;
        case 'AUTH_TOKEN_EXPIRED':
          return `expired ${error.expiredAt}`;
        case 'TOKEN_STORE_FAILED':
          return `store ${error.operation}`;
        case 'AUTH_REFRESH_FAILED':
          return `refresh ${error.attempt}`;
        case 'CODEC_ERROR':
        case 'CLIENT_CLOSED':
          return error.code;
      }
    };
    expect(cases.map(([, , make]) => summary(make()))).toEqual([
      'close 1006',
      'HTTP 404',
      'CONNECTION_REFUSED 1006',
      'status 4501',
      'timeout sum',
      'not sent sum after 2',
      'remote MyError',
      'CODEC_ERROR',
      'CLIENT_CLOSED',
      'full 2',
      'expired chat after 500',
      'protocol unknown-rid',
      'refused admin HandshakeBlocked',
      'kicked room bye',
      'invalid from store',
      'expired 0',
      'store save',
      'refresh 2',
    ]);
  });
});

describe('channel errors', () => {
  it('carry the channel and the server error or kick-out message', () => {
    const refused = new ChannelSubscribeError('admin', remote);
    expect(refused).toMatchObject({
      channel: 'admin',
      remote,
      message: "Subscription to 'admin' refused: blocked",
    });
    expect(new ChannelKickOutError('room', 'bye').message).toBe("Kicked out of 'room': bye");
    expect(new ChannelKickOutError('room', undefined)).toMatchObject({
      message: "Kicked out of 'room'",
      kickOutMessage: undefined,
    });
  });
});

describe('ConnectionError', () => {
  it('sets closeCode, reason and phase; its code is CONNECTION_CLOSED unless a cause is named', () => {
    const error = new ConnectionError(4000, 'Server ping timed out', 'disconnect');
    expect(error).toMatchObject({ closeCode: 4000, reason: 'Server ping timed out', phase: 'disconnect' });
    expect(error.code).toBe('CONNECTION_CLOSED');
    expect(error).not.toHaveProperty('httpStatus');
  });

  it('carries the code of its cause, the HTTP status of a refused upgrade, and the platform error', () => {
    const cause = new Error('Unexpected server response: 403');
    const error = new ConnectionError(1006, 'HTTP 403', 'connectAbort', {
      code: 'UPGRADE_REFUSED',
      httpStatus: 403,
      cause,
    });
    expect(error).toMatchObject({ code: 'UPGRADE_REFUSED', httpStatus: 403, closeCode: 1006 });
    expect(error.cause).toBe(cause);
  });

  it('says "lost" after the handshake, with code and reason', () => {
    expect(new ConnectionError(1006, 'Socket hung up', 'disconnect').message).toBe(
      'Connection lost (1006: Socket hung up)',
    );
  });

  it('says "failed" before the handshake', () => {
    expect(new ConnectionError(4007, 'Connect timed out', 'connectAbort').message).toBe(
      'Connection failed (4007: Connect timed out)',
    );
  });

  it('leaves the reason out of the message when it is empty', () => {
    expect(new ConnectionError(1006, '', 'disconnect').message).toBe('Connection lost (1006)');
    expect(new ConnectionError(1005, '', 'connectAbort').message).toBe('Connection failed (1005)');
  });

  it('passes a cause through', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new ConnectionError(1006, '', 'connectAbort', { cause }).cause).toBe(cause);
  });
});

describe('HandshakeError', () => {
  it('sets message, statusCode and the remote error', () => {
    const error = new HandshakeError('rejected', 4501, remote);
    expect(error.message).toBe('rejected');
    expect(error.statusCode).toBe(4501);
    expect(error.remote).toBe(remote);
  });
});

describe('AckTimeoutError', () => {
  it('sets event and timeout and names both in the message', () => {
    const error = new AckTimeoutError('sum', 2500);
    expect(error).toMatchObject({ event: 'sum', timeout: 2500 });
    expect(error.message).toBe("No response to 'sum' within 2500 ms");
  });
});

describe('CallNotSentError', () => {
  it('says the call was not sent, how long it waited, and why, with each as a field', () => {
    const error = new CallNotSentError('history', 1500, 3, '1006 Socket hung up');
    expect(error).toMatchObject({
      event: 'history',
      timeout: 1500,
      attempts: 3,
      lastFailure: '1006 Socket hung up',
    });
    expect(error.message).toBe(
      "'history' was not sent: no connection within 1500 ms (3 attempts; last failure: 1006 Socket hung up)",
    );
  });

  it('leaves out a last failure it does not know, and counts one attempt in the singular', () => {
    expect(new CallNotSentError('x', 10, 1, undefined).message).toBe(
      "'x' was not sent: no connection within 10 ms (1 attempt)",
    );
  });
});

describe('RemoteError', () => {
  it('sets message, remoteName and details', () => {
    const details = { statusCode: 4500, isBadToken: true };
    const error = new RemoteError('jwt expired', 'AuthTokenExpiredError', details);
    expect(error).toMatchObject({ message: 'jwt expired', remoteName: 'AuthTokenExpiredError', details });
  });
});

describe('CodecError', () => {
  it('takes a message and carries the codec error as cause', () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new CodecError('Undecodable frame', { cause });
    expect(error.message).toBe('Undecodable frame');
    expect(error.cause).toBe(cause);
  });
});

describe('ClientClosedError', () => {
  it('has a fixed message', () => {
    expect(new ClientClosedError().message).toBe('The client is closed');
  });
});

describe('OutboxOverflowError', () => {
  it('sets event and limit and names both in the message', () => {
    const error = new OutboxOverflowError('chat', 1000);
    expect(error).toMatchObject({ event: 'chat', limit: 1000 });
    expect(error.message).toBe("Outbox full (1000 frames): 'chat' was not queued");
  });
});

describe('ProtocolError', () => {
  it('sets kind and message', () => {
    const error = new ProtocolError('malformed-packet', 'packet of no known shape');
    expect(error).toMatchObject({ kind: 'malformed-packet', message: 'packet of no known shape' });
  });
});

describe('long names in messages', () => {
  const huge = 'e'.repeat(1_000_000);
  const bounded = (message: string) => {
    expect(message.length).toBeLessThan(250);
    expect(message).toContain(`'${'e'.repeat(QUOTE_LIMIT)}…' (1000000 characters)`);
  };

  it('quote() leaves short strings whole and cuts long ones, never inside a surrogate pair', () => {
    expect(quote('sum')).toBe("'sum'");
    expect(quote('x'.repeat(QUOTE_LIMIT))).toBe(`'${'x'.repeat(QUOTE_LIMIT)}'`);
    expect(quote('x'.repeat(QUOTE_LIMIT + 1))).toBe(
      `'${'x'.repeat(QUOTE_LIMIT)}…' (${QUOTE_LIMIT + 1} characters)`,
    );
    const emoji = `${'x'.repeat(QUOTE_LIMIT - 1)}🎉tail`;
    expect(quote(emoji)).toBe(`'${'x'.repeat(QUOTE_LIMIT - 1)}…' (${emoji.length} characters)`);
    expect(clip('bye')).toBe('bye');
    expect(clip('b'.repeat(100))).toBe(`${'b'.repeat(QUOTE_LIMIT)}… (100 characters)`);
  });

  it.each<[string, () => Error & { event?: string; channel?: string }]>([
    ['AckTimeoutError', () => new AckTimeoutError(huge, 100)],
    ['OutboxOverflowError', () => new OutboxOverflowError(huge, 2)],
    ['OutboxExpiredError', () => new OutboxExpiredError(huge, 500)],
    ['ChannelSubscribeError', () => new ChannelSubscribeError(huge, remote)],
    ['ChannelKickOutError', () => new ChannelKickOutError(huge, 'bye')],
  ])('%s bounds the name in its message and keeps it whole in its field', (_name, make) => {
    const error = make();
    bounded(error.message);
    expect(error.event ?? error.channel).toBe(huge);
  });

  it('ChannelKickOutError bounds the server message too, and keeps it whole', () => {
    const error = new ChannelKickOutError('room', huge);
    expect(error.message).toBe(`Kicked out of 'room': ${'e'.repeat(QUOTE_LIMIT)}… (1000000 characters)`);
    expect(error.kickOutMessage).toBe(huge);
  });

  it('messages of short names are as before', () => {
    expect(new AckTimeoutError('sum', 100).message).toBe("No response to 'sum' within 100 ms");
    expect(new OutboxOverflowError('chat', 2).message).toBe("Outbox full (2 frames): 'chat' was not queued");
    expect(new ChannelKickOutError('room', 'bye').message).toBe("Kicked out of 'room': bye");
  });
});
