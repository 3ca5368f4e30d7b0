import { map, take, type Observable, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ConnectionState } from '../../lib';
import { memoryTokenStore } from '../../lib/auth/token-store';
import { createClient } from '../../lib/client/create-client';
import type { ClientOptions } from '../../lib/client/options';
import { AckTimeoutError, ConnectionError, OutboxExpiredError, ProtocolError } from '../../lib/errors';
import { FakeWebSocket, fakeWebSocket, HIDDEN_CAUSE } from '../support/fake-web-socket';

// The session timers in virtual time: the client takes the TestScheduler as its `scheduler` option, so the connect
// timeout, the ping watchdog, the reconnect backoff, the outbox age, the ack timeouts and the channel linger all run
// on the run's frames (1 frame = 1 ms). No jest fake timers, no real sleeps.
//
// Every test ends by closing the client at a known frame: a client that keeps reconnecting would keep scheduling
// attempts, and `run` flushes until nothing is scheduled.

const URL = 'ws://example.test/socketcluster/';

/** A short name for each state, for marble diagrams. */
function label(state: ConnectionState): string {
  if (state.state !== 'closed') return state.state;
  if (state.code === undefined) return 'closed';
  return state.retryAt === undefined
    ? `closed ${state.code}`
    : `closed ${state.code}, retry at ${state.retryAt}`;
}

/** A fake socket that records, on the scheduler's clock, when it was created and when each frame was sent. */
function timedSockets(scheduler: SchedulerLike, onCreate?: (socket: FakeWebSocket) => void) {
  const sendTimes = new Map<FakeWebSocket, number[]>();
  const createdAt: number[] = [];
  class TimedSocket extends FakeWebSocket {
    constructor(url: string, protocols?: string | string[], options?: unknown) {
      super(url, protocols, options);
      createdAt.push(scheduler.now());
      sendTimes.set(this, []);
      onCreate?.(this);
    }

    override send(data: string | ArrayBufferLike | ArrayBufferView): void {
      super.send(data);
      sendTimes.get(this)!.push(scheduler.now());
    }
  }
  const ws = fakeWebSocket(TimedSocket);
  /** The non-ping packets a socket sent, each with its frame. */
  const timedPackets = (socket: FakeWebSocket) =>
    socket.sent.flatMap((frame, i) =>
      typeof frame === 'string' && frame !== ''
        ? [{ at: sendTimes.get(socket)![i]!, packet: JSON.parse(frame) as Record<string, unknown> }]
        : [],
    );
  return { ws, createdAt, timedPackets };
}

function virtualClient(
  scheduler: SchedulerLike,
  options: Partial<ClientOptions> = {},
  onCreate?: (socket: FakeWebSocket) => void,
) {
  const sockets = timedSockets(scheduler, onCreate);
  const client = createClient({
    url: URL,
    WebSocket: sockets.ws.WebSocket,
    scheduler,
    batchWrites: false,
    livenessHints: false,
    tokenStore: memoryTokenStore(),
    ...options,
  });
  /** Closes the client at `frame`, so that the run's flush ends. */
  const closeAt = (frame: number) => scheduler.schedule(() => client.close(), frame);
  return { ...sockets, client, closeAt };
}

/** Records each value of `source` with the frame it arrived at, and its error. */
function record<T>(scheduler: SchedulerLike, source: Observable<T>) {
  const values: { at: number; value: T }[] = [];
  const failures: { at: number; error: unknown }[] = [];
  source.subscribe({
    next: (value) => values.push({ at: scheduler.now(), value }),
    error: (error: unknown) => failures.push({ at: scheduler.now(), error }),
  });
  return { values, failures };
}

let testScheduler: TestScheduler;

beforeEach(() => {
  testScheduler = new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
});

