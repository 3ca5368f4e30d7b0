import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { TokenVerifier } from '../auth/auth-state';
import { defaultTokenKey, defaultTokenStore, type TokenStore } from '../auth/token-store';
import type { Codec } from '../codec/codec';
import { jsonCodec } from '../codec/json';
import { DEFAULT_BACKOFF, type BackoffOptions } from '../connection/backoff-delay';
import { normalizeUrl, toEndpoints, type UrlPicker } from '../connection/endpoints';
import type { ReconnectDelay } from '../connection/retry-policy';
import type { EngineConfig } from '../engine/engine';
import type { ClientFeature } from '../engine/feature';
import { checkDuration } from '../internal/duration';
import type { ProtocolVersion } from '../protocol/packets';
import { resolveWebSocket, type WebSocketConstructor } from '../transport/web-socket';
import type { ExplainSocketError } from '../transport/socket-failure';
import type { SharedWorkerLike, ShareMode } from '../share/share-state';
import type { FacadeConfig } from './facade';

/** TLS settings for `wss:` in Node (passed to `ws`, which passes them to `tls.connect`). Browsers ignore them. */
export interface TlsOptions {
  /** Certificate authorities to trust instead of Node's defaults (a self-signed server certificate, say). */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Client certificate chain, in PEM, for servers that ask for one. */
  cert?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Private key of the client certificate, in PEM. */
  key?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Client certificate and key in one PKCS#12 archive. */
  pfx?: string | Uint8Array;
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** Refuse servers whose certificate does not verify. Default: true; turn off only in development. */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks, when it differs from the URL's host. */
  servername?: string;
}

/** Options of {@link createClient}. Only `url` (or `urls`) is required. */
export interface ClientOptions {
  /**
   * The server's WebSocket URL, for example `ws://localhost:8000/socketcluster/` (SocketCluster's default path is
   * `/socketcluster/`, trailing slash included). `http:` and `https:` are turned into `ws:` and `wss:`. Required
   * unless `urls` is given.
   */
  url?: string;
  /**
   * Several endpoints of one SocketCluster cluster (instances joined through brokers), for failover: the first
   * attempt uses the first, and each attempt after a failed connect or a lost connection moves to the next, round
   * the list. Channels and the token are kept across endpoints. Or a function that picks the endpoint of each
   * attempt. When both are given, `url` is ignored for connecting and only names the default token key.
   */
  urls?: readonly string[] | UrlPicker;
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
   * Longest time a frame may wait in the outbox for a connection, in ms; older frames are dropped with an
   * `OutboxExpiredError` (on the call, or on `errors$` for transmits). `Infinity` keeps them until sent. Default:
   * 30000.
   */
  outboxMaxAge?: number;
  /**
   * Largest inbound message accepted, in bytes. A larger one closes the connection with 1009 (a `ConnectionError`
   * with code `MESSAGE_TOO_LARGE`, on the `closed` state and `errors$`) and reconnects. In Node `ws` enforces it while receiving; browsers
   * can only check a message once received. Default: 100 MiB (the `ws` default).
   */
  maxPayload?: number;
  /** TLS settings for `wss:` URLs in Node: a CA to trust, client certificates, `rejectUnauthorized`. */
  tls?: TlsOptions;
  /**
   * Browsers: reconnect at once when the `online` event fires or the page becomes visible while a reconnect is
   * waiting, and check liveness when the page becomes visible (timers of hidden pages are throttled, so a dead
   * connection can outlive its ping timeout there). Default: true where `window` and `document` exist, false
   * elsewhere (Node).
   */
  livenessHints?: boolean;
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
  /**
   * What the client does only when asked, each from an entry of its own, so that a client without a feature ships
   * none of its code: `logging()` from `rx-socketcluster/diagnostics` (a log of the connection's life, calls,
   * channels and frames), `tokenRefresh()` from `rx-socketcluster/refresh` (a new token before the current one
   * expires). Default: none.
   *
   * @example
   * ```ts
   * import { logging } from 'rx-socketcluster/diagnostics';
   *
   * createClient({ url, features: [logging({ level: 'debug' })] }); // to console
   * ```
   */
  features?: readonly ClientFeature[];
  /**
   * Share one connection among the tabs of this browser that create a client with the same `name`:
   * - `'off'` (the default): this client holds its own connection, as every client in Node does;
   * - `'auto'`: a SharedWorker holds it when `worker` is given and the browser has `SharedWorker`; else a leader
   *   tab, elected with Web Locks, holds it for the others, which reach it over `BroadcastChannel`; where neither
   *   exists, this client holds its own;
   * - `'shared-worker'` or `'leader-tab'`: that way only (or else its own connection).
   *
   * The client's API is the same in every mode. Channels are held once for all tabs, calls are answered to the tab
   * that made them, a server invoke is served by one tab, and the token is the same in every tab. `share$` says
   * which tab holds the connection and how many share it. Web Locks need a secure context (https, or localhost).
   * See docs/sharing.md.
   */
  share?: ShareMode;
  /**
   * Keeps apps on one origin apart: only clients with the same `name` share a connection. Default: the URL (the
   * first of `urls`).
   */
  name?: string;
  /**
   * Starts the shared worker that holds the connection in `'auto'` and `'shared-worker'` modes: a function that
   * returns `new SharedWorker(url, { type: 'module', name })`, the script being one that calls
   * `serveSharedWorker()` from `rx-socketcluster/worker` (or the package's ready-made
   * `dist/browser/rx-socketcluster.worker.min.mjs`). See docs/sharing.md for each bundler.
   */
  worker?: (name: string) => SharedWorkerLike;
  /**
   * The clock and timers of every part of the client: connect timeout, ping watchdog, backoff, outbox age, ack
   * timeouts, linger, token refresh. Default: `asyncScheduler`. For tests: a `TestScheduler` (in `run` mode) or a
   * `VirtualTimeScheduler` runs them all in virtual time.
   * @internal
   */
  scheduler?: SchedulerLike;
  /**
   * Reads the cause of a failed connection out of the WebSocket's error event (the Node entry passes the one for
   * `ws`).
   * @internal
   */
  explainSocketError?: ExplainSocketError;
}

