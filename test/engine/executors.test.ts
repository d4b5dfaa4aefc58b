import { describe, expect, it } from 'vitest';
import { collect, createSchedule, parseSegment, scheduleFacts, subSegment, WHOLE } from '../../harness/executors/index.ts';
import type { ExecutorConfig } from '../../harness/scenario/types.ts';
import { VuProfile } from '../../harness/executors/vu-profile.ts';

function countIn(ms: number[], a: number, b: number): number {
  return ms.filter((t) => t >= a && t < b).length;
}

describe('arrival-rate executors', () => {
  const constant: ExecutorConfig = { type: 'constant-arrival-rate', rate: 137, durationS: 7 };

  it('puts exactly rate × window arrivals in every window of a constant stage (uniform)', () => {
    const { ms, index } = collect(createSchedule(constant, { seed: 1, segment: WHOLE }));
    expect(ms.length).toBe(137 * 7);
    expect(index).toEqual(ms.map((_, i) => i));
    for (let s = 0; s < 7; s++) expect(countIn(ms, s * 1000, (s + 1) * 1000)).toBe(137);
    expect(countIn(ms, 2000, 5000)).toBe(137 * 3);
    for (let k = 1; k < ms.length; k++) expect(ms[k]!).toBeGreaterThanOrEqual(ms[k - 1]!);
  });

  it('keeps exact per-second counts with seeded Poisson arrivals, deterministic per seed', () => {
    const cfg: ExecutorConfig = { type: 'constant-arrival-rate', rate: 500, durationS: 5, arrivals: 'poisson' };
    const a = collect(createSchedule(cfg, { seed: 9, segment: WHOLE })).ms;
    const b = collect(createSchedule(cfg, { seed: 9, segment: WHOLE })).ms;
    const c = collect(createSchedule(cfg, { seed: 10, segment: WHOLE })).ms;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBe(2500);
    for (let s = 0; s < 5; s++) expect(countIn(a, s * 1000, (s + 1) * 1000)).toBe(500);
    for (let k = 1; k < a.length; k++) expect(a[k]!).toBeGreaterThanOrEqual(a[k - 1]!);
    // Poisson gaps: coefficient of variation near 1 (uniform gaps would give 0).
    const gaps = a.slice(1).map((t, k) => t - a[k]!);
    const mean = gaps.reduce((x, y) => x + y, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((x, y) => x + (y - mean) ** 2, 0) / gaps.length);
    expect(sd / mean).toBeGreaterThan(0.8);
    expect(sd / mean).toBeLessThan(1.2);
  });

  it('puts the area under the ramp in each window of a ramping stage', () => {
    const cfg: ExecutorConfig = {
      type: 'ramping-arrival-rate',
      startRate: 0,
      stages: [{ durationS: 10, target: 100 }, { durationS: 5, target: 100 }, { durationS: 4, target: 20 }],
    };
    const { ms } = collect(createSchedule(cfg, { seed: 1, segment: WHOLE }));
    // 0→100 over 10 s: 500; flat 5 s: 500; 100→20 over 4 s: 240.
    expect(ms.length).toBe(1240);
    expect(countIn(ms, 0, 10_000)).toBe(500);
    expect(countIn(ms, 10_000, 15_000)).toBe(500);
    expect(countIn(ms, 15_000, 19_000)).toBe(240);
    // second s of the ramp holds (10s + 5) arrivals: N(s+1) - N(s) = 5(2s+1)
    for (let s = 0; s < 10; s++) expect(countIn(ms, s * 1000, (s + 1) * 1000)).toBe(10 * s + 5);
    expect(scheduleFacts(cfg).perSecond.slice(0, 10)).toEqual([5, 15, 25, 35, 45, 55, 65, 75, 85, 95]);
  });

  it('splits every schedule into segments whose union is the unsegmented schedule', () => {
    const cfgs: ExecutorConfig[] = [
      constant,
      { type: 'constant-arrival-rate', rate: 333, durationS: 3, arrivals: 'poisson' },
      { type: 'ramping-arrival-rate', startRate: 10, stages: [{ durationS: 4, target: 200 }, { durationS: 2, target: 0 }], arrivals: 'poisson' },
    ];
    for (const cfg of cfgs) {
      const whole = collect(createSchedule(cfg, { seed: 3, segment: WHOLE }));
      const parts = [1, 2, 3].map((k) => collect(createSchedule(cfg, { seed: 3, segment: parseSegment(`${k}/3`)! })));
      const union = parts.flatMap((p) => p.index.map((i, n) => [i, p.ms[n]!] as const)).sort((x, y) => x[0] - y[0]);
      expect(union.map((x) => x[0])).toEqual(whole.index);
      expect(union.map((x) => x[1])).toEqual(whole.ms);
      // disjoint and balanced
      for (const p of parts) expect(Math.abs(p.index.length - whole.index.length / 3)).toBeLessThanOrEqual(1);
      // workers inside a segment partition it again
      const seg = parseSegment('2/3')!;
      const w = [0, 1].map((k) => collect(createSchedule(cfg, { seed: 3, segment: subSegment(seg, k, 2) })).index);
      expect([...w[0]!, ...w[1]!].sort((x, y) => x - y)).toEqual(parts[1]!.index);
    }
  });

  it('rejects malformed segments', () => {
    expect(parseSegment('0/2')).toBeUndefined();
    expect(parseSegment('3/2')).toBeUndefined();
    expect(parseSegment('a/b')).toBeUndefined();
    expect(parseSegment('2/2')).toEqual({ index: 1, count: 2 });
  });
});

describe('VU executors', () => {
  it('keeps floor(target) VUs active through ramping stages', () => {
    const p = new VuProfile(0, [{ durationS: 10, target: 5 }, { durationS: 10, target: 5 }, { durationS: 5, target: 0 }]);
    const acts = p.activations();
    expect(acts.length).toBe(5);
    for (const t of [500, 2500, 4100, 9999, 12_000, 21_500, 24_900]) {
      const active = acts.filter((a) => a.startMs <= t && t < a.stopMs).length;
      expect(active).toBe(p.activeAt(t));
    }
    expect(p.activeAt(4100)).toBe(2);
  });

  it('runs constant-vus for the whole duration and stripes VUs across segments', () => {
    const cfg: ExecutorConfig = { type: 'constant-vus', vus: 7, durationS: 30 };
    const all = collect(createSchedule(cfg, { seed: 1, segment: WHOLE }));
    expect(all.index).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const a = collect(createSchedule(cfg, { seed: 1, segment: parseSegment('1/2')! })).index;
    const b = collect(createSchedule(cfg, { seed: 1, segment: parseSegment('2/2')! })).index;
    expect([...a, ...b].sort()).toEqual(all.index);
  });
});
