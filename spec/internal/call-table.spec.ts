import { CallTable } from '../../lib/internal/call-table';
import { seededRandom, seedFrom } from '../support/seeded-random';

const entry = (name: string) => ({ name });

describe('CallTable', () => {
  it('holds, finds and takes a lone entry', () => {
    const table = new CallTable<{ name: string }>();
    const a = entry('a');
    expect(table.size).toBe(0);
    table.set(2, a);
    expect(table.size).toBe(1);
    expect(table.get(2)).toBe(a);
    expect(table.get(4)).toBeUndefined();
    expect(table.take(4)).toBeUndefined();
    expect(table.take(2)).toBe(a);
    expect(table.size).toBe(0);
    expect(table.get(2)).toBeUndefined();
    expect(table.take(2)).toBeUndefined();
  });

  it('keeps many entries by id, each taken once', () => {
    const table = new CallTable<{ name: string }>();
    const entries = Array.from({ length: 10 }, (_, i) => entry(`e${i}`));
    entries.forEach((e, i) => table.set(i + 1, e));
    expect(table.size).toBe(10);
    expect(table.take(5)).toBe(entries[4]);
    expect(table.take(1)).toBe(entries[0]);
    expect(table.take(1)).toBeUndefined();
    expect(table.get(10)).toBe(entries[9]);
    expect(table.size).toBe(8);
  });

  it('lists the entries in the order they were added, whichever were taken in between', () => {
    const table = new CallTable<{ name: string }>();
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(entry);
    table.set(1, a!);
    table.set(2, b!);
    table.set(3, c!);
    table.take(1); // the oldest leaves while others wait
    table.set(4, d!);
    expect(table.values()).toEqual([b, c, d]);
    table.take(2);
    table.take(3);
    table.take(4);
    table.set(5, e!);
    table.set(6, a!);
    expect(table.values()).toEqual([e, a]);
  });

  it('replaces the entry of an id set again, wherever it is held', () => {
    const table = new CallTable<{ name: string }>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(entry);
    table.set(1, a!);
    table.set(2, b!);
    table.set(1, c!);
    table.set(2, d!);
    expect(table.size).toBe(2);
    expect(table.values()).toEqual([c, d]);
  });

  it('deletes by id and says whether there was an entry', () => {
    const table = new CallTable<{ name: string }>();
    table.set(1, entry('a'));
    table.set(2, entry('b'));
    expect(table.delete(2)).toBe(true);
    expect(table.delete(2)).toBe(false);
    expect(table.delete(1)).toBe(true);
    expect(table.delete(1)).toBe(false);
    expect(table.size).toBe(0);
  });

  it('gives a copy from values(), which stays whole while the table changes', () => {
    const table = new CallTable<{ name: string }>();
    const [a, b, c] = ['a', 'b', 'c'].map(entry);
    table.set(1, a!);
    table.set(2, b!);
    table.set(3, c!);
    const seen: unknown[] = [];
    for (const value of table.values()) {
      seen.push(value);
      table.take(1);
      table.take(2);
      table.take(3);
    }
    expect(seen).toEqual([a, b, c]);
    expect(table.size).toBe(0);
  });

  it('finds ids whose slots collide (an old call still waiting, ids of both sides), through growth', () => {
    const table = new CallTable<{ name: string }>();
    const old = entry('old');
    table.set(2, old); // stays while thousands of later ids pass over its slot
    const live = new Map<number, { name: string }>();
    for (let id = 3; id < 5000; id++) {
      const e = entry(`e${id}`);
      table.set(id, e); // odd and even ids alike, as in the engine's table
      live.set(id, e);
      if (live.size > 40) {
        const [oldest] = live.keys();
        expect(table.take(oldest!)).toBe(live.get(oldest!));
        live.delete(oldest!);
      }
    }
    expect(table.get(2)).toBe(old);
    expect(table.size).toBe(live.size + 1);
    for (const [id, e] of live) expect(table.get(id)).toBe(e);
    expect(table.values()).toEqual([old, ...live.values()]);
  });

  it('keeps the order of addition, not of ids, and answers for missing ids and 0', () => {
    const table = new CallTable<{ name: string }>();
    const [a, b, c] = ['a', 'b', 'c'].map(entry);
    table.set(40, a!);
    table.set(8, b!); // a smaller id added later (an invoke made earlier, subscribed later)
    table.set(1000, c!);
    expect(table.values()).toEqual([a, b, c]);
    expect(table.get(0)).toBeUndefined();
    expect(table.take(0)).toBeUndefined();
    expect(table.delete(0)).toBe(false);
    expect(table.take(16)).toBeUndefined(); // the slot of 8 in a table of 8
    expect(table.take(48)).toBeUndefined();
    expect(table.size).toBe(3);
  });

  it('agrees with a Map under random adds and out-of-order takes', () => {
    const seed = seedFrom('CALL_TABLE_SEED', 'CallTable');
    const random = seededRandom(seed);
    const table = new CallTable<{ name: string }>();
    const model = new Map<number, { name: string }>();
    let next = 0;
    for (let step = 0; step < 20000; step++) {
      if (random() < 0.52 || model.size === 0) {
        next += 1 + Math.floor(random() * 3);
        const e = entry(`e${next}`);
        table.set(next, e);
        model.set(next, e);
      } else {
        // Mostly among the oldest few, sometimes any waiting id, sometimes one that is not there.
        const ids = [...model.keys()];
        const pick = random();
        const id =
          pick < 0.1
            ? next + 1 + Math.floor(random() * 50)
            : ids[
                pick < 0.7
                  ? Math.floor(random() * Math.min(4, ids.length))
                  : Math.floor(random() * ids.length)
              ]!;
        expect(table.take(id)).toBe(model.get(id));
        model.delete(id);
      }
      expect(table.size).toBe(model.size);
    }
    for (const [id, e] of model) expect(table.get(id)).toBe(e);
    expect(table.values()).toEqual([...model.values()]);
  });
});
