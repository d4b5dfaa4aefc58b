import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { constantRate } from '../../harness/executors/constant-rate.ts';
import { rampingRate } from '../../harness/executors/ramping-rate.ts';
import { collect, type ArrivalCursor, type ScheduleOptions } from '../../harness/executors/cursor.ts';
import { WHOLE, parseSegment } from '../../harness/executors/segment.ts';
import type { ExecutorConfig } from '../../harness/scenario/types.ts';

type RateConfig = Extract<ExecutorConfig, { type: 'constant-arrival-rate' | 'ramping-arrival-rate' }>;
const cursor = (cfg: RateConfig, opts: ScheduleOptions): ArrivalCursor =>
  cfg.type === 'constant-arrival-rate' ? constantRate(cfg, opts) : rampingRate(cfg, opts);

/** The union of segments 1/N .. N/N, sorted by arrival index, as [index, intendedMs] pairs. */
function union(cfg: RateConfig, n: number, seed: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = 1; k <= n; k++) {
    const c = collect(cursor(cfg, { seed, segment: parseSegment(`${k}/${n}`)! }));
    c.index.forEach((i, j) => out.push([i, c.ms[j]!]));
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function whole(cfg: RateConfig, seed: number): Array<[number, number]> {
  const c = collect(cursor(cfg, { seed, segment: WHOLE }));
  return c.index.map((i, j) => [i, c.ms[j]!]);
}

describe('segments K/N', () => {
  it('partition the 7 Dec ramp exactly: the union is the unsegmented schedule', () => {
    const cfg: RateConfig = { type: 'ramping-arrival-rate', startRate: 10, stages: [{ durationS: 20, target: 600 }, { durationS: 10, target: 600 }, { durationS: 10, target: 50 }], arrivals: 'poisson' };
    for (const n of [2, 3, 8]) expect(union(cfg, n, 42)).toEqual(whole(cfg, 42));
  });

  it('partition any arrival-rate schedule (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.boolean(),
        fc.array(fc.record({ durationS: fc.integer({ min: 1, max: 5 }), target: fc.integer({ min: 0, max: 200 }) }), { minLength: 1, maxLength: 3 }),
        (n, seed, poisson, stages) => {
          const cfg: RateConfig = { type: 'ramping-arrival-rate', startRate: 5, stages, arrivals: poisson ? 'poisson' : 'uniform' };
          const u = union(cfg, n, seed);
          expect(u).toEqual(whole(cfg, seed));
          expect(new Set(u.map((x) => x[0])).size).toBe(u.length); // disjoint
        },
      ),
      { numRuns: 60 },
    );
  });

  it('give every segment the same share of every second (the shape of the whole)', () => {
    const cfg: RateConfig = { type: 'constant-arrival-rate', rate: 100, durationS: 5 };
    for (let k = 1; k <= 4; k++) {
      const c = collect(cursor(cfg, { seed: 1, segment: parseSegment(`${k}/4`)! }));
      const perSecond = [0, 0, 0, 0, 0];
      for (const ms of c.ms) perSecond[Math.floor(ms / 1000)]!++;
      expect(perSecond).toEqual([25, 25, 25, 25, 25]);
    }
  });
});
