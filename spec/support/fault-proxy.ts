import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy for tests that need a bad network between a client and a real server. Every accepted connection is
 * paired with a connection to the target, and bytes are forwarded in both directions through a queue that can be
 * held back (a stall), delayed (latency) or metered (a bandwidth limit).
 */
export interface FaultProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** A WebSocket URL through the proxy. Default path: `/socketcluster/`. */
  url(path?: string): string;
  /** Resets every current connection on both sides at once, as a network failure would. */
  cut(): void;
  /**
   * Stops forwarding in both directions without telling either side: no data, no FIN, no reset, sockets kept open.
   * Connections accepted while stalled reach the target only after {@link FaultProxy.resume}. What arrives in the
   * meantime is held, and delivered in order on resume (as TCP would, once a partition heals).
   */
  stall(): void;
  /** Ends a stall: held bytes and FINs go on, stalled connections reach the target. */
  resume(): void;
  /** One-way latency added to every chunk, in each direction, in ms (0 for none). */
  setDelay(ms: number): void;
  /** A bandwidth limit per connection and direction, in bytes per second; `null` removes it. */
  setThrottle(bytesPerSecond: number | null): void;
  /** Connections currently open (accepted and not yet closed on both sides). */
  readonly connections: number;
  /** Bytes forwarded so far from clients to the target, and from the target to clients. */
  readonly forwarded: { readonly up: number; readonly down: number };
  /** Cuts every connection and stops listening. */
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  target: { port: number; host?: string };
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
}

/** Bytes per slice when throttled: the limit is applied in slices of about 10 ms of traffic, at least 1 byte. */
const SLICE_MS = 10;
/** A direction stops reading from its source while this many bytes wait in its queue. */
const HIGH_WATER = 256 * 1024;

interface Settings {
  stalled: boolean;
  delay: number;
  throttle: number | null;
}

interface Chunk {
  data: Buffer;
  /** When it may leave, on Date.now()'s clock. */
  at: number;
}

/** One direction of one connection: reads `from`, writes `to`, through a queue. */
class Pipe {
  readonly #queue: Chunk[] = [];
  #queued = 0;
  #ended = false;
  #finished = false;
  #timer: NodeJS.Timeout | undefined;
  /** When a throttled pipe may send its next slice. */
  #nextSlice = 0;
  readonly #from: net.Socket;
  readonly #to: () => net.Socket | undefined;
  readonly #settings: Settings;
  readonly #count: (bytes: number) => void;

  constructor(
    from: net.Socket,
    to: () => net.Socket | undefined,
    settings: Settings,
    count: (bytes: number) => void,
  ) {
    this.#from = from;
    this.#to = to;
    this.#settings = settings;
    this.#count = count;
    from.on('data', (data: Buffer) => {
      this.#queue.push({ data, at: Date.now() + this.#settings.delay });
      this.#queued += data.length;
      if (this.#queued >= HIGH_WATER) from.pause();
      this.pump();
    });
    from.on('end', () => {
      this.#ended = true;
      this.pump();
    });
  }

  /** Sends what may be sent now, and arms a timer for the rest. */
  pump(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const to = this.#to();
    if (this.#settings.stalled || this.#finished || to === undefined || to.destroyed || to.connecting) return;
    const now = Date.now();
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.at > now) {
        this.#wake(head.at - now);
        return;
      }
      let data = head.data;
      const rate = this.#settings.throttle;
      if (rate !== null) {
        if (this.#nextSlice > now) {
          this.#wake(this.#nextSlice - now);
          return;
        }
        const slice = Math.max(1, Math.floor((rate * SLICE_MS) / 1000));
        if (data.length > slice) {
          head.data = data.subarray(slice);
          data = data.subarray(0, slice);
        } else {
          this.#queue.shift();
        }
        // The next slice leaves once this one's share of the bandwidth has passed.
        this.#nextSlice = Math.max(this.#nextSlice, now) + (data.length * 1000) / rate;
      } else {
        this.#queue.shift();
      }
      this.#queued -= data.length;
      this.#count(data.length);
      to.write(data);
    }
    if (this.#queued < HIGH_WATER && this.#from.isPaused()) this.#from.resume();
    if (this.#ended) {
      this.#finished = true;
      to.end();
    }
  }

  #wake(ms: number): void {
    this.#timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(ms)));
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
    this.#queued = 0;
  }
}

