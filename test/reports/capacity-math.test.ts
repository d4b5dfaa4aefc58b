import { describe, expect, it } from 'vitest';
import { fitUsl, instancesFor, project, uslX, UslInputError } from '../../harness/capacity/usl.ts';
import { findKnee } from '../../harness/capacity/knee.ts';

const TRUE = { lambda: 1200, sigma: 0.04, kappa: 0.0005 };

function noisy(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
}

describe('USL fit', () => {
  it('recovers λ, σ and κ from exact measurements', () => {
    const pts = [1, 2, 4, 8, 16, 32].map((n) => ({ n, x: uslX(n, TRUE) }));
    const f = fitUsl(pts);
    expect(f.lambda).toBeCloseTo(1200, 0);
    expect(f.sigma).toBeCloseTo(0.04, 3);
    expect(f.kappa).toBeCloseTo(0.0005, 5);
    expect(f.r2).toBeGreaterThan(0.9999);
    expect(f.peakN).toBeCloseTo(Math.sqrt(0.96 / 0.0005), 1);
  });

  it('stays close on noisy, repeated measurements (±3 %)', () => {
    const r = noisy(7);
    const pts = [1, 1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8, 12, 12, 12].map((n) => ({ n, x: uslX(n, TRUE) * (1 + 0.06 * r()) }));
    const f = fitUsl(pts);
    expect(Math.abs(f.lambda - 1200) / 1200).toBeLessThan(0.05);
    expect(f.sigma).toBeGreaterThan(0.01);
    expect(f.sigma).toBeLessThan(0.08);
    expect(f.r2).toBeGreaterThan(0.98);
  });

  it('fits linear scaling with σ = κ = 0', () => {
    const f = fitUsl([1, 2, 3, 4].map((n) => ({ n, x: 500 * n })));
    expect(f.sigma).toBeLessThan(1e-3);
    expect(f.kappa).toBeLessThan(1e-6);
    expect(instancesFor(f, 8000)).toBe(16);
  });

  it('answers how many instances for a target, and null when the curve peaks below it', () => {
    expect(instancesFor(TRUE, 8000)).toBe(10);
    expect(uslX(9, TRUE)).toBeLessThan(8000);
    expect(uslX(10, TRUE)).toBeGreaterThanOrEqual(8000);
    expect(instancesFor(TRUE, 14000)).toBe(32);
    expect(instancesFor(TRUE, 15_000)).toBeNull(); // the curve peaks at ≈ 14.4k near N = 44
  });

  it('refuses fewer than three instance counts, naming what to measure', () => {
    expect(() => fitUsl([{ n: 1, x: 100 }, { n: 2, x: 190 }])).toThrow(UslInputError);
    expect(() => fitUsl([{ n: 1, x: 100 }, { n: 2, x: 190 }])).toThrow(/3 or more instance counts/);
    expect(() => fitUsl([{ n: 0, x: 1 }, { n: 2, x: 1 }, { n: 3, x: 1 }])).toThrow(/n ≥ 1/);
  });

  it('gives a bootstrap confidence band that contains the point answer and is deterministic', () => {
    const r = noisy(3);
    const pts = [1, 1, 2, 2, 4, 4, 6, 6, 8, 8].map((n) => ({ n, x: uslX(n, TRUE) * (1 + 0.08 * r()) }));
    const a = project(pts, [8000, 14000], { resamples: 200, seed: 1 });
    const b = project(pts, [8000, 14000], { resamples: 200, seed: 1 });
    expect(a).toEqual(b);
    const [cards] = a.projections;
    expect(cards!.instances).not.toBeNull();
    expect(cards!.p5!).toBeLessThanOrEqual(cards!.instances!);
    expect(cards!.p95 ?? Infinity).toBeGreaterThanOrEqual(cards!.instances!);
    expect(cards!.resamples).toBeGreaterThan(150);
  });
});

