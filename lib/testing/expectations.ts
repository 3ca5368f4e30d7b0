import { isObservable, take } from 'rxjs';
import { dehydrateError } from '../protocol/remote-error';
import type { WireError } from '../protocol/packets';
import type { FakeSocket } from './fake-socket';
import type { Reply } from './reserved-events';

/** An error a fake server's procedure fails with: a name, a message, and any extra fields the client should see. */
export interface ServerError {
  readonly name: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/**
 * A function that answers a procedure: given the call's data and socket, it returns the value, a Promise of it or an
 * Observable (its first value answers; one that never emits leaves the call unanswered). Throwing (or a Promise or
 * Observable that fails) fails the call with what it threw: a {@link ServerError}, or an `Error` (its name, message
 * and own fields).
 */
export type AnswerFunction<T = unknown> = (data: T, socket: FakeSocket) => unknown;

/**
 * An invoke the fake server received and has not answered: answer it, fail it, or leave it to time out. Returned
 * by `server.expectInvoke(procedure)` and `server.whenInvoked(procedure)`.
 *
 * @example
 * ```ts
 * const call = server.expectInvoke('save');
 * expect(call.data).toEqual({ name: '' });
 * expect(call.socket.isAuthenticated).toBe(true);
 * call.fail({ name: 'ValidationError', message: 'name is required', field: 'name' });
 * // The client's invoke errors with a RemoteError: remoteName 'ValidationError', details { field: 'name' }.
 * ```
 */
export interface PendingInvoke {
  /** The procedure called. */
  readonly procedure: string;
  /** The data the client sent. */
  readonly data: unknown;
  /** The connection it came on. */
  readonly socket: FakeSocket;
  /** Whether it has been answered or failed. */
  readonly answered: boolean;
  /** Answers with `value` (no data when omitted). A second answer is ignored, as on a real server. */
  respond(value?: unknown): void;
  /** Fails the call: the client's invoke errors with a `RemoteError` carrying `error`'s name, message and fields. */
  fail(error: ServerError): void;
}

/** A `#subscribe` the fake server received (and accepted, unless it refused the channel). */
export interface SubscribeRequest {
  readonly channel: string;
  /** The `data` the client attached to its subscription, if any. */
  readonly data: unknown;
  readonly socket: FakeSocket;
  /** Whether the server accepted it (false: it answered with an error). */
  readonly accepted: boolean;
}

/** A transmit the fake server received. */
interface Transmit {
  readonly event: string;
  readonly data: unknown;
  readonly socket: FakeSocket;
}

/** What the server threw or rejected with, as the wire carries errors. */
export function wireErrorOf(thrown: unknown): WireError {
  const wire = dehydrateError(thrown);
  return (wire !== null && typeof wire === 'object' ? wire : { message: String(wire) }) as WireError;
}

class Invoke implements PendingInvoke {
  answered = false;
  readonly procedure: string;
  readonly data: unknown;
  readonly socket: FakeSocket;
  readonly #reply: (reply: Reply) => void;

  constructor(procedure: string, data: unknown, socket: FakeSocket, reply: (reply: Reply) => void) {
    this.procedure = procedure;
    this.data = data;
    this.socket = socket;
    this.#reply = reply;
  }

  respond(value?: unknown): void {
    this.#settle({ data: value });
  }

  fail(error: ServerError): void {
    this.#settle({ error: wireErrorOf(error) });
  }

  #settle(reply: Reply): void {
    if (this.answered) return;
    this.answered = true;
    this.#reply(reply);
  }
}

function run(answer: unknown, call: Invoke): void {
  let result: unknown;
  try {
    result =
      typeof answer === 'function'
        ? (answer as (d: unknown, s: FakeSocket) => unknown)(call.data, call.socket)
        : answer;
  } catch (thrown) {
    call.fail(wireErrorOf(thrown) as ServerError);
    return;
  }
  const fail = (thrown: unknown) => call.fail(wireErrorOf(thrown) as ServerError);
  if (isObservable(result)) {
    result.pipe(take(1)).subscribe({
      next: (value) => call.respond(value),
      error: fail,
      complete: () => call.respond(),
    });
  } else if (typeof (result as PromiseLike<unknown> | null)?.then === 'function') {
    (result as PromiseLike<unknown>).then((value) => call.respond(value), fail);
  } else {
    call.respond(result);
  }
}

