import type { AnswerFunction, Expectations, PendingInvoke, SubscribeRequest } from './expectations';

/**
 * The expectations half of {@link FakeServer}: the test's side of the calls, transmits and subscriptions its
 * sockets receive (standing answers, calls taken one by one, and the check that nothing unexpected came).
 */
export abstract class ExpectingServer {
  readonly #expectations: Expectations;

  /** @internal */
  protected constructor(expectations: Expectations) {
    this.#expectations = expectations;
  }

  /**
   * Answers every call of `procedure`, from now on, on every socket: with `answer` itself, or, when it is a
   * function, with what it returns for the call's data and socket (a value, a Promise, or an Observable whose first
   * value answers). Throwing a {@link ServerError} (or an `Error`) fails the call with its name, message and fields.
   * Replaces an earlier answer for `procedure`.
   *
   * @example
   * ```ts
   * server.answer('sum', ({ a, b }: { a: number; b: number }) => a + b);
   * server.answer('profile', { name: 'ann' });
   * server.answer('slow', () => NEVER); // the client's call times out
   * server.answer('save', () => {
   *   throw Object.assign(new Error('name is required'), { name: 'ValidationError', field: 'name' });
   * });
   * ```
   */
  answer<T>(procedure: string, handler: AnswerFunction<T>): void;
  answer(procedure: string, value: unknown): void;
  answer(procedure: string, answer: unknown): void {
    this.#expectations.answer(procedure, answer);
  }

  /**
   * Takes the oldest call of `procedure` that no standing answer answered and no earlier `expectInvoke` took. Answer
   * it, fail it, or leave it to the client's ack timeout.
   *
   * @throws Error listing the calls waiting when there is none of `procedure`.
   * @example
   * ```ts
   * // On jest's fake timers, where each frame of the fake wire takes 1 ms: advance a few.
   * const sum = jest.fn();
   * client.invoke('sum', { a: 1, b: 2 }).subscribe(sum);
   * await jest.advanceTimersByTimeAsync(10);
   * const call = server.expectInvoke('sum');
   * expect(call.data).toEqual({ a: 1, b: 2 });
   * call.respond(3);
   * await jest.advanceTimersByTimeAsync(10);
   * expect(sum).toHaveBeenCalledWith(3);
   * ```
   */
  expectInvoke(procedure: string): PendingInvoke {
    return this.#expectations.expectInvoke(procedure);
  }

  /**
   * Like {@link FakeServer.expectInvoke}, but waits for the call when none has arrived yet.
   *
   * @example
   * ```ts
   * const saved = firstValueFrom(client.invoke('save', { name: 'ann' }));
   * (await server.whenInvoked('save')).respond({ id: 1 });
   * await expect(saved).resolves.toEqual({ id: 1 });
   * ```
   */
  whenInvoked(procedure: string): Promise<PendingInvoke> {
    return this.#expectations.whenInvoked(procedure);
  }

  /**
   * The data of the oldest transmit of `event` not taken yet, which it takes.
   *
   * @throws Error listing the transmits received when there is none of `event`.
   * @example
   * ```ts
   * client.transmit('typing', { room: 'a' });
   * await jest.advanceTimersByTimeAsync(10); // each frame of the fake wire takes a timer tick
   * expect(server.expectTransmit('typing')).toEqual({ room: 'a' });
   * ```
   */
  expectTransmit(event: string): unknown {
    return this.#expectations.expectTransmit(event);
  }

  /** Like {@link FakeServer.expectTransmit}, but waits for the transmit when none has arrived yet. */
  whenTransmitted(event: string): Promise<unknown> {
    return this.#expectations.whenTransmitted(event);
  }

  /**
   * The oldest `#subscribe` to `channel` not taken yet, which it takes (whether accepted or refused).
   *
   * @throws Error listing the subscriptions received when there is none to `channel`.
   * @example
   * ```ts
   * client.channel('news', { data: { since: 5 } }).subscribe();
   * await jest.advanceTimersByTimeAsync(10);
   * expect(server.expectSubscribe('news')).toMatchObject({ data: { since: 5 }, accepted: true });
   * ```
   */
  expectSubscribe(channel: string): SubscribeRequest {
    return this.#expectations.expectSubscribe(channel);
  }

  /**
   * Fails when a call nobody answered or expected, or a transmit nobody expected, was received. Calls answered by
   * {@link FakeServer.answer} and the protocol's own `#` events never count. Put it in `afterEach`.
   *
   * @throws Error listing that traffic.
   * @example
   * ```ts
   * afterEach(() => {
   *   server.verify(); // fails the test if the app called or sent something it did not expect
   *   server.close();
   * });
   * ```
   */
  verify(): void {
    this.#expectations.verify();
  }
}
