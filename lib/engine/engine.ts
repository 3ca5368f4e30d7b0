import type { Observable, SchedulerLike } from 'rxjs';
import { AuthCalls } from '../auth/auth-calls';
import { AuthController } from '../auth/auth-controller';
import type { AuthConfig, AuthHost } from '../auth/auth-host';
import type { AuthState } from '../auth/auth-state';
import { ChannelMembership, type MembershipHost } from '../channels/membership';
import type { ChannelRequest } from '../channels/channel-request';
import type { ChannelState } from '../channels/channel-state';
import { Connection } from '../connection/connection';
import type { ConnectionConfig, ConnectionHooks } from '../connection/connection-host';
import type { ConnectionState } from '../connection/connection-state';
import { newTraffic, type Traffic } from '../connection/traffic';
import type { Session } from '../connection/session';
import {
  CallNotSentError,
  ClientClosedError,
  ConnectionError,
  HandshakeError,
  mapErrorFields,
  OutboxOverflowError,
  toErrorRecord,
  type AnyScError,
  type ScClientError,
} from '../errors';
import type { PendingCall } from '../rpc/call-registry';
import type { OutboundCall, CallOutcome } from '../rpc/outbound-call';
import { Rpc, type RpcHost } from '../rpc/rpc';
import { InboundRouter, type RouterHost } from './inbound-router';
import type { EngineCommands, EngineEvents, EngineView, Frame, PortConnectionState } from './port';

/** The engine's settings: the connection's and the auth controller's, and the default invoke timeout. @internal */
export interface EngineConfig extends ConnectionConfig, AuthConfig {
  readonly ackTimeout: number;
}

/**
 * The engine: the socket and the protocol behind the port. It takes the facade's {@link EngineCommands} and tells
 * it everything through {@link EngineEvents}; nothing else crosses.
 *
 * It also wires its parts, and says here which part may call what: each part declares the interface it needs
 * (`ConnectionHooks`, `RpcHost`, `MembershipHost`, `AuthHost`, `RouterHost`) and the engine implements them; the
 * facade's invokes settle through its `CallOutcome`. One object, with its methods on the prototype: a client is
 * created per socket, and an object or closure per hook would cost every client.
 * @internal
 */
