import type { Codec } from '../codec/codec';
import type { Session } from '../connection/open-session';
import { dehydrateError } from '../protocol/remote-error';

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
  /** Answers with an error; the server receives `{ name, message, ...fields }`. */
  error(error: unknown): void;
}

/** @internal */
export class InboundRequest<Req, Res> implements ProcedureRequest<Req, Res> {
  readonly procedure: string;
  readonly data: Req;
  readonly #rid: number;
  readonly #session: Session;
  readonly #codec: Codec;
  #answered = false;

  constructor(procedure: string, data: Req, rid: number, session: Session, codec: Codec) {
    this.procedure = procedure;
    this.data = data;
    this.#rid = rid;
    this.#session = session;
    this.#codec = codec;
  }

  get answered(): boolean {
    return this.#answered;
  }

  end(result?: Res): void {
    if (this.#answered) return;
    const frame = this.#codec.encode({ rid: this.#rid, data: result });
    this.#answered = true;
    this.#session.send(frame);
  }

  error(error: unknown): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#session.send(this.#codec.encode({ rid: this.#rid, error: dehydrateError(error) }));
  }
}
