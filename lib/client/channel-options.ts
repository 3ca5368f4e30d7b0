import type { ChannelRequest } from '../channels/channel-request';

/** Options of one channel, set by its first subscriber. */
export interface ChannelOptions extends ChannelRequest {
  /** Keep the subscription this many ms after the last subscriber leaves. Default: 0 (release at once). */
  linger?: number;
}

const MAX_LINGER = 2 ** 31 - 1;

/**
 * Throws for invalid channel options (a `linger` that is not a number of ms between 0 and 2^31 - 1).
 * @internal
 */
export function checkChannelOptions(options: ChannelOptions | undefined): void {
  const linger = options?.linger;
  if (linger !== undefined && !(linger >= 0 && linger <= MAX_LINGER)) {
    throw new RangeError(`linger must be between 0 and ${MAX_LINGER} ms, got ${linger}`);
  }
}
