/** Options of one `invoke()`. */
export interface InvokeOptions {
  /** Time allowed for the answer, in ms, counted from subscription. Default: the client's `ackTimeout` (10000). */
  timeout?: number;
  /**
   * When the connection drops after the call was sent and before its answer, send it again after the next
   * handshake (ahead of the outbox) instead of failing with a `ConnectionError`. Only for idempotent procedures:
   * the server may have run the first one. The timeout still counts from subscription. Default: false.
   */
  resend?: boolean;
}
