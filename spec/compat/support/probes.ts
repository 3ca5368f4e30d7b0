import WebSocket from 'ws';
import { codecEngine, type CodecName, type CompatServerOptions } from './compat-server';
import type { ServerFacts } from './matrix';
import { generationOf, packageOf, protocolsOf, startServer, type Major } from './servers';

// Facts about each server major, observed with a raw WebSocket rather than read from its source, so that the
// "what differs" table of docs/compatibility.md is produced by the same run as the matrix.

interface Frame {
  readonly text?: string;
  readonly binary?: Buffer;
}

interface FrameCodec {
  encode(packet: unknown): string | Uint8Array;
  decode(frame: unknown): unknown;
}

/** A bare WebSocket that records every frame and the close. */
class RawClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly #ws: WebSocket;
  readonly #codec: FrameCodec;

  private constructor(ws: WebSocket, codec: CodecName) {
    this.#ws = ws;
    this.#codec = (codecEngine(codec) as FrameCodec | undefined) ?? {
      encode: (packet) => JSON.stringify(packet),
      decode: (frame) => JSON.parse(String(frame)) as unknown,
    };
    ws.on('message', (data: Buffer, isBinary) =>
      this.frames.push(isBinary ? { binary: data } : { text: data.toString() }),
    );
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static async open(url: string, codec: CodecName = 'json'): Promise<RawClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws, codec);
  }

  send(packet: unknown): void {
    this.#ws.send(this.#codec.encode(packet));
  }

  decode(frame: Frame): unknown {
    try {
      return this.#codec.decode(frame.text ?? frame.binary);
    } catch {
      return undefined;
    }
  }

  /** Sends `#handshake` with cid 1 and waits for its answer. */
  async handshake(): Promise<{ pingTimeout: number }> {
    this.send({ event: '#handshake', data: { authToken: null }, cid: 1 });
    await waitFor(() => this.frames.some((f) => (this.decode(f) as { rid?: number } | undefined)?.rid === 1));
    // A frame the codec cannot read (a ping that came first, under load) decodes to undefined.
    const reply = this.frames.map(
      (f) => this.decode(f) as { rid?: number; data?: { pingTimeout: number } } | undefined,
    );
    return reply.find((p) => p?.rid === 1)!.data!;
  }

  close(): void {
    this.#ws.terminate();
  }
}

async function waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('probe timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withServer<T>(
  major: Major,
  options: CompatServerOptions,
  codec: CodecName,
  probe: (client: RawClient, server: Awaited<ReturnType<typeof startServer>>) => Promise<T>,
): Promise<T> {
  const server = await startServer(major, { ...options, codec });
  const client = await RawClient.open(server.url, codec);
  try {
    return await probe(client, server);
  } finally {
    client.close();
    await server.stop();
  }
}

function describeFrame(client: RawClient, frame: Frame): string {
  if (frame.text !== undefined) return `text ${JSON.stringify(frame.text)}`;
  return `binary, codec-encoded ${JSON.stringify(client.decode(frame))}`;
}

async function pingFrame(major: Major, codec: CodecName, protocolVersion: 1 | 2): Promise<string> {
  return withServer(major, { protocolVersion, pingInterval: 20 }, codec, async (client) => {
    await client.handshake();
    const count = client.frames.length;
    await waitFor(() => client.frames.length > count);
    return describeFrame(client, client.frames[count]!);
  });
}

async function handshakeWithoutCid(major: Major): Promise<string> {
  return withServer(major, { serverDefaults: true }, 'json', async (client) => {
    client.send({ event: '#handshake', data: { authToken: null } });
    await sleep(300);
    if (client.closed) return `closes the socket with ${client.closed.code}`;
    const reply = client.frames[0];
    if (!reply) return 'no answer; the socket stays open';
    return (client.decode(reply) as { rid?: unknown }).rid === undefined
      ? 'answers without a `rid`'
      : 'answers';
  });
}

async function disconnect(major: Major): Promise<string> {
  return withServer(major, {}, 'json', async (client, server) => {
    const socket = server.nextConnection();
    await client.handshake();
    const count = client.frames.length;
    (await socket).disconnect(4321, 'bye');
    await waitFor(() => client.closed !== undefined);
    const events = client.frames
      .slice(count)
      .map((f) => client.decode(f) as { event?: string; data?: unknown })
      .filter((p) => p.event !== undefined)
      .map((p) => `\`${p.event!}\` event \`${JSON.stringify(p.data)}\`, then `);
    const { code, reason } = client.closed!;
    return `${events.join('')}close ${code}${reason ? ` "${reason}"` : ' without a reason'}`;
  });
}

/**
 * Whether ordinary messages keep a socket alive without pongs: no pings (a one-minute interval), a 400 ms pong
 * timeout, and a message every 50 ms for 650 ms. v19 and later reset the timeout at most every pingTimeout / 4.
 */
async function inboundMessagesKeepAlive(major: Major): Promise<boolean> {
  return withServer(major, { pingInterval: 60_000, pingTimeout: 400 }, 'json', async (client) => {
    await client.handshake();
    for (let i = 0; i < 13 && !client.closed; i++) {
      client.send({ event: 'noop' });
      await sleep(50);
    }
    return client.closed === undefined;
  });
}

/**
 * Whether a socket serves every procedure when each has its own `for await` loop (as applications write them), or
 * only the newest loop: `echo` is the first of the compat procedures to get a loop, `login` the last.
 */
async function everyStreamLoopServed(major: Major): Promise<boolean> {
  return withServer(major, { procedureLoops: true }, 'json', async (client) => {
    await client.handshake();
    client.send({ event: 'echo', data: 'first loop', cid: 2 });
    await sleep(200);
    return client.frames.some((f) => (client.decode(f) as { rid?: number }).rid === 2);
  });
}

/** Probes one major. */
export async function probeServer(major: Major): Promise<ServerFacts> {
  const packageName = packageOf(major);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require(`${packageName}/package.json`) as { version: string };
  const defaultPingTimeout = await withServer(major, { serverDefaults: true }, 'json', async (client) => {
    return (await client.handshake()).pingTimeout;
  });
  const pingFrames: Record<string, string> = {};
  for (const codec of ['json', 'msgpack'] as const) {
    for (const protocol of [1, 2] as const) {
      pingFrames[`${codec}, protocolVersion ${protocol}`] = await pingFrame(major, codec, protocol);
    }
  }
  const streamDemuxDefect = !(await everyStreamLoopServed(major));
  return {
    major,
    package: packageName,
    version,
    generation: generationOf(major),
    protocols: protocolsOf(major),
    defaultPingTimeout,
    pingFrames,
    handshakeWithoutCid: await handshakeWithoutCid(major),
    disconnect: await disconnect(major),
    inboundMessagesKeepAlive: await inboundMessagesKeepAlive(major),
    streamDemuxDefect,
    ...(streamDemuxDefect ? { note: 'v18-stream-demux' as const } : {}),
  };
}
