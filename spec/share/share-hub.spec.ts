import { resolveOptions } from '../../lib/client/options';
import { Engine } from '../../lib/engine/engine';
import type { EventMessage } from '../../lib/engine/port';
import { encodeEvent } from '../../lib/protocol/encode-packet';
import type { HubMessage } from '../../lib/share/messages';
import { ShareHub } from '../../lib/share/share-hub';
import { TabPort } from '../../lib/share/tab-port';
import { BehaviorSubject } from 'rxjs';
import type { ShareState } from '../../lib/share/share-state';
import { fakeWebSocket, type FakeWebSocket } from '../support/fake-web-socket';
import { recordingFacade } from './support/recording';

// The hub of a shared connection with a real engine on a fake WebSocket, and tabs (TabPorts) joined to it through
// structuredClone, as a MessagePort or BroadcastChannel would carry their messages. The test plays the server.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** The packets the client wrote, decoded. */
function written(socket: FakeWebSocket): { event?: string; data?: unknown; cid?: number }[] {
  return socket.sent.map((frame) => JSON.parse(frame as string) as { event?: string });
}

function setup() {
  const ws = fakeWebSocket();
  const resolved = resolveOptions({
    url: 'ws://example.test/socketcluster/',
    WebSocket: ws.WebSocket,
    batchWrites: false,
  });
  let engines = 0;
  const hub = new ShareHub(
    (events) => {
      engines++;
      return { engine: new Engine(resolved, events), codec: resolved.codec };
    },
    'worker',
    true,
  );
  /** A tab whose facade records every event it gets. */
  const tab = (id: string) => {
    const { facade, events } = recordingFacade();
    const port = new TabPort(
      id,
      'shared-worker',
      facade,
      new BehaviorSubject<ShareState>({} as ShareState),
      undefined,
    );
    port.join((message) =>
      hub.receive(structuredClone(message), (answer: HubMessage) => port.receive(structuredClone(answer))),
    );
    const named = (name: EventMessage['name']) => events.filter((event) => event.name === name);
    return { port, events, named };
  };
  const invoke = (port: TabPort, cid: number, event: string, data: unknown) =>
    port.invoke(cid, event, encodeEvent(resolved.codec, event, data, cid), 10_000, false);
  return { ws, hub, tab, invoke, engines: () => engines };
}

