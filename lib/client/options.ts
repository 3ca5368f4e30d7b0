import { asyncScheduler } from 'rxjs';
import type { RefreshToken } from '../auth/token-refresh';
import type { TokenVerifier } from '../auth/auth-state';
import { defaultTokenKey, defaultTokenStore, type TokenStore } from '../auth/token-store';
import type { Codec } from '../codec/codec';
import { jsonCodec } from '../codec/json';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../connection/backoff-delay';
import type { ConnectionConfig, ReconnectDelay } from '../connection/connection';
import type { ProtocolVersion } from '../protocol/packets';
import { resolveWebSocket, type WebSocketConstructor } from '../transport/web-socket';

/** Options of {@link createClient}. Only `url` is required. */
export interface ClientOptions {
  /**
   * The server's WebSocket URL, for example `ws://localhost:8000/socketcluster/` (SocketCluster's default path is
   * `/socketcluster/`, trailing slash included). `http:` and `https:` are turned into `ws:` and `wss:`.
   */
  url: string;
  /**
   * The WebSocket constructor. Default: `globalThis.WebSocket`; the package's Node entry supplies `ws`.
   */
  WebSocket?: WebSocketConstructor;
  /** Options passed as the third argument of the constructor (for `ws`: headers, TLS settings...). */
  webSocketOptions?: object;
  /** The codec; both peers must use the same. Default: {@link jsonCodec}. */
  codec?: Codec;
  /** The server's protocol version: 2 (SocketCluster 15 and later, the default) or 1. Default: 2. */
  protocolVersion?: ProtocolVersion;
  /** Time allowed to open the WebSocket and complete the handshake, in ms. Default: 10000. */
  connectTimeout?: number;
  /** Default invoke timeout, in ms. Default: 10000. */
  ackTimeout?: number;
  /**
   * Coalesce the frames written during one task (a burst of invokes, transmits or publishes) into one batch frame,
   * sent from a microtask. Fewer, larger frames and less CPU per call; the server handles a batch's packets in
   * order. Needs a codec with `batch` (both built-in codecs have it). Default: true.
   */
  batchWrites?: boolean;
  /** Stop watching for server pings (the client then notices a dead connection only when sending). Default: false. */
  pingTimeoutDisabled?: boolean;
  /** Reconnect automatically. Default: true. */
  reconnect?: boolean;
  /** Give up after this many consecutive failed reconnect attempts. Default: `Infinity`. */
  maxAttempts?: number;
  /** Backoff settings, merged over the defaults (0.5 to 1 s, x1.5 per attempt, at most 30 s). */
  backoff?: Partial<BackoffOptions>;
  /** A delay function that replaces the backoff formula. */
  reconnectDelay?: ReconnectDelay;
  /** Most frames (transmits and invokes) held while no connection is open. Default: 1000. */
  outboxLimit?: number;
  /**
   * Where the signed auth token is kept between connections. Default: `localStorage` in browsers (memory where it
   * is unusable, as in Safari's private mode), memory in Node.
   */
  tokenStore?: TokenStore;
  /** The token's key in the store. Default: `socketcluster.authToken.<host>:<port>`, as the official client. */
  authTokenKey?: string;
  /**
   * Verifies tokens before their claims are trusted (see `jwtVerifier` in `rx-socketcluster/verify`). Default:
   * none; claims are decoded, not verified (the server verifies every token it is sent).
   */
  verifyToken?: TokenVerifier;
  /** Fetches a new token shortly before the current one expires; the client then authenticates with it. */
  refreshToken?: RefreshToken;
  /** How long before `exp` the refresh runs, in ms (at most half the token's lifetime). Default: 60000. */
  refreshMargin?: number;
}

const MAX_TIMER = 2 ** 31 - 1;

function checkDuration(name: string, value: number): number {
  if (!(value >= 0 && value <= MAX_TIMER)) {
    throw new RangeError(`${name} must be between 0 and ${MAX_TIMER} ms, got ${value}`);
  }
  return value;
}

function normalizeUrl(url: string): string {
  if (typeof url !== 'string' || url === '') throw new TypeError('The `url` option is required');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Invalid url: ${url}`);
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[parsed.protocol];
  if (!scheme) throw new TypeError(`The url must use ws:, wss:, http: or https:, got ${parsed.protocol}`);
  parsed.protocol = scheme;
  return parsed.href;
}

/** Options with every default applied. @internal */
export interface ResolvedOptions extends ConnectionConfig {
  readonly ackTimeout: number;
  readonly tokenStore: TokenStore;
  readonly authTokenKey: string;
  readonly verifyToken: TokenVerifier | undefined;
  readonly refreshToken: RefreshToken | undefined;
  readonly refreshMargin: number;
}

/**
 * Validates the options and fills in defaults.
 * @throws TypeError or RangeError on invalid options.
 * @internal
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  // Plain-JS callers can pass anything: these checks guard what the types already promise.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runtime check of untyped input
  if (options === null || typeof options !== 'object') throw new TypeError('createClient needs an options object');
  const protocolVersion = options.protocolVersion ?? 2;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runtime check of untyped input
  if (protocolVersion !== 1 && protocolVersion !== 2) {
    throw new RangeError(`protocolVersion must be 1 or 2, got ${String(protocolVersion)}`);
  }
  const maxAttempts = options.maxAttempts ?? Infinity;
  if (!(maxAttempts >= 0)) throw new RangeError(`maxAttempts must be 0 or more, got ${maxAttempts}`);
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  for (const [name, value] of Object.entries(backoff)) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`backoff.${name} must be a finite number >= 0`);
  }
  const outboxLimit = options.outboxLimit ?? 1000;
  if (!(outboxLimit >= 0)) throw new RangeError(`outboxLimit must be 0 or more, got ${outboxLimit}`);
  const url = normalizeUrl(options.url);
  return {
    url,
    WebSocket: resolveWebSocket(options.WebSocket),
    webSocketOptions: options.webSocketOptions,
    codec: options.codec ?? jsonCodec(),
    protocolVersion,
    connectTimeout: checkDuration('connectTimeout', options.connectTimeout ?? 10_000),
    ackTimeout: checkDuration('ackTimeout', options.ackTimeout ?? 10_000),
    pingTimeoutDisabled: options.pingTimeoutDisabled ?? false,
    batchWrites: options.batchWrites ?? true,
    scheduler: asyncScheduler,
    reconnect: options.reconnect ?? true,
    maxAttempts,
    backoff,
    reconnectDelay: options.reconnectDelay,
    outboxLimit,
    tokenStore: options.tokenStore ?? defaultTokenStore(),
    authTokenKey: options.authTokenKey ?? defaultTokenKey(url),
    verifyToken: options.verifyToken,
    refreshToken: options.refreshToken,
    refreshMargin: checkDuration('refreshMargin', options.refreshMargin ?? 60_000),
  };
}
