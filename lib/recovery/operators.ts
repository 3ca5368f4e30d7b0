import { concatMap, filter, map, of, take, type Observable, type OperatorFunction } from 'rxjs';
import type { ChannelEvent, ChannelGap, ChannelMessage } from './channel-events';

/** The data of a recovered channel's messages, without the notices. */
export function messages<T>(): OperatorFunction<ChannelEvent<T>, T> {
  return (source) =>
    source.pipe(
      filter((event): event is ChannelMessage<T> => event.type === 'message'),
      map((event) => event.data),
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
