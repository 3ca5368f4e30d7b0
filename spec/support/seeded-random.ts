/**
 * A seeded source of numbers in [0, 1) (mulberry32), for tests whose random choices must be reproducible: a
 * failure prints its seed, and the same seed replays the same choices.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `variable` in the environment, or a new one; either way printed, so that a run can be replayed. */
export function seedFrom(variable: string, label: string): number {
  const given = process.env[variable];
  const seed = given === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(given);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new RangeError(`${variable} must be a whole number from 0 to 2^32 - 1, got ${given}`);
  }
  process.stdout.write(`${label} seed: ${seed} (replay with ${variable}=${seed})\n`);
  return seed;
}