describe('the scheduler option', () => {
  it('drives every timer: the client calls schedule() and now() on the instance it is given', () => {
    const schedule = jest.spyOn(testScheduler, 'schedule');
    const now = jest.spyOn(testScheduler, 'now');
    testScheduler.run(() => {
      const { client, ws, closeAt } = virtualClient(testScheduler, { connectTimeout: 100, reconnect: false });
      client.connect();
      expect(schedule).toHaveBeenCalledWith(expect.any(Function), 100, expect.anything());
      expect(now).toHaveBeenCalled();
      ws.last().handshake({ pingTimeout: 1000 });
      expect(schedule).toHaveBeenCalledWith(expect.any(Function), 1000, expect.anything());
      closeAt(10);
    });
  });

  it('is used outside run() too, where rxjs does not route asyncScheduler to virtual time', () => {
    const { client, ws } = virtualClient(testScheduler, { connectTimeout: 100, reconnect: false });
    client.connect();
    testScheduler.flush();
    expect(testScheduler.now()).toBe(100);
    expect(client.state).toEqual({
      state: 'closed',
      attempt: 1,
      code: 4007,
      reason: 'Connection establishment timed out',
      error: expect.objectContaining({ code: 'CONNECT_TIMEOUT', closeCode: 4007 }),
    });
    expect(ws.last().closedWith).toEqual({ code: 4007, reason: 'Connection establishment timed out' });
    client.close();
  });
});

describe('connect timeout', () => {
  it('closes with 4007 at connectTimeout when the socket never opens', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, closeAt } = virtualClient(testScheduler, { connectTimeout: 100, reconnect: false });
      client.connect();
      expectObservable(client.state$.pipe(map(label), take(2))).toBe('c 99ms (x|)', {
        c: 'connecting',
        x: 'closed 4007',
      });
      closeAt(500);
      testScheduler.schedule(() => {
        expect(ws.last().closedWith).toEqual({ code: 4007, reason: 'Connection establishment timed out' });
      }, 100);
    });
  });

  it('closes with 4003 at connectTimeout when the socket opened but the handshake got no reply', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, closeAt } = virtualClient(testScheduler, { connectTimeout: 250, reconnect: false });
      client.connect();
      testScheduler.schedule(() => ws.last().open(), 40);
      expectObservable(client.state$.pipe(map(label), take(2))).toBe('c 249ms (x|)', {
        c: 'connecting',
        x: 'closed 4003',
      });
      closeAt(500);
      testScheduler.schedule(() => {
        expect(ws.last().closedWith).toEqual({ code: 4003, reason: 'Handshake timed out' });
      }, 250);
    });
  });

  it('is cancelled by the handshake reply: nothing closes at connectTimeout', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, closeAt } = virtualClient(testScheduler, {
        connectTimeout: 100,
        pingTimeoutDisabled: true,
      });
      client.connect();
      testScheduler.schedule(() => ws.last().handshake(), 99);
      expectObservable(client.state$.pipe(map(label), take(2))).toBe('c 98ms (o|)', {
        c: 'connecting',
        o: 'open',
      });
      closeAt(1000);
      testScheduler.schedule(() => expect(ws.last().closedWith).toBeUndefined(), 999);
    });
  });
});

