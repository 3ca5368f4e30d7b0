/**
 * lib/node for the integration-msgpack project: the same exports, with clients defaulting to the MessagePack codec,
 * so the whole integration suite runs unchanged over the sc-codec-min-bin wire format.
 */
import WebSocket from 'ws';
import type { ScApi, UntypedApi, ValidApi } from '../../lib/client/api';
import type { Client } from '../../lib/client/client';
import { createClient as createBaseClient } from '../../lib/client/create-client';
import type { ClientOptions } from '../../lib/client/options';
import { msgpackCodec } from '../../lib/codec/msgpack';
import type { WebSocketConstructor } from '../../lib/transport/web-socket';
import { explainWsError } from '../../lib/transport/ws-failure';

export * from '../../lib/index';

export function createClient<Api extends ScApi & ValidApi<Api> = UntypedApi>(
  options: ClientOptions,
): Client<Api> {
  return createBaseClient<Api>({
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    codec: msgpackCodec(),
    explainSocketError: explainWsError,
    ...options,
  });
}
