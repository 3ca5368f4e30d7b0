import type { ExplainSocketError, SocketFailure } from './socket-failure';

/** What Node's socket errors carry. */
interface SystemError {
  readonly message?: unknown;
  readonly code?: unknown;
}

/** Error codes of Node's TLS layer and OpenSSL (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_SSL_...`, `EPROTO`). */
const TLS_CODE = /CERT|SSL|TLS|EPROTO/;
const UPGRADE_STATUS = /^Unexpected server response: (\d+)/;

/** What to check after an HTTP status refused the upgrade. */
function statusHint(status: number): string {
  // A `ws` server refuses a path it does not serve with 400; a plain HTTP server or a proxy with 404.
  if (status === 400 || status === 404)
    return ": is the URL's path right? (SocketCluster's is /socketcluster/)";
  if (status === 401 || status === 403) return ': the server or a proxy refused access';
  if (status >= 502 && status <= 504) return ': a proxy found no server behind it';
  return '';
}

/**
 * The cause of a failure from the error the `ws` package emitted: a refused connection, an unknown host, the HTTP
 * status of a refused upgrade, a TLS failure, a timeout or another network error, with the system's own words.
 * Node reports a refused dual-stack `localhost` as an `AggregateError`: its first error speaks for it.
 * @internal
 */
export const explainWsError: ExplainSocketError = (error) => {
  // Read by shape, not `instanceof`: Node's system errors may come from another realm (a VM context, Jest).
  const first = (error as { errors?: unknown[] } | null | undefined)?.errors?.[0] as SystemError | undefined;
  const source = typeof first?.message === 'string' ? first : (error as SystemError | null | undefined);
  const text = source?.message;
  if (typeof text !== 'string') return undefined;
  const { code } = source as SystemError;
  const status = UPGRADE_STATUS.exec(text);
  if (status) {
    const httpStatus = Number(status[1]);
    const reason = `The server answered the WebSocket upgrade with HTTP ${httpStatus}${statusHint(httpStatus)}`;
    return { code: 'UPGRADE_REFUSED', reason, httpStatus };
  }
  if (typeof code !== 'string') return undefined;
  const failure = (failureCode: SocketFailure['code'], what: string): SocketFailure => ({
    code: failureCode,
    reason: `${what} (${text})`,
  });
  if (code === 'ECONNREFUSED')
    return failure('CONNECTION_REFUSED', 'Connection refused: is the server running?');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return failure('HOST_NOT_FOUND', 'Host not found');
  if (code === 'ETIMEDOUT') return failure('CONNECT_TIMEOUT', 'Connection timed out');
  if (TLS_CODE.test(code)) {
    // OpenSSL's messages carry its source file and line; Node gives the words alone as `reason`.
    const { reason } = source as { reason?: unknown };
    return {
      code: 'TLS_FAILED',
      reason: `TLS failed [${code}] (${typeof reason === 'string' ? reason : text})`,
    };
  }
  return failure('CONNECTION_CLOSED', 'Socket hung up');
};
