import { Observable } from 'rxjs';
import type { EngineCommands } from '../engine/port';
import { ClientClosedError, ProtocolError, type ScClientError } from '../errors';
import { InboundRequest, type AnswerChannel, type ProcedureRequest } from './procedure-request';
import { deliver, listOf, withoutSubscriber, withSubscriber, type Subscribers } from './subscriber-set';
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
 * The server's events and invokes, by name: the subscribers of each name, found with one `Map` lookup per inbound
 * packet and handed the value directly (no Subject in between: a Subject's `next` copies nothing but costs an
 * iterator and a closure per value, about a third of the facade's share of an inbound event). An event nobody
 * listens to is reported; an invoke nobody serves is answered at once with an `UnhandledProcedureError` (failing
 * the server's call now rather than after its ack timeout).
 * @internal
 */
export class InboundStreams {
  // Created on first use: a client is made per socket, and many never receive events or serve procedures.
  #receivers: Map<string, Subscribers<unknown>> | undefined;
  #procedures: Map<string, Subscribers<ProcedureRequest>> | undefined;
  readonly #host: InboundHost;

  constructor(host: InboundHost) {
    this.#host = host;
  }

  /** The shared stream of transmits named `event`. */
  receiver(event: string): Observable<unknown> {
    return this.#stream((this.#receivers ??= new Map<string, Subscribers<unknown>>()), event);
  }

  /** The shared stream of invokes named `name`. */
  procedure(name: string): Observable<ProcedureRequest> {
    return this.#stream((this.#procedures ??= new Map<string, Subscribers<ProcedureRequest>>()), name, true);
  }

  /** The engine's `serverEvent`. */
  serverEvent(event: string, data: unknown): void {
    const subscribers = this.#receivers?.get(event);
    if (subscribers) deliver(subscribers, data);
    else this.#host.report(new ProtocolError('unhandled-event', `No receiver for the event ${quote(event)}`));
  }

  /** The engine's `serverInvoke`. */
  serverInvoke(procedure: string, data: unknown, rid: number, session: number): void {
    const request = new InboundRequest(procedure, data, rid, session, this.#host);
    const subscribers = this.#procedures?.get(procedure);
    if (subscribers) {
      deliver(subscribers, request);
      return;
    }
    const error = new ProtocolError('unhandled-procedure', `No procedure ${quote(procedure)} on this client`);
    request.error({ name: 'UnhandledProcedureError', message: error.message });
    this.#host.report(error);
  }

  /** Completes every receiver and procedure stream. */
  complete(): void {
    const streams = [...(this.#receivers?.values() ?? []), ...(this.#procedures?.values() ?? [])];
    this.#receivers = this.#procedures = undefined;
    for (const subscribers of streams) for (const subscriber of listOf(subscribers)) subscriber.complete();
  }

  // A procedure's stream tells the engine when it starts and stops serving (`listen`), for a hub shared by tabs.
  #stream<T>(registry: Map<string, Subscribers<T>>, name: string, serves?: boolean): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.#host.isClosed()) {
        subscriber.error(new ClientClosedError());
        return undefined;
      }
      const subscribers = registry.get(name);
      registry.set(name, withSubscriber(subscribers, subscriber));
      if (!subscribers && serves) this.#host.port.listen(name, true);
      this.#host.connect();
      return () => {
        // After close() the streams are gone: nothing is left to leave.
        const rest = withoutSubscriber(registry.get(name), subscriber);
        if (rest) {
          registry.set(name, rest);
          return;
        }
        registry.delete(name);
        if (serves && !this.#host.isClosed()) this.#host.port.listen(name, false);
      };
    });
  }
}
