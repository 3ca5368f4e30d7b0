/**
 * The parts of socketcluster-server (v15 to v20) that the recovery companion uses. The package ships no types; the
 * surface is typed here, loosely, to what the companion touches.
 */

/** A request of a procedure, as `socket.procedure(name)` yields it. */
export interface ProcedureRequest {
  readonly data: unknown;
  end(data?: unknown): void;
  error(error: Error): void;
}

/** A server socket. */
export interface AgSocket {
  readonly id: string;
  readonly channelSubscriptions?: Record<string, boolean>;
  // Function properties, not methods: the companion replaces them, and calls the originals with `call`.
  transmit: (event: string, data: unknown, options?: unknown) => unknown;
  procedure(name: string): AsyncIterable<ProcedureRequest>;
}

/** The broker engine (ag-simple-broker). */
export interface AgBroker {
  transmitPublish: (channel: string, data: unknown, suppressEvent?: boolean) => unknown;
  subscribeSocket: (socket: AgSocket, channel: string) => unknown;
  unsubscribeSocket: (socket: AgSocket, channel: string) => unknown;
}

/** The server. */
export interface AgServerLike {
  readonly brokerEngine: AgBroker;
  readonly codec?: { encode(object: unknown): unknown };
  readonly exchange: { subscribe(channel: string): unknown; unsubscribe(channel: string): unknown };
}
