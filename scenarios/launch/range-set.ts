/**
 * An ordered union of citizen index ranges, walked by position: position q of a stream maps to
 * one citizen, so a stream's k-th arrival (plus the arrivals before the window) is always the
 * same citizen, in every process and every window cut.
 *
 * @example
 * const r = new RangeSet([{ start: 0, n: 10 }, { start: 100, n: 5 }]);
 * r.at(12); // 102
 */
export interface Range {
  start: number;
  n: number;
}

export class RangeSet {
  readonly ranges: readonly Range[];
  readonly n: number;

  constructor(ranges: readonly Range[]) {
    this.ranges = ranges.filter((r) => r.n > 0);
    this.n = this.ranges.reduce((s, r) => s + r.n, 0);
  }

  /** Citizen at position q (wraps around when q ≥ n). */
  at(q: number): number {
    let p = this.n > 0 ? q % this.n : 0;
    for (const r of this.ranges) {
      if (p < r.n) return r.start + p;
      p -= r.n;
    }
    return 0;
  }

  /** The positions [a, b) as citizen ranges (no wrap: b ≤ n). */
  slice(a: number, b: number): RangeSet {
    const out: Range[] = [];
    let base = 0;
    for (const r of this.ranges) {
      const lo = Math.max(a, base);
      const hi = Math.min(b, base + r.n);
      if (hi > lo) out.push({ start: r.start + (lo - base), n: hi - lo });
      base += r.n;
    }
    return new RangeSet(out);
  }

  /** Size of the union of several sets (overlaps counted once). */
  static unionSize(sets: readonly RangeSet[]): number {
    const all = sets.flatMap((s) => s.ranges).map((r) => [r.start, r.start + r.n] as const).sort((x, y) => x[0] - y[0]);
    let size = 0;
    let curA = -1;
    let curB = -1;
    for (const [a, b] of all) {
      if (a > curB) {
        size += curB - curA;
        curA = a;
        curB = b;
      } else if (b > curB) curB = b;
    }
    return size + (curB - curA);
  }
}

/** Citizens in both sets (ranges sorted by start). */
export function intersect(a: RangeSet, b: RangeSet): RangeSet {
  const out: Range[] = [];
  for (const x of a.ranges) {
    for (const y of b.ranges) {
      const lo = Math.max(x.start, y.start);
      const hi = Math.min(x.start + x.n, y.start + y.n);
      if (hi > lo) out.push({ start: lo, n: hi - lo });
    }
  }
  return new RangeSet(out.sort((p, q) => p.start - q.start));
}

/** The set with every range scaled (start and length × f, rounded), as the population scales. */
export function scaleSet(s: RangeSet, f: number): RangeSet {
  return new RangeSet(s.ranges.map((r) => ({ start: Math.round(r.start * f), n: Math.max(0, Math.round(r.n * f)) })));
}

/** Positions [p0, p0 + count) of a set, wrapping: the citizens a stream walks. */
export function walked(s: RangeSet, p0: number, count: number): RangeSet {
  if (count >= s.n) return s;
  const a = p0 % s.n;
  const b = a + count;
  if (b <= s.n) return s.slice(a, b);
  return new RangeSet([...s.slice(a, s.n).ranges, ...s.slice(0, b - s.n).ranges]);
}
