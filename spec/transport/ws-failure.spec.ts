import { explainWsError } from '../../lib/transport/ws-failure';

// The causes read out of the errors the `ws` package emits before its 1006 close. The messages and codes are those
// `ws` and Node produce (the integration tests meet the real ones: spec/integration/connect-failures).

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('explainWsError', () => {
  it.each([
    [
      'a refused connection',
      systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'),
      'CONNECTION_REFUSED',
      'Connection refused: is the server running? (connect ECONNREFUSED 127.0.0.1:9)',
    ],
    [
      'an unknown host',
      systemError('ENOTFOUND', 'getaddrinfo ENOTFOUND nohost.invalid'),
      'HOST_NOT_FOUND',
      'Host not found (getaddrinfo ENOTFOUND nohost.invalid)',
    ],
    [
      'a failed name lookup',
      systemError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN example.test'),
      'HOST_NOT_FOUND',
      'Host not found (getaddrinfo EAI_AGAIN example.test)',
    ],
    [
      'a self-signed certificate',
      systemError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      'TLS_FAILED',
      'TLS failed [DEPTH_ZERO_SELF_SIGNED_CERT] (self-signed certificate)',
    ],
    [
      'TLS spoken to a plain port',
      systemError('EPROTO', 'write EPROTO wrong version number'),
      'TLS_FAILED',
      'TLS failed [EPROTO] (write EPROTO wrong version number)',
    ],
    [
      'a name mismatch',
      systemError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
      'TLS_FAILED',
      "TLS failed [ERR_TLS_CERT_ALTNAME_INVALID] (Hostname/IP does not match certificate's altnames)",
    ],
    [
      "OpenSSL's alert, in its own words",
      Object.assign(
        systemError(
          'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
          '80CC:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:rec_layer_s3.c:1601:',
        ),
        { reason: 'tlsv13 alert certificate required' },
      ),
      'TLS_FAILED',
      'TLS failed [ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED] (tlsv13 alert certificate required)',
    ],
    [
      'a timeout',
      systemError('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443'),
      'CONNECT_TIMEOUT',
      'Connection timed out (connect ETIMEDOUT 10.0.0.1:443)',
    ],
    [
      'a reset',
      systemError('ECONNRESET', 'read ECONNRESET'),
      'CONNECTION_CLOSED',
      'Socket hung up (read ECONNRESET)',
    ],
  ])('reads %s', (_label, error, code, reason) => {
    expect(explainWsError(error)).toEqual({ code, reason });
  });

  it.each([
    [
      400,
      "The server answered the WebSocket upgrade with HTTP 400: is the URL's path right? (SocketCluster's is /socketcluster/)",
    ],
    [
      404,
      "The server answered the WebSocket upgrade with HTTP 404: is the URL's path right? (SocketCluster's is /socketcluster/)",
    ],
    [401, 'The server answered the WebSocket upgrade with HTTP 401: the server or a proxy refused access'],
    [403, 'The server answered the WebSocket upgrade with HTTP 403: the server or a proxy refused access'],
    [502, 'The server answered the WebSocket upgrade with HTTP 502: a proxy found no server behind it'],
    [500, 'The server answered the WebSocket upgrade with HTTP 500'],
  ])('reads the HTTP status %i of a refused upgrade', (httpStatus, reason) => {
    const error = new Error(`Unexpected server response: ${httpStatus}`);
    expect(explainWsError(error)).toEqual({ code: 'UPGRADE_REFUSED', reason, httpStatus });
  });

  it("speaks for a refused dual-stack localhost (Node's AggregateError) with its first error", () => {
    const error = Object.assign(
      new AggregateError(
        [
          systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:9'),
          systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'),
        ],
        '',
      ),
      { code: 'ECONNREFUSED' },
    );
    expect(explainWsError(error)).toEqual({
      code: 'CONNECTION_REFUSED',
      reason: 'Connection refused: is the server running? (connect ECONNREFUSED ::1:9)',
    });
  });

  it.each([
    ['nothing', undefined],
    ['an error without a code', new Error('something else')],
    ['a DOM error event', { type: 'error' }],
  ])('says nothing about %s', (_label, error) => {
    expect(explainWsError(error)).toBeUndefined();
  });
});