describe('knee search', () => {
  it('brackets a sharp knee within the tolerance by stepping then bisecting', async () => {
    const r = await findKnee({ start: 100, max: 100_000, repeats: 3, tolerance: 0.05, maxRates: 20, measure: async (rate) => ({ pass: rate <= 1730 }) });
    expect(r.knee).not.toBeNull();
    expect(r.knee!).toBeLessThanOrEqual(1730);
    expect(r.knee!).toBeGreaterThan(1730 * 0.95);
    expect(r.stoppedBy).toBe('converged');
    expect(r.results.slice(0, 5).map((x) => x.rate)).toEqual([100, 200, 400, 800, 1600]);
    expect(r.trials.length).toBe(r.results.length * 3);
  });

  it('treats a rate where repeats disagree as not holding, and reports the noise band', async () => {
    // Pass probability falls linearly from 1 at 1000 to 0 at 1400: a noisy knee.
    const r0 = noisy(11);
    const r = await findKnee({
      start: 250, max: 10_000, repeats: 3, tolerance: 0.02, maxRates: 20,
      measure: async (rate) => ({ pass: r0() + 0.5 > (rate - 1000) / 400, figures: { p99: rate / 10 } }),
    });
    expect(r.knee!).toBeGreaterThanOrEqual(1000 * 0.98 - 1);
    expect(r.knee!).toBeLessThan(1400);
    for (const x of r.results) if (x.verdict === 'holds') expect(x.passes).toBe(3);
    expect(r.noiseBand).not.toBeNull();
    expect(r.noiseBand![0]).toBe(r.knee);
    expect(r.noiseBand![1]).toBeGreaterThan(r.knee!);
    expect(r.results.find((x) => x.rate === 250)!.figures['p99']!.mean).toBe(25);
  });

  it('reports a knee below the start rate as none, and a target that holds everywhere as reaching max', async () => {
    const low = await findKnee({ start: 100, max: 1000, repeats: 2, measure: async () => ({ pass: false }) });
    expect(low.knee).toBeNull();
    expect(low.stoppedBy).toBe('below-start');
    const high = await findKnee({ start: 100, max: 1000, repeats: 2, measure: async () => ({ pass: true }) });
    expect(high.knee).toBe(1000);
    expect(high.reachedMax).toBe(true);
  });

  it('a valid repeat that failed makes the scale fail even when another repeat was invalid; the search goes on', async () => {
    // at 800+ the first repeat is a valid failure, the second an invalid run
    const r = await findKnee({ start: 100, max: 10_000, repeats: 2, tolerance: 0.1,
      measure: async (rate, repeat) => (rate < 600 ? { pass: true } : repeat === 0 ? { pass: false } : { pass: false, invalid: true }) });
    expect(r.results.find((x) => x.rate === 800)?.verdict).toBe('fails');
    expect(r.stoppedBy).toBe('converged');
    expect(r.knee).toBeGreaterThanOrEqual(550);
    expect(r.knee).toBeLessThan(600);
    // and a scale whose only valid repeats passed but one was invalid says nothing: invalid
    const s = await findKnee({ start: 100, max: 10_000, repeats: 2, measure: async (rate, repeat) => ({ pass: true, invalid: rate >= 800 && repeat === 1 }) });
    expect(s.results.find((x) => x.rate === 800)?.verdict).toBe('invalid');
    expect(s.stoppedBy).toBe('invalid');
  });

  it('stops when the generator itself cannot keep up (invalid run)', async () => {
    const r = await findKnee({ start: 100, max: 10_000, repeats: 2, measure: async (rate) => ({ pass: true, invalid: rate >= 800 }) });
    expect(r.stoppedBy).toBe('invalid');
    expect(r.knee).toBe(400);
  });
});

describe('capacity figures', () => {
  it('takes card additions/s over the burst, not diluted by the warm-up', async () => {
    const { figuresOf } = await import('../../harness/capacity/measure.ts');
    const { parseSummary, parseSecond } = await import('../../harness/report/run-data.ts');
    const p = { p50: 1, p90: 1, p95: 1, p99: 1, p999: 1, max: 1 };
    const summary = parseSummary({
      schemaVersion: 1, scenario: 'card-peak', durationS: 10, requests: { total: 700, ok: 700, failed: 0, dropped: 0 }, rate: { target: 60, achieved: 60 },
      latencyMs: p, serviceTimeMs: p, endpoints: { 'POST /v1/wallet/cc': { count: 600, ok: 600, failed: 0, status: { 200: 600 } } }, slo: [], pass: true, valid: true,
    });
    const series = Array.from({ length: 10 }, (_, t) => parseSecond(t < 4
      ? { t, completed: 25, endpoints: { 'POST /test-login': { count: 25, ok: 25, failed: 0 } } }
      : { t, completed: 100, endpoints: { 'POST /v1/wallet/cc': { count: 100, ok: 100, failed: 0 } } }));
    expect(figuresOf(summary, series)['cardAdditionsPerS']).toBe(100);
    expect(figuresOf(summary, series)['opsPerS']).toBe(100);
    expect(figuresOf(summary)['cardAdditionsPerS']).toBe(60);
  });
});

describe('USL input from a knee search', () => {
  it('adds the repeats that held at a bracketed knee, and nothing for a lower bound', async () => {
    const { kneeMeasurements } = await import('../../harness/capacity/index.ts');
    const bracketed = await findKnee({ start: 1, max: 64, repeats: 2, measure: async (rate) => ({ pass: rate <= 8, figures: { cardAdditionsPerS: rate * 10, opsPerS: rate * 20 } }) });
    const m = kneeMeasurements(bracketed, 2, 'test');
    expect(m).toEqual([
      { workers: 2, cardAdditionsPerS: 80, opsPerS: 160, source: 'test' },
      { workers: 2, cardAdditionsPerS: 80, opsPerS: 160, source: 'test' },
    ]);
    const capped = await findKnee({ start: 1, max: 64, repeats: 2, maxRates: 3, measure: async () => ({ pass: true, figures: { cardAdditionsPerS: 1, opsPerS: 1 } }) });
    expect(capped.knee).toBe(4);
    expect(kneeMeasurements(capped, 2, 'test')).toEqual([]);
  });
});

describe('USL edge cases', () => {
  it('puts the peak at one instance when adding instances only hurts', () => {
    const f = fitUsl([{ n: 1, x: 500 }, { n: 2, x: 300 }, { n: 3, x: 200 }, { n: 3, x: 210 }]);
    expect(f.peakN).toBe(1);
    expect(f.peakX).toBeCloseTo(f.lambda, 6);
    expect(instancesFor(f, 8000)).toBeNull();
  });
});
