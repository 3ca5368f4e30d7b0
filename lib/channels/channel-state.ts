/**
 * The state of one channel, in the vocabulary of the official client:
 * - `pending`: wanted, but not (or no longer) confirmed by the server: waiting for a connection, for
 *   authentication (`waitForAuth`), or for the answer to `#subscribe`;
 * - `subscribed`: the server confirmed the subscription on the current connection;
 * - `unsubscribed`: not held by the client (never subscribed, released, refused or kicked out).
 */
export type ChannelState = 'pending' | 'subscribed' | 'unsubscribed';

/** A change of one channel's state, as emitted by `channelChanges$`. */
export interface ChannelStateChange {
  /** The channel. */
  readonly channel: string;
  /** The new state. */
  readonly state: ChannelState;
  /** The state before. */
  readonly previous: ChannelState;
}

/** Which channel states may follow which. */
export const CHANNEL_TRANSITIONS: Readonly<Record<ChannelState, readonly ChannelState[]>> = {
  unsubscribed: ['pending'],
  pending: ['subscribed', 'unsubscribed'],
  subscribed: ['pending', 'unsubscribed'],
};

/** Whether `from -> to` is a legal channel transition. */
export function isChannelTransition(from: ChannelState, to: ChannelState): boolean {
  return CHANNEL_TRANSITIONS[from].includes(to);
}
