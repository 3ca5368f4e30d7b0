import { concatMap, map, Observable, of, take, type OperatorFunction } from 'rxjs';
import type { ChannelEvent, ChannelGap } from './channel-events';

/**
 * The data of a recovered channel's messages, without the notices.
 *
 * One subscriber between the source and the caller's, where `filter` then `map` would be two: it runs once per
 * message of the channel.
 */
export function messages<T>(): OperatorFunction<ChannelEvent<T>, T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (event) => {
          if (event.type === 'message') subscriber.next(event.data);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}

/** A snapshot loaded after a gap, emitted by {@link resyncOnGap} in the gap's place. */
export interface ChannelSnapshot<S> {
  readonly type: 'snapshot';
  readonly gap: ChannelGap;
  readonly data: S;
}

/**
 * Replaces each gap notice with a snapshot: on a gap, subscribes to `snapshot` (or to what it returns for the gap)
 * and emits its first value as `{ type: 'snapshot', gap, data }`; the messages that follow the gap wait until it
 * has, so that the application applies them on top of the snapshot. A snapshot that fails fails the stream.
 *
 * @example
 * ```ts
 * recoverChannel<Tick>(client, 'ticks').pipe(resyncOnGap(() => client.invoke<Book>('book')));
 * ```
 */
export function resyncOnGap<T, S>(
  snapshot: Observable<S> | ((gap: ChannelGap) => Observable<S>),
): OperatorFunction<ChannelEvent<T>, Exclude<ChannelEvent<T>, ChannelGap> | ChannelSnapshot<S>> {
  return (source) =>
    source.pipe(
      concatMap((event) => {
        if (event.type !== 'gap') return of(event);
        const load = typeof snapshot === 'function' ? snapshot(event) : snapshot;
        return load.pipe(
          take(1),
          map((data): ChannelSnapshot<S> => ({ type: 'snapshot', gap: event, data })),
        );
      }),
    );
}
