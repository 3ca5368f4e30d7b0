/**
 * The wire of channel recovery, shared by the client (`rx-socketcluster/recovery`) and the server companion
 * (`rx-socketcluster/server`). Both sides import only these shapes; nothing here runs.
 *
 * - A socket asks for recovery of a channel it holds with an invoke of {@link RECOVER_PROCEDURE}. From the moment
 *   the server answers, every message of that channel reaches that socket as a {@link StampedMessage}; other
 *   sockets keep receiving the original payloads.
 * - The answer ({@link RecoverReply}) carries the server's epoch, the channel's last sequence, the messages the
 *   socket missed since the cursor it sent, and what could not be recovered.
 *
 * The stamp lives inside the `#publish` packet's `data`, the one field every codec keeps (sc-codec-min-bin packs
 * `#publish` as `[channel, data, cid]`).
 */

/** The procedure a socket invokes to recover a channel. */
export const RECOVER_PROCEDURE = 'rx-socketcluster/recover';

/** A message as a recovering socket receives it: its sequence and the original payload. */
export interface StampedMessage {
  readonly $seq: number;
  readonly $data: unknown;
}

/** What a socket asks: `epoch` and `seq` (the last it saw) to recover; `rewind` on a first subscription. */
export interface RecoverRequest {
  readonly channel: string;
  readonly epoch?: string;
  readonly seq?: number;
  readonly rewind?: number;
}

/** Why a range of a channel's messages cannot be delivered. */
export type GapReason = 'history-exceeded' | 'epoch-changed' | 'unsupported' | 'sequence-jump';

/** A range lost: `from` to `to` (inclusive, sequences of `epoch`); `to` is absent when the end is not known. */
export interface LostRange {
  readonly reason: GapReason;
  readonly epoch: string | undefined;
  readonly from: number;
  readonly to?: number;
}

/** The server's answer to a {@link RecoverRequest}. */
export interface RecoverReply {
  readonly epoch: string;
  /** The channel's last sequence when the answer was made (0 when nothing was published yet). */
  readonly top: number;
  /** `[seq, data]` in order, contiguous, all after the cursor (or the rewind's start) and up to `top`. */
  readonly messages: readonly (readonly [number, unknown])[];
  readonly lost?: LostRange;
}

/** Whether `value` is a {@link StampedMessage}. */
export function isStamped(value: unknown): value is StampedMessage {
  return typeof value === 'object' && value !== null && typeof (value as StampedMessage).$seq === 'number';
}