/** The default codec, one for every client (it holds no per-connection state). */
let defaultCodec: Codec | undefined;
const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

/** Whether this runs in a page with `document` and window events (not Node, not a worker). */
function isBrowserPage(): boolean {
  const scope = globalThis as { document?: unknown; addEventListener?: unknown };
  return typeof scope.document === 'object' && typeof scope.addEventListener === 'function';
}

/** The `features` option, each checked to be one. */
function checkFeatures(features: readonly ClientFeature[] | undefined): readonly ClientFeature[] {
  for (const feature of features ?? []) {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runtime check of untyped input
    if (typeof feature?.wrapEngine !== 'function')
      throw new TypeError('features must be features, such as logging() from rx-socketcluster/diagnostics');
  }
  return features ?? [];
}

/** Options with every default applied: the engine's settings and the facade's. @internal */
export interface ResolvedOptions extends EngineConfig, FacadeConfig {
  readonly url: string | undefined;
  /** The features, checked. */
  readonly features: readonly ClientFeature[];
  readonly share: ShareMode;
  readonly name: string;
  readonly worker: ((name: string) => SharedWorkerLike) | undefined;
}

const SHARE_MODES: readonly string[] = ['off', 'auto', 'shared-worker', 'leader-tab'];

/**
 * Validates the options and fills in defaults.
 * @throws TypeError or RangeError on invalid options.
 * @internal
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  // Plain-JS callers can pass anything: these checks guard what the types already promise.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runtime check of untyped input
  if (options === null || typeof options !== 'object')
    throw new TypeError('createClient needs an options object');
  const protocolVersion = options.protocolVersion ?? 2;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runtime check of untyped input
  if (protocolVersion !== 1 && protocolVersion !== 2) {
    throw new RangeError(`protocolVersion must be 1 or 2, got ${String(protocolVersion)}`);
  }
  const maxAttempts = options.maxAttempts ?? Infinity;
  if (!(maxAttempts >= 0)) throw new RangeError(`maxAttempts must be 0 or more, got ${maxAttempts}`);
  // Clients with the default backoff share its object.
  const backoff = options.backoff ? { ...DEFAULT_BACKOFF, ...options.backoff } : DEFAULT_BACKOFF;
  for (const [name, value] of Object.entries(backoff)) {
    if (!(Number.isFinite(value) && value >= 0))
      throw new RangeError(`backoff.${name} must be a finite number >= 0`);
  }
  const outboxLimit = options.outboxLimit ?? 1000;
  if (!(outboxLimit >= 0)) throw new RangeError(`outboxLimit must be 0 or more, got ${outboxLimit}`);
  const outboxMaxAge = options.outboxMaxAge ?? 30_000;
  if (outboxMaxAge !== Infinity) checkDuration('outboxMaxAge', outboxMaxAge);
  const share = options.share ?? 'off';
  if (!SHARE_MODES.includes(share)) throw new RangeError(`share must be one of ${SHARE_MODES.join(', ')}`);
  const maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  if (!(maxPayload > 0)) throw new RangeError(`maxPayload must be more than 0, got ${maxPayload}`);
  const { urls } = options;
  const url =
    options.url === undefined && urls !== undefined ? undefined : normalizeUrl(options.url as string);
  const list = typeof urls === 'object' ? urls.map(normalizeUrl) : url === undefined ? [] : [url];
  const webSocketOptions =
    options.maxPayload !== undefined || options.tls
      ? { ...options.tls, maxPayload, ...options.webSocketOptions }
      : options.webSocketOptions;
  return {
    url,
    endpoints: toEndpoints(urls, list),
    WebSocket: resolveWebSocket(options.WebSocket),
    webSocketOptions,
    maxPayload,
    outboxMaxAge,
    livenessHints: options.livenessHints ?? isBrowserPage(),
    codec: options.codec ?? (defaultCodec ??= jsonCodec()),
    protocolVersion,
    connectTimeout: checkDuration('connectTimeout', options.connectTimeout ?? 10_000),
    ackTimeout: checkDuration('ackTimeout', options.ackTimeout ?? 10_000),
    pingTimeoutDisabled: options.pingTimeoutDisabled ?? false,
    batchWrites: options.batchWrites ?? true,
    scheduler: options.scheduler ?? asyncScheduler,
    explainSocketError: options.explainSocketError,
    reconnect: options.reconnect ?? true,
    maxAttempts,
    backoff,
    reconnectDelay: options.reconnectDelay,
    outboxLimit,
    tokenStore: options.tokenStore ?? defaultTokenStore(),
    authTokenKey: options.authTokenKey ?? defaultTokenKey(url ?? list[0]),
    verifyToken: options.verifyToken,
    features: checkFeatures(options.features),
    share,
    name: options.name ?? String(url ?? list[0]),
    worker: options.worker,
  };
}
