import { BehaviorSubject, firstValueFrom } from 'rxjs';
import { createClient } from '../../lib/client/create-client';
import { resolveOptions } from '../../lib/client/options';
import { Engine } from '../../lib/engine/engine';
import type { CommandMessage, EngineCommands, EngineEvents, EngineView } from '../../lib/engine/port';
import { attachShared } from '../../lib/share/attach-shared';
import type { MessagePortLike, TabMessage } from '../../lib/share/messages';
import type { LocksLike, ShareScope } from '../../lib/share/share-scope';
import type { ShareState } from '../../lib/share/share-state';
import { fakeWebSocket } from '../support/fake-web-socket';
import { record } from './support/recording';

// Which way a client shares, from what the browser has: a shared worker when it is given one and has
// SharedWorker, else a leader tab where there are Web Locks and BroadcastChannel, else a connection of its own.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const URL = 'ws://example.test/socketcluster/';

/** Web Locks that grant every lock at once and hold it until released. */
const locks: LocksLike = {
  request: (_name, _options, callback) => Promise.resolve(callback()),
};

function attach(scope: ShareScope, share: 'auto' | 'shared-worker' | 'leader-tab', withWorker: boolean) {
  const posted: TabMessage[] = [];
  const port: MessagePortLike = {
    postMessage: (message) => posted.push(message as TabMessage),
    addEventListener: () => undefined,
    start: () => undefined,
  };
  const resolved = resolveOptions({ url: URL, WebSocket: fakeWebSocket().WebSocket, share });
  const attached: (EngineCommands & EngineView)[] = [];
  const facade = new Proxy({} as EngineEvents & { attach(port: EngineCommands & EngineView): void }, {
    get: (_, name) =>
      name === 'attach' ? (p: EngineCommands & EngineView) => attached.push(p) : () => undefined,
  });
  const share$ = new BehaviorSubject<ShareState>({} as ShareState);
  const queued: CommandMessage[] = [{ name: 'subscribe', args: ['news', {}] }];
  attachShared(
    facade,
    { ...resolved, worker: withWorker ? () => ({ port }) : undefined },
    { url: URL, ackTimeout: 5000, tokenStore: {} },
    (events) => new Engine(resolved, events),
    queued,
    share$,
    scope,
  );
  return { posted, attached, share$ };
}

describe('attachShared', () => {
  it("'auto' joins the shared worker, handing it the options that are plain data", async () => {
    const { posted, attached, share$ } = attach(
      { SharedWorker: function SharedWorker() {}, navigator: { locks } },
      'auto',
      true,
    );
    expect(share$.getValue()).toMatchObject({ mode: 'shared-worker', role: 'joining' });
    await jest.advanceTimersByTimeAsync(0);
    expect(posted).toEqual([
      {
        t: 'hello',
        tab: expect.any(String),
        channels: [['news', {}]],
        procedures: [],
        demand: false,
        options: { url: URL, ackTimeout: 5000, codec: 'json' },
      },
    ]);
    expect(attached).toHaveLength(1);
  });

  it("'auto' without a worker elects a leader tab where there are Web Locks and BroadcastChannel", () => {
    class Channel {
      postMessage(): void {}
      addEventListener(): void {}
      close(): void {}
    }
    const { share$ } = attach({ BroadcastChannel: Channel, navigator: { locks } }, 'auto', false);
    expect(share$.getValue()).toMatchObject({ mode: 'leader-tab', role: 'joining' });
  });

  it('works alone where the mode asked for is missing', () => {
    const { share$, attached } = attach({ navigator: { locks } }, 'shared-worker', true);
    expect(share$.getValue()).toEqual({ mode: 'off', role: 'alone', tabs: 1, tab: '', holder: '' });
    expect(attached[0]).toBeInstanceOf(Engine);
    expect(attached[0]!.channelState('news')).toBe('pending');
  });
});

describe("createClient({ share: 'auto' }) where the platform cannot share", () => {
  it('loads the sharing chunk, then works alone, with the calls made meanwhile', async () => {
    const ws = fakeWebSocket();
    const client = createClient({ url: URL, WebSocket: ws.WebSocket, share: 'auto', batchWrites: false });
    const shares = record(client.share$);
    const answer = firstValueFrom(client.invoke('echo', 'hi'));
    expect(shares).toEqual([{ mode: 'off', role: 'joining', tabs: 0, tab: '', holder: '' }]);
    await jest.advanceTimersByTimeAsync(0);
    expect(shares.at(-1)).toEqual({ mode: 'off', role: 'alone', tabs: 1, tab: '', holder: '' });
    const socket = ws.last().handshake();
    const call = socket.sent.map((frame) => JSON.parse(frame as string) as { event: string; cid: number });
    socket.receive({ rid: call.find((p) => p.event === 'echo')!.cid, data: 'hi' });
    await expect(answer).resolves.toBe('hi');
    client.close();
  });

  it('refuses a share mode it does not know', () => {
    const { WebSocket } = fakeWebSocket();
    expect(() => createClient({ url: URL, WebSocket, share: 'tabs' as never })).toThrow(RangeError);
  });
});
