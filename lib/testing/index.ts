/**
 * rx-socketcluster/testing: an in-memory SocketCluster server for testing an application's realtime code with a
 * real rx-socketcluster client, with no port, no network and, under jest's fake timers or a `TestScheduler`, no
 * real waiting.
 *
 * `createFakeServer()` returns the server; `server.createClient()` a client connected to it. The server answers
 * procedures (`answer`), lets a test take calls one by one (`expectInvoke`), checks that nothing unexpected came
 * (`verify`), publishes, pushes events, invokes the client, sets and removes tokens, refuses handshakes, tokens,
 * subscriptions and connections, and drops, delays or loses frames.
 *
 * @packageDocumentation
 * @module rx-socketcluster/testing
 */
export { createFakeServer, FakeServer } from './fake-server';
export type { HandshakeRefusal } from './refusals';
export type { FakeServerOptions } from './server-options';
export type { FakeSocket, FakeSocketClose } from './fake-socket';
export type { FakeSocketState } from './socket-packets';
export type { AnswerFunction, PendingInvoke, ServerError, SubscribeRequest } from './expectations';
export type { FakeTokenOptions } from './fake-token';
export type { ServerInvokeOptions } from './server-calls';
export type { EventPacket, Packet, ResponsePacket, WireError } from '../protocol/packets';