/** Takes the oldest item matching `match` out of `list`. */
function takeFirst<T>(list: T[], match: (item: T) => boolean): T | undefined {
  const index = list.findIndex(match);
  return index === -1 ? undefined : list.splice(index, 1)[0];
}

function describe(
  items: readonly { readonly socket: FakeSocket; readonly data: unknown }[],
  name: (item: never) => string,
): string {
  if (items.length === 0) return 'none';
  return items
    .map(
      (item) =>
        `${name(item as never)} from ${item.socket.id} with ${item.data === undefined ? 'no data' : JSON.stringify(item.data)}`,
    )
    .join('; ');
}

/**
 * The application traffic a fake server received, HttpTestingController-style: invokes to answer (by a standing
 * answer, or one by one through `expectInvoke`), transmits and subscriptions to expect, and `verify()` for what
 * nobody expected.
 *
 * @internal
 */
export class Expectations {
  readonly #answers = new Map<string, unknown>();
  readonly #invokes: Invoke[] = [];
  readonly #transmits: Transmit[] = [];
  readonly #subscribes: SubscribeRequest[] = [];
  readonly #invokeWaiters: { procedure: string; resolve: (call: PendingInvoke) => void }[] = [];
  readonly #transmitWaiters: { event: string; resolve: (data: unknown) => void }[] = [];

  answer(procedure: string, answer: unknown): void {
    this.#answers.set(procedure, answer);
  }

  invoked(socket: FakeSocket, procedure: string, data: unknown, reply: (reply: Reply) => void): void {
    const call = new Invoke(procedure, data, socket, reply);
    if (this.#answers.has(procedure)) {
      run(this.#answers.get(procedure), call);
      return;
    }
    const waiter = takeFirst(this.#invokeWaiters, (w) => w.procedure === procedure);
    if (waiter) waiter.resolve(call);
    else this.#invokes.push(call);
  }

  transmitted(socket: FakeSocket, event: string, data: unknown): void {
    const waiter = takeFirst(this.#transmitWaiters, (w) => w.event === event);
    if (waiter) waiter.resolve(data);
    else this.#transmits.push({ event, data, socket });
  }

  subscribed(socket: FakeSocket, channel: string, data: unknown, accepted: boolean): void {
    this.#subscribes.push({ channel, data, socket, accepted });
  }

  expectInvoke(procedure: string): PendingInvoke {
    const call = takeFirst(this.#invokes, (c) => c.procedure === procedure);
    if (call) return call;
    throw new Error(
      `Expected an invoke of '${procedure}'; invokes waiting: ${describe(this.#invokes, (c: Invoke) => `'${c.procedure}'`)}`,
    );
  }

  whenInvoked(procedure: string): Promise<PendingInvoke> {
    const call = takeFirst(this.#invokes, (c) => c.procedure === procedure);
    if (call) return Promise.resolve(call);
    return new Promise((resolve) => this.#invokeWaiters.push({ procedure, resolve }));
  }

  expectTransmit(event: string): unknown {
    const transmit = takeFirst(this.#transmits, (t) => t.event === event);
    if (transmit) return transmit.data;
    throw new Error(
      `Expected a transmit of '${event}'; transmits received: ${describe(this.#transmits, (t: Transmit) => `'${t.event}'`)}`,
    );
  }

  whenTransmitted(event: string): Promise<unknown> {
    const transmit = takeFirst(this.#transmits, (t) => t.event === event);
    if (transmit) return Promise.resolve(transmit.data);
    return new Promise((resolve) => this.#transmitWaiters.push({ event, resolve }));
  }

  expectSubscribe(channel: string): SubscribeRequest {
    const request = takeFirst(this.#subscribes, (s) => s.channel === channel);
    if (request) return request;
    const seen = this.#subscribes.map((s) => `'${s.channel}'`).join(', ') || 'none';
    throw new Error(`Expected a subscription to '${channel}'; subscriptions received: ${seen}`);
  }

  verify(): void {
    const invokes = this.#invokes.filter((c) => !c.answered);
    if (invokes.length === 0 && this.#transmits.length === 0) return;
    throw new Error(
      [
        'The fake server received traffic nobody expected:',
        `invokes: ${describe(invokes, (c: Invoke) => `'${c.procedure}'`)}`,
        `transmits: ${describe(this.#transmits, (t: Transmit) => `'${t.event}'`)}`,
      ].join('\n'),
    );
  }
}
