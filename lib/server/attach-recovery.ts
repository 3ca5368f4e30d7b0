import { RECOVER_PROCEDURE, type RecoverRequest, type StampedMessage } from '../protocol/recovery-wire';
import { ChannelLog } from './channel-log';
import { resolveRecoveryOptions, type RecoveryOptions } from './recovery-options';
import type { AgBroker, AgServerLike, AgSocket, ProcedureRequest } from './server-types';
import { publishPrefix, stampedFrame } from './stamped-frame';

/** What {@link attachRecovery} returns. */
export interface Recovery {
  /** This server's epoch: the first part of the epoch of each channel's history. */
  readonly epoch: string;
  /** The epoch of `channel`'s history, which its sequences count in (undefined when it has none). */
  epochOf(channel: string): string | undefined;
  /** The last sequence stamped on `channel` (0 for none). */
  top(channel: string): number;
  /** Stops stamping and serving recovery; sockets recovering keep their stamps until they reconnect. */
  detach(): void;
}

/** What the server is delivering now: set while the broker fans a stamped message out, synchronously. */
interface Delivery {
  channel: string;
  log: ChannelLog;
  seq: number;
  data: unknown;
  /** The stamped packet, made once for every recovering socket (as the broker makes one for the others). */
  packet: { channel: string; data: StampedMessage } | undefined;
  /** The options that carry the stamped packet's frame, made once for every recovering socket. */
  options: { stringifiedData: unknown } | undefined;
}

/**
 * Channel recovery on a socketcluster-server (v15 to v20): stamps each message of the chosen channels with a
 * per-channel sequence, keeps a bounded history, and answers the recovery requests of `rx-socketcluster/recovery`.
 *
 * It wraps three methods of the server's broker engine (`transmitPublish`, through which every message reaches the
 * local sockets: client publishes, `exchange.transmitPublish`, and messages from other instances of a cluster;
 * `subscribeSocket` and `unsubscribeSocket`), and the `transmit` of the sockets that asked for recovery. It sets
 * no middleware, so the application's own stays free, and other sockets get the original payloads, encoded once
 * for all of them as before.
 *
 * @example
 * ```ts
 * const agServer = socketClusterServer.attach(httpServer);
 * attachRecovery(agServer, { channels: /^prices\// });
 * ```
 */
export function attachRecovery(agServer: unknown, options: RecoveryOptions): Recovery {
  return new RecoveryServer(agServer as AgServerLike, options);
}

class RecoveryServer implements Recovery {
  readonly epoch: string;
  readonly #server: AgServerLike;
  readonly #broker: AgBroker;
  readonly #matches: (channel: string) => boolean;
  readonly #limits: { size: number; age: number };
  readonly #now: () => number;
  readonly #logs = new Map<string, ChannelLog>();
  /** Per socket id: the sequence of each channel when the socket subscribed to it. */
  readonly #joined = new Map<string, Map<string, number>>();
  /** Per socket id: the channels it recovers (receives stamped). */
  readonly #stamped = new Map<string, Set<string>>();
  /** Channels the server's exchange holds so that, in a cluster, their messages keep arriving with no socket. */
  readonly #held = new Set<string>();
  /** The sockets whose recovery requests are served (one loop each, ending with the socket). */
  readonly #served = new WeakSet<AgSocket>();
  readonly #restore: (() => void)[] = [];
  #delivery: Delivery | undefined;
  /** Logs made so far (for their epochs). */
  #made = 0;
  #attached = true;

