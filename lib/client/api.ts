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
  /** Procedures the server answers, `{ [name]: { request; response } }`: `invoke(name, request)` yields `response`. */
  invoke?: object;
  /** Events the client sends, `{ [name]: data }`: `transmit(name, data)`. */
  transmit?: object;
  /** Events the server transmits to the client, `{ [name]: data }`: `receiver(name)` yields them. */
  receive?: object;
  /**
   * Procedures the server invokes on the client, `{ [name]: { request; response } }`: `procedure(name)` yields
   * requests, answered with `response`.
   */
  procedure?: object;
  /** Channels and the type of their messages, `{ [name]: message }`. */
  channels?: object;
}

// The parts are typed `object` rather than `Record<string, ...>` so that interfaces, which have no implicit index
// signature, can describe them; ValidApi then checks the entries.

/**
 * Checks the entries of an API description: every `invoke` and `procedure` entry must be `{ request; response }`.
 * `createClient<Api>()` requires `Api` to satisfy it.
 */
export type ValidApi<Api> = {
  [P in keyof Api]: P extends 'invoke' | 'procedure'
    ? { [K in keyof Api[P]]: { request: unknown; response: unknown } }
    : Api[P];
};

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
  ? M extends object
    ? M
    : never
  : never;

/** Whether a part of the API is typed: declared with specific names, rather than left out, empty or open. */
export type IsTyped<M> = [M] extends [never]
  ? false
  : [keyof M] extends [never]
    ? false
    : string extends keyof M
      ? false
      : true;

// The types in the signatures of the client's methods (Client in client.ts), typed or untyped by the Api's parts.
// A typed member is generic in the name (`K`). The untyped form, which takes the payload type as a type argument
// (`invoke<R>(...)`), is an overload of its own, listed first; its parameters are UntypedParams, which no call can
// satisfy once the part is typed. They fail on the number of arguments, so that the compiler leaves that overload
// out before it checks types, and every error on a typed call is the typed form's ('Expected 2-3 arguments',
// 'Type ... does not satisfy the constraint'), as with a single signature. A name parameter typed `never` there would
// report '"sum" is not assignable to never' for a forgotten data argument instead.

/**
 * The names a part of the API accepts: the names it declares when it is typed, any string when it is untyped.
 *
 * @typeParam Api - The client's {@link ScApi}.
 * @typeParam Part - The part: `invoke`, `transmit`, `receive`, `procedure` or `channels`.
 */
export type ApiName<Api extends ScApi, Part extends keyof ScApi> =
  IsTyped<ApiPart<Api, Part>> extends true ? keyof ApiPart<Api, Part> & string : string;

/**
 * The parameters of a member's untyped form, the one that takes the payload type as a type argument
 * (`invoke<R>(procedure, data?, options?)`): `Params` when the part of the API is untyped. When the part is typed,
 * four parameters of type `never`, which no call passes: the untyped form does not apply, and a call is checked
 * against the typed form alone.
 *
 * @typeParam Api - The client's {@link ScApi}.
 * @typeParam Part - The part: `invoke`, `receive`, `procedure` or `channels`.
 * @typeParam Params - The parameters of the untyped form.
 */
export type UntypedParams<Api extends ScApi, Part extends keyof ScApi, Params extends unknown[]> =
  IsTyped<ApiPart<Api, Part>> extends true ? [never, never, never, never] : Params;

/**
 * The request of the procedure `K` of a typed `invoke` or `procedure` part; `unknown` when the part is untyped.
 *
 * @typeParam Api - The client's {@link ScApi}.
 * @typeParam Part - `invoke` (procedures of the server) or `procedure` (procedures of the client).
 * @typeParam K - The procedure's name, or a union of names.
 */
export type ApiRequest<Api extends ScApi, Part extends 'invoke' | 'procedure', K extends string> =
  IsTyped<ApiPart<Api, Part>> extends true
    ? ApiPart<Api, Part>[K & keyof ApiPart<Api, Part>] extends { request: infer Req }
      ? Req
      : never
    : unknown;

/**
 * The response of the procedure `K` of a typed `invoke` or `procedure` part; `unknown` when the part is untyped.
 *
 * @typeParam Api - The client's {@link ScApi}.
 * @typeParam Part - `invoke` (procedures of the server) or `procedure` (procedures of the client).
 * @typeParam K - The procedure's name, or a union of names.
 */
export type ApiResponse<Api extends ScApi, Part extends 'invoke' | 'procedure', K extends string> =
  IsTyped<ApiPart<Api, Part>> extends true
    ? ApiPart<Api, Part>[K & keyof ApiPart<Api, Part>] extends { response: infer Res }
      ? Res
      : never
    : unknown;

/**
 * The data of the event or channel `K` of a typed `transmit`, `receive` or `channels` part; `unknown` when the part
 * is untyped.
 *
 * @typeParam Api - The client's {@link ScApi}.
 * @typeParam Part - `transmit` (events the client sends), `receive` (events the server sends) or `channels`.
 * @typeParam K - The event's or channel's name, or a union of names.
 */
export type ApiMessage<
  Api extends ScApi,
  Part extends 'transmit' | 'receive' | 'channels',
  K extends string,
> = IsTyped<ApiPart<Api, Part>> extends true ? ApiPart<Api, Part>[K & keyof ApiPart<Api, Part>] : unknown;

/**
 * The arguments after a name: the data, optional when its type admits `undefined` (or is `void`), then `Rest`.
 *
 * @typeParam T - The type of the data.
 * @typeParam Rest - The arguments after the data (`[options?: InvokeOptions]`, or none).
 */
export type DataArgs<T, Rest extends unknown[]> = undefined extends T
  ? [data?: T, ...Rest]
  : [data: T, ...Rest];
