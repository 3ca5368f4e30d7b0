import type { SchedulerLike, Subscription } from 'rxjs';
import type { WireError } from '../protocol/packets';

/** Options of an invoke the fake server makes on a client. */
export interface ServerInvokeOptions {
  /** How long to wait for the client's answer, in ms. Default: the server's `ackTimeout` (10000). */
  ackTimeout?: number;
}

interface Call {
  readonly procedure: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: Subscription;
}

/**
 * An error the client answered with, rebuilt the way SocketCluster peers rebuild one (sc-errors' `hydrateError`): an
 * `Error` with the wire's `message`, its `name`, and every other field copied onto it.
 */
export function errorFromWire(wire: unknown): Error {
  if (wire === null || typeof wire !== 'object') return new Error(String(wire));
  const { message, name, ...fields } = wire as Partial<WireError>;
  const error = new Error(typeof message === 'string' ? message : 'Invalid error message format');
  if (typeof name === 'string') error.name = name;
  return Object.assign(error, fields);
}

function namedError(name: string, message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name }, fields);
}

/**
 * The invokes one fake socket made on its client and is waiting for: call ids from 1, a Promise each, settled by the
 * client's answer, by the ack timeout (`TimeoutError`), or by the connection's end (`BadConnectionError`), with the
 * names and messages socketcluster-server gives.
 */
export class ServerCalls {
  #lastCid = 0;
  readonly #calls = new Map<number, Call>();

  readonly #scheduler: SchedulerLike;

  constructor(scheduler: SchedulerLike) {
    this.#scheduler = scheduler;
  }

  /** Files a call; returns its call id and the Promise of its answer. */
  start(procedure: string, ackTimeout: number): { cid: number; answer: Promise<unknown> } {
    const cid = ++this.#lastCid;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = this.#scheduler.schedule(() => {
        this.#calls.delete(cid);
        reject(namedError('TimeoutError', `Event response for ${procedure} event timed out`));
      }, ackTimeout);
      this.#calls.set(cid, { procedure, resolve, reject, timer });
    });
    return { cid, answer };
  }

  /** Settles the call `rid` with the client's answer; an unknown `rid` (a late answer) is ignored, as on a server. */
  settle(rid: number, error: unknown, data: unknown): void {
    const call = this.#calls.get(rid);
    if (!call) return;
    this.#calls.delete(rid);
    call.timer.unsubscribe();
    // Binary codecs send `error: null` on every success.
    if (error == null) call.resolve(data);
    else call.reject(errorFromWire(error));
  }

  /** The connection ended: every call waiting fails. */
  abort(code: number, reason: string): void {
    for (const call of this.#calls.values()) {
      call.timer.unsubscribe();
      call.reject(
        namedError('BadConnectionError', `Event ${call.procedure} was aborted due to a bad connection`, {
          type: 'disconnect',
          code,
          reason,
        }),
      );
    }
    this.#calls.clear();
  }
}
