import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { jsonCodec, type Codec, type ProtocolVersion } from '../index';

/** Options of {@link createFakeServer}. All optional. */
export interface FakeServerOptions {
  /** The protocol version the server speaks; the clients it configures speak the same. Default: 2. */
  protocolVersion?: ProtocolVersion;
  /**
   * The codec the server decodes and encodes with; the clients it configures use the same. Default: the JSON codec
   * (`jsonCodec()`). `msgpackCodec()` of `rx-socketcluster/codec/msgpack` works too.
   */
  codec?: Codec;
  /**
   * How often the server pings each socket, in ms, from the moment it opens, as a real server does; 0 for never
   * (a client then closes with 4000 once `pingTimeout` passes in silence). A socket that sent nothing for
   * `pingTimeout` is closed with 4001 at the next ping. Default: 8000, socketcluster-server's default.
   */
  pingInterval?: number;
  /**
   * The `pingTimeout` the handshake reply announces, in ms (the client's watchdog). Default: 30000,
   * socketcluster-server v20's default (older documentation says 20000; the code says 30000).
   */
  pingTimeout?: number;
  /**
   * The lifetime, in seconds, of the tokens `socket.setAuthToken()` signs without an `expiresIn`; 0 for none (no
   * `exp`). Default: 86400, socketcluster-server's `authDefaultExpiry`.
   */
  authDefaultExpiry?: number;
  /** How long `socket.invoke()` waits for the client's answer, in ms. Default: 10000. */
  ackTimeout?: number;
  /**
   * The clock and timers of the server: frame delivery, pings, token expiry, invoke timeouts. Default:
   * `asyncScheduler`, which jest's fake timers drive. Pass a `TestScheduler` to run the server in virtual time;
   * the clients it configures then get it too.
   */
  scheduler?: SchedulerLike;
  /**
   * Refuse a `#subscribe` with `waitForAuth` from a socket that is not authenticated, as a server whose
   * middleware checks it would (with a `SilentMiddlewareBlockedError`). Default: false: socketcluster-server itself
   * passes `waitForAuth` on to middleware and enforces nothing; the client is what waits for authentication.
   */
  enforceWaitForAuth?: boolean;
  /** The URL the clients it configures are given (the fake ignores it). Default: `ws://fake.socketcluster.test/socketcluster/`. */
  url?: string;
}

/** The options with every default applied. @internal */
export interface ServerSettings {
  readonly protocolVersion: ProtocolVersion;
  readonly codec: Codec;
  readonly pingInterval: number;
  readonly pingTimeout: number;
  readonly ackTimeout: number;
  readonly authDefaultExpiry: number;
  readonly scheduler: SchedulerLike;
  readonly schedulerGiven: boolean;
  readonly enforceWaitForAuth: boolean;
  readonly url: string;
}

function duration(name: string, value: number, zero: boolean): number {
  if (!(Number.isFinite(value) && (zero ? value >= 0 : value > 0))) {
    throw new RangeError(`${name} must be a finite number ${zero ? '>= 0' : '> 0'}, got ${value}`);
  }
  return value;
}

/** Checks the options and fills in defaults. @internal */
export function resolveServerOptions(options: FakeServerOptions): ServerSettings {
  const protocolVersion = options.protocolVersion ?? 2;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- runtime check of untyped input
  if (protocolVersion !== 1 && protocolVersion !== 2) {
    throw new RangeError(`protocolVersion must be 1 or 2, got ${String(protocolVersion)}`);
  }
  return {
    protocolVersion,
    codec: options.codec ?? jsonCodec(),
    pingInterval: duration('pingInterval', options.pingInterval ?? 8000, true),
    pingTimeout: duration('pingTimeout', options.pingTimeout ?? 30_000, false),
    ackTimeout: duration('ackTimeout', options.ackTimeout ?? 10_000, false),
    authDefaultExpiry: duration('authDefaultExpiry', options.authDefaultExpiry ?? 86_400, true),
    scheduler: options.scheduler ?? asyncScheduler,
    schedulerGiven: options.scheduler !== undefined,
    enforceWaitForAuth: options.enforceWaitForAuth ?? false,
    url: options.url ?? 'ws://fake.socketcluster.test/socketcluster/',
  };
}
