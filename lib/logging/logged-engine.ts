import type { EngineConfig } from '../engine/engine';
import type { EngineFactory } from '../engine/feature';
import type { EngineCommands, EngineEvents, EngineView } from '../engine/port';
import { TRACE, type Log } from './log';
import { LoggedCommands } from './logged-commands';
import { LoggedEvents } from './logged-events';
import { traceWire } from './wire-trace';

/**
 * An engine whose port is logged, for a client with the `logging()` feature: the facade commands a
 * {@link LoggedCommands} in front of the engine, and the engine tells a {@link LoggedEvents} in front of the facade.
 * Both are plain method calls that log, then pass the call on unchanged. At `trace` the engine also gets the
 * frame-logging codec and sockets of {@link traceWire}. A silent client never comes here: its facade and engine
 * talk directly, with nothing in between.
 * @internal
 */
export function loggedEngine(
  config: EngineConfig,
  facade: EngineEvents,
  log: Log,
  next: EngineFactory,
): EngineCommands & EngineView {
  const events = new LoggedEvents(facade, log, config);
  const engine = next(log.level >= TRACE ? traceWire(config, log) : config, events);
  return new LoggedCommands(engine, log, events);
}
