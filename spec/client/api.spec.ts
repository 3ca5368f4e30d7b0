import { Observable } from 'rxjs';
import type { ApiPart, IsTyped, ScApi, UntypedApi } from '../../lib/client/api';
import type { ChannelOptions } from '../../lib/client/channel-options';
import type { Client } from '../../lib/client/client';
import { createClient } from '../../lib/client/create-client';
import type { InvokeOptions } from '../../lib/client/invoke-options';
import type { ProcedureRequest } from '../../lib/client/procedure-request';
import type { WebSocketConstructor } from '../../lib/transport/web-socket';

// Type tests. The assertions that matter are checked by the compiler (`tsc -p spec/tsconfig.json`):
// `expectType<Equal<A, B>>(true)` compiles only when A and B are the same type, and every `@ts-expect-error`
// line must fail to compile. Calls that would open a connection (transmit) sit in functions that are never called;
// invoke, receiver and procedure are cold, so calling them here sends nothing.

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the usual exact-equality check
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(value: T): T => value;

/** A WebSocket that must never be constructed: the client is inert until demand, and these tests create none. */
const InertWebSocket = class {
  readyState = 0;
  binaryType = 'arraybuffer';
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  constructor() {
    throw new Error('no connection expected in type tests');
  }
  send(): void {}
  close(): void {}
} as unknown as WebSocketConstructor;

interface Sum {
  a: number;
  b: number;
}

interface ChatApi {
  invoke: {
    sum: { request: Sum; response: number };
    history: { request: { room: string; limit?: number }; response: { text: string }[] };
  };
  transmit: { typing: { room: string }; leave: string };
  receive: { notice: string; presence: { user: string; online: boolean } };
  procedure: { confirm: { request: string; response: boolean } };
}

/** Only `invoke` is described: the other parts stay untyped. */
interface InvokeOnlyApi {
  invoke: { sum: { request: Sum; response: number } };
}

const url = 'ws://example.test/socketcluster/';
let clients: { readonly state: unknown; close(): void }[] = [];

function track<C extends { readonly state: unknown; close(): void }>(client: C): C {
  clients.push(client);
  return client;
}

afterEach(() => {
  // Nothing here creates demand: every client is still in its initial state (the stand-in WebSocket would throw).
  for (const client of clients) expect(client.state).toEqual({ state: 'idle', attempt: 0 });
  clients.forEach((c) => c.close());
  clients = [];
});

describe('ApiPart and IsTyped', () => {
  it('treat described parts as typed and missing or open parts as untyped', () => {
    expect(expectType<Equal<ApiPart<ChatApi, 'receive'>, ChatApi['receive']>>(true)).toBe(true);
    expect(expectType<Equal<ApiPart<InvokeOnlyApi, 'receive'>, never>>(true)).toBe(true);
    expect(expectType<Equal<IsTyped<ApiPart<ChatApi, 'invoke'>>, true>>(true)).toBe(true);
    expect(expectType<Equal<IsTyped<ApiPart<InvokeOnlyApi, 'transmit'>>, false>>(true)).toBe(true);
    expect(expectType<Equal<IsTyped<ApiPart<UntypedApi, 'invoke'>>, false>>(true)).toBe(true);
  });

  it('require every invoke and procedure entry to have a request and a response', () => {
    const check = () => {
      // @ts-expect-error an invoke entry must be { request, response }, not the response type alone
      createClient<{ invoke: { sum: number } }>({ url });
      // @ts-expect-error a procedure entry lacks `response`
      createClient<{ procedure: { confirm: { request: string } } }>({ url });
    };
    expect(check).toBeInstanceOf(Function);
  });

  it('leave every part of the bare ScApi untyped', () => {
    expect(expectType<Equal<IsTyped<ApiPart<ScApi, 'invoke'>>, false>>(true)).toBe(true);
    expect(expectType<Equal<IsTyped<ApiPart<ScApi, 'receive'>>, false>>(true)).toBe(true);
    const client = track(createClient<ScApi>({ url, WebSocket: InertWebSocket }));
    const n$ = client.invoke<number>('anything');
    expect(expectType<Equal<typeof n$, Observable<number>>>(true)).toBe(true);
    expect(n$).toBeInstanceOf(Observable);
  });
});

