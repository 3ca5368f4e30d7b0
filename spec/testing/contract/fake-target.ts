import { msgpackCodec } from '../../../lib/codec/msgpack';
import type { Client, ClientOptions } from '../../../lib/node';
import { createFakeServer, type FakeSocket } from '../../../lib/testing';
import type { ContractTarget } from './target';

// The contract suite's fake target: rx-socketcluster/testing's fake server, on real timers (asyncScheduler), with the
// real target's pace: pings every 150 ms, a ping timeout of 1 s, reconnects after 30 ms.

export interface FakeTargetOptions {
  /** The protocol version of server and client. Default: 2. */
  protocolVersion?: 1 | 2;
  /** The wire codec of server and client. Default: json. */
  codec?: 'json' | 'msgpack';
}

const PING_INTERVAL = 150;
const PING_TIMEOUT = 1000;

/** Starts a fake server and returns it as a {@link ContractTarget}. */
export function startFakeTarget(options: FakeTargetOptions = {}): Promise<ContractTarget> {
  const { protocolVersion = 2, codec = 'json' } = options;
  const server = createFakeServer({
    protocolVersion,
    ...(codec === 'msgpack' && { codec: msgpackCodec() }),
    pingInterval: PING_INTERVAL,
    pingTimeout: PING_TIMEOUT,
  });

  /** The newest socket that is open and answering, as the real target's. */
  const newest = (): FakeSocket => {
    const socket = server.sockets.filter((s) => s.state === 'open' && !s.isSilent).at(-1);
    if (!socket) throw new Error('No client is connected to the server');
    return socket;
  };

  const target: ContractTarget = {
    name: `fake (protocol ${protocolVersion}, ${codec})`,
    client: (overrides: Partial<ClientOptions> = {}): Client =>
      server.createClient({ reconnectDelay: () => 30, ...overrides }),
    onInvoke: (procedure, handler) => server.answer(procedure, (data: unknown) => handler(data)),
    nextTransmit: (event) => server.whenTransmitted(event),
    publish: (channel, data) => {
      server.publish(channel, data);
      return Promise.resolve();
    },
    emit: (event, data) => server.emit(event, data),
    invokeClient: (procedure, data) => newest().invoke(procedure, data),
    setAuthToken: (claims, expiresIn) => {
      newest().setAuthToken(claims, expiresIn === undefined ? {} : { expiresIn });
      return Promise.resolve();
    },
    signToken: (claims, expiresIn) =>
      Promise.resolve(server.signToken(claims, expiresIn === undefined ? {} : { expiresIn })),
    removeAuthToken: () => newest().removeAuthToken(),
    refuseSubscribe: (channel, name, message) => server.refuseSubscribe(channel, { name, message }),
    refuseHandshake: (name, message, statusCode = 4008) =>
      server.refuseHandshakes({ name, message, statusCode }),
    kickOut: (channel, message) => newest().kickOut(channel, message),
    disconnect: (code, reason) => newest().close(code, reason),
    restart: () => {
      server.restart();
      return Promise.resolve();
    },
    goSilent: () => newest().goSilent(),
    subscriptions: () => [...newest().subscriptions].sort(),
    isAuthenticated: () => newest().isAuthenticated,
    stop: () => {
      server.close();
      return Promise.resolve();
    },
  };
  return Promise.resolve(target);
}
