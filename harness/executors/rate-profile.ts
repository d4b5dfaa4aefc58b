/**
 * A piecewise-linear arrival rate r(t) and its integral N(t), the expected number of arrivals
 * by time t. Arrival i is intended at the t where N(t) = i, so the count of arrivals in any
 * window [a, b) is exactly ceil(N(b)) - ceil(N(a)): rate × window for a constant stage, the
 * area under the ramp for a ramping one. Both arrival-rate executors are built on it.
 *
 * @example
 * const p = new RateProfile(0, [{ durationS: 10, target: 100 }]); // ramp 0 → 100/s over 10 s
 * p.total(); // 500
 */
import type { Stage } from '../scenario/types.ts';
import { mulberry32, seedOf } from './random.ts';
import type { ArrivalCursor, ScheduleOptions } from './cursor.ts';

interface Piece {
  t0Ms: number;
  durS: number;
  r0: number;
  r1: number;
  /** N(t0). */
  n0: number;
  /** Arrivals expected inside the piece. */
  n: number;
}

export class RateProfile {
  readonly pieces: Piece[] = [];
  readonly durationMs: number;

  constructor(startRate: number, stages: readonly Stage[]) {
    let t = 0;
    let n = 0;
    let r = startRate;
    for (const s of stages) {
      const piece: Piece = { t0Ms: t, durS: s.durationS, r0: r, r1: s.target, n0: n, n: ((r + s.target) / 2) * s.durationS };
      if (s.durationS > 0) this.pieces.push(piece);
      t += s.durationS * 1000;
      n += piece.n;
      r = s.target;
    }
    this.durationMs = t;
  }

  /** N(T): expected arrivals over the whole profile (fractional). */
  total(): number {
    const last = this.pieces[this.pieces.length - 1];
    return last === undefined ? 0 : last.n0 + last.n;
  }

  /** Number of arrivals the schedule holds: every integer i with i < N(T). */
  count(): number {
    return Math.ceil(this.total() - 1e-9);
  }

  /** N(t) for t in ms. */
  cumulativeAt(ms: number): number {
    if (ms <= 0) return 0;
    for (const p of this.pieces) {
      const endMs = p.t0Ms + p.durS * 1000;
      if (ms < endMs) {
        const x = (ms - p.t0Ms) / 1000;
        return p.n0 + p.r0 * x + ((p.r1 - p.r0) / (2 * p.durS)) * x * x;
      }
    }
    return this.total();
  }

  /** The rate at t (per second). */
  rateAt(ms: number): number {
    for (const p of this.pieces) {
      const endMs = p.t0Ms + p.durS * 1000;
      if (ms < endMs) return p.r0 + ((p.r1 - p.r0) * (ms - p.t0Ms)) / (p.durS * 1000);
    }
    return 0;
  }

  /** The t (ms) where N(t) = u, starting the piece search at `hint`; returns the piece used. */
  timeOf(u: number, hint: number): { ms: number; piece: number } {
    let k = hint;
    while (k < this.pieces.length - 1) {
      const p = this.pieces[k]!;
      if (u < p.n0 + p.n) break;
      k++;
    }
    const p = this.pieces[k];
    if (p === undefined) return { ms: this.durationMs, piece: k };
    const d = u - p.n0;
    if (d <= 0) return { ms: p.t0Ms, piece: k };
    const kq = (p.r1 - p.r0) / (2 * p.durS);
    // Stable root of kq x^2 + r0 x - d = 0 (exactly d / r0 for a constant piece).
    const x = (2 * d) / (p.r0 + Math.sqrt(p.r0 * p.r0 + 4 * kq * d));
    return { ms: p.t0Ms + Math.min(x, p.durS) * 1000, piece: k };
  }
}

/**
 * Cursor over the arrivals of a profile. Uniform: arrival i at N⁻¹(i). Poisson: arrivals keep
 * their second (so per-second counts stay exact), and inside it they are placed as sorted
 * uniform order statistics, which is exactly a Poisson process conditioned on that count; each
 * second is seeded from (seed, stream, second) so any segment recomputes it alone.
 */
export class RateCursor implements ArrivalCursor {
  index = -1;
  intendedMs = 0;
  stopMs = Number.POSITIVE_INFINITY;
  private readonly end: number;
  private readonly offsetMs: number;
  private readonly stripe: number;
  private readonly first: number;
  private hint = 0;
  // Poisson state: the current second, its first index and count, and the order statistic.
  private sec = -1;
  private secFirst = 0;
  private secCount = 0;
  private secLo = 0;
  private secHi = 0;
  private j = 0;
  private u = 0;
  private rnd = mulberry32(0);

  constructor(
    private readonly profile: RateProfile,
    private readonly poisson: boolean,
    private readonly opts: ScheduleOptions,
  ) {
    this.end = profile.count();
    this.offsetMs = opts.offsetMs ?? 0;
    this.stripe = opts.segment.count;
    this.first = opts.segment.index;
  }

  next(): boolean {
    if (!this.poisson) {
      const i = this.index < 0 ? this.first : this.index + this.stripe;
      if (i >= this.end) return false;
      this.index = i;
      const r = this.profile.timeOf(i, this.hint);
      this.hint = r.piece;
      this.intendedMs = this.offsetMs + r.ms;
      return true;
    }
    for (;;) {
      while (this.j >= this.secCount) {
        if (!this.nextSecond()) return false;
      }
      const j = this.j++;
      const left = this.secCount - j;
      this.u = 1 - (1 - this.u) * Math.pow(1 - this.rnd(), 1 / left);
      const i = this.secFirst + j;
      if (i % this.stripe !== this.first) continue;
      this.index = i;
      const r = this.profile.timeOf(this.secLo + this.u * (this.secHi - this.secLo), this.hint);
      this.hint = r.piece;
      // Keep the arrival inside its second despite rounding at the edges.
      const lo = this.sec * 1000;
      this.intendedMs = this.offsetMs + Math.min(Math.max(r.ms, lo), lo + 999.999);
      return true;
    }
  }

  private nextSecond(): boolean {
    this.sec++;
    const startMs = this.sec * 1000;
    if (startMs >= this.profile.durationMs) return false;
    this.secLo = this.profile.cumulativeAt(startMs);
    this.secHi = this.profile.cumulativeAt(Math.min(startMs + 1000, this.profile.durationMs));
    this.secFirst = Math.ceil(this.secLo - 1e-9);
    this.secCount = Math.min(Math.ceil(this.secHi - 1e-9), this.end) - this.secFirst;
    this.j = 0;
    this.u = 0;
    this.rnd = mulberry32(seedOf(this.opts.seed, this.opts.stream ?? 0, this.sec));
    return true;
  }
}
