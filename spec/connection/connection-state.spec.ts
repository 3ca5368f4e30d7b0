import {
  transition,
  TRANSITIONS,
  type ConnectionState,
  type ConnectionStatus,
} from '../../lib/connection/connection-state';

const connecting: ConnectionState = { state: 'connecting', attempt: 1, url: 'ws://h/' };
const open: ConnectionState = {
  state: 'open',
  attempt: 1,
  url: 'ws://h/',
  id: 'abc',
  pingTimeout: 20_000,
  isAuthenticated: false,
};
const closed: ConnectionState = { state: 'closed', attempt: 0, code: 1000, reason: '' };
const idle: ConnectionState = { state: 'idle', attempt: 0 };
const sample: Record<ConnectionStatus, ConnectionState> = { idle, connecting, open, closed };
const statuses: ConnectionStatus[] = ['idle', 'closed', 'connecting', 'open'];

describe('TRANSITIONS', () => {
  it('is the table idle|closed -> connecting|closed, connecting -> open|closed, open -> closed', () => {
    expect(TRANSITIONS).toEqual({
      idle: ['connecting', 'closed'],
      closed: ['connecting', 'closed'],
      connecting: ['open', 'closed'],
      open: ['closed'],
    });
  });

  it('lets every state reach closed, and none go back to idle', () => {
    for (const status of statuses) expect(TRANSITIONS[status]).toContain('closed');
    for (const status of statuses) expect(TRANSITIONS[status]).not.toContain('idle');
  });
});

describe('transition', () => {
  describe('allowed', () => {
    const allowed = statuses.flatMap((from) => TRANSITIONS[from].map((to) => [from, to] as const));

    it('are the seven pairs of the table', () => {
      expect(allowed).toEqual([
        ['idle', 'connecting'],
        ['idle', 'closed'],
        ['closed', 'connecting'],
        ['closed', 'closed'],
        ['connecting', 'open'],
        ['connecting', 'closed'],
        ['open', 'closed'],
      ]);
    });

    it.each(allowed.filter(([from, to]) => from !== to))('%s -> %s returns the next state', (from, to) => {
      const next = { ...sample[to] };
      expect(transition(sample[from], next)).toBe(next);
    });

    it('goes through a full connect / drop / reconnect cycle', () => {
      const path: ConnectionState[] = [
        idle,
        { state: 'connecting', attempt: 1, url: 'ws://h/' },
        open,
        { state: 'closed', attempt: 0, code: 1006, reason: '', retryAt: 1_500, retryIn: 500 },
        { state: 'connecting', attempt: 1, url: 'ws://h/' },
        { state: 'closed', attempt: 1, code: 1006, reason: '', retryAt: 3_250, retryIn: 750 },
        { state: 'connecting', attempt: 2, url: 'ws://h/' },
        { ...open, attempt: 2 },
        { state: 'closed', attempt: 0, code: 1000, reason: '' },
      ];
      for (let i = 1; i < path.length; i++) {
        expect(transition(path[i - 1]!, path[i]!)).toBe(path[i]);
      }
    });
  });

  describe('closed -> closed', () => {
    const base: ConnectionState = {
      state: 'closed',
      attempt: 2,
      code: 1006,
      reason: 'gone',
      retryAt: 5_000,
      retryIn: 500,
    };

    it('returns undefined when nothing changes', () => {
      expect(transition(base, { ...base })).toBeUndefined();
      expect(transition(closed, { ...closed })).toBeUndefined();
    });

    it.each([
      ['code', { code: 4000 }],
      ['reason', { reason: 'other' }],
      ['retryAt', { retryAt: 6_000 }],
      ['attempt', { attempt: 3 }],
    ])('returns the next state when %s changes', (_field, change) => {
      const next = { ...base, ...change } as ConnectionState;
      expect(transition(base, next)).toBe(next);
    });

    it('returns the next state when a retry is scheduled or dropped', () => {
      const waiting: ConnectionState = { state: 'closed', attempt: 2, code: 1006, reason: 'gone' };
      expect(transition(waiting, base)).toBe(base);
      expect(transition(base, waiting)).toBe(waiting);
    });

    it('returns the next state when close details appear', () => {
      const bare: ConnectionState = { state: 'closed', attempt: 0 };
      expect(transition(bare, closed)).toBe(closed);
    });
  });

  describe('illegal', () => {
    const illegal = statuses.flatMap((from) =>
      statuses.filter((to) => !TRANSITIONS[from].includes(to)).map((to) => [from, to] as const),
    );

    it('are every way into idle, idle -> open, closed -> open, connecting -> connecting, open -> connecting|open', () => {
      expect(illegal).toEqual([
        ['idle', 'idle'],
        ['idle', 'open'],
        ['closed', 'idle'],
        ['closed', 'open'],
        ['connecting', 'idle'],
        ['connecting', 'connecting'],
        ['open', 'idle'],
        ['open', 'connecting'],
        ['open', 'open'],
      ]);
    });

    it.each(illegal)('%s -> %s throws a RangeError naming both states', (from, to) => {
      expect(() => transition(sample[from], sample[to])).toThrow(RangeError);
      expect(() => transition(sample[from], sample[to])).toThrow(
        `Illegal connection state transition: ${from} -> ${to}`,
      );
    });

    it('throws even when the next state is identical', () => {
      expect(() => transition(connecting, { ...connecting })).toThrow(RangeError);
      expect(() => transition(open, { ...open })).toThrow(RangeError);
    });
  });
});
