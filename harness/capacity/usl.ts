import { PiccoError } from '../errors.ts';
/**
 * Universal Scalability Law (Gunther): throughput at N instances is
 *   X(N) = λN / (1 + σ(N−1) + κN(N−1))
 * λ the throughput of one instance, σ contention (the serial share), κ coherency (crosstalk).
 * The fit is least squares on X itself, not on a linearised form: for fixed (σ, κ) the best λ
 * has a closed form, so only a 2-D search over σ, κ ≥ 0 remains (log grid, then Nelder-Mead).
 * Minimising in X-space weights the large, expensive measurements the way a planner does;
 * the linearised fit would let the N=1 point dominate. Confidence comes from a seeded
 * bootstrap over the measurements: refit on resamples, report the spread of the answer.
 *
 * Input (documented in docs/capacity.md): measurements at 1..N instances (workers), several per N
 * welcome, e.g. [{ n: 1, x: 950 }, { n: 2, x: 1800 }, { n: 4, x: 3300 }].
 *
 * @example
 *   const fit = fitUsl([{ n: 1, x: 1000 }, { n: 2, x: 1900 }, { n: 4, x: 3400 }]);
 *   instancesFor(fit, 8000); // → smallest N with X(N) ≥ 8000, or null if the curve peaks lower
 */

export interface Point {
  n: number;
  x: number;
}

export interface UslFit {
  lambda: number;
  sigma: number;
  kappa: number;
  /** Coefficient of determination on X. */
  r2: number;
  rmse: number;
  points: number;
  /** N at which throughput peaks (Infinity when κ = 0). */
  peakN: number;
  peakX: number;
}

export class UslInputError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_USL_INPUT', message, options);
  }
}

export function uslX(n: number, p: { lambda: number; sigma: number; kappa: number }): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

function bestLambda(points: Point[], sigma: number, kappa: number): { lambda: number; sse: number } {
  let xg = 0;
  let gg = 0;
  for (const p of points) {
    const g = p.n / (1 + sigma * (p.n - 1) + kappa * p.n * (p.n - 1));
    xg += p.x * g;
    gg += g * g;
  }
  const lambda = gg > 0 ? xg / gg : 0;
  let sse = 0;
  for (const p of points) {
    const r = p.x - uslX(p.n, { lambda, sigma, kappa });
    sse += r * r;
  }
  return { lambda, sse };
}

function nelderMead(f: (v: [number, number]) => number, start: [number, number], scale: [number, number], iterations = 400): [number, number] {
  let simplex: Array<{ v: [number, number]; f: number }> = [
    start,
    [start[0] + scale[0], start[1]],
    [start[0], start[1] + scale[1]],
  ].map((v) => ({ v: v as [number, number], f: f(v as [number, number]) }));
  for (let i = 0; i < iterations; i++) {
    simplex.sort((a, b) => a.f - b.f);
    const [best, mid, worst] = simplex as [typeof simplex[0], typeof simplex[0], typeof simplex[0]];
    const c: [number, number] = [(best.v[0] + mid.v[0]) / 2, (best.v[1] + mid.v[1]) / 2];
    const at = (t: number): [number, number] => [c[0] + t * (worst.v[0] - c[0]), c[1] + t * (worst.v[1] - c[1])];
    const r = at(-1);
    const fr = f(r);
    if (fr < best.f) {
      const e = at(-2);
      const fe = f(e);
      simplex = [best, mid, fe < fr ? { v: e, f: fe } : { v: r, f: fr }];
    } else if (fr < mid.f) {
      simplex = [best, mid, { v: r, f: fr }];
    } else {
      const k = at(fr < worst.f ? -0.5 : 0.5);
      const fk = f(k);
      if (fk < Math.min(fr, worst.f)) simplex = [best, mid, { v: k, f: fk }];
      else {
        simplex = [best, ...[mid, worst].map((p) => {
          const v: [number, number] = [(p.v[0] + best.v[0]) / 2, (p.v[1] + best.v[1]) / 2];
          return { v, f: f(v) };
        })];
      }
    }
  }
  simplex.sort((a, b) => a.f - b.f);
  return simplex[0]!.v;
}

