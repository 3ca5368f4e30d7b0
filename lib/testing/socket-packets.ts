import type { Codec } from '../index';
import {
  PING_FRAMES,
  ScEvent,
  type EventPacket,
  type Packet,
  type ProtocolVersion,
} from '../protocol/packets';
import type { WireFrame } from './fake-web-socket';
import { handleReserved, type ReservedHost, type ReservedSocket, type Reply } from './reserved-events';

/** Where a fake socket is: waiting for the client's `#handshake`, open, or closed. */
export type FakeSocketState = 'handshaking' | 'open' | 'closed';

/** What {@link receivePacket} needs of the socket a packet came on. */
export interface PacketSocket extends ReservedSocket {
  readonly state: FakeSocketState;
  readonly isSilent: boolean;
  /** The client was heard from. */
  heard(): void;
  close(code: number, reason: string): void;
  /** Answers a `#handshake`. */
  handshake(cid: number, authToken: unknown): void;
  /** Keeps a packet the client sent. */
  record(packet: Packet): void;
  /** Settles the server's call `rid` with the client's answer. */
  settle(rid: number, error: unknown, data: unknown): void;
  /** Removes the socket's token when it has expired. */
  checkExpiry(): void;
  /** Answers the client's call `cid`. */
  reply(cid: number, answer: Reply): void;
}

/** What {@link receivePacket} needs of the server: the reserved events', and where the application's go. */
export interface PacketHost<S extends PacketSocket> extends ReservedHost<S> {
  readonly codec: Codec;
  readonly protocolVersion: ProtocolVersion;
  invoked(socket: S, procedure: string, data: unknown, reply: (reply: Reply) => void): void;
  transmitted(socket: S, event: string, data: unknown): void;
}

/**
 * Handles a frame the client sent on `socket`, as socketcluster-server v20: a pong (which checks the token's
 * expiry), or a packet or batch of them; anything before the `#handshake` closes the connection.
 * @internal
 */
export function receiveFrame<S extends PacketSocket>(socket: S, host: PacketHost<S>, data: WireFrame): void {
  if (socket.state === 'closed' || socket.isSilent) return;
  socket.heard();
  if (data === PING_FRAMES[host.protocolVersion].pong) {
    // A pong before the handshake breaks v20's strict handshake; every pong checks the token's expiry.
    if (socket.state === 'handshaking')
      socket.close(4009, 'Server received a message before the client handshake');
    else socket.checkExpiry();
    return;
  }
  let decoded: unknown;
  try {
    decoded = host.codec.decode(data);
  } catch {
    if (socket.state === 'handshaking')
      socket.close(4009, 'Server received a message before the client handshake');
    return;
  }
  for (const packet of Array.isArray(decoded) ? decoded : [decoded]) {
    // A packet of the batch may have closed the connection.
    if (!isOpenOrHandshaking(socket)) return;
    receivePacket(socket, host, packet as Record<string, unknown> | null);
  }
}

function isOpenOrHandshaking(socket: PacketSocket): boolean {
  return socket.state !== 'closed';
}

/**
 * Handles one packet the client sent on `socket` (a frame may carry a batch of them), as socketcluster-server v20:
 * the `#handshake` first, then answers to the server's calls, reserved events, and the application's invokes and
 * transmits, which go to the server's expectations.
 * @internal
 */
export function receivePacket<S extends PacketSocket>(
  socket: S,
  host: PacketHost<S>,
  packet: Record<string, unknown> | null,
): void {
  // Anything else (a string, a number) is a raw message: a real server hands it to middleware, never answers it.
  if (packet === null || typeof packet !== 'object') return;
  const { event, data } = packet;
  const cid = typeof packet.cid === 'number' ? packet.cid : undefined;
  if (socket.state === 'handshaking') {
    if (event !== ScEvent.handshake) {
      socket.close(4009, 'Server received a message before the client handshake');
    } else if (cid === undefined) {
      socket.close(4008, 'Handshake request was malformatted');
    } else {
      socket.handshake(cid, (data as { authToken?: unknown } | null | undefined)?.authToken);
    }
    return;
  }
  if (typeof event !== 'string') {
    if (typeof packet.rid === 'number') {
      socket.record(packet as unknown as Packet);
      socket.settle(packet.rid, packet.error, data);
    }
    return;
  }
  // A second handshake on one socket is answered again, as v20 does.
  if (event === ScEvent.handshake && cid !== undefined) {
    socket.handshake(cid, (data as { authToken?: unknown } | null | undefined)?.authToken);
    return;
  }
  socket.record(packet as unknown as EventPacket);
  if (event !== ScEvent.authenticate && event !== ScEvent.removeAuthToken) socket.checkExpiry();
  const reply = (answer: Reply) => {
    if (cid !== undefined) socket.reply(cid, answer);
  };
  if (handleReserved(socket, host, event, data, cid, reply)) return;
  if (cid === undefined) host.transmitted(socket, event, data);
  else host.invoked(socket, event, data, once(reply));
}

/** `reply`, answering once: later answers are ignored. */
function once(reply: (answer: Reply) => void): (answer: Reply) => void {
  let done = false;
  return (answer) => {
    if (done) return;
    done = true;
    reply(answer);
  };
}
