import type { Subscriber } from 'rxjs';

/**
 * One subscriber, or an array of them: a stream with one subscriber, the common case and the budgeted unit, is
 * stored without an array. An array is replaced, never mutated, so a delivery loop is never disturbed.
 * @internal
 */
export type Subscribers<T> = Subscriber<T> | readonly Subscriber<T>[];

const isList = Array.isArray as <T>(
  subscribers: Subscribers<T> | undefined,
) => subscribers is readonly Subscriber<T>[];

/** The subscribers as a list. @internal */
export function listOf<T>(subscribers: Subscribers<T> | undefined): readonly Subscriber<T>[] {
  return isList(subscribers) ? subscribers : subscribers ? [subscribers] : [];
}

/** Whether `subscriber` is one of `subscribers`. @internal */
export function hasSubscriber<T>(
  subscribers: Subscribers<T> | undefined,
  subscriber: Subscriber<T>,
): boolean {
  return subscribers === subscriber || (isList(subscribers) && subscribers.includes(subscriber));
}

/** `subscribers` with `subscriber` added. @internal */
export function withSubscriber<T>(
  subscribers: Subscribers<T> | undefined,
  subscriber: Subscriber<T>,
): Subscribers<T> {
  return subscribers ? [...listOf(subscribers), subscriber] : subscriber;
}

/** `subscribers` without `subscriber` (`undefined` when none is left). @internal */
export function withoutSubscriber<T>(
  subscribers: Subscribers<T> | undefined,
  subscriber: Subscriber<T>,
): Subscribers<T> | undefined {
  if (subscribers === subscriber) return undefined;
  const rest = listOf(subscribers).filter((s) => s !== subscriber);
  return rest.length > 1 ? rest : rest[0];
}

/** Delivers `value` to every subscriber. @internal */
export function deliver<T>(subscribers: Subscribers<T> | undefined, value: T): void {
  if (isList(subscribers)) for (const subscriber of subscribers) subscriber.next(value);
  else subscribers?.next(value);
}