  constructor(server: AgServerLike, options: RecoveryOptions) {
    this.#server = server;
    this.#broker = server.brokerEngine;
    const settings = resolveRecoveryOptions(options);
    this.#matches = settings.matches;
    this.#limits = settings.limits;
    this.#now = settings.now;
    this.epoch = settings.epoch;
    this.#wrapBroker();
    // Forgets the channels whose history has aged out, now and then, without holding the process open.
    const sweeper = setInterval(() => this.#sweep(), Math.max(this.#limits.age, 1000));
    sweeper.unref();
    this.#restore.push(() => clearInterval(sweeper));
  }

  top(channel: string): number {
    return this.#logs.get(channel)?.top ?? 0;
  }

  epochOf(channel: string): string | undefined {
    return this.#logs.get(channel)?.epoch;
  }

  detach(): void {
    this.#attached = false;
    for (const channel of this.#held) void this.#server.exchange.unsubscribe(channel);
    this.#held.clear();
    for (const restore of this.#restore.splice(0)) restore();
  }

  #wrapBroker(): void {
    const broker = this.#broker;
    const transmitPublish = broker.transmitPublish;
    const subscribeSocket = broker.subscribeSocket;
    const unsubscribeSocket = broker.unsubscribeSocket;
    broker.transmitPublish = (channel, data, suppressEvent) => {
      if (!this.#matches(channel)) return transmitPublish.call(broker, channel, data, suppressEvent);
      const log = this.#log(channel);
      const seq = log.append(data, this.#now());
      // The broker hands the message to each subscriber's transmit synchronously: the sockets that recover
      // recognise it by this record while it is set.
      this.#delivery = { channel, log, seq, data, packet: undefined, options: undefined };
      try {
        return transmitPublish.call(broker, channel, data, suppressEvent);
      } finally {
        this.#delivery = undefined;
      }
    };
    broker.subscribeSocket = (socket, channel) => {
      if (this.#matches(channel)) {
        let joined = this.#joined.get(socket.id);
        if (!joined) {
          this.#joined.set(socket.id, (joined = new Map<string, number>()));
          // A socket can ask for recovery only of a channel it holds: its requests are served from its first
          // subscription to a recovered channel, with no loop for sockets that never hold one.
          if (!this.#served.has(socket)) {
            this.#served.add(socket);
            void this.#serveSocket(socket);
          }
        }
        joined.set(channel, this.#logs.get(channel)?.top ?? 0);
      }
      return subscribeSocket.call(broker, socket, channel);
    };
    broker.unsubscribeSocket = (socket, channel) => {
      this.#forget(socket.id, channel);
      return unsubscribeSocket.call(broker, socket, channel);
    };
    this.#restore.push(() => {
      broker.transmitPublish = transmitPublish;
      broker.subscribeSocket = subscribeSocket;
      broker.unsubscribeSocket = unsubscribeSocket;
    });
  }

  #log(channel: string): ChannelLog {
    let log = this.#logs.get(channel);
    if (!log) {
      this.#sweep();
      // Each log has an epoch of its own: one made again after the channel was forgotten numbers from 1 anew, and
      // a cursor into the old one must not be read as a cursor into it.
      const epoch = `${this.epoch}.${(++this.#made).toString(36)}`;
      this.#logs.set(channel, (log = new ChannelLog(this.#limits, epoch)));
    }
    return log;
  }

  /** Forgets the logs that hold nothing any more (run when a channel's log is created, so their number is bounded). */
  #sweep(): void {
    const now = this.#now();
    const joined = new Set<string>();
    for (const channels of this.#joined.values()) for (const channel of channels.keys()) joined.add(channel);
    for (const [channel, log] of this.#logs) {
      if (!log.idle(now) || joined.has(channel)) continue;
      this.#logs.delete(channel);
      if (this.#held.delete(channel)) void this.#server.exchange.unsubscribe(channel);
    }
  }

  #forget(socketId: string, channel: string): void {
    const joined = this.#joined.get(socketId);
    if (joined?.delete(channel) && joined.size === 0) this.#joined.delete(socketId);
    const stamped = this.#stamped.get(socketId);
    if (stamped?.delete(channel) && stamped.size === 0) this.#stamped.delete(socketId);
  }

  async #serveSocket(socket: AgSocket): Promise<void> {
    for await (const request of socket.procedure(RECOVER_PROCEDURE)) {
      if (!this.#attached) break;
      this.#answer(socket, request);
    }
    this.#served.delete(socket);
    this.#joined.delete(socket.id);
    this.#stamped.delete(socket.id);
  }

  #answer(socket: AgSocket, request: ProcedureRequest): void {
    const data = request.data as Partial<RecoverRequest> | null | undefined;
    const channel = data?.channel;
    if (typeof channel !== 'string' || !this.#matches(channel) || !socket.channelSubscriptions?.[channel]) {
      const error = new Error(`Channel ${JSON.stringify(channel)} cannot be recovered on this socket`);
      error.name = 'RecoveryRefused';
      request.error(error);
      return;
    }
    const cursor = data as RecoverRequest;
    const valid = (n: unknown) => n === undefined || (Number.isInteger(n) && (n as number) >= 0);
    if (
      !valid(cursor.seq) ||
      !valid(cursor.rewind) ||
      !(cursor.epoch === undefined || typeof cursor.epoch === 'string')
    ) {
      const error = new Error('A recovery request has a seq, epoch or rewind of the wrong type');
      error.name = 'RecoveryRefused';
      request.error(error);
      return;
    }
    // From this answer on, the socket receives the channel's messages stamped: nothing published before it is
    // missing from the answer, nothing after it from the stamped stream.
    this.#stamp(socket, channel);
    // In a cluster, an instance receives a channel's messages from the others only while something of it is
    // subscribed: the exchange stays subscribed so that the history has no hole while its sockets are away.
    if (!this.#held.has(channel)) {
      this.#held.add(channel);
      this.#server.exchange.subscribe(channel);
    }
    const reply = this.#log(channel).recover(cursor, this.#joined.get(socket.id)?.get(channel), this.#now());
    request.end(reply);
  }

  #stamp(socket: AgSocket, channel: string): void {
    let stamped = this.#stamped.get(socket.id);
    if (!stamped) {
      this.#stamped.set(socket.id, (stamped = new Set()));
      this.#interceptTransmit(socket, stamped);
    }
    stamped.add(channel);
  }

  /** Sends the message being delivered stamped, to a socket that recovers its channel. */
  #interceptTransmit(socket: AgSocket, stamped: Set<string>): void {
    const transmit = socket.transmit;
    socket.transmit = (event, packet, options) => {
      const delivery = this.#delivery;
      const publish = packet as { channel?: unknown; data?: unknown } | undefined;
      if (
        event !== '#publish' ||
        delivery === undefined ||
        publish?.channel !== delivery.channel ||
        publish.data !== delivery.data ||
        !stamped.has(delivery.channel)
      ) {
        return transmit.call(socket, event, packet, options);
      }
      if (delivery.packet === undefined) {
        const { channel, seq } = delivery;
        delivery.packet = { channel, data: { $seq: seq, $data: delivery.data } };
        // The broker's own frame of the message, when it is JSON text, gives the stamped one by concatenation.
        const prefix = (delivery.log.framePrefix ??= publishPrefix(channel));
        const plain = (options as { stringifiedData?: unknown } | undefined)?.stringifiedData;
        const frame = stampedFrame(plain, prefix, seq) ?? this.#encode(delivery.packet);
        if (frame !== undefined) delivery.options = { stringifiedData: frame };
      }
      return transmit.call(socket, event, delivery.packet, delivery.options);
    };
  }

  /** The frame of a stamped `#publish`, encoded once for every recovering socket (undefined if it cannot be). */
  #encode(packet: unknown): unknown {
    try {
      return this.#server.codec?.encode({ event: '#publish', data: packet });
    } catch {
      return undefined;
    }
  }
}
