import { catchError, defer, from, map, of, switchMap, throwError, type Observable } from 'rxjs';
import { TokenStoreError, type ScClientError } from '../errors';
import type { TokenStore } from './token-store';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

/**
 * Runs the token store's operations one after another, so that a slow save cannot land after a later remove and
 * bring a token back. A store that answers synchronously is used synchronously. Failures are reported as
 * `TokenStoreError`.
 * @internal
 */
export class TokenWriter {
  readonly #store: TokenStore;
  readonly #key: string;
  readonly #reporter: { report(error: ScClientError): void };
  #busy: Promise<unknown> | undefined;

  /** `reporter` receives the failures (the client's wiring object: no closure per client). */
  constructor(store: TokenStore, key: string, reporter: { report(error: ScClientError): void }) {
    this.#store = store;
    this.#key = key;
    this.#reporter = reporter;
  }

  /** The stored token (`null` when none), once earlier writes are done. Errors with `TokenStoreError`. */
  load(): Observable<string | null> {
    return defer(() => {
      const read = (): Observable<string | null> => {
        const token = this.#store.load(this.#key);
        return isThenable(token) ? from(token) : of(token);
      };
      return this.#busy ? from(this.#busy).pipe(switchMap(read)) : read();
    }).pipe(
      map((token) => (typeof token === 'string' && token !== '' ? token : null)),
      catchError((cause: unknown) => {
        const error = new TokenStoreError('load', { cause });
        this.#reporter.report(error);
        return throwError(() => error);
      }),
    );
  }

  save(token: string): void {
    this.#run('save', () => this.#store.save(this.#key, token));
  }

  remove(): void {
    this.#run('remove', () => this.#store.remove(this.#key));
  }

  #run(operation: 'save' | 'remove', write: () => void | Promise<void>): void {
    const fail = (cause: unknown): void => this.#reporter.report(new TokenStoreError(operation, { cause }));
    const start = (): Promise<void> | undefined => {
      try {
        const result = write();
        if (isThenable(result)) return Promise.resolve(result).catch(fail);
      } catch (cause) {
        fail(cause);
      }
      return undefined;
    };
    const pending = this.#busy ? this.#busy.then(start) : start();
    if (!pending) return;
    this.#busy = pending;
    void pending.then(() => {
      if (this.#busy === pending) this.#busy = undefined;
    });
  }
}