describe('typed client', () => {
  it('creates an inert client without opening a socket', () => {
    const client = track(createClient<ChatApi>({ url, WebSocket: InertWebSocket }));
    expect(client.state).toEqual({ state: 'idle', attempt: 0 });
  });

  describe('invoke', () => {
    it('infers the response type from the procedure name', () => {
      const client = track(createClient<ChatApi>({ url, WebSocket: InertWebSocket }));
      const sum$ = client.invoke('sum', { a: 1, b: 2 });
      const history$ = client.invoke('history', { room: 'r1' }, { timeout: 1000 });
      expect(expectType<Equal<typeof sum$, Observable<number>>>(true)).toBe(true);
      expect(expectType<Equal<typeof history$, Observable<{ text: string }[]>>>(true)).toBe(true);
      // cold: nothing is sent until subscription
      expect([sum$, history$]).toEqual([expect.any(Observable), expect.any(Observable)]);
    });

    it('types the request data', () => {
      type Data = Parameters<Client<ChatApi>['invoke']>[1];
      expect(expectType<Equal<Data, Sum | { room: string; limit?: number }>>(true)).toBe(true);
    });

    it('rejects unknown names, wrong data and a response type argument', () => {
      const check = (client: Client<ChatApi>) => {
        // @ts-expect-error 'nope' is not a procedure of ChatApi
        void client.invoke('nope', { a: 1, b: 2 });
        // @ts-expect-error `b` must be a number
        void client.invoke('sum', { a: 1, b: '2' });
        // @ts-expect-error `b` is missing
        void client.invoke('sum', { a: 1 });
        // @ts-expect-error the request data is required
        void client.invoke('sum');
        // @ts-expect-error the request of `history` does not fit `sum`
        void client.invoke('sum', { room: 'r1' });
        // @ts-expect-error a typed invoke takes the procedure name as type argument, not the response type
        void client.invoke<number>('sum', { a: 1, b: 2 });
        // @ts-expect-error the response is a number, not a string
        const s: Observable<string> = client.invoke('sum', { a: 1, b: 2 });
        return s;
      };
      expect(check).toBeInstanceOf(Function);
    });
  });

  describe('transmit', () => {
    it('accepts the described events with their data type and returns void', () => {
      const check = (client: Client<ChatApi>) => {
        client.transmit('typing', { room: 'r1' });
        client.transmit('leave', 'r1');
      };
      type Data = Parameters<Client<ChatApi>['transmit']>[1];
      type Result = ReturnType<Client<ChatApi>['transmit']>;
      expect(expectType<Equal<Data, { room: string } | string>>(true)).toBe(true);
      expect(expectType<Equal<Result, void>>(true)).toBe(true);
      expect(check).toBeInstanceOf(Function);
    });

    it('rejects unknown events and wrong data', () => {
      const check = (client: Client<ChatApi>) => {
        // @ts-expect-error 'shout' is not a transmit event of ChatApi
        client.transmit('shout', 'hi');
        // @ts-expect-error `typing` takes { room: string }
        client.transmit('typing', 'r1');
        // @ts-expect-error `leave` takes a string
        client.transmit('leave', { room: 'r1' });
        // @ts-expect-error the data is required
        client.transmit('typing');
      };
      expect(check).toBeInstanceOf(Function);
    });
  });

  describe('receiver', () => {
    it('infers the data type from the event name', () => {
      const client = track(createClient<ChatApi>({ url, WebSocket: InertWebSocket }));
      const notice$ = client.receiver('notice');
      const presence$ = client.receiver('presence');
      expect(expectType<Equal<typeof notice$, Observable<string>>>(true)).toBe(true);
      expect(expectType<Equal<typeof presence$, Observable<{ user: string; online: boolean }>>>(true)).toBe(
        true,
      );
      expect([notice$, presence$]).toEqual([expect.any(Observable), expect.any(Observable)]);
    });

    it('rejects unknown events and a data type argument', () => {
      const check = (client: Client<ChatApi>) => {
        // @ts-expect-error 'typing' is a transmit event, not a receive event
        void client.receiver('typing');
        // @ts-expect-error a typed receiver takes the event name as type argument
        void client.receiver<number>('notice');
      };
      expect(check).toBeInstanceOf(Function);
    });
  });

  describe('procedure', () => {
    it('infers the request and response types of a ProcedureRequest', () => {
      const client = track(createClient<ChatApi>({ url, WebSocket: InertWebSocket }));
      const confirm$ = client.procedure('confirm');
      expect(expectType<Equal<typeof confirm$, Observable<ProcedureRequest<string, boolean>>>>(true)).toBe(
        true,
      );
      expect(confirm$).toBeInstanceOf(Observable);
    });

    it('types the answer passed to end()', () => {
      const check = (request: ProcedureRequest<string, boolean>) => {
        const data: string = request.data;
        request.end(data.length > 0);
        // @ts-expect-error the response of `confirm` is a boolean
        request.end('yes');
        request.error(new Error('no'));
      };
      expect(check).toBeInstanceOf(Function);
    });

    it('rejects unknown procedures', () => {
      const check = (client: Client<ChatApi>) => {
        // @ts-expect-error 'sum' is a server procedure (invoke), not a client procedure
        void client.procedure('sum');
      };
      expect(check).toBeInstanceOf(Function);
    });
  });

  describe('an API describing only some parts', () => {
    it('types the described part and leaves the others open', () => {
      const client = track(createClient<InvokeOnlyApi>({ url, WebSocket: InertWebSocket }));
      const sum$ = client.invoke('sum', { a: 1, b: 2 });
      const any$ = client.receiver('anything');
      const num$ = client.receiver<number>('count');
      expect(expectType<Equal<typeof sum$, Observable<number>>>(true)).toBe(true);
      expect(expectType<Equal<typeof any$, Observable<unknown>>>(true)).toBe(true);
      expect(expectType<Equal<typeof num$, Observable<number>>>(true)).toBe(true);
      expect([sum$, any$, num$]).toEqual([
        expect.any(Observable),
        expect.any(Observable),
        expect.any(Observable),
      ]);
      const check = () => {
        client.transmit('anything', { at: 'all' });
        client.transmit('nothing');
        // @ts-expect-error the described invoke part stays strict
        void client.invoke('other', {});
      };
      expect(check).toBeInstanceOf(Function);
    });
  });
});

