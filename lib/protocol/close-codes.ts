/**
 * The standard text of each close code, as SocketCluster's `sc-errors` has it (`socketProtocolErrorStatuses` and
 * `socketProtocolIgnoreStatuses`): the reason the client reports for a close that came without one.
 */
const CLOSE_TEXTS: Readonly<Record<number, string>> = {
  1000: 'Socket closed normally',
  1001: 'Socket was disconnected',
  1002: 'A WebSocket protocol error was encountered',
  1003: 'Server terminated socket because it received invalid data',
  1005: 'Socket closed without status code',
  1006: 'Socket hung up',
  1007: 'Message format was incorrect',
  1008: 'Encountered a policy violation',
  1009: 'Message was too big to process',
  1010: 'Client ended the connection because the server did not comply with extension requirements',
  1011: 'Server encountered an unexpected fatal condition',
  4000: 'Server ping timed out',
  4001: 'Client pong timed out',
  4002: 'Server failed to sign auth token',
  4003: 'Failed to complete handshake',
  4004: 'Client failed to save auth token',
  4005: 'Did not receive #handshake from client before timeout',
  4006: 'Failed to bind socket to message broker',
  4007: 'Client connection establishment timed out',
  4008: 'Server rejected handshake from client',
  4009: 'Server received a message before the client handshake',
};

/** The reason to report for a close: the one it came with, else the standard text of its code, else `''`. */
export function closeReason(code: number, reason: string): string {
  return reason || (CLOSE_TEXTS[code] ?? '');
}
