import { BehaviorSubject } from 'rxjs';
import type { EventMessage } from '../../lib/engine/port';
import type { HubMessage, TabMessage } from '../../lib/share/messages';
import type { ShareState } from '../../lib/share/share-state';
import { TabPort } from '../../lib/share/tab-port';
import { recordingFacade } from './support/recording';

// A tab's port against a scripted hub: the test reads what the tab sends and answers as the hub would.

function setup() {
  const { facade, events } = recordingFacade();
  const share$ = new BehaviorSubject<ShareState>({} as ShareState);
  const port = new TabPort('me', 'leader-tab', facade, share$, undefined);
  const hub = () => {
    const sent: TabMessage[] = [];
    const link = (message: TabMessage) => sent.push(structuredClone(message));
    const welcome = (holder = 'leader', tabs = 2) =>
      port.receive({ t: 'welcome', to: 'me', holder, tabs, auth: { state: 'unauthenticated' } });
    const commands = () => sent.flatMap((m) => (m.t === 'cmd' ? [m.m] : []));
    return { sent, link, welcome, commands };
  };
  const named = (name: EventMessage['name']) => events.filter((event) => event.name === name);
  return { port, share$, hub, named };
}

describe('TabPort', () => {
  it('says what it holds in its hello, and queues its calls until the hub welcomes it', () => {
    const { port, share$, hub } = setup();
    port.subscribe('news', { priority: 1 });
    port.listen('confirm', true);
    port.connect();
    port.invoke(2, 'echo', '{"event":"echo","cid":2}', 1000, false);
    expect(share$.getValue()).toEqual({
      mode: 'leader-tab',
      role: 'joining',
      tabs: 0,
      tab: 'me',
      holder: '',
    });

    const first = hub();
    port.join(first.link);
    expect(first.sent).toEqual([
      { t: 'hello', tab: 'me', channels: [['news', { priority: 1 }]], procedures: ['confirm'], demand: true },
    ]);
    first.welcome('leader', 3);
    expect(first.commands()).toEqual([
      { name: 'invoke', args: [2, 'echo', '{"event":"echo","cid":2}', 1000, false] },
    ]);
    expect(share$.getValue()).toEqual({
      mode: 'leader-tab',
      role: 'follower',
      tabs: 3,
      tab: 'me',
      holder: 'leader',
    });
    port.receive({ t: 'tabs', tabs: 4 } satisfies HubMessage);
    expect(share$.getValue().tabs).toBe(4);
  });

  it('takes only the events addressed to it', () => {
    const { port, hub, named } = setup();
    const link = hub();
    port.join(link.link);
    link.welcome();
    port.receive({ t: 'evt', to: 'other', m: { name: 'serverEvent', args: ['tick', 1] } });
    port.receive({ t: 'evt', to: 'me', m: { name: 'serverEvent', args: ['tick', 2] } });
    expect(named('serverEvent')).toEqual([{ name: 'serverEvent', args: ['tick', 2] }]);
  });

  it('fails the calls sent to a hub that is gone, sends again those with resend, and holds its channels again', () => {
    const { port, hub, named } = setup();
    const old = hub();
    port.join(old.link);
    old.welcome('old-leader');
    port.subscribe('news', {});
    port.receive({
      t: 'evt',
      to: 'me',
      m: { name: 'channelState', args: ['news', 'subscribed', 'pending'] },
    });
    port.invoke(2, 'once', 'frame-2', 1000, false);
    port.invoke(4, 'again', 'frame-4', 1000, true);

    const next = hub();
    port.join(next.link);
    expect(named('callFailed')).toEqual([
      { name: 'callFailed', args: [2, expect.objectContaining({ code: 'CONNECTION_CLOSED' })] },
    ]);
    expect(port.channelState('news')).toBe('pending');
    expect(next.sent[0]).toMatchObject({ t: 'hello', channels: [['news', {}]] });
    next.welcome('new-leader');
    expect(next.commands()).toEqual([{ name: 'invoke', args: [4, 'again', 'frame-4', 1000, true] }]);
    port.receive({ t: 'evt', to: 'me', m: { name: 'callResult', args: [4, 'done'] } });
    expect(named('callResult')).toEqual([{ name: 'callResult', args: [4, 'done'] }]);
  });

  it('says goodbye when closed, and fails what is pending with ClientClosedError', () => {
    const { port, share$, hub, named } = setup();
    const link = hub();
    port.join(link.link);
    link.welcome();
    let closedHost = 0;
    port.onClose = () => closedHost++;
    port.invoke(2, 'echo', 'frame', 1000, false);
    port.close();
    expect(link.sent.at(-1)).toEqual({ t: 'bye', tab: 'me' });
    expect(named('callFailed')).toEqual([
      { name: 'callFailed', args: [2, expect.objectContaining({ code: 'CLIENT_CLOSED' })] },
    ]);
    expect(named('closed')).toHaveLength(1);
    expect(closedHost).toBe(1);
    let completed = false;
    share$.subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });
});
