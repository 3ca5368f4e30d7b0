import type { Observable } from 'rxjs';
import type { EngineEvents, EventMessage } from '../../../lib/engine/port';

/** Every value `source` emits, in order, as it emits them. */
export function record<T>(source: Observable<T>): T[] {
  const values: T[] = [];
  source.subscribe((value) => values.push(value));
  return values;
}

/** A facade that records every event the engine's side sends it, in `events`. */
export function recordingFacade(): { facade: EngineEvents; events: EventMessage[] } {
  const events: EventMessage[] = [];
  const facade = new Proxy({} as EngineEvents, {
    get:
      (_, name) =>
      (...args: unknown[]) =>
        events.push({ name, args } as EventMessage),
  });
  return { facade, events };
}