describe('ping watchdog', () => {
  it('closes with 4000 after exactly pingTimeout of silence, and retries at once', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, createdAt, closeAt } = virtualClient(testScheduler);
      client.connect();
      ws.last().handshake({ pingTimeout: 1000 });
      expectObservable(client.state$.pipe(map(label), take(3))).toBe('o 999ms (xc|)', {
        o: 'open',
        x: 'closed 4000, retry at 1000',
        c: 'connecting',
      });
      testScheduler.schedule(() => {
        expect(ws.sockets[0]!.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
        expect(createdAt).toEqual([0, 1000]);
      }, 1001);
      closeAt(1050);
    });
  });

  it('does not close one frame early', () => {
    testScheduler.run(() => {
      const { client, ws, closeAt } = virtualClient(testScheduler);
      client.connect();
      ws.last().handshake({ pingTimeout: 1000 });
      testScheduler.schedule(() => expect(client.state.state).toBe('open'), 999);
      testScheduler.schedule(() => expect(client.state).toMatchObject({ state: 'closed', code: 4000 }), 1000);
      closeAt(1001);
    });
  });

  it.each([
    ['a ping', ''],
    ['an event', JSON.stringify({ event: 'news', data: 1 })],
  ])('is re-armed by %s: a frame at t moves the close to t + pingTimeout', (_, frame) => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, closeAt } = virtualClient(testScheduler);
      client.connect();
      ws.last().handshake({ pingTimeout: 1000 });
      testScheduler.schedule(() => ws.sockets[0]!.receive(frame), 600);
      expectObservable(client.state$.pipe(map(label), take(2))).toBe('o 1599ms (x|)', {
        o: 'open',
        x: 'closed 4000, retry at 1600',
      });
      closeAt(2000);
    });
  });

  it('keeps the connection while frames arrive more often than pingTimeout', () => {
    testScheduler.run(({ hot, expectObservable }) => {
      const { client, ws, closeAt } = virtualClient(testScheduler);
      client.connect();
      ws.last().handshake({ pingTimeout: 1000 });
      // The server pings every 900 frames until 4500, then falls silent: the close comes at 4500 + 1000.
      hot('900ms p 899ms p 899ms p 899ms p 899ms p').subscribe(() => ws.sockets[0]!.receive(''));
      expectObservable(client.state$.pipe(map(label), take(2))).toBe('o 5499ms (x|)', {
        o: 'open',
        x: 'closed 4000, retry at 5500',
      });
      closeAt(6000);
    });
  });

  it('is not armed with pingTimeoutDisabled', () => {
    testScheduler.run(() => {
      const { client, ws, closeAt } = virtualClient(testScheduler, { pingTimeoutDisabled: true });
      client.connect();
      ws.last().handshake({ pingTimeout: 1000 });
      testScheduler.schedule(() => expect(client.state.state).toBe('open'), 10_000);
      closeAt(10_001);
    });
  });
});

describe('reconnect backoff', () => {
  /** Sockets that the server refuses (1006) in the frame they are created. */
  const refusing = (scheduler: SchedulerLike) => (socket: FakeWebSocket) => {
    scheduler.schedule(() => socket.serverClose(1006));
  };

  it.each<[string, Partial<ClientOptions>]>([
    ['reconnectDelay', { reconnectDelay: (attempt) => [10, 20, 40][attempt] ?? 1000 }],
    [
      'backoff without randomness',
      { backoff: { initialDelay: 10, randomness: 0, multiplier: 2, maxDelay: 1000 } },
    ],
  ])('attempts at frames 0, 10, 30 and 70 for delays of 10, 20 and 40 (%s)', (_, options) => {
    testScheduler.run(({ expectObservable }) => {
      const { client, createdAt, closeAt } = virtualClient(
        testScheduler,
        { maxAttempts: 3, ...options },
        refusing(testScheduler),
      );
      // Each attempt: connecting (its number), then closed with a retry planned; after the third retry, stopped.
      const attempts = client.state$.pipe(
        map((s) =>
          s.state !== 'closed'
            ? s.state === 'connecting'
              ? String(s.attempt)
              : s.state
            : s.code === undefined
              ? 'idle'
              : s.retryAt === undefined
                ? 'stopped'
                : 'retry',
        ),
        take(9),
      );
      expectObservable(attempts).toBe('(i1r) 5ms (2r) 16ms (3r) 36ms (4s|)', {
        i: 'idle',
        1: '1',
        2: '2',
        3: '3',
        4: '4',
        r: 'retry',
        s: 'stopped',
      });
      testScheduler.schedule(() => client.connect());
      closeAt(1000);
      testScheduler.schedule(() => expect(createdAt).toEqual([0, 10, 30, 70]), 999);
    });
  });

  it('announces each retry with retryIn and retryAt on the virtual clock', () => {
    testScheduler.run(() => {
      const { client, closeAt } = virtualClient(
        testScheduler,
        { maxAttempts: 3, reconnectDelay: (attempt) => [10, 20, 40][attempt] ?? 1000 },
        refusing(testScheduler),
      );
      const closed = record(testScheduler, client.state$);
      client.connect();
      closeAt(1000);
      testScheduler.schedule(() => {
        const retries = closed.values.filter(
          ({ value }) => value.state === 'closed' && value.code !== undefined,
        );
        expect(retries).toEqual([
          {
            at: 0,
            value: {
              state: 'closed',
              attempt: 1,
              code: 1006,
              reason: HIDDEN_CAUSE,
              error: expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: 1006 }),
              retryIn: 10,
              retryAt: 10,
            },
          },
          {
            at: 10,
            value: {
              state: 'closed',
              attempt: 2,
              code: 1006,
              reason: HIDDEN_CAUSE,
              error: expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: 1006 }),
              retryIn: 20,
              retryAt: 30,
            },
          },
          {
            at: 30,
            value: {
              state: 'closed',
              attempt: 3,
              code: 1006,
              reason: HIDDEN_CAUSE,
              error: expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: 1006 }),
              retryIn: 40,
              retryAt: 70,
            },
          },
          {
            at: 70,
            value: {
              state: 'closed',
              attempt: 4,
              code: 1006,
              reason: HIDDEN_CAUSE,
              error: expect.objectContaining({ code: 'CONNECTION_CLOSED', closeCode: 1006 }),
            },
          },
        ]);
      }, 999);
    });
  });

  it('retries at once after a ping timeout, then backs off', () => {
    testScheduler.run(() => {
      let first = true;
      const { client, ws, createdAt, closeAt } = virtualClient(
        testScheduler,
        { reconnectDelay: (attempt) => [10, 20, 40][attempt] ?? 1000 },
        (socket) => {
          // The first socket connects; the later ones are refused.
          if (first) first = false;
          else testScheduler.schedule(() => socket.serverClose(1006));
        },
      );
      client.connect();
      ws.last().handshake({ pingTimeout: 1000 });
      closeAt(1200);
      // 4000 at 1000, then at once (1000), then after the reconnectDelay of attempts 1 and 2 (the first was the
      // immediate one): 1000 + 20 = 1020, 1020 + 40 = 1060; the next would be at 2060.
      testScheduler.schedule(() => expect(createdAt).toEqual([0, 1000, 1020, 1060]), 1199);
    });
  });
});

