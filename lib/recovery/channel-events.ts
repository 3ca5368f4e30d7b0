import type { GapReason } from '../protocol/recovery-wire';

/** A message of a recovered channel, delivered once and in order. */
export interface ChannelMessage<T> {
  readonly type: 'message';
  readonly channel: string;
  /** Its sequence in the server's epoch; `undefined` for a server without recovery (`unsupported`). */
  readonly seq: number | undefined;
  readonly data: T;
}

/**
 * Messages that will not be delivered: `from` to `to` (inclusive; `to` is absent when the end is not known), in
 * the sequences of `epoch` (the epoch they were lost in). The messages that follow the notice are live again.
 *
 * - `history-exceeded`: the client was away longer than the server keeps messages (count or age limit);
 * - `epoch-changed`: the server restarted, or the client reconnected to another instance of a cluster;
 * - `unsupported`: the server does not answer recovery requests (no `attachRecovery`): from then on the channel's
 *   messages are delivered as they come, without sequences, and losses go unnoticed;
 * - `sequence-jump`: a message arrived after a hole in the sequence (not expected from a server with the companion).
 */
export interface ChannelGap {
  readonly type: 'gap';
  readonly channel: string;
  readonly reason: GapReason;
  readonly epoch: string | undefined;
  readonly from: number;
  readonly to?: number;
}

/** A re-subscription recovered everything missed: `from` to `to` were fetched (none when `from > to`). */
export interface ChannelRecovered {
  readonly type: 'recovered';
  readonly channel: string;
  readonly epoch: string;
  readonly from: number;
  readonly to: number;
}

/** What {@link recoverChannel} emits. */
export type ChannelEvent<T> = ChannelMessage<T> | ChannelGap | ChannelRecovered;
