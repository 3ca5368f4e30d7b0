import type { Observable } from 'rxjs';
import type { ChannelOptions } from './channel-options';
import type { InvokeOptions } from './invoke-options';
import type { ProcedureRequest } from './procedure-request';
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

// The member types of the client, typed or untyped by the Api's parts.

/** The data argument, optional when the payload type admits `undefined` (or is `void`), then `Rest`. */
type DataArgs<T, Rest extends unknown[]> = undefined extends T ? [data?: T, ...Rest] : [data: T, ...Rest];

export type Invoke<M> =
  IsTyped<M> extends true
    ? <K extends keyof M & string>(
        event: K,
        ...args: DataArgs<M[K] extends { request: infer Req } ? Req : never, [options?: InvokeOptions]>
      ) => Observable<M[K] extends { response: infer Res } ? Res : never>
    : <R = unknown>(event: string, data?: unknown, options?: InvokeOptions) => Observable<R>;

export type Transmit<M> =
  IsTyped<M> extends true
    ? <K extends keyof M & string>(event: K, ...args: DataArgs<M[K], []>) => void
    : (event: string, data?: unknown) => void;

export type Receiver<M> =
  IsTyped<M> extends true
    ? <K extends keyof M & string>(event: K) => Observable<M[K]>
    : <T = unknown>(event: string) => Observable<T>;

export type Procedure<M> =
  IsTyped<M> extends true
    ? <K extends keyof M & string>(
        name: K,
      ) => Observable<
        M[K] extends { request: infer Req; response: infer Res } ? ProcedureRequest<Req, Res> : never
      >
    : <T = unknown, R = unknown>(name: string) => Observable<ProcedureRequest<T, R>>;

export type Channel<M> =
  IsTyped<M> extends true
    ? <K extends keyof M & string>(name: K, options?: ChannelOptions) => Observable<M[K]>
    : <T = unknown>(name: string, options?: ChannelOptions) => Observable<T>;

export type Publish<M> =
  IsTyped<M> extends true
    ? <K extends keyof M & string>(
        name: K,
        ...args: DataArgs<M[K], [options?: InvokeOptions]>
      ) => Observable<void>
    : (name: string, data?: unknown, options?: InvokeOptions) => Observable<void>;

export type TransmitPublish<M> =
  IsTyped<M> extends true
    ? <K extends keyof M & string>(name: K, ...args: DataArgs<M[K], []>) => void
    : (name: string, data?: unknown) => void;