describe('a server that accepts the handshake, then drops the connection', () => {
  /** The server answers each handshake at once, then closes socket `i` (from 0) with `code` `lives(i)` ms later. */
  const dropping =
    (scheduler: SchedulerLike, code: number, lives: (i: number) => number = () => 0) =>
    (socket: FakeWebSocket) => {
      const i = created++;
      scheduler.schedule(() => {
        socket.handshake();
        scheduler.schedule(() => socket.serverClose(code), lives(i));
      });
    };
  let created = 0;
  beforeEach(() => {
    created = 0;
  });
  const noJitter = { initialDelay: 100, randomness: 0, multiplier: 2, maxDelay: 1000 };
  /** The `retryIn` of every retry the client announced, in order. */
  const retries = (states: { value: ConnectionState }[]) =>
    states.flatMap(({ value }) =>
      value.state === 'closed' && value.retryIn !== undefined ? [value.retryIn] : [],
    );

  it.each([4001, 4000, 1005])(
    'closing with %i at once, every time: one immediate retry, then the backoff, never a loop with no delay',
    (code) => {
      testScheduler.run(() => {
        const { client, createdAt, closeAt } = virtualClient(
          testScheduler,
          { backoff: noJitter },
          dropping(testScheduler, code),
        );
        const states = record(testScheduler, client.state$);
        client.connect();
        closeAt(3000);
        testScheduler.schedule(() => {
          // The first failure since the demand is retried at once (the one-off). The sessions that follow end
          // before they are stable, so each is one more failure: 100 × 2^n from n = 1, capped at 1000.
          expect(retries(states.values)).toEqual([0, 200, 400, 800, 1000, 1000]);
          expect(createdAt).toEqual([0, 0, 200, 600, 1400, 2400]);
        }, 2999);
      });
    },
  );

  it.each([
    ['the shortest', 0, [0, 0, 750, 1875]],
    ['the longest', 0.9999, [0, 0, 1500]],
  ])('with the default backoff and %s jitter: at most 4 connections in 3 s', (_label, random, expected) => {
    const spy = jest.spyOn(Math, 'random').mockReturnValue(random);
    try {
      testScheduler.run(() => {
        const { client, createdAt, closeAt } = virtualClient(
          testScheduler,
          {},
          dropping(testScheduler, 4001),
        );
        client.connect();
        closeAt(3000);
        // After the immediate retry: (500 + 500 × random) × 1.5^n for n = 1, 2, ...
        testScheduler.schedule(() => expect(createdAt).toEqual(expected), 2999);
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('retries at once again after a stable session (open 5 s), and only once', () => {
    testScheduler.run(() => {
      // Sockets 0, 2, 4... stay open 5 s; sockets 1, 3... close at once.
      const { client, createdAt, closeAt } = virtualClient(
        testScheduler,
        { backoff: noJitter },
        dropping(testScheduler, 4001, (i) => (i % 2 === 0 ? 5000 : 0)),
      );
      const states = record(testScheduler, client.state$);
      client.connect();
      closeAt(10_500);
      testScheduler.schedule(() => {
        // 5000: a stable session ends, retried at once; 5000 again: a session that died at once, backoff (n = 1);
        // 10200: stable again, at once; 10200: at once again would be a loop, so the backoff.
        expect(retries(states.values)).toEqual([0, 200, 0, 200]);
        expect(createdAt).toEqual([0, 5000, 5200, 10_200, 10_400]);
      }, 10_499);
    });
  });

  it.each([
    [4999, 'counts on: the backoff', 200],
    [5000, 'is stable: a new run, retried at once', 0],
  ])('a session open %i ms %s', (lived, _label, retryIn) => {
    testScheduler.run(() => {
      const { client, closeAt } = virtualClient(
        testScheduler,
        { backoff: noJitter },
        dropping(testScheduler, 4001, (i) => (i === 0 ? 0 : lived)),
      );
      const states = record(testScheduler, client.state$);
      client.connect();
      closeAt(lived + 2);
      testScheduler.schedule(() => expect(retries(states.values)).toEqual([0, retryIn]), lived + 1);
    });
  });

  it('counts sessions that end before they are stable against maxAttempts', () => {
    testScheduler.run(() => {
      const { client, createdAt, closeAt } = virtualClient(
        testScheduler,
        { backoff: noJitter, maxAttempts: 2 },
        dropping(testScheduler, 1006),
      );
      client.connect();
      closeAt(10_000);
      testScheduler.schedule(() => {
        expect(createdAt).toEqual([0, 100, 300]);
        expect(client.state).toEqual({
          state: 'closed',
          attempt: 0,
          code: 1006,
          reason: 'Socket hung up',
          error: expect.objectContaining({ code: 'CONNECTION_CLOSED', phase: 'disconnect' }),
        });
      }, 9999);
    });
  });

  it('a pingTimeout of 1 ms is raised to 1000 ms with a diagnostic; a silent server gets the backoff too', () => {
    testScheduler.run(() => {
      // The server answers with pingTimeout: 1, then sends nothing: the client's watchdog closes with 4000.
      const { client, ws, createdAt, closeAt } = virtualClient(
        testScheduler,
        { backoff: noJitter },
        (socket) => testScheduler.schedule(() => socket.handshake({ pingTimeout: 1 })),
      );
      const states = record(testScheduler, client.state$);
      const errors = record(testScheduler, client.errors$);
      client.connect();
      closeAt(3000);
      testScheduler.schedule(() => {
        expect(client.state).toMatchObject({ state: 'open', pingTimeout: 1000 });
        expect(errors.values[0]).toEqual({ at: 0, value: expect.any(ProtocolError) });
        expect(errors.values[0]!.value).toMatchObject({
          kind: 'ping-timeout-too-short',
          message: 'pingTimeout 1 ms raised to 1000 ms',
        });
      }, 1);
      testScheduler.schedule(() => {
        expect(ws.sockets[0]!.closedWith).toEqual({ code: 4000, reason: 'Server ping timed out' });
        // 4000 at 1000, retried at once; 4000 at 2000 after a session of 1 s: the backoff (n = 1).
        expect(createdAt).toEqual([0, 1000, 2200]);
        expect(retries(states.values)).toEqual([0, 200]);
        // The diagnostic at each handshake, and the 4000 that ended each session.
        expect(errors.values.map(({ at }) => at)).toEqual([0, 1000, 1000, 2000, 2200]);
        expect(errors.values[1]!.value).toMatchObject({ code: 'CONNECTION_CLOSED', closeCode: 4000 });
      }, 2999);
    });
  });
});

describe('outbox age', () => {
  it('fails an invoke queued at 0 with OutboxExpiredError at outboxMaxAge', () => {
    testScheduler.run(({ expectObservable }) => {
      // The socket never opens (the connect timeout is far), so the frame waits in the outbox.
      const { client, ws, closeAt } = virtualClient(testScheduler, {
        outboxMaxAge: 50,
        connectTimeout: 5000,
        reconnect: false,
      });
      expectObservable(client.invoke('slow', 1)).toBe(
        '50ms #',
        undefined,
        new OutboxExpiredError('slow', 50),
      );
      closeAt(100);
      // Had it been sent when the socket opened at 60, there would be an invoke among the packets.
      testScheduler.schedule(() => ws.last().handshake({ pingTimeout: 1000 }), 60);
      testScheduler.schedule(() => expect(ws.last().packets.map((p) => p.event)).toEqual(['#handshake']), 61);
    });
  });

  it('expires each frame at its own age: a transmit queued at 20 goes to errors$ at 20 + outboxMaxAge', () => {
    testScheduler.run(() => {
      const { client, closeAt } = virtualClient(testScheduler, {
        outboxMaxAge: 50,
        connectTimeout: 5000,
        reconnect: false,
      });
      const invoke = record(testScheduler, client.invoke('first'));
      const errors = record(testScheduler, client.errors$);
      testScheduler.schedule(() => client.transmit('second', 2), 20);
      closeAt(200);
      testScheduler.schedule(() => {
        expect(invoke.failures).toEqual([{ at: 50, error: expect.any(OutboxExpiredError) }]);
        expect(errors.values).toEqual([{ at: 70, value: expect.any(OutboxExpiredError) }]);
        expect(errors.values[0]!.value).toMatchObject({ event: 'second', maxAge: 50 });
      }, 199);
    });
  });

  it('sends a frame that is still young when the connection opens', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, timedPackets, closeAt } = virtualClient(testScheduler, {
        outboxMaxAge: 50,
        connectTimeout: 5000,
      });
      expectObservable(client.invoke('ok')).toBe('49ms (a|)', { a: 'fine' });
      testScheduler.schedule(() => {
        ws.last().handshake({ pingTimeout: 1000 });
        const sent = timedPackets(ws.last()).find(({ packet }) => packet.event === 'ok')!;
        expect(sent.at).toBe(49);
        ws.last().receive({ rid: sent.packet.cid, data: 'fine' });
      }, 49);
      closeAt(100);
    });
  });
});

describe('ack timeout', () => {
  it('fails an invoke with AckTimeoutError at exactly its timeout', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, closeAt } = virtualClient(testScheduler, { pingTimeoutDisabled: true });
      client.connect();
      ws.last().handshake();
      expectObservable(client.invoke('slow', 1, { timeout: 100 })).toBe(
        '100ms #',
        undefined,
        new AckTimeoutError('slow', 100),
      );
      closeAt(300);
    });
  });

  it('uses ackTimeout by default', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, closeAt } = virtualClient(testScheduler, {
        pingTimeoutDisabled: true,
        ackTimeout: 75,
      });
      client.connect();
      ws.last().handshake();
      expectObservable(client.invoke('slow')).toBe('75ms #', undefined, new AckTimeoutError('slow', 75));
      closeAt(300);
    });
  });

  it('fails two calls at their own times with one sweep timer', () => {
    testScheduler.run(() => {
      const { client, ws, closeAt } = virtualClient(testScheduler, { pingTimeoutDisabled: true });
      client.connect();
      ws.last().handshake();
      let late: ReturnType<typeof record> | undefined;
      let early: ReturnType<typeof record> | undefined;
      testScheduler.schedule(() => {
        const pending = testScheduler.actions.length;
        late = record(testScheduler, client.invoke('late', undefined, { timeout: 250 }));
        expect(testScheduler.actions.length).toBe(pending + 1);
        // An earlier deadline moves the one timer rather than adding a second.
        early = record(testScheduler, client.invoke('early', undefined, { timeout: 100 }));
        expect(testScheduler.actions.length).toBe(pending + 1);
      }, 10);
      closeAt(400);
      testScheduler.schedule(() => {
        expect(early!.failures).toEqual([{ at: 110, error: new AckTimeoutError('early', 100) }]);
        expect(late!.failures).toEqual([{ at: 260, error: new AckTimeoutError('late', 250) }]);
      }, 399);
    });
  });

  it('does not fail a call answered one frame before its timeout', () => {
    testScheduler.run(({ expectObservable }) => {
      const { client, ws, timedPackets, closeAt } = virtualClient(testScheduler, {
        pingTimeoutDisabled: true,
      });
      client.connect();
      ws.last().handshake();
      expectObservable(client.invoke('quick', 1, { timeout: 100 })).toBe('99ms (a|)', { a: 42 });
      testScheduler.schedule(() => {
        const sent = timedPackets(ws.last()).find(({ packet }) => packet.event === 'quick')!;
        ws.last().receive({ rid: sent.packet.cid, data: 42 });
      }, 99);
      closeAt(300);
    });
  });
});

