/** What the engine needs to hold a channel: the options that reach the server or order the re-subscription. */
export interface ChannelRequest {
  /** Subscribe only while the socket is authenticated (after reconnects too). Default: false. */
  readonly waitForAuth?: boolean;
  /** Order of re-subscription after a reconnect: higher first. Default: 0. */
  readonly priority?: number;
  /** Data sent with `#subscribe`, for the server's subscribe middleware. Default: none. */
  readonly data?: unknown;
}