describe('typed channels', () => {
  interface NewsApi {
    channels: { news: { title: string }; tick: undefined };
  }

  it('types channel(), publish() and transmitPublish() by the channel name', () => {
    const client = track(createClient<NewsApi>({ url, WebSocket: InertWebSocket }));
    const news$ = client.channel('news', { linger: 100 });
    const tick$ = client.channel('tick');
    const published$ = client.publish('news', { title: 'a' }, { timeout: 1000 });
    expect(expectType<Equal<typeof news$, Observable<{ title: string }>>>(true)).toBe(true);
    expect(expectType<Equal<typeof tick$, Observable<undefined>>>(true)).toBe(true);
    expect(expectType<Equal<typeof published$, Observable<void>>>(true)).toBe(true);
    expect([news$, tick$, published$]).toEqual([
      expect.any(Observable),
      expect.any(Observable),
      expect.any(Observable),
    ]);
    const check = () => {
      void client.publish('tick');
      client.transmitPublish('tick');
      client.transmitPublish('news', { title: 'b' });
      // @ts-expect-error 'sports' is not a channel of NewsApi
      void client.channel('sports');
      // @ts-expect-error a typed channel takes the channel name as type argument, not the message type
      void client.channel<{ title: string }>('news');
      // @ts-expect-error the message of `news` is required
      void client.publish('news');
      // @ts-expect-error `title` must be a string
      client.transmitPublish('news', { title: 1 });
    };
    expect(check).toBeInstanceOf(Function);
  });
});

describe('the methods as values', () => {
  it('keep their typed signatures when bound', () => {
    const client = track(createClient<ChatApi>({ url, WebSocket: InertWebSocket }));
    const invoke = client.invoke.bind(client);
    const sum$ = invoke('sum', { a: 1, b: 2 });
    expect(expectType<Equal<typeof sum$, Observable<number>>>(true)).toBe(true);
    expect(sum$).toBeInstanceOf(Observable);
    const check = () => {
      // @ts-expect-error 'nope' is not a procedure of ChatApi
      void invoke('nope', {});
    };
    expect(check).toBeInstanceOf(Function);
  });

  it('give the untyped client the parameter and return types it had', () => {
    type InvokeArgs = Parameters<Client['invoke']>;
    type ChannelArgs = Parameters<Client['channel']>;
    type PublishArgs = Parameters<Client['publish']>;
    expect(
      expectType<Equal<InvokeArgs, [procedure: string, data?: unknown, options?: InvokeOptions]>>(true),
    ).toBe(true);
    expect(expectType<Equal<ReturnType<Client['invoke']>, Observable<unknown>>>(true)).toBe(true);
    expect(expectType<Equal<ChannelArgs, [name: string, options?: ChannelOptions]>>(true)).toBe(true);
    expect(expectType<Equal<ReturnType<Client['channel']>, Observable<unknown>>>(true)).toBe(true);
    expect(expectType<Equal<ReturnType<Client['receiver']>, Observable<unknown>>>(true)).toBe(true);
    expect(expectType<Equal<ReturnType<Client['procedure']>, Observable<ProcedureRequest>>>(true)).toBe(true);
    expect(
      expectType<Equal<PublishArgs, [channel: string, data?: unknown, options?: InvokeOptions]>>(true),
    ).toBe(true);
  });
});

