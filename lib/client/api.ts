/**
 * Types that describe an application's protocol, so that `invoke`, `transmit`, `receiver` and `procedure` are
 * typed end to end. Every part is optional; a part left out stays untyped.
 *
 * @example
 * ```ts
 * interface ChatApi {
 *   invoke: { sum: { request: { a: number; b: number }; response: number } };
 *   transmit: { typing: { room: string } };
 *   receive: { notice: string };
 *   procedure: { confirm: { request: string; response: boolean } };
 * }
 * const client = createClient<ChatApi>({ url });
 * client.invoke('sum', { a: 1, b: 2 }); // Observable<number>
 * ```
 */
export interface ScApi {
  /** Procedures the server answers: `invoke(name, request)` yields `response`. */
  invoke?: Record<string, { request: unknown; response: unknown }>;
  /** Events the client sends with `transmit(name, data)`. */
  transmit?: Record<string, unknown>;
  /** Events the server transmits to the client: `receiver(name)` yields them. */
  receive?: Record<string, unknown>;
  /** Procedures the server invokes on the client: `procedure(name)` yields requests, answered with `response`. */
  procedure?: Record<string, { request: unknown; response: unknown }>;
  /** Channels and the type of their messages (used by channel APIs). */
  channels?: Record<string, unknown>;
}

/** The API of a client created without a type argument: every name allowed, every payload `unknown`. */
export interface UntypedApi extends ScApi {
  invoke: Record<string, { request: unknown; response: unknown }>;
  transmit: Record<string, unknown>;
  receive: Record<string, unknown>;
  procedure: Record<string, { request: unknown; response: unknown }>;
  channels: Record<string, unknown>;
}

/** The map of one part of an API, or `never` when the API leaves the part out. */
export type ApiPart<Api extends ScApi, Part extends keyof ScApi> = Api[Part] extends infer M
  ? M extends Record<string, unknown>
    ? M
    : never
  : never;

/** Whether a part of the API is typed (declared with specific names rather than left out or open). */
export type IsTyped<M> = [M] extends [never] ? false : string extends keyof M ? false : true;
