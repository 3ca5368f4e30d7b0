import { CallTable } from '../../lib/internal/call-table';

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
});
