import type { CommandMessage, EngineEvents, Frame } from '../engine/port';
import { ClientClosedError, ConnectionError, toErrorRecord } from '../errors';

/** An invoke this tab sent, kept until it settles: failed, or sent again, when the hub it went to is gone. */
type SentCall = readonly [event: string, frame: Frame, timeout: number, resend: boolean] | undefined;

/**
 * What a tab sent to its hub or is about to: the commands queued until the hub welcomes the tab, and the calls
 * sent, kept until they settle. When the hub is gone, the calls sent to it fail with a `ConnectionError`, as on a
 * lost connection, except those with `resend`, which are queued again for the next hub.
 * @internal
 */
export class Outbox {
  readonly #events: EngineEvents;
  #queue: CommandMessage[] = [];
  readonly #calls = new Map<number, SentCall>();

  constructor(events: EngineEvents) {
    this.#events = events;
  }

  /** Queues `command` until a hub welcomes the tab. */
  queue(command: CommandMessage): void {
    this.#queue.push(command);
  }

  /** Takes the queued commands, oldest first, emptying the queue. */
  take(): CommandMessage[] {
    const queue = this.#queue;
    this.#queue = [];
    return queue;
  }

  /** Keeps `command`, sent to the hub, until it settles when it is a call. */
  sent(command: CommandMessage): void {
    if (command.name === 'invoke') {
      const [call, ...sent] = command.args;
      this.#calls.set(call, sent);
    } else if (command.name === 'authenticate') {
      this.#calls.set(command.args[0], undefined);
    }
  }

  /** Forgets `call`, which settled; false when it was not sent (or already settled). */
  settled(call: number): boolean {
    return this.#calls.delete(call);
  }

  /** Forgets `call`, sent or queued; false when it is not in the queue (the hub may hold it). */
  cancel(call: number): boolean {
    this.#calls.delete(call);
    const queued = this.#queue.findIndex(
      (c) => (c.name === 'invoke' || c.name === 'authenticate') && c.args[0] === call,
    );
    if (queued < 0) return false;
    this.#queue.splice(queued, 1);
    return true;
  }

  /** The hub the calls went to is gone: they fail, or, with `resend`, go first in the queue. */
  lost(): void {
    const lost = new ConnectionError(1006, 'The tab that held the connection left', 'disconnect');
    const again: CommandMessage[] = [];
    for (const [call, sent] of this.#calls) {
      if (sent?.[3]) {
        again.push({ name: 'invoke', args: [call, ...sent] });
      } else {
        this.#calls.delete(call);
        this.#events.callFailed(call, toErrorRecord(lost));
      }
    }
    this.#queue = [...again, ...this.#queue];
  }

  /** The client closed: every call sent or queued fails with a `ClientClosedError`, and the queue empties. */
  close(): void {
    const closed = toErrorRecord(new ClientClosedError());
    for (const call of this.#calls.keys()) this.#events.callFailed(call, closed);
    for (const command of this.#queue) {
      if (command.name === 'invoke' || command.name === 'authenticate') {
        this.#events.callFailed(command.args[0], closed);
      }
    }
    this.#calls.clear();
    this.#queue = [];
  }
}