describe('ShareHub', () => {
  it('holds a channel once for all tabs, sends its messages to its tabs, and lets it go with the last', () => {
    const { ws, tab } = setup();
    const [one, two, three] = [tab('one'), tab('two'), tab('three')];
    one.port.subscribe('news', {});
    one.port.connect();
    const socket = ws.last().handshake();
    two.port.subscribe('news', {});
    const subscribes = written(socket).filter((p) => p.event === '#subscribe');
    expect(subscribes).toEqual([{ event: '#subscribe', data: { channel: 'news' }, cid: expect.any(Number) }]);
    socket.receive({ rid: subscribes[0]!.cid });
    expect(one.port.channelState('news')).toBe('subscribed');
    expect(two.port.channelState('news')).toBe('subscribed');

    socket.receive({ event: '#publish', data: { channel: 'news', data: 7 } });
    for (const holder of [one, two]) {
      expect(holder.named('channelMessage')).toEqual([{ name: 'channelMessage', args: ['news', 7] }]);
    }
    expect(three.named('channelMessage')).toEqual([]);

    one.port.unsubscribe('news');
    expect(one.port.channelState('news')).toBe('unsubscribed');
    expect(written(socket).filter((p) => p.event === '#unsubscribe')).toEqual([]);
    two.port.unsubscribe('news');
    expect(written(socket).filter((p) => p.event === '#unsubscribe')).toEqual([
      { event: '#unsubscribe', data: 'news', cid: expect.any(Number) },
    ]);
  });

  it("sends each tab's invoke with a call id of the hub's, and the answer to that tab only", () => {
    const { ws, tab, invoke } = setup();
    const [one, two] = [tab('one'), tab('two')];
    one.port.connect();
    const socket = ws.last().handshake();
    // Both tabs draw call id 2 from their own counters.
    invoke(one.port, 2, 'echo', 'from one');
    invoke(two.port, 2, 'echo', 'from two');
    const calls = written(socket).filter((p) => p.event === 'echo');
    expect(calls.map((p) => p.data)).toEqual(['from one', 'from two']);
    expect(new Set(calls.map((p) => p.cid)).size).toBe(2);

    socket.receive({ rid: calls[1]!.cid, data: 'two answered' });
    expect(two.named('callResult')).toEqual([{ name: 'callResult', args: [2, 'two answered'] }]);
    expect(one.named('callResult')).toEqual([]);
    socket.receive({ rid: calls[0]!.cid, data: 'one answered' });
    expect(one.named('callResult')).toEqual([{ name: 'callResult', args: [2, 'one answered'] }]);
    expect(two.named('callResult')).toHaveLength(1);
  });

  it('sends a server invoke to one tab: the one that serves the procedure', () => {
    const { ws, tab } = setup();
    const [one, two] = [tab('one'), tab('two')];
    two.port.listen('confirm', true);
    one.port.connect();
    const socket = ws.last().handshake();
    socket.receive({ event: 'confirm', data: { q: 1 }, cid: 9 });
    expect(two.named('serverInvoke')).toEqual([
      { name: 'serverInvoke', args: ['confirm', { q: 1 }, 9, expect.any(Number)] },
    ]);
    expect(one.named('serverInvoke')).toEqual([]);
  });

  it('authenticates every tab with one #authenticate', () => {
    const { ws, tab } = setup();
    const [one, two] = [tab('one'), tab('two')];
    one.port.connect();
    const socket = ws.last().handshake();
    const token = `${btoa('{"alg":"HS256"}')}.${btoa('{"sub":"ada"}')}.c2ln`;
    one.port.authenticate(4, token);
    const sent = written(socket).filter((p) => p.event === '#authenticate');
    expect(sent).toHaveLength(1);
    socket.receive({ rid: sent[0]!.cid, data: { isAuthenticated: true } });
    for (const each of [one, two]) {
      expect(each.named('authState').at(-1)?.args[0]).toMatchObject({ state: 'authenticated', token });
    }
    expect(one.named('callResult')).toEqual([{ name: 'callResult', args: [4, expect.anything()] }]);
    expect(two.named('callResult')).toEqual([]);
  });

  it('releases what a tab held when it leaves, and closes the engine after the last', () => {
    const { ws, hub, tab, invoke, engines } = setup();
    const [one, two] = [tab('one'), tab('two')];
    one.port.subscribe('mine', {});
    two.port.subscribe('theirs', {});
    one.port.connect();
    const socket = ws.last().handshake();
    for (const p of written(socket).filter((packet) => packet.event === '#subscribe'))
      socket.receive({ rid: p.cid });
    invoke(one.port, 2, 'slow', null);
    const call = written(socket).find((p) => p.event === 'slow')!;

    // Gone without a word (its host noticed): its channel is released, its call forgotten.
    hub.leave('one');
    expect(
      written(socket)
        .filter((p) => p.event === '#unsubscribe')
        .map((p) => p.data),
    ).toEqual(['mine']);
    socket.receive({ rid: call.cid, data: 'late' });
    expect(one.named('callResult')).toEqual([]);
    expect(hub.tabs).toBe(1);
    expect(two.named('channelState').at(-1)?.args).toEqual(['theirs', 'subscribed', 'pending']);

    two.port.close();
    expect(hub.tabs).toBe(0);
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'Client closed' });
    expect(jest.getTimerCount()).toBe(0);
    tab('three');
    expect(engines()).toBe(2);
  });
});

describe('ShareHub, when it cannot make its engine', () => {
  it('turns the tab away with a record of the failure, and makes its engine with the next tab', () => {
    const ws = fakeWebSocket();
    const resolved = resolveOptions({ url: 'ws://example.test/socketcluster/', WebSocket: ws.WebSocket });
    let fail = true;
    const hub = new ShareHub(
      (events) => {
        if (fail) throw new TypeError('no such option');
        return { engine: new Engine(resolved, events), codec: resolved.codec };
      },
      'worker',
      true,
    );
    const answers: HubMessage[] = [];
    const hello = (tab: string) =>
      hub.receive({ t: 'hello', tab, channels: [], procedures: [], demand: true }, (answer) =>
        answers.push(structuredClone(answer)),
      );
    hello('one');
    expect(answers).toEqual([
      {
        t: 'refused',
        to: 'one',
        error: expect.objectContaining({
          code: 'CONNECTION_CLOSED',
          message: 'Connection failed (1011: The shared connection could not be made: no such option)',
        }),
      },
    ]);
    expect(hub.tabs).toBe(0);
    expect(ws.sockets).toHaveLength(0);

    fail = false;
    hello('two');
    expect(answers[1]).toMatchObject({ t: 'welcome', to: 'two', tabs: 1 });
    expect(ws.sockets).toHaveLength(1);
    hub.leave('two');
  });
});
