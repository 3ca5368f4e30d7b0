import type { WireError } from '../protocol/packets';
import type { ServerError } from './expectations';
import type { FakeSocket } from './fake-socket';
import { checkFakeToken, invalidToken, type TokenCheck } from './fake-token';

/** A handshake refusal: the error the server answers `#handshake` with, and the close code that follows. */
export interface HandshakeRefusal extends ServerError {
  /** The close code (4000 to 4999; 4500 and above stop the client's reconnects). Default: 4008. */
  readonly statusCode?: number;
}

/** What a server whose middleware blocks a `#subscribe` without an error of its own answers. */
const SUBSCRIBE_BLOCKED: WireError = {
  message: 'The subscribe AGAction was blocked by inbound middleware',
  name: 'SilentMiddlewareBlockedError',
  type: 'inbound',
};

/** What one fake server refuses, as its test set it: handshakes, tokens, subscriptions and connections. */
export class Refusals {
  /** The error every `#handshake` is answered with; none while handshakes are accepted. */
  handshake: WireError | undefined;
  /** Whether every token is refused, as by a server whose key changed. */
  tokens = false;
  /** How many of the next connection attempts fail. */
  connections = 0;
  /** The error each refused channel's `#subscribe` is answered with. */
  readonly subscribe = new Map<string, WireError>();
  readonly #enforceWaitForAuth: boolean;

  constructor(enforceWaitForAuth: boolean) {
    this.#enforceWaitForAuth = enforceWaitForAuth;
  }

  /** Checks `token` at `nowMs`: refused with `invalid signature` while tokens are refused. */
  checkToken(token: unknown, nowMs: number): TokenCheck {
    return this.tokens ? { error: invalidToken('invalid signature') } : checkFakeToken(token, nowMs);
  }

  /** The error `socket`'s `#subscribe` to `channel` is refused with, or `undefined` when it is accepted. */
  subscribeRefusal(socket: FakeSocket, channel: string, waitForAuth: boolean): WireError | undefined {
    return (
      this.subscribe.get(channel) ??
      (this.#enforceWaitForAuth && waitForAuth && !socket.isAuthenticated ? SUBSCRIBE_BLOCKED : undefined)
    );
  }

  /** Whether the next connection attempt fails, counting it against {@link Refusals.connections}. */
  refuseConnection(): boolean {
    if (this.connections <= 0) return false;
    this.connections--;
    return true;
  }
}
