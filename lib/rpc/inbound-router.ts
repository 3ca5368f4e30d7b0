import { Observable, Subject } from 'rxjs';
import type { Codec } from '../codec/codec';
import type { Session } from '../connection/open-session';
import { ClientClosedError, ProtocolError, type ScClientError } from '../errors';
import { hydrateError } from '../protocol/remote-error';
import type { CallRegistry } from './call-registry';
import { InboundRequest, type ProcedureRequest } from './procedure-request';

interface Dependencies {
  readonly codec: Codec;
  readonly calls: CallRegistry;
  readonly report: (error: ScClientError) => void;
  /** Opens the connection when a stream gets its first subscriber. */
  readonly demand: () => void;
  /** The highest call id issued so far. */
  readonly lastCid: () => number;
  /**
   * Handles a reserved event (its name starts with '#': channels, auth) before user receivers see it; `false` when
   * `event` is none the client handles.
   */
  reserved(event: string, data: unknown, cid: number | undefined, session: Session | undefined): boolean;
}

/**
 * Routes inbound packets: responses to their pending call, transmits to the one Subject serving that event name,
 * invokes to the one Subject serving that procedure. One `Map` lookup per packet, whatever the number of
 * subscribers.
 * @internal
 */
export class InboundRouter {
  // Created on first use: a client is made per socket, and many never receive events or serve procedures.
  #receivers: Map<string, Subject<unknown>> | undefined;
  #procedures: Map<string, Subject<ProcedureRequest>> | undefined;
  readonly #deps: Dependencies;
  #closed = false;

  constructor(deps: Dependencies) {
    this.#deps = deps;
  }

  /** Routes one decoded packet. */
  readonly dispatch = (packet: unknown, session: Session | undefined): void => {
    const p = packet as { event?: unknown; data?: unknown; cid?: unknown; rid?: unknown; error?: unknown } | null;
    if (p === null || typeof p !== 'object') {
      this.#deps.report(new ProtocolError('malformed-packet', 'Received a packet that is not an object'));
    } else if (typeof p.event === 'string') {
      const cid = typeof p.cid === 'number' ? p.cid : undefined;
      // Reserved names all start with '#': user events skip that check.
      if (p.event.charCodeAt(0) === 35 && this.#deps.reserved(p.event, p.data, cid, session)) return;
      if (cid === undefined) this.#onTransmit(p.event, p.data);
      else if (session) this.#onInvoke(p.event, p.data, cid, session);
    } else if (typeof p.rid === 'number') {
      this.#onResponse(p.rid, p.data, p.error);
    } else {
      this.#deps.report(new ProtocolError('malformed-packet', 'Received a packet with neither event nor rid'));
    }
  };

  /** The shared stream of transmits named `event`. */
  receiver(event: string): Observable<unknown> {
    return this.#stream((this.#receivers ??= new Map<string, Subject<unknown>>()), event);
  }

  /** The shared stream of invokes named `name`. */
  procedure(name: string): Observable<ProcedureRequest> {
    return this.#stream((this.#procedures ??= new Map<string, Subject<ProcedureRequest>>()), name);
  }

  /** Completes every receiver and procedure stream. */
  complete(): void {
    this.#closed = true;
    for (const subject of [...(this.#receivers?.values() ?? []), ...(this.#procedures?.values() ?? [])]) {
      subject.complete();
    }
    this.#receivers = this.#procedures = undefined;
  }

  #stream<T>(registry: Map<string, Subject<T>>, name: string): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.#closed) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      let subject = registry.get(name);
      if (!subject) registry.set(name, (subject = new Subject<T>()));
      const subscription = subject.subscribe(subscriber);
      this.#deps.demand();
      const own = subject;
      return () => {
        subscription.unsubscribe();
        if (!own.observed && registry.get(name) === own) registry.delete(name);
      };
    });
  }

  #onTransmit(event: string, data: unknown): void {
    const subject = this.#receivers?.get(event);
    if (subject) subject.next(data);
    else this.#deps.report(new ProtocolError('unhandled-event', `No receiver for the event '${event}'`));
  }

  #onInvoke(procedure: string, data: unknown, cid: number, session: Session): void {
    const request = new InboundRequest(procedure, data, cid, session, this.#deps.codec);
    const subject = this.#procedures?.get(procedure);
    if (subject) {
      subject.next(request);
      return;
    }
    // Answering at once fails the server's call now rather than after its ack timeout.
    const error = new ProtocolError('unhandled-procedure', `No procedure '${procedure}' on this client`);
    request.error({ name: 'UnhandledProcedureError', message: error.message });
    this.#deps.report(error);
  }

  #onResponse(rid: number, data: unknown, error: unknown): void {
    const call = this.#deps.calls.take(rid);
    if (!call) {
      // A late answer to a call that timed out or was unsubscribed is normal; an id never issued is not.
      if (!(rid >= 1 && rid <= this.#deps.lastCid())) {
        this.#deps.report(new ProtocolError('unknown-rid', `Response ${rid} matches no call this client made`));
      }
      return;
    }
    const remote = hydrateError(error);
    if (remote) call.fail(remote);
    else call.resolve(data);
  }
}
