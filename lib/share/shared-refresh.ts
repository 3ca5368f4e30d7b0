import { defer, first, from, Observable, type Subscriber, type Subscription } from 'rxjs';
import type { AuthenticatedState } from '../auth/auth-state';
import type { RefreshToken } from '../auth/refresh-host';
import { fromErrorRecord, ScClientError, toErrorRecord, type AnyScError } from '../errors';
import type { HubMessage, RefreshFailure, TabMessage } from './messages';

/**
 * The token refresh of a shared connection whose engine cannot call a refresh function of its own (a shared worker's:
 * functions do not cross a message port). The tabs whose clients have one say so in their `hello`; the engine's
 * refresh function asks one of them ({@link HubRefresh}), which runs it ({@link TabRefresh}) and answers with the
 * new token or its failure. The engine then authenticates once, for every tab, as it would with a function of its
 * own.
 * @internal
 */

type RefreshAsk = Extract<HubMessage, { t: 'refresh' }>;
type RefreshAnswer = Extract<TabMessage, { t: 'refreshed' }>;

/** A refresh the engine asked for, and the tab asked to run it (none while no tab can). */
interface Ask {
  readonly state: AuthenticatedState;
  readonly subscriber: Subscriber<string>;
  tab: string | undefined;
}

/**
 * The hub's side: {@link refresh} is the refresh function of the engine's token refresh. Each request goes to one tab that can refresh
 * (the first to join of those left); when that tab leaves before it answers, to another; while no tab can, the
 * request waits, and nothing is refreshed, as for a client without `tokenRefresh()`. A request the engine drops (a
 * new token came otherwise, the client signed out, the engine closed) is withdrawn from its tab.
 */
export class HubRefresh {
  readonly #send: (tab: string, message: HubMessage) => void;
  /** The tabs that can refresh, in the order they joined. */
  readonly #able = new Set<string>();
  readonly #asks = new Map<number, Ask>();
  #ids = 0;

  constructor(send: (tab: string, message: HubMessage) => void) {
    this.#send = send;
  }

  /** The engine's refresh function: a token from one tab's refresh function. */
  readonly refresh: RefreshToken = (state) =>
    new Observable<string>((subscriber) => {
      const id = ++this.#ids;
      const ask: Ask = { state, subscriber, tab: undefined };
      this.#asks.set(id, ask);
      this.#ask(id, ask);
      return () => {
        if (this.#asks.delete(id) && ask.tab !== undefined)
          this.#send(ask.tab, { t: 'refresh', to: ask.tab, id });
      };
    });

  /** Tab `tab` joined (or joined again), able to refresh or not. */
  join(tab: string, able: boolean): void {
    if (!able) {
      this.leave(tab);
      return;
    }
    this.#able.add(tab);
    this.#waiting();
  }

  /** Tab `tab` left: what it was asked goes to another tab, or waits for one. */
  leave(tab: string): void {
    if (!this.#able.delete(tab)) return;
    for (const ask of this.#asks.values()) if (ask.tab === tab) ask.tab = undefined;
    this.#waiting();
  }

  /** A tab's answer, for the request it was asked (any other is stale and ignored). */
  answer(message: RefreshAnswer): void {
    const ask = this.#asks.get(message.id);
    if (!ask || ask.tab !== message.tab) return;
    this.#asks.delete(message.id);
    if (message.error) {
      ask.subscriber.error(rebuild(message.error));
    } else {
      // No token is a failure the engine reports as it would its own function's.
      ask.subscriber.next(message.token ?? '');
      ask.subscriber.complete();
    }
  }

  #waiting(): void {
    for (const [id, ask] of this.#asks) if (ask.tab === undefined) this.#ask(id, ask);
  }

  #ask(id: number, ask: Ask): void {
    const [tab] = this.#able;
    if (tab === undefined) return;
    ask.tab = tab;
    this.#send(tab, { t: 'refresh', to: tab, id, state: ask.state });
  }
}

/** The tab's side: runs the client's refresh function when the hub asks, and answers. */
export class TabRefresh {
  readonly #tab: string;
  readonly #refresh: RefreshToken;
  readonly #runs = new Map<number, Subscription>();

  constructor(tab: string, refresh: RefreshToken) {
    this.#tab = tab;
    this.#refresh = refresh;
  }

  /** Runs the refresh the hub asks for (or stops it, when the request has no state); `send` takes the answer. */
  run({ id, state }: RefreshAsk, send: (message: TabMessage) => void): void {
    this.#runs.get(id)?.unsubscribe();
    this.#runs.delete(id);
    if (!state) return;
    const answer = (result: { token: string } | { error: RefreshFailure }) => {
      this.#runs.delete(id);
      send({ t: 'refreshed', tab: this.#tab, id, ...result });
    };
    const run = defer(() => from(this.#refresh(state)))
      .pipe(first())
      .subscribe({
        next: (token) =>
          answer(
            typeof token === 'string'
              ? { token }
              : { error: failure(new TypeError('The refresh function produced no token')) },
          ),
        error: (error: unknown) => answer({ error: failure(error) }),
      });
    if (!run.closed) this.#runs.set(id, run);
  }

  /** Stops every refresh still running (the client closed). */
  stop(): void {
    for (const run of this.#runs.values()) run.unsubscribe();
    this.#runs.clear();
  }
}

/** What a refresh function failed with, as plain data: a typed error as its record, any other as name and message. */
function failure(error: unknown): RefreshFailure {
  if (error instanceof ScClientError) return toErrorRecord(error as AnyScError);
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return {
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined && { stack: error.stack }),
  };
}

/** The error a failure record was made from, as the engine's refresh gets it from a function of its own. */
function rebuild(record: RefreshFailure): Error {
  if ('code' in record) return fromErrorRecord(record);
  const error = new Error(record.message);
  error.name = record.name;
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}
