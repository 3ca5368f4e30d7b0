import { ScEvent, type WireError } from '../protocol/packets';

/** An answer to an invoke: its data, or an error as the wire carries it. */
export type Reply = { readonly data?: unknown } | { readonly error: WireError };

/** What the reserved events act on, of the socket they came on. */
export interface ReservedSocket {
  readonly id: string;
  isSubscribed(channel: string): boolean;
  /** Subscribes or unsubscribes, server side. */
  membership(channel: string, subscribed: boolean): void;
  /** Checks `token` and makes it the socket's token, or drops the socket's token and returns why. */
  authenticate(token: unknown): WireError | undefined;
  /** Drops the socket's token without telling the client. */
  forgetToken(): void;
  send(packet: unknown): void;
  close(code: number, reason: string): void;
}

/** What the reserved events need of the server. */
export interface ReservedHost<S extends ReservedSocket> {
  subscribeRefusal(socket: S, channel: string, waitForAuth: boolean): WireError | undefined;
  /** A `#subscribe` arrived, accepted or refused. */
  subscribed(socket: S, channel: string, data: unknown, accepted: boolean): void;
  publish(channel: string, data: unknown): void;
}

const ok: Reply = {};

function malformed(what: string): Reply {
  return { error: { message: `${what} was malformatted`, name: 'InvalidActionError' } };
}

/**
 * Handles the reserved events a client sends after the handshake (`#subscribe`, `#unsubscribe`, `#publish`,
 * `#authenticate`, `#removeAuthToken`), answering and failing them with the packets socketcluster-server v20 sends.
 * Returns false for any other event: an application's transmit or invoke.
 *
 * @internal
 */
export function handleReserved<S extends ReservedSocket>(
  socket: S,
  host: ReservedHost<S>,
  event: string,
  data: unknown,
  cid: number | undefined,
  reply: (answer: Reply) => void,
): boolean {
  const request = data as Record<string, unknown> | null | undefined;
  switch (event) {
    case ScEvent.subscribe: {
      // A transmitted #subscribe is accepted and does nothing, as on a v20 server.
      if (cid === undefined) return true;
      const channel = request?.channel;
      if (typeof channel !== 'string') {
        reply(malformed('Subscribe channel name'));
        return true;
      }
      const refusal = host.subscribeRefusal(socket, channel, request?.waitForAuth === true);
      host.subscribed(socket, channel, request?.data, refusal === undefined);
      if (refusal) {
        reply({ error: refusal });
        return true;
      }
      socket.membership(channel, true);
      reply(ok);
      return true;
    }
    case ScEvent.unsubscribe: {
      if (typeof data !== 'string') {
        reply(malformed('Unsubscribe channel name'));
      } else if (!socket.isSubscribed(data)) {
        const cause = `InvalidActionError: Socket ${socket.id} tried to unsubscribe from a channel which it is not subscribed to`;
        reply({
          error: {
            message: `Failed to unsubscribe socket from the ${data} channel - ${cause}`,
            name: 'BrokerError',
          },
        });
      } else {
        socket.membership(data, false);
        reply(ok);
      }
      return true;
    }
    case ScEvent.publish: {
      const channel = request?.channel;
      if (typeof channel !== 'string') {
        reply(malformed('Publish channel name'));
        return true;
      }
      // Subscribers, the publisher among them, get the message before the publisher gets its acknowledgement.
      host.publish(channel, request?.data);
      reply(ok);
      return true;
    }
    case ScEvent.authenticate: {
      if (cid === undefined) {
        socket.close(4008, 'Server rejected handshake from client');
        return true;
      }
      const authError = socket.authenticate(data);
      if (authError) {
        reply({ error: authError });
        if (authError.isBadToken) socket.send({ event: ScEvent.removeAuthToken });
      } else {
        reply({ data: { isAuthenticated: true, authError: null } });
      }
      return true;
    }
    case ScEvent.removeAuthToken:
      // Never answered, even with a call id.
      socket.forgetToken();
      return true;
    default:
      return false;
  }
}