/** A client connection and its target connection. */
class Link {
  upstream: net.Socket | undefined;
  readonly #client: net.Socket;
  readonly #pipes: Pipe[] = [];
  readonly #settings: Settings;
  readonly #target: { port: number; host: string };
  readonly #onDone: (link: Link) => void;
  readonly #forwarded: { up: number; down: number };
  #done = false;
  /** A side closed during a stall; the other side learns it on resume. */
  #pendingClose = false;
  #cutting = false;

  constructor(
    client: net.Socket,
    target: { port: number; host: string },
    settings: Settings,
    forwarded: { up: number; down: number },
    onDone: (link: Link) => void,
  ) {
    this.#client = client;
    this.#target = target;
    this.#settings = settings;
    this.#forwarded = forwarded;
    this.#onDone = onDone;
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    // Reading starts at once; what the client sends waits in the queue until the target is connected.
    this.#pipes.push(
      new Pipe(
        client,
        () => this.upstream,
        settings,
        (n) => (forwarded.up += n),
      ),
    );
    if (!settings.stalled) this.connect();
  }

  /** Opens the target connection (deferred while the proxy is stalled). */
  connect(): void {
    if (this.upstream || this.#done) return;
    const upstream = net.connect({ port: this.#target.port, host: this.#target.host, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.on('error', () => this.destroy());
    upstream.on('close', () => this.destroy());
    upstream.on('connect', () => this.pump());
    this.#pipes.push(
      new Pipe(
        upstream,
        () => this.#client,
        this.#settings,
        (n) => (this.#forwarded.down += n),
      ),
    );
  }

  pump(): void {
    if (this.#settings.stalled) return;
    if (!this.upstream) this.connect();
    for (const pipe of this.#pipes) pipe.pump();
  }

  /**
   * Closes both sides. While stalled, a side that closes by itself (the server giving up on a silent client, say)
   * does not show on the other side: the stall keeps it looking alive until the proxy resumes or is cut.
   */
  destroy(): void {
    if (this.#done) return;
    if (this.#settings.stalled && !this.#cutting) {
      this.#pendingClose = true;
      return;
    }
    this.#done = true;
    for (const pipe of this.#pipes) pipe.dispose();
    this.#client.destroy();
    this.upstream?.destroy();
    this.#onDone(this);
  }

  /** After a stall: a close that happened during it now reaches the other side. */
  settle(): void {
    if (this.#pendingClose) {
      this.#pendingClose = false;
      this.destroy();
    } else {
      this.pump();
    }
  }

  /** Resets both sides. */
  cut(): void {
    this.#cutting = true;
    for (const socket of [this.#client, this.upstream]) {
      if (socket === undefined || socket.destroyed) continue;
      if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
    this.destroy();
  }
}

/**
 * Starts a {@link FaultProxy} on 127.0.0.1 in front of `target` (default host 127.0.0.1).
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ target: { port: server.port } });
 * const client = createClient({ url: proxy.url() });
 * proxy.stall(); // the client now hears nothing, and nothing it sends arrives
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = { port: options.target.port, host: options.target.host ?? '127.0.0.1' };
  const settings: Settings = { stalled: false, delay: 0, throttle: null };
  const links = new Set<Link>();
  const forwarded = { up: 0, down: 0 };

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const link = new Link(client, target, settings, forwarded, (done) => links.delete(done));
    links.add(link);
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const pumpAll = () => {
    for (const link of [...links]) link.pump();
  };

  return {
    port,
    url: (path = '/socketcluster/') => `ws://127.0.0.1:${port}${path}`,
    cut() {
      for (const link of [...links]) link.cut();
    },
    stall() {
      settings.stalled = true;
    },
    resume() {
      settings.stalled = false;
      for (const link of [...links]) link.settle();
    },
    setDelay(ms: number) {
      if (!(ms >= 0 && Number.isFinite(ms)))
        throw new RangeError(`delay must be a finite number >= 0, got ${ms}`);
      settings.delay = ms;
    },
    setThrottle(bytesPerSecond: number | null) {
      if (bytesPerSecond !== null && !(bytesPerSecond > 0 && Number.isFinite(bytesPerSecond))) {
        throw new RangeError(
          `throttle must be a positive number of bytes per second or null, got ${bytesPerSecond}`,
        );
      }
      settings.throttle = bytesPerSecond;
      pumpAll();
    },
    get connections() {
      return links.size;
    },
    get forwarded() {
      return { ...forwarded };
    },
    async close() {
      for (const link of [...links]) link.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
