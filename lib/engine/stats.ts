import type { ConnectionStatus } from '../connection/connection-state';

/**
 * A sample of a client's traffic and health, as `stats$()` emits it. Counters run from the client's creation, over
 * every connection it made; the other fields describe the moment of the sample.
 */
export interface ClientStats {
  /** When the sample was taken, in epoch ms (the client's clock). */
  readonly at: number;
  /** The connection state at that moment. */
  readonly state: ConnectionStatus;
  /** Frames received and sent, pings and pongs included. A batch frame counts once. */
  readonly framesIn: number;
  readonly framesOut: number;
  /**
   * The size of those frames: bytes for binary frames, UTF-16 code units for text frames (the same as bytes for
   * ASCII text, which JSON mostly is; more for other text in UTF-8).
   */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Connections opened after the first (successful handshakes, less one). */
  readonly reconnects: number;
  /** How long the open connection has been open, in ms; 0 when none is. */
  readonly connectedFor: number;
  /** Time spent connected over the client's life, in ms, the open connection included. */
  readonly timeConnected: number;
  /** Frames waiting in the outbox for a connection. */
  readonly outbox: number;
  /** Calls waiting for an answer: `invoke`s and `publish`es sent or queued, and the client's own requests. */
  readonly callsInFlight: number;
  /**
   * A smoothed round-trip time in ms, from the calls the server answered (those sent at once, not those that
   * waited in the outbox), or `undefined` before the first answer. SocketCluster's pings go from server to client
   * and say nothing of the round trip; an answered call does. It includes the server's time to answer, so a
   * procedure that answers at once gives the truest figure.
   */
  readonly rtt: number | undefined;
}
