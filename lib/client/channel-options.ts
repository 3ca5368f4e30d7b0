import { checkDuration } from '../internal/duration';
import type { ChannelRequest } from '../channels/channel-request';

/** Options of one channel, set by its first subscriber. */
export interface ChannelOptions extends ChannelRequest {
  /** Keep the subscription this many ms after the last subscriber leaves. Default: 0 (release at once). */
  linger?: number;
}

/**
 * Throws for invalid channel options (a `linger` that is not a number of ms between 0 and 2^31 - 1).
 * @internal
 */
export function checkChannelOptions(options: ChannelOptions | undefined): void {
  const linger = options?.linger;
  if (linger !== undefined) checkDuration('linger', linger);
}
