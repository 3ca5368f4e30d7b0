import { fakeClient as setup } from '../support/fake-client';

// `livenessHints`: a fake page (window events on globalThis, a `document` with visibilityState) and jest's clock.

/** The globals a page has and Node lacks, all optional here. */
interface Page {
  addEventListener?: EventTarget['addEventListener'];
  removeEventListener?: EventTarget['removeEventListener'];
  document?: EventTarget & { visibilityState: string };
}
const page = globalThis as unknown as Page;
let win: EventTarget;
let doc: EventTarget & { visibilityState: string };

beforeEach(() => {
  jest.useFakeTimers({ now: 1_000_000 });
  win = new EventTarget();
  doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  page.addEventListener = win.addEventListener.bind(win);
  page.removeEventListener = win.removeEventListener.bind(win);
  page.document = doc;
});

afterEach(() => {
  delete page.addEventListener;
  delete page.removeEventListener;
  delete page.document;
  jest.useRealTimers();
});

/** Counts listeners by wrapping add/remove on a target. */
function countListeners(target: EventTarget) {
  const live = new Map<string, number>();
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  target.addEventListener = (
    type: string,
    ...rest: [EventListenerOrEventListenerObject | null, ...unknown[]]
  ) => {
    live.set(type, (live.get(type) ?? 0) + 1);
    add(type, ...(rest as [EventListenerOrEventListenerObject | null]));
  };
  target.removeEventListener = (
    type: string,
    ...rest: [EventListenerOrEventListenerObject | null, ...unknown[]]
  ) => {
    live.set(type, (live.get(type) ?? 0) - 1);
    remove(type, ...(rest as [EventListenerOrEventListenerObject | null]));
  };
  return live;
}

describe('livenessHints', () => {
  it('is on by default in a page, and reconnects at once when the network comes back', () => {
    const { ws, client, states } = setup({ reconnectDelay: () => 20_000 });
    client.connect();
    ws.last().handshake();
    ws.last().serverClose(1006);
    expect(states.at(-1)).toMatchObject({ state: 'closed', retryIn: 20_000 });
    win.dispatchEvent(new Event('online'));
    expect(ws.sockets).toHaveLength(2);
    expect(states.at(-1)).toMatchObject({ state: 'connecting' });
    client.close();
  });

  it('reconnects at once when the page becomes visible while a reconnect waits', () => {
    const { ws, client } = setup({ reconnectDelay: () => 20_000 });
    client.connect();
    ws.last().serverClose(1006);
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(ws.sockets).toHaveLength(1);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(ws.sockets).toHaveLength(2);
    client.close();
  });

  it('closes a silent connection with 4000 when the page becomes visible, even if the watchdog has not run', () => {
    const { ws, client, states } = setup();
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 10_000 });
    // A hidden page's timers are throttled: the clock moves on while the watchdog's timer has not fired yet.
    jest.setSystemTime(Date.now() + 15_000);
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(socket.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
    expect(states.at(-1)).toMatchObject({ state: 'connecting', attempt: 1 }); // 4000 reconnects at once
    client.close();
  });

  it('leaves a live connection alone when the page becomes visible', () => {
    const { ws, client } = setup();
    client.connect();
    const socket = ws.last().handshake({ pingTimeout: 10_000 });
    jest.setSystemTime(Date.now() + 5000);
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(socket.closedWith).toBeUndefined();
    client.close();
  });

  it('listens only once connecting, and removes its listeners on close()', () => {
    const onWindow = countListeners(win);
    page.addEventListener = win.addEventListener.bind(win);
    page.removeEventListener = win.removeEventListener.bind(win);
    const onDocument = countListeners(doc);
    const { client } = setup();
    expect(onWindow.get('online') ?? 0).toBe(0);
    client.connect();
    expect(onWindow.get('online')).toBe(1);
    expect(onDocument.get('visibilitychange')).toBe(1);
    client.disconnect();
    client.connect();
    expect(onWindow.get('online')).toBe(1);
    client.close();
    expect(onWindow.get('online')).toBe(0);
    expect(onDocument.get('visibilitychange')).toBe(0);
  });

  it('is off with livenessHints: false, and off by default outside a page', () => {
    const { ws, client } = setup({ livenessHints: false, reconnectDelay: () => 20_000 });
    client.connect();
    ws.last().serverClose(1006);
    win.dispatchEvent(new Event('online'));
    expect(ws.sockets).toHaveLength(1);
    client.close();
    delete page.document;
    const node = setup({ reconnectDelay: () => 20_000 });
    node.client.connect();
    node.ws.last().serverClose(1006);
    win.dispatchEvent(new Event('online'));
    expect(node.ws.sockets).toHaveLength(1);
    node.client.close();
  });
});
