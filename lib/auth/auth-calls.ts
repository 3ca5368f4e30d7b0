import type { Observable, Subscription } from 'rxjs';
import { mapErrorFields, toErrorRecord, type AnyScError, type ErrorRecord } from '../errors';
import type { AuthenticateResult } from './authenticate-reply';

/** Where the answer to an `authenticate` call goes (the port's events fit). @internal */
export interface AuthCallSink {
  callResult(call: number, data: unknown): void;
  callFailed(call: number, error: ErrorRecord): void;
}

/**
 * The facade's `authenticate` calls in flight, by call id: each answered once on the sink (its authError as a
 * record), or dropped when cancelled or when the client closes.
 * @internal
 */
export class AuthCalls {
  readonly #calls = new Map<number, Subscription>();
  readonly #sink: AuthCallSink;

  constructor(sink: AuthCallSink) {
    this.#sink = sink;
  }

  /** Runs the authentication `result$` for `call`. */
  start(call: number, result$: Observable<AuthenticateResult>): void {
    const calls = this.#calls;
    const subscription = result$.subscribe({
      next: (result) => this.#sink.callResult(call, mapErrorFields(result, toErrorRecord)),
      error: (error: unknown) => {
        calls.delete(call);
        this.#sink.callFailed(call, toErrorRecord(error as AnyScError));
      },
      complete: () => calls.delete(call),
    });
    if (!subscription.closed) calls.set(call, subscription);
  }

  /** Drops `call`, if it is an authentication still running. */
  cancel(call: number): void {
    const subscription = this.#calls.get(call);
    if (!subscription) return;
    this.#calls.delete(call);
    subscription.unsubscribe();
  }

  /** Drops every authentication still running. */
  close(): void {
    for (const subscription of this.#calls.values()) subscription.unsubscribe();
    this.#calls.clear();
  }
}