describe('API maps written as nested interfaces, and void payloads', () => {
  interface InvokeMap {
    ping: { request: void; response: 'pong' };
    sum: { request: Sum; response: number };
  }
  interface TransmitMap {
    heartbeat: undefined;
    typing: { room: string };
  }
  interface NestedApi {
    invoke: InvokeMap;
    transmit: TransmitMap;
  }

  it('accepts interfaces as parts and makes the data argument optional when it admits undefined', () => {
    const client = track(createClient<NestedApi>({ url, WebSocket: InertWebSocket }));
    const pong$ = client.invoke('ping');
    expect(expectType<Equal<typeof pong$, Observable<'pong'>>>(true)).toBe(true);
    expect(pong$).toBeInstanceOf(Observable);
    const check = () => {
      client.transmit('heartbeat');
      client.transmit('typing', { room: 'a' });
      // @ts-expect-error typing needs its data
      client.transmit('typing');
      // @ts-expect-error sum needs its request
      void client.invoke('sum');
    };
    expect(check).toBeInstanceOf(Function);
  });

  it('still checks the entries of an interface', () => {
    interface BadInvoke {
      sum: number;
    }
    const check = () => {
      // @ts-expect-error an invoke entry must be { request, response }
      createClient<{ invoke: BadInvoke }>({ url });
    };
    expect(check).toBeInstanceOf(Function);
  });
});

describe('untyped client', () => {
  it('is Client<UntypedApi>', () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- the default is what is tested
    expect(expectType<Equal<Client, Client<UntypedApi>>>(true)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- the default is what is tested
    expect(expectType<Equal<ReturnType<typeof createClient>, Client<UntypedApi>>>(true)).toBe(true);
  });

  it('invokes any name with any or no data and yields unknown', () => {
    const client = track(createClient({ url, WebSocket: InertWebSocket }));
    const a$ = client.invoke('anything');
    const b$ = client.invoke('other', { x: [1] }, { timeout: 10 });
    expect(expectType<Equal<typeof a$, Observable<unknown>>>(true)).toBe(true);
    expect(expectType<Equal<typeof b$, Observable<unknown>>>(true)).toBe(true);
    expect([a$, b$]).toEqual([expect.any(Observable), expect.any(Observable)]);
  });

  it('takes the response type as a type argument: invoke<number>(...)', () => {
    const client = track(createClient({ url, WebSocket: InertWebSocket }));
    const n$ = client.invoke<number>('sum', { a: 1, b: 2 });
    expect(expectType<Equal<typeof n$, Observable<number>>>(true)).toBe(true);
    expect(n$).toBeInstanceOf(Observable);
  });

  it('receives any event, typed by an optional type argument', () => {
    const client = track(createClient({ url, WebSocket: InertWebSocket }));
    const u$ = client.receiver('anything');
    const s$ = client.receiver<string>('notice');
    expect(expectType<Equal<typeof u$, Observable<unknown>>>(true)).toBe(true);
    expect(expectType<Equal<typeof s$, Observable<string>>>(true)).toBe(true);
    expect([u$, s$]).toEqual([expect.any(Observable), expect.any(Observable)]);
  });

  it('serves any procedure, typed by optional type arguments', () => {
    const client = track(createClient({ url, WebSocket: InertWebSocket }));
    const u$ = client.procedure('anything');
    const t$ = client.procedure<string, boolean>('confirm');
    // ProcedureRequest's defaults: unknown request, unknown response
    expect(expectType<Equal<typeof u$, Observable<ProcedureRequest>>>(true)).toBe(true);
    expect(expectType<Equal<typeof t$, Observable<ProcedureRequest<string, boolean>>>>(true)).toBe(true);
    expect([u$, t$]).toEqual([expect.any(Observable), expect.any(Observable)]);
  });

  it('transmits any event with any or no data', () => {
    const check = (client: Client) => {
      client.transmit('anything');
      client.transmit('other', { x: 1 });
      client.transmit('third', new Uint8Array([1]));
    };
    type Args = Parameters<Client['transmit']>;
    expect(expectType<Equal<Args, [event: string, data?: unknown]>>(true)).toBe(true);
    expect(check).toBeInstanceOf(Function);
  });

  it('still requires a string name', () => {
    const check = (client: Client) => {
      // @ts-expect-error the event name must be a string
      void client.invoke(42);
      // @ts-expect-error the event name must be a string
      client.transmit(42, 'x');
      // @ts-expect-error the event name must be a string
      void client.receiver(Symbol('e'));
    };
    expect(check).toBeInstanceOf(Function);
  });
});
