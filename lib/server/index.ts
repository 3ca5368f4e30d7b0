/**
 * rx-socketcluster/server: the server companion of channel recovery, for socketcluster-server (Node only).
 *
 * @packageDocumentation
 * @module rx-socketcluster/server
 */
export { attachRecovery, type Recovery } from './attach-recovery';
export type { RecoveryOptions } from './recovery-options';
export type {
  GapReason,
  LostRange,
  RecoverReply,
  RecoverRequest,
  StampedMessage,
} from '../protocol/recovery-wire';
