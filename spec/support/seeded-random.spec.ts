import { seededRandom, seedFrom } from './seeded-random';

describe('seededRandom (the chaos test replays its faults with it)', () => {
  it('gives the same numbers for the same seed, in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(first.every((n) => n >= 0 && n < 1)).toBe(true);
  });

  it('gives other numbers for another seed', () => {
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
  });

  it('takes the seed from the environment and refuses one that is not a 32-bit whole number', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      process.env.TEST_SEED = '123';
      expect(seedFrom('TEST_SEED', 'test')).toBe(123);
      expect(write).toHaveBeenCalledWith('test seed: 123 (replay with TEST_SEED=123)\n');
      process.env.TEST_SEED = '1.5';
      expect(() => seedFrom('TEST_SEED', 'test')).toThrow(RangeError);
    } finally {
      delete process.env.TEST_SEED;
      write.mockRestore();
    }
  });
});
