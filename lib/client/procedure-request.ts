import type { Codec } from '../codec/codec';
import type { EngineCommands } from '../engine/port';
import { dehydrateError } from '../protocol/remote-error';
import { quote } from '../internal/quote';

/**
 * A request the server sent with `socket.invoke(name, data)`. Answer it once, with `end(result)` or `error(err)`;
 * later answers are ignored. An answer after the connection it came on has closed is dropped (the server has
 * already failed the call).
 *
 * @typeParam Req - The request data.
 * @typeParam Res - The response data.
 */
export interface ProcedureRequest<Req = unknown, Res = unknown> {
  /** The procedure name. */
  readonly procedure: string;
  /** The data the server sent. */
  readonly data: Req;
  /** Whether `end` or `error` was called. */
  readonly answered: boolean;
  /** Answers with `result`. Throws a `TypeError` when the codec cannot encode it. */
  end(result?: Res): void;
  /** Answers with an error; the server receives `{ name, message, ...fields }`. Throws a `TypeError` when the
   * codec cannot encode the error's fields. */
  error(error: unknown): void;
}

/** What an inbound request needs to answer: the codec, and the engine to send the answer. @internal */
export interface AnswerChannel {
  readonly codec: Codec;
  readonly port: Pick<EngineCommands, 'respond'>;
}

/** A server invoke as the facade hands it to the application; the answer goes back through the port. @internal */
export class InboundRequest<Req, Res> implements ProcedureRequest<Req, Res> {
  declare readonly procedure: string;
  declare readonly data: Req;
  readonly #rid: number;
  readonly #session: number;
  readonly #channel: AnswerChannel;
  #answered = false;

  constructor(procedure: string, data: Req, rid: number, session: number, channel: AnswerChannel) {
    this.procedure = procedure;
    this.data = data;
    this.#rid = rid;
    this.#session = session;
    this.#channel = channel;
  }

  get answered(): boolean {
    return this.#answered;
  }

  end(result?: Res): void {
    this.#answer({ rid: this.#rid, data: result });
  }

  error(error: unknown): void {
    this.#answer({ rid: this.#rid, error: dehydrateError(error) });
  }

  // Encode before marking the request answered: a result the codec refuses throws at the caller, who can still
  // answer with an error.
  #answer(packet: object): void {
    if (this.#answered) return;
    let frame: string | Uint8Array;
    try {
      frame = this.#channel.codec.encode(packet);
    } catch (cause) {
      throw new TypeError(`The answer to ${quote(this.procedure)} cannot be encoded: ${String(cause)}`, {
        cause,
      });
    }
    this.#answered = true;
    this.#channel.port.respond(this.#session, frame);
  }
}
