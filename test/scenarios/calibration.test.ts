import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getScenario, scenarioNames } from '../../scenarios/index.ts';
import { parseLaunchStart } from '../../scenarios/december-2020.ts';
import { curve, integrate, peakOfSum, toExecutor } from '../../scenarios/launch/curve.ts';
import { RangeSet, walked } from '../../scenarios/launch/range-set.ts';
import type { ExecutorConfig } from '../../harness/scenario/types.ts';
import { picco } from './run-picco.ts';

interface Figure {
  value: number;
  source: string;
  comparator?: 'atLeast';
}
const calibration = JSON.parse(readFileSync(new URL('../../scenarios/calibration.json', import.meta.url), 'utf8')) as {
  tolerance: number;
  figures: Record<string, Figure>;
};

/** Arrivals of an executor config (area under its rate curve). */
function executorArrivals(e: ExecutorConfig): number {
  if (e.type === 'constant-arrival-rate') return e.rate * e.durationS;
  if (e.type !== 'ramping-arrival-rate') return 0;
  let r = e.startRate;
  let n = 0;
  for (const s of e.stages) {
    n += ((r + s.target) / 2) * s.durationS;
    r = s.target;
  }
  return n;
}

describe('december-2020 calibration', () => {
  const plan = getScenario('december-2020')!.build({ scale: 1, speed: 1, seed: 1 });

  for (const [name, f] of Object.entries(calibration.figures)) {
    it(`reproduces ${name} = ${f.value} within ±${calibration.tolerance * 100} % (${f.source.split(';')[0]})`, () => {
      const got = plan.expected[`launch.${name}`];
      expect(got, `plan.expected['launch.${name}']`).toBeDefined();
      if (f.comparator === 'atLeast') expect(got!).toBeGreaterThanOrEqual(f.value);
      expect(Math.abs(got! - f.value) / f.value).toBeLessThanOrEqual(calibration.tolerance);
    });
  }

  it('`picco plan december-2020 --scale 1 --speed 1 --json` shows the same figures', async () => {
    const r = await picco(['plan', 'december-2020', '--scale', '1', '--speed', '1', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { expected: Record<string, number>; durationS: number };
    for (const name of Object.keys(calibration.figures)) expect(out.expected[`launch.${name}`]).toBe(plan.expected[`launch.${name}`]);
    expect(out.durationS).toBe(plan.durationS);
  }, 60_000);

  it('names a source for every figure', () => {
    for (const f of Object.values(calibration.figures)) expect(f.source.length).toBeGreaterThan(20);
  });

  it('builds the 233 M-operation plan analytically (stream schedules hold what the figures say)', () => {
    const arrivals = plan.streams.reduce((a, s) => a + executorArrivals(s.executor), 0);
    // preload is a whole number of citizens; the rest is the area under the curves
    expect(Math.abs(arrivals - plan.expected.arrivals! - plan.expected.preload_citizens!) / arrivals).toBeLessThan(1e-6);
    expect(plan.durationS).toBeGreaterThan(11 * 86_400);
  });

  it('multiplies citizens and rates by --scale and compresses time by --speed', () => {
    const small = getScenario('december-2020')!.build({ scale: 0.01, speed: 60, seed: 1 });
    expect(small.expected['launch.ops_8dec']).toBeCloseTo(plan.expected['launch.ops_8dec']! * 0.01, 0);
    expect(small.expected.enrollments! / plan.expected.enrollments!).toBeCloseTo(0.01, 3);
    expect(small.expected.peak_requests_per_s! / plan.expected.peak_requests_per_s!).toBeCloseTo(0.6, 3);
    const mainStreams = small.streams.filter((s) => s.name !== 'preload-wallets');
    const lastEnd = Math.max(...mainStreams.map((s) => (s.startS ?? 0)));
    expect(lastEnd).toBeLessThan((11 * 86_400) / 60 + 1_800);
  });
});

describe('windows and citizen identity', () => {
  it('parses launch starts', () => {
    expect(parseLaunchStart('7dec')).toBe(6 * 86_400);
    expect(parseLaunchStart('7dec18:30')).toBe(6 * 86_400 + 18.5 * 3600);
    expect(parseLaunchStart('+3600')).toBe(3600);
    expect(parseLaunchStart('12dec')).toBeUndefined();
    expect(getScenario('december-2020@7dec18:00')?.name).toBe('december-2020@7dec18:00');
    expect(getScenario('december-2020@tomorrow')).toBeUndefined();
    expect(scenarioNames()).toEqual(expect.arrayContaining(['smoke', 'december-2020', 'update-reenroll', 'card-peak']));
  });

  it('gives arrival k of a cut window the citizen the uncut run gives it', () => {
    const o = { scale: 0.01, speed: 1, seed: 1 };
    const full = getScenario('update-reenroll')!.build(o);
    const cut = getScenario('december-2020@7dec12:00')!.build({ ...o, durationS: 3600 });
    for (const name of ['update-reenroll.7dec', 'join-cashback.7dec', 'onboarding.7dec']) {
      const f = full.streams.find((s) => s.name === name)!;
      const c = cut.streams.find((s) => s.name === name)!;
      // arrivals of this stream between 7 Dec 00:00 and 12:00 in the full day
      const before = Math.ceil(executorArrivalsUntil(f.executor, 12 * 3600) - 1e-9);
      for (const k of [0, 1, 5, 40]) expect(c.citizenOf!(k)).toBe(f.citizenOf!(before + k));
    }
  });

  it('preloads the wallets that existed before the window, for exactly the citizens who need them', () => {
    const p = getScenario('update-reenroll')!.build({ scale: 0.01, speed: 60, seed: 1 });
    expect(p.streams[0]!.name).toBe('preload-wallets');
    // every 7 Dec updater had cards before: all of them preloaded
    expect(p.expected.preload_citizens).toBe(4_900);
    expect(p.expected.card_422_on_readd! / p.expected.preload_cards_added!).toBeCloseTo(1, 2);
    const fromStart = getScenario('december-2020')!.build({ scale: 0.01, speed: 60, seed: 1 });
    // from 1 Dec only the pre-December card holders need a preload; 1-6 Dec adders add in the run
    expect(fromStart.expected.preload_citizens).toBe(5_500);
  });

  it('cuts the run with --duration', () => {
    const p = getScenario('december-2020@7dec18:00')!.build({ scale: 0.01, speed: 1, seed: 1, durationS: 3600 });
    const main = p.streams.filter((s) => s.name !== 'preload-wallets');
    for (const s of main) expect(executorDuration(s.executor) + (s.startS ?? 0)).toBeLessThanOrEqual(p.durationS + 1e-6);
    // the 18:30 card-loading peak is inside: 8,000/s × 0.01
    expect(p.expected.card_loading_requests).toBeGreaterThan(80 * 400); // the 18:30 spike (8,000/s × 0.01, ±524 s) is inside
  });
});

describe('curves and ranges', () => {
  it('integrates and cuts piecewise-linear curves exactly', () => {
    const c = curve([[0, 0], [10, 10], [20, 0]]);
    expect(integrate(c, 0, 20)).toBe(100);
    expect(integrate(c, 5, 15)).toBe(75);
    const e = toExecutor(c, { scale: 2, speed: 5, from: 5, length: 10 })!;
    expect(executorArrivals(e.executor)).toBeCloseTo(75 * 2, 9);
    expect(peakOfSum([{ c, w: 3 }]).rate).toBe(30);
  });

  it('walks range sets by position and counts unions once', () => {
    const r = new RangeSet([{ start: 0, n: 10 }, { start: 100, n: 5 }]);
    expect(r.at(12)).toBe(102);
    expect(r.at(15)).toBe(0);
    expect(walked(r, 8, 4).ranges).toEqual([{ start: 8, n: 2 }, { start: 100, n: 2 }]);
    expect(RangeSet.unionSize([r, new RangeSet([{ start: 5, n: 10 }])])).toBe(20);
  });
});

function executorDuration(e: ExecutorConfig): number {
  if (e.type === 'constant-arrival-rate' || e.type === 'constant-vus') return e.durationS;
  return e.stages.reduce((a, s) => a + s.durationS, 0);
}

function executorArrivalsUntil(e: ExecutorConfig, untilS: number): number {
  if (e.type === 'constant-arrival-rate') return e.rate * Math.min(untilS, e.durationS);
  if (e.type !== 'ramping-arrival-rate') return 0;
  let r = e.startRate;
  let t = 0;
  let n = 0;
  for (const s of e.stages) {
    if (t >= untilS) break;
    const d = Math.min(s.durationS, untilS - t);
    const rEnd = r + ((s.target - r) * d) / s.durationS;
    n += ((r + rEnd) / 2) * d;
    t += s.durationS;
    r = s.target;
  }
  return n;
}
