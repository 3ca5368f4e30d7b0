import type { Codec } from '../codec/codec';
import type { EngineConfig } from '../engine/engine';
import type { Frame } from '../engine/port';
import { PING_FRAMES, ScEvent } from '../protocol/packets';
import type { WebSocketConstructor, WebSocketLike } from '../transport/web-socket';
import { TRACE, type Log } from './log';
import { REDACTED } from './redact';

/** `#publish`, `#handshake cid 1`, `rid 4`: what a packet is, for the line that shows it. */
function nameOf(packet: unknown): string {
  const { event, cid, rid } = (packet ?? {}) as { event?: unknown; cid?: unknown; rid?: unknown };
  if (typeof event === 'string') return typeof cid === 'number' ? `${event} cid ${cid}` : event;
  if (typeof rid === 'number') return `rid ${rid}`;
  return typeof packet === 'string' ? packet : typeof packet;
}

/** Logs the packets of one decoded frame (a batch is an array of them), one line each. */
function show(log: Log, direction: string, decoded: unknown): void {
  for (const packet of Array.isArray(decoded) ? (decoded as unknown[]) : [decoded]) {
    // `#authenticate` carries the token as its data: hidden whatever the token looks like.
    const shown =
      (packet as { event?: unknown } | null)?.event === ScEvent.authenticate
        ? { ...(packet as object), data: REDACTED }
        : packet;
    log.write(TRACE, `${direction} ${nameOf(packet)}`, shown);
  }
}

/**
 * The engine's settings for the `trace` level: a codec that logs each frame it decodes (every inbound frame but
 * pings, which are compared as text before the codec), and a WebSocket constructor whose sockets log each frame
 * they send, decoded again for the log (an invoke is encoded when it is made, but it leaves when a connection
 * carries it: only the socket knows). The facade keeps the application's codec; below `trace` none of this exists.
 * @internal
 */
export function traceWire(config: EngineConfig, log: Log): EngineConfig {
  const { codec, WebSocket } = config;
  const pong = PING_FRAMES[config.protocolVersion].pong;
  const traced: Codec = {
    name: codec.name,
    binaryType: codec.binaryType,
    encode: codec.encode.bind(codec),
    decode(frame) {
      const decoded = codec.decode(frame);
      show(log, '<', decoded);
      return decoded;
    },
    batch: codec.batch?.bind(codec),
  };
  const sent = (data: unknown) => {
    if (data === pong) {
      log.write(TRACE, '> pong');
      return;
    }
    try {
      show(log, '>', codec.decode(data as Frame));
    } catch {
      log.write(TRACE, '> a frame the codec cannot read');
    }
  };
  // A function, not a class: `new` on it returns the socket it made, with its `send` wrapped.
  const Traced = function (...args: ConstructorParameters<WebSocketConstructor>): WebSocketLike {
    const socket = new WebSocket(...args);
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      sent(data);
      send(data);
    };
    return socket;
  } as unknown as WebSocketConstructor;
  return { ...config, codec: traced, WebSocket: Traced };
}
