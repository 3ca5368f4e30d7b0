/**
 * rx-socketcluster/recovery: channels delivered exactly once and in order across reconnects, with explicit gap
 * notices, from a server running the companion of `rx-socketcluster/server`.
 *
 * @packageDocumentation
 * @module rx-socketcluster/recovery
 */
export { recoverChannel, type RecoverOptions } from './recover-channel';
export { messages, resyncOnGap, type ChannelSnapshot } from './operators';
export type { ChannelEvent, ChannelGap, ChannelMessage, ChannelRecovered } from './channel-events';
export type { RecoveryClient } from './recovery-client';
export type { GapReason } from '../protocol/recovery-wire';
