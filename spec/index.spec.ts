import * as diagnostics from '../lib/diagnostics';
import * as index from '../lib/index';
import * as node from '../lib/node';
import * as refresh from '../lib/refresh';
import type { WebSocketConstructor } from '../lib/transport/web-socket';

/** The URLs of the sockets constructed through the mocked `ws` package. */
const mockWsUrls: string[] = [];

/** A socket that never opens: enough for a client to start a connection attempt and close it. */
function fakeSocketClass(onConstruct: (url: string) => void) {
  return class FakeSocket {
    readyState = 0;
    binaryType = 'blob';
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    constructor(url: string) {
      onConstruct(url);
    }
    send(): void {}
    close(): void {
      this.readyState = 3;
    }
  };
}

// Hoisted above the imports: lib/node gets this class as its default `ws` WebSocket.
jest.mock('ws', () => fakeSocketClass((url) => mockWsUrls.push(url)));

const RUNTIME_EXPORTS = [
  'AckTimeoutError',
  'AuthRefreshError',
  'AuthTokenExpiredError',
  'AuthTokenInvalidError',
  'CallNotSentError',
  'ChannelKickOutError',
  'ChannelSubscribeError',
  'ClientClosedError',
  'CodecError',
  'ConnectionError',
  'DEFAULT_BACKOFF',
  'HandshakeError',
  'OutboxExpiredError',
  'OutboxOverflowError',
  'ProtocolError',
  'RemoteError',
  'ScClientError',
  'TokenStoreError',
  'backoffDelay',
  'createClient',
  'jsonCodec',
  'localStorageTokenStore',
  'memoryTokenStore',
];

const url = 'ws://example.test/socketcluster/';

describe('lib/index', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(index).sort()).toEqual(RUNTIME_EXPORTS);
  });

  it('exports no undefined values', () => {
    for (const name of RUNTIME_EXPORTS) expect(index[name as keyof typeof index]).toBeDefined();
  });
});

describe('lib/diagnostics', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(diagnostics).sort()).toEqual(['clientStats', 'logging']);
  });
});

describe('lib/refresh', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(refresh).sort()).toEqual(['tokenRefresh']);
  });
});

describe('lib/node', () => {
  afterEach(() => {
    jest.useRealTimers();
    mockWsUrls.length = 0;
  });

  it('exports the same names as lib/index', () => {
    expect(Object.keys(node).sort()).toEqual(RUNTIME_EXPORTS);
  });

  it('re-exports everything but createClient unchanged', () => {
    for (const name of RUNTIME_EXPORTS.filter((n) => n !== 'createClient')) {
      expect(node[name as keyof typeof node]).toBe(index[name as keyof typeof index]);
    }
  });

  it('has its own createClient', () => {
    expect(node.createClient).not.toBe(index.createClient);
  });

  it('defaults the WebSocket to ws, where lib/index finds none', () => {
    jest.useFakeTimers();
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    Object.defineProperty(globalThis, 'WebSocket', { value: undefined, configurable: true, writable: true });
    try {
      expect(() => index.createClient({ url })).toThrow(TypeError);
      const client = node.createClient({ url });
      expect(mockWsUrls).toHaveLength(0); // inert until demand
      client.connect();
      expect(mockWsUrls).toEqual([url]);
      client.close();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      if (saved) Object.defineProperty(globalThis, 'WebSocket', saved);
      else delete (globalThis as { WebSocket?: unknown }).WebSocket;
    }
  });

  it('uses a WebSocket passed as an option instead of ws', () => {
    jest.useFakeTimers();
    const injected: string[] = [];
    const Injected: WebSocketConstructor = fakeSocketClass((u) => injected.push(u));
    const client = node.createClient({ url, WebSocket: Injected });
    client.connect();
    expect(injected).toEqual([url]);
    expect(mockWsUrls).toHaveLength(0);
    client.close();
    expect(jest.getTimerCount()).toBe(0);
  });
});
