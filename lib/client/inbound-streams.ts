import { Observable, Subject } from 'rxjs';
import type { EngineCommands } from '../engine/port';
import { ClientClosedError, ProtocolError, type ScClientError } from '../errors';
import { InboundRequest, type AnswerChannel, type ProcedureRequest } from './procedure-request';
import { quote } from '../internal/quote';

/** What the inbound streams need of the facade. @internal */
export interface InboundHost extends AnswerChannel {
  readonly port: Pick<EngineCommands, 'respond' | 'listen'>;
  /** Opens the connection when a stream gets its first subscriber. */
  connect(): void;
  /** Reports a diagnostic on `errors$`. */
  report(error: ScClientError): void;
  /** Whether the client is closed: new streams error with `ClientClosedError`. */
  isClosed(): boolean;
}

/**
 * The server's events and invokes, by name: one Subject per name however many subscribers, found with one `Map`
 * lookup per inbound packet. An event nobody listens to is reported; an invoke nobody serves is answered at once
 * with an `UnhandledProcedureError` (failing the server's call now rather than after its ack timeout).
 * @internal
 */
export class InboundStreams {
  // Created on first use: a client is made per socket, and many never receive events or serve procedures.
  #receivers: Map<string, Subject<unknown>> | undefined;
  #procedures: Map<string, Subject<ProcedureRequest>> | undefined;
  readonly #host: InboundHost;

  constructor(host: InboundHost) {
    this.#host = host;
  }

  /** The shared stream of transmits named `event`. */
  receiver(event: string): Observable<unknown> {
    return this.#stream((this.#receivers ??= new Map<string, Subject<unknown>>()), event);
  }

  /** The shared stream of invokes named `name`. */
  procedure(name: string): Observable<ProcedureRequest> {
    return this.#stream((this.#procedures ??= new Map<string, Subject<ProcedureRequest>>()), name, true);
  }

  /** The engine's `serverEvent`. */
  serverEvent(event: string, data: unknown): void {
    const subject = this.#receivers?.get(event);
    if (subject) subject.next(data);
    else this.#host.report(new ProtocolError('unhandled-event', `No receiver for the event ${quote(event)}`));
  }

  /** The engine's `serverInvoke`. */
  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void {
    const request = new InboundRequest(procedure, data, rid, session, this.#host);
    const subject = this.#procedures?.get(procedure);
    if (subject) {
      subject.next(request);
      return;
    }
    const error = new ProtocolError('unhandled-procedure', `No procedure ${quote(procedure)} on this client`);
    request.error({ name: 'UnhandledProcedureError', message: error.message });
    this.#host.report(error);
  }

  /** Completes every receiver and procedure stream. */
  complete(): void {
    for (const subject of [...(this.#receivers?.values() ?? []), ...(this.#procedures?.values() ?? [])]) {
      subject.complete();
    }
    this.#receivers = this.#procedures = undefined;
  }

  // A procedure's stream tells the engine when it starts and stops serving (`listen`), for a hub shared by tabs.
  #stream<T>(registry: Map<string, Subject<T>>, name: string, serves?: boolean): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.#host.isClosed()) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      let subject = registry.get(name);
      if (!subject) {
        registry.set(name, (subject = new Subject<T>()));
        if (serves) this.#host.port.listen(name, true);
      }
      const subscription = subject.subscribe(subscriber);
      this.#host.connect();
      const own = subject;
      return () => {
        subscription.unsubscribe();
        if (!own.observed && registry.get(name) === own) {
          registry.delete(name);
          if (serves && !this.#host.isClosed()) this.#host.port.listen(name, false);
        }
      };
    });
  }
}
