/**
 * Seeded pseudo-random numbers for schedules and journeys. mulberry32 is tiny, fast and good
 * enough for arrival jitter and think times; it is not for anything secret. Seeds are derived
 * from (run seed, stream, second) so any worker can recompute any part of a schedule alone.
 *
 * @example
 * const rnd = mulberry32(seedOf(42, 3, 17)); rnd(); // same value on every machine
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one 32-bit seed (a small FNV-style hash). */
export function seedOf(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h ^= p >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= Math.floor(p / 4294967296) >>> 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
