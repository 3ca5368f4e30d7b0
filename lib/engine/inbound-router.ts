import type { AuthController } from '../auth/auth-controller';
import type { ChannelMembership } from '../channels/membership';
import type { Session } from '../connection/session';
import { ProtocolError, type ScClientError } from '../errors';
import { ScEvent } from '../protocol/packets';
import { hydrateError } from '../protocol/remote-error';
import type { CallRegistry } from '../rpc/call-registry';

/** Where the router sends what the engine does not handle itself (the port's events fit). @internal */
export interface RouterSink {
  serverEvent(event: string, data: unknown): void;
  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void;
}

/** What the router needs of the engine. @internal */
export interface RouterHost {
  report(error: ScClientError): void;
  /** Whether `rid` is a call id this client issued (a late answer to it is normal). */
  issued(rid: number): boolean;
  /** The number of the open session, for answers to server invokes. */
  sessionNumber(): number;
  /** The channel membership (made on first use). */
  membership(): ChannelMembership;
}

/**
 * Routes inbound packets: a response to its pending call, a reserved event (its name starts with `#`) to the
 * channels or the auth controller, any other event to the facade. One `Map` lookup per packet at most, whatever
 * the number of subscribers.
 * @internal
 */
export class InboundRouter {
  readonly #calls: CallRegistry;
  readonly #auth: AuthController;
  readonly #host: RouterHost;
  readonly #sink: RouterSink;

  constructor(calls: CallRegistry, auth: AuthController, host: RouterHost, sink: RouterSink) {
    this.#calls = calls;
    this.#auth = auth;
    this.#host = host;
    this.#sink = sink;
  }

  /** Routes one decoded packet; `session` is set once the handshake is done. */
  dispatch(packet: unknown, session: Session | undefined): void {
    const p = packet as {
      event?: unknown;
      data?: unknown;
      cid?: unknown;
      rid?: unknown;
      error?: unknown;
    } | null;
    if (p === null || typeof p !== 'object') {
      this.#host.report(new ProtocolError('malformed-packet', 'Received a packet that is not an object'));
    } else if (typeof p.event === 'string') {
      const cid = typeof p.cid === 'number' ? p.cid : undefined;
      // Reserved names all start with '#': user events skip that check.
      if (p.event.charCodeAt(0) === 35 && this.#reserved(p.event, p.data, cid, session)) return;
      if (cid === undefined) this.#sink.serverEvent(p.event, p.data);
      else if (session) this.#sink.serverInvoke(p.event, p.data, cid, this.#host.sessionNumber());
    } else if (typeof p.rid === 'number') {
      this.#response(p.rid, p.data, p.error, session);
    } else {
      this.#host.report(
        new ProtocolError('malformed-packet', 'Received a packet with neither event nor rid'),
      );
    }
  }

  #reserved(event: string, data: unknown, cid: number | undefined, session: Session | undefined): boolean {
    switch (event) {
      case ScEvent.publish:
        this.#host.membership().onPublish(data);
        return true;
      case ScEvent.kickOut:
        this.#host.membership().onKickOut(data);
        return true;
      case ScEvent.setAuthToken:
        this.#auth.server.onSetAuthToken(data, cid, session);
        return true;
      case ScEvent.removeAuthToken:
        this.#auth.server.onRemoveAuthToken(data, cid, session);
        return true;
      default:
        return false;
    }
  }

  #response(rid: number, data: unknown, error: unknown, session: Session | undefined): void {
    const call = this.#calls.take(rid);
    if (!call) {
      // A late answer to a call that timed out or was unsubscribed is normal; an id never issued is not.
      if (!this.#host.issued(rid)) {
        this.#host.report(
          new ProtocolError('unknown-rid', `Response ${rid} matches no call this client made`),
        );
      }
      return;
    }
    // Timed by the frame's arrival, read once for the ping watchdog: no second clock read per answer.
    this.#calls.answered(call, session?.receivedAt);
    const remote = hydrateError(error);
    if (remote) call.fail(remote);
    else call.resolve(data);
  }
}