export class Engine
  implements
    EngineCommands,
    EngineView,
    ConnectionHooks,
    RpcHost,
    MembershipHost,
    AuthHost,
    RouterHost,
    CallOutcome
{
  /** The outbox's clock. */
  readonly scheduler: SchedulerLike;
  /** Frames and bytes in and out, over every connection. */
  readonly traffic: Traffic = newTraffic();
  readonly #events: EngineEvents;
  readonly #connection: Connection;
  readonly #rpc: Rpc;
  /** Made on first use: many clients hold no channel. */
  #channels: ChannelMembership | undefined;
  readonly #auth: AuthController;
  /** Made at the first packet past a handshake: a connected client that only answers pings holds none. */
  #router: InboundRouter | undefined;
  /** The engine's own call ids are odd; the facade's are even. */
  #cid = -1;
  /** The highest call id issued by either side. */
  #highest = 0;
  /** Counts sessions: answers to a server invoke go only to the session it came on. */
  #session = 0;
  /** `authenticate` commands in flight, by call id (created on the first). */
  #authCalls: AuthCalls | undefined;
  #closed = false;

  constructor(config: EngineConfig, events: EngineEvents) {
    this.scheduler = config.scheduler;
    this.#events = events;
    this.#connection = new Connection(config, this);
    this.#rpc = new Rpc(config, this, this.#connection);
    this.#auth = new AuthController(config, this);
  }

  // EngineCommands: the facade's.

  connect(): void {
    this.#connection.demand();
  }

  disconnect(code: number, reason: string): void {
    this.#connection.disconnect(code, reason);
    this.#rpc.calls.idle();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels?.clear();
    this.#rpc.calls.failWhere(() => true, new ClientClosedError());
    this.#authCalls?.close();
    this.#connection.close(1000, 'Client closed');
    this.#auth.dispose();
    this.#events.closed();
  }

  sampleStats(request: number): void {
    if (this.#closed) return;
    const connection = this.#connection;
    const calls = this.#rpc.calls;
    this.#events.stats(request, {
      at: this.scheduler.now(),
      state: connection.state.state,
      ...this.traffic,
      reconnects: connection.reconnects,
      connectedFor: connection.connectedFor,
      timeConnected: connection.timeConnected,
      outbox: connection.outboxSize,
      callsInFlight: calls.size,
      rtt: calls.rtt,
    });
  }

  invoke(call: number, event: string, frame: Frame, timeout: number, resend: boolean): void {
    if (call > this.#highest) this.#highest = call;
    this.#rpc.call(call, event, frame, timeout, resend, this);
  }

  cancel(call: number): void {
    this.#rpc.cancel(call);
    this.#authCalls?.cancel(call);
  }

  transmit(event: string, frame: Frame): void {
    if (!this.#rpc.transmit(event, frame))
      this.report(new OutboxOverflowError(event, this.#connection.outboxLimit));
  }

  respond(session: number, frame: Frame): void {
    if (session === this.#session) this.#connection.session?.send(frame);
  }

  subscribe(channel: string, request: ChannelRequest): void {
    this.membership().subscribe(channel, request);
  }

  unsubscribe(channel: string): void {
    this.#channels?.unsubscribe(channel);
  }

  authenticate(call: number, token: string): void {
    (this.#authCalls ??= new AuthCalls(this.#events)).start(call, this.#auth.authenticate(token));
  }

  deauthenticate(): void {
    this.#auth.deauthenticate();
  }

  listen(): void {
    // One engine, one facade: the facade answers every server invoke itself.
  }

  // EngineView

  channelState(channel: string): ChannelState {
    return this.#channels?.state(channel) ?? 'unsubscribed';
  }

  // CallOutcome: the facade's invokes settle here.

  resolved(call: OutboundCall, data: unknown): void {
    this.#events.callResult(call.cid, data);
  }

  failed(call: OutboundCall, error: ScClientError): void {
    this.#events.callFailed(call.cid, toErrorRecord(error as AnyScError));
  }

  // Shared by every part.

  report(error: ScClientError): void {
    this.#events.diagnostic(toErrorRecord(error as AnyScError));
  }

  nextCid(): number {
    this.#cid += 2;
    if (this.#cid > this.#highest) this.#highest = this.#cid;
    return this.#cid;
  }

  session(): Session | undefined {
    return this.#connection.session;
  }

  // RpcHost: a call whose timeout passed before any connection carried it.

  notSent(call: PendingCall): ScClientError {
    return new CallNotSentError(
      call.event,
      call.timeout,
      this.#connection.attempts,
      this.#connection.lastFailure,
    );
  }

  // RouterHost

  membership(): ChannelMembership {
    return (this.#channels ??= new ChannelMembership(this.#rpc, this, this.#events));
  }

  issued(rid: number): boolean {
    // Call ids are integers: `1.5` lies in the range but was never issued.
    return Number.isInteger(rid) && rid >= 1 && rid <= this.#highest;
  }

  sessionNumber(): number {
    return this.#session;
  }

  // MembershipHost and AuthHost

  isAuthenticated(): boolean {
    return this.#auth.state.state === 'authenticated';
  }

  invokeOwn(event: string, data: unknown): Observable<unknown> {
    return this.#rpc.invoke(event, data);
  }

  onAuthenticated(): void {
    this.#channels?.subscribePending();
  }

  onAuthState(state: AuthState): void {
    this.#events.authState(state);
  }

  // ConnectionHooks

  // A method, not the router's bound arrow function: one closure less per client (about 60 B per connected socket,
  // in a heap snapshot of 500 clients), for one more call on the inbound path, which V8 inlines.
  dispatch(packet: unknown, session: Session | undefined): void {
    (this.#router ??= new InboundRouter(this.#rpc.calls, this.#auth, this, this.#events)).dispatch(
      packet,
      session,
    );
  }

  beforeAttempt(): Observable<never> {
    return this.#auth.prepare();
  }

  authToken(): string | null {
    return this.#auth.handshakeToken();
  }

  onState(state: ConnectionState): void {
    this.#events.connectionState(mapErrorFields(state, toErrorRecord) as PortConnectionState);
  }

  onClosed(error: ConnectionError): void {
    // Calls on the wire fail, except those that opted in to being sent again: they go back ahead of the outbox.
    const limit = this.#connection.outboxLimit;
    for (const entry of this.#connection.requeue(this.#rpc.calls.connectionLost(error))) {
      entry.onDropped?.(new OutboxOverflowError(entry.event, limit));
    }
    this.#channels?.suspend();
    this.#auth.onClosed();
  }

  onStopped(error: ScClientError): void {
    // Nothing will carry the queued calls now: fail them rather than leave them to their timeout.
    if (error instanceof ConnectionError || error instanceof HandshakeError) {
      this.#rpc.calls.failWhere(() => true, error);
    } else {
      this.report(error);
    }
  }

  onSession(session: Session): void {
    this.#session++;
    // Authentication first: waitForAuth channels need its verdict.
    this.#auth.onSession(session);
    this.#channels?.subscribePending();
  }
}
