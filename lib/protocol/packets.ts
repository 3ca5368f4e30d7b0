/**
 * Wire packet shapes of the SocketCluster protocol (after the codec, before any client logic) and the reserved
 * event names.
 */

/** An event packet: a transmit when `cid` is absent, an invoke when `cid` is a number. */
export interface EventPacket {
  event: string;
  data?: unknown;
  cid?: number;
}

/** A response to an invoke: `data` on success, `error` on failure. */
export interface ResponsePacket {
  rid: number;
  data?: unknown;
  error?: unknown;
}

/** Any packet. A frame carries one packet or an array of them (a batch). */
export type Packet = EventPacket | ResponsePacket;

/** A serialised error as it travels on the wire: `{ message, name?, ...fields }`. */
export interface WireError {
  message: string;
  name?: string;
  [field: string]: unknown;
}

/** The server's answer to `#handshake`. */
export interface HandshakeReply {
  id: string;
  pingTimeout: number;
  isAuthenticated: boolean;
  authError?: WireError;
}

/** Reserved event names. */
export const ScEvent = {
  handshake: '#handshake',
  subscribe: '#subscribe',
  unsubscribe: '#unsubscribe',
  publish: '#publish',
  kickOut: '#kickOut',
  authenticate: '#authenticate',
  setAuthToken: '#setAuthToken',
  removeAuthToken: '#removeAuthToken',
} as const;

/** Protocol version: 2 (default since SocketCluster 15) or 1 (older servers, or servers configured for it). */
export type ProtocolVersion = 1 | 2;

/** The ping and pong text frames of each protocol version. They never pass through the codec. */
export const PING_FRAMES = {
  1: { ping: '#1', pong: '#2' },
  2: { ping: '', pong: '' },
} as const satisfies Record<ProtocolVersion, { ping: string; pong: string }>;