describe('channel linger', () => {
  const unsubscribesOf = (packets: { at: number; packet: Record<string, unknown> }[]) =>
    packets.filter(({ packet }) => packet.event === '#unsubscribe');

  it('sends #unsubscribe exactly linger ms after the last subscriber left', () => {
    testScheduler.run(({ cold }) => {
      const { client, ws, timedPackets, closeAt } = virtualClient(testScheduler, {
        pingTimeoutDisabled: true,
      });
      client.connect();
      const socket = ws.last().handshake();
      // Two subscribers; the first leaves at 10, the last at 30.
      const first = client.channel('news', { linger: 100 }).subscribe();
      const second = client.channel('news', { linger: 100 }).subscribe();
      const subscribe = socket.packets.find((p) => p.event === '#subscribe')!;
      socket.receive({ rid: subscribe.cid });
      cold('10ms a 19ms b').subscribe((leave) => {
        if (leave === 'a') first.unsubscribe();
        else second.unsubscribe();
      });
      closeAt(300);
      testScheduler.schedule(() => {
        expect(unsubscribesOf(timedPackets(socket))).toEqual([
          { at: 130, packet: { event: '#unsubscribe', data: 'news', cid: expect.any(Number) } },
        ]);
      }, 299);
    });
  });

  it('keeps the channel when a subscriber comes back within the linger', () => {
    testScheduler.run(() => {
      const { client, ws, timedPackets, closeAt } = virtualClient(testScheduler, {
        pingTimeoutDisabled: true,
      });
      client.connect();
      const socket = ws.last().handshake();
      const first = client.channel('news', { linger: 100 }).subscribe();
      socket.receive({ rid: socket.packets.find((p) => p.event === '#subscribe')!.cid });
      testScheduler.schedule(() => first.unsubscribe(), 30);
      testScheduler.schedule(() => client.channel('news', { linger: 100 }).subscribe(), 129);
      closeAt(500);
      testScheduler.schedule(() => {
        expect(unsubscribesOf(timedPackets(socket))).toEqual([]);
        expect(socket.packets.filter((p) => p.event === '#subscribe')).toHaveLength(1);
      }, 499);
    });
  });
});

describe('a connection error is the same on the virtual clock', () => {
  it('fails an in-flight invoke with the ConnectionError of the ping timeout, at the ping timeout', () => {
    testScheduler.run(() => {
      const { client, ws, closeAt } = virtualClient(testScheduler, { reconnect: false });
      client.connect();
      ws.last().handshake({ pingTimeout: 1000 });
      const call = record(testScheduler, client.invoke('x', 1, { timeout: 5000 }));
      closeAt(3000);
      testScheduler.schedule(() => {
        expect(call.failures).toEqual([{ at: 1000, error: expect.any(ConnectionError) }]);
        expect(call.failures[0]!.error).toMatchObject({ closeCode: 4000, phase: 'disconnect' });
      }, 2999);
    });
  });
});