/** Least-squares USL fit; needs measurements at ≥ 3 distinct instance counts. */
export function fitUsl(points: Point[]): UslFit {
  const bad = points.filter((p) => !(Number.isFinite(p.n) && p.n >= 1 && Number.isFinite(p.x) && p.x >= 0));
  if (bad.length > 0) throw new UslInputError(`measurements need n ≥ 1 and x ≥ 0: ${JSON.stringify(bad[0])}`);
  const distinct = new Set(points.map((p) => p.n)).size;
  if (distinct < 3) throw new UslInputError(`a USL fit needs measurements at 3 or more instance counts, got ${distinct}: measure at 1, 2 and 4 workers at least`);
  const clamp = (v: [number, number]): [number, number] => [Math.min(1, Math.max(0, v[0])), Math.max(0, v[1])];
  const sse = (v: [number, number]) => bestLambda(points, ...clamp(v)).sse;
  let start: [number, number] = [0, 0];
  let bestSse = sse(start);
  for (const s of [0, 1e-4, 1e-3, 0.01, 0.03, 0.1, 0.2, 0.4, 0.7, 1]) {
    for (const k of [0, 1e-6, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1]) {
      const e = sse([s, k]);
      if (e < bestSse) { bestSse = e; start = [s, k]; }
    }
  }
  const [sigma, kappa] = clamp(nelderMead(sse, start, [Math.max(start[0] * 0.5, 0.01), Math.max(start[1] * 0.5, 1e-4)]));
  const { lambda, sse: residual } = bestLambda(points, sigma, kappa);
  const mean = points.reduce((a, p) => a + p.x, 0) / points.length;
  const tss = points.reduce((a, p) => a + (p.x - mean) ** 2, 0);
  // With σ = 1 (all serial) the curve is flat-to-falling from N = 1: the peak is one instance.
  const peakN = kappa > 0 ? Math.max(1, Math.sqrt((1 - sigma) / kappa)) : Infinity;
  const peakX = Number.isFinite(peakN) ? uslX(peakN, { lambda, sigma, kappa }) : Infinity;
  return { lambda, sigma, kappa, r2: tss > 0 ? 1 - residual / tss : 1, rmse: Math.sqrt(residual / points.length), points: points.length, peakN, peakX };
}

/** Smallest whole N with X(N) ≥ target, or null when the fitted curve peaks below it. */
export function instancesFor(fit: Pick<UslFit, 'lambda' | 'sigma' | 'kappa'>, target: number, limit = 100_000): number | null {
  for (let n = 1; n <= limit; n = n < 64 ? n + 1 : Math.ceil(n * 1.02)) {
    if (uslX(n, fit) >= target) {
      // walk back over the geometric steps to the exact smallest n
      let m = n;
      while (m > 1 && uslX(m - 1, fit) >= target) m--;
      return m;
    }
    if (fit.kappa > 0 && n > Math.sqrt((1 - fit.sigma) / fit.kappa) + 1) return null;
  }
  return null;
}

export interface Projection {
  target: number;
  /** From the fit on all measurements. */
  instances: number | null;
  /** Bootstrap percentiles of the instance count (null entries = unreachable in that share of resamples). */
  p5: number | null;
  p50: number | null;
  p95: number | null;
  /** Share of bootstrap resamples in which the target was unreachable. */
  unreachableShare: number;
  resamples: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Instances needed for each target, with a bootstrap (seeded, deterministic) confidence band. */
export function project(points: Point[], targets: number[], opts: { resamples?: number; seed?: number } = {}): { fit: UslFit; projections: Projection[] } {
  const fit = fitUsl(points);
  const B = opts.resamples ?? 300;
  const rand = rng(opts.seed ?? 42);
  const answers: Array<Array<number | null>> = targets.map(() => []);
  let used = 0;
  for (let b = 0; b < B; b++) {
    const sample = points.map(() => points[Math.floor(rand() * points.length)]!);
    if (new Set(sample.map((p) => p.n)).size < 3) continue;
    const f = fitUsl(sample);
    used++;
    targets.forEach((t, i) => answers[i]!.push(instancesFor(f, t)));
  }
  const projections = targets.map((target, i) => {
    // null (unreachable) sorts as +∞: a percentile that lands there is itself "unreachable".
    const a = answers[i]!.map((v) => (v === null ? Infinity : v)).sort((x, y) => x - y);
    const q = (p: number) => {
      if (a.length === 0) return null;
      const v = a[Math.min(a.length - 1, Math.floor(p * (a.length - 1) + 0.5))]!;
      return Number.isFinite(v) ? v : null;
    };
    return {
      target, instances: instancesFor(fit, target), p5: q(0.05), p50: q(0.5), p95: q(0.95),
      unreachableShare: a.length === 0 ? 0 : a.filter((v) => !Number.isFinite(v)).length / a.length, resamples: used,
    };
  });
  return { fit, projections };
}
