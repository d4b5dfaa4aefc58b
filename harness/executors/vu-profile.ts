/**
 * Closed-model (VU) schedules: how many virtual users loop at time t, piecewise linear through
 * the stages. VU j (0-based) is active whenever the target is at least j + 1, so the active
 * count at t is exactly floor(target(t)). A VU's activations are intervals [startMs, stopMs);
 * the engine starts an iteration at startMs and a new one after each completion until stopMs.
 * Segments stripe VUs (VU j belongs to segment K iff j mod N == K-1), not iterations.
 *
 * @example
 * new VuProfile(0, [{ durationS: 10, target: 5 }]).activeAt(4000); // 2
 */
import type { Stage } from '../scenario/types.ts';
import type { ArrivalCursor, ScheduleOptions } from './cursor.ts';

export interface Activation {
  vu: number;
  startMs: number;
  stopMs: number;
}

export class VuProfile {
  readonly durationMs: number;
  private readonly pts: Array<{ ms: number; v: number }> = [];

  constructor(startVus: number, stages: readonly Stage[]) {
    let t = 0;
    this.pts.push({ ms: 0, v: startVus });
    for (const s of stages) {
      t += s.durationS * 1000;
      this.pts.push({ ms: t, v: s.target });
    }
    this.durationMs = t;
  }

  targetAt(ms: number): number {
    for (let k = 1; k < this.pts.length; k++) {
      const a = this.pts[k - 1]!;
      const b = this.pts[k]!;
      if (ms < b.ms) return a.v + ((b.v - a.v) * (ms - a.ms)) / (b.ms - a.ms);
    }
    return 0;
  }

  activeAt(ms: number): number {
    return ms >= this.durationMs || ms < 0 ? 0 : Math.floor(this.targetAt(ms) + 1e-9);
  }

  /** Every activation interval, sorted by start time then VU. */
  activations(): Activation[] {
    const max = Math.max(0, ...this.pts.map((p) => Math.floor(p.v + 1e-9)));
    const out: Activation[] = [];
    for (let j = 0; j < max; j++) {
      const level = j + 1;
      let open: number | undefined;
      for (let k = 1; k < this.pts.length; k++) {
        const a = this.pts[k - 1]!;
        const b = this.pts[k]!;
        if (b.ms <= a.ms) continue;
        const aboveA = a.v + 1e-9 >= level;
        const aboveB = b.v + 1e-9 >= level;
        const cross = a.v === b.v ? a.ms : a.ms + ((level - a.v) / (b.v - a.v)) * (b.ms - a.ms);
        if (aboveA && open === undefined) open = a.ms;
        if (!aboveA && aboveB && open === undefined) open = cross;
        if (aboveA && !aboveB && open !== undefined) {
          out.push({ vu: j, startMs: open, stopMs: cross });
          open = undefined;
        }
      }
      if (open !== undefined && open < this.durationMs) out.push({ vu: j, startMs: open, stopMs: this.durationMs });
    }
    return out.sort((x, y) => x.startMs - y.startMs || x.vu - y.vu);
  }
}

/** Cursor over the activations of this segment; `index` is the VU number. */
export class VuCursor implements ArrivalCursor {
  index = -1;
  intendedMs = 0;
  stopMs = 0;
  private k = -1;
  private readonly list: Activation[];
  private readonly offsetMs: number;

  constructor(profile: VuProfile, opts: ScheduleOptions) {
    this.list = profile.activations().filter((a) => a.vu % opts.segment.count === opts.segment.index);
    this.offsetMs = opts.offsetMs ?? 0;
  }

  next(): boolean {
    const a = this.list[++this.k];
    if (a === undefined) return false;
    this.index = a.vu;
    this.intendedMs = this.offsetMs + a.startMs;
    this.stopMs = this.offsetMs + a.stopMs;
    return true;
  }
}
