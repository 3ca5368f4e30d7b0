import type { ChannelRequest } from '../channels/channel-request';
import type { ChannelState } from '../channels/channel-state';
import type { EngineCommands, EngineView, Frame } from '../engine/port';
import { DEBUG, type Log } from './log';
import type { LoggedEvents } from './logged-events';

/**
 * The facade's commands on their way to the engine, logged at `debug`: calls by call id and event name, transmits,
 * channels held and released, sign-in and sign-out (never the token). It tells the events side of a deliberate
 * `disconnect` or `close`, so that the `closed` state which follows is not logged as a failure.
 * @internal
 */
export class LoggedCommands implements EngineCommands, EngineView {
  readonly #engine: EngineCommands & EngineView;
  readonly #log: Log;
  readonly #events: LoggedEvents;

  constructor(engine: EngineCommands & EngineView, log: Log, events: LoggedEvents) {
    this.#engine = engine;
    this.#log = log;
    this.#events = events;
  }

  connect(): void {
    this.#engine.connect();
  }

  disconnect(code: number, reason: string): void {
    this.#log.write(DEBUG, `disconnect(${code}${reason ? `, ${reason}` : ''})`);
    this.#events.disconnecting = true;
    this.#engine.disconnect(code, reason);
  }

  close(): void {
    this.#log.write(DEBUG, 'close()');
    this.#events.disconnecting = true;
    this.#engine.close();
  }

  invoke(call: number, event: string, frame: Frame, timeout: number, resend: boolean): void {
    this.#log.write(DEBUG, `call ${call}: invoke ${event}`);
    this.#engine.invoke(call, event, frame, timeout, resend);
  }

  cancel(call: number): void {
    this.#log.write(DEBUG, `call ${call}: cancelled`);
    this.#engine.cancel(call);
  }

  transmit(event: string, frame: Frame): void {
    this.#log.write(DEBUG, `transmit ${event}`);
    this.#engine.transmit(event, frame);
  }

  sampleStats(request: number): void {
    this.#engine.sampleStats(request);
  }

  respond(session: number, frame: Frame): void {
    this.#engine.respond(session, frame);
  }

  subscribe(channel: string, request: ChannelRequest): void {
    // Not the request's `data`, which is the application's, for the server's middleware (`trace` shows it, redacted).
    this.#log.write(DEBUG, `subscribe ${channel}${request.waitForAuth ? ' (waitForAuth)' : ''}`);
    this.#engine.subscribe(channel, request);
  }

  unsubscribe(channel: string): void {
    this.#log.write(DEBUG, `unsubscribe ${channel}`);
    this.#engine.unsubscribe(channel);
  }

  authenticate(call: number, token: string): void {
    this.#log.write(DEBUG, `call ${call}: authenticate`);
    this.#engine.authenticate(call, token);
  }

  deauthenticate(): void {
    this.#log.write(DEBUG, 'deauthenticate');
    this.#engine.deauthenticate();
  }

  listen(procedure: string, on: boolean): void {
    this.#engine.listen(procedure, on);
  }

  channelState(channel: string): ChannelState {
    return this.#engine.channelState(channel);
  }
}
