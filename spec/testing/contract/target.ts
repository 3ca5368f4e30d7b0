import type { Client, ClientOptions } from '../../../lib/node';

// The contract suite's view of a server: what a scenario may ask of the server side. Two targets implement it: a
// real socketcluster-server started in-process (real-target.ts) and the fake server of rx-socketcluster/testing
// (fake-target.ts). Every scenario runs against both and must record the same transcript.

/** An error a server-side handler fails with: its name, message and any extra fields, as the wire carries them. */
export interface ServerError {
  readonly name: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** A server procedure's handler: returns the answer (or a Promise of it), or throws a {@link ServerError}. */
export type ProcedureHandler = (data: unknown) => unknown;

/** The server side of one scenario. */
export interface ContractTarget {
  /** A short name for reports: `socketcluster-server 20`, `fake`. */
  readonly name: string;
  /** A client of this server (its url and WebSocket filled in; the scenario's options over them). */
  client(options?: Partial<ClientOptions>): Client;
  /** Answers `procedure` on every socket, now and after reconnects. */
  onInvoke(procedure: string, handler: ProcedureHandler): void;
  /** Resolves with the next `transmit` of `event` a client sends (its data). */
  nextTransmit(event: string): Promise<unknown>;
  /** Publishes to `channel` from the server side. */
  publish(channel: string, data: unknown): Promise<void>;
  /** Transmits `event` to every connected socket. */
  emit(event: string, data: unknown): void;
  /** Invokes `procedure` on the newest socket; resolves with the client's answer, rejects with its error. */
  invokeClient(procedure: string, data: unknown): Promise<unknown>;
  /** Signs `claims` into a token (expiring after `expiresIn` seconds, if given) and sets it on the newest socket. */
  setAuthToken(claims: Record<string, unknown>, expiresIn?: number): Promise<void>;
  /** Signs `claims` into a token the server accepts, without setting it (for `authenticate()`). */
  signToken(claims: Record<string, unknown>, expiresIn?: number): Promise<string>;
  /** Removes the newest socket's token. */
  removeAuthToken(): void;
  /** Refuses subscriptions to `channel` with an error of `name` (and `message`). */
  refuseSubscribe(channel: string, name: string, message: string): void;
  /** Refuses handshakes with an error of `name`, `message` and close code `statusCode` (4008 when omitted). */
  refuseHandshake(name: string, message: string, statusCode?: number): void;
  /** Kicks the newest socket out of `channel`, with `message`. */
  kickOut(channel: string, message: string): void;
  /** Closes the newest socket with `code` and `reason`. */
  disconnect(code: number, reason?: string): void;
  /** Stops accepting connections, drops every socket (1006), then accepts again on the same URL. */
  restart(): Promise<void>;
  /** Stops answering pings and sending anything on the newest socket (the client's watchdog must notice). */
  goSilent(): void;
  /** The channels the newest socket is subscribed to, as the server sees them, sorted. */
  subscriptions(): string[];
  /** Whether the newest socket is authenticated, as the server sees it. */
  isAuthenticated(): boolean;
  /** Stops the server and forgets its clients. */
  stop(): Promise<void>;
}
