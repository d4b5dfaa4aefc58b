/**
 * Piecewise-linear rate curves: the shape of a day, in seconds since 1 Dec 2020 00:00 and
 * arrivals per second at scale 1. Everything the plan predicts is an integral or a maximum of
 * such curves, computed exactly (trapezoids), never by enumerating arrivals, so building the
 * 233 M-operation plan takes milliseconds. The same curves become the engine's
 * ramping-arrival-rate stages, whose schedules hold exactly the area under the curve.
 *
 * @example
 * const c = curve([[0, 0], [3600, 100]]);
 * integrate(c, 0, 3600); // 180_000
 */
import type { ExecutorConfig, Stage } from '../../harness/scenario/types.ts';

/** Breakpoints [t seconds, rate per second], t strictly increasing; zero outside. */
export type Curve = readonly (readonly [number, number])[];

export function curve(points: readonly (readonly [number, number])[]): Curve {
  for (let k = 1; k < points.length; k++) {
    if (!(points[k]![0] > points[k - 1]![0])) throw new RangeError(`curve times must increase (at ${k})`);
  }
  return points;
}

export function rateAt(c: Curve, t: number): number {
  if (c.length === 0 || t < c[0]![0] || t > c[c.length - 1]![0]) return 0;
  for (let k = 1; k < c.length; k++) {
    const [t1, r1] = c[k]!;
    if (t <= t1) {
      const [t0, r0] = c[k - 1]!;
      return r0 + ((r1 - r0) * (t - t0)) / (t1 - t0);
    }
  }
  return 0;
}

/** ∫ c over [a, b]. */
export function integrate(c: Curve, a: number, b: number): number {
  let sum = 0;
  for (let k = 1; k < c.length; k++) {
    const t0 = Math.max(a, c[k - 1]![0]);
    const t1 = Math.min(b, c[k]![0]);
    if (t1 <= t0) continue;
    sum += ((rateAt(c, t0) + rateAt(c, t1)) / 2) * (t1 - t0);
  }
  return sum;
}

export function total(c: Curve): number {
  return c.length < 2 ? 0 : integrate(c, c[0]![0], c[c.length - 1]![0]);
}

/** Multiplies rates by f. */
export function scaled(c: Curve, f: number): Curve {
  return c.map(([t, r]) => [t, r * f] as const);
}

/** The max over [a, b] of Σ weight·curve (attained at a breakpoint of one of them). */
export function peakOfSum(parts: readonly { c: Curve; w: number }[], a = -Infinity, b = Infinity): { t: number; rate: number } {
  const times = new Set<number>();
  for (const p of parts) for (const [t] of p.c) if (t >= a && t <= b) times.add(t);
  if (Number.isFinite(a)) times.add(a);
  if (Number.isFinite(b)) times.add(b);
  let best = { t: 0, rate: 0 };
  for (const t of times) {
    let r = 0;
    for (const p of parts) r += p.w * rateAt(p.c, t);
    if (r > best.rate) best = { t, rate: r };
  }
  return best;
}

/** A day's shape: points [hour of day, relative rate], scaled so the day's integral is `volume`. */
export function dayCurve(day: number, shape: readonly (readonly [number, number])[], volume: number): Curve {
  const t0 = (day - 1) * 86_400;
  const raw = shape.map(([h, r]) => [t0 + h * 3600, r] as const);
  const area = total(raw);
  return area > 0 ? scaled(raw, volume / area) : raw;
}

/** Concatenates curves on disjoint consecutive intervals (drops duplicate joint points, keeps the later). */
export function concat(parts: readonly Curve[]): Curve {
  const out: [number, number][] = [];
  for (const p of parts) {
    for (const [t, r] of p) {
      const last = out[out.length - 1];
      if (last && t <= last[0]) {
        if (t === last[0]) last[1] = Math.max(last[1], r);
        continue;
      }
      out.push([t, r]);
    }
  }
  return out;
}

/**
 * The curve as the engine runs it over the window [from, from + length) of launch time:
 * time compressed by `speed` (rates × speed), rates × scale. Returns undefined when the window
 * holds no arrivals.
 */
export function toExecutor(
  c: Curve,
  o: { scale: number; speed: number; from: number; length: number },
): { executor: ExecutorConfig; startS: number } | undefined {
  const a = o.from;
  const b = o.from + o.length;
  const pts: [number, number][] = [];
  const first = c[0]?.[0] ?? 0;
  const last = c[c.length - 1]?.[0] ?? 0;
  const lo = Math.max(a, first);
  const hi = Math.min(b, last);
  if (!(hi > lo)) return undefined;
  pts.push([lo, rateAt(c, lo)]);
  for (const [t, r] of c) if (t > lo && t < hi) pts.push([t, r]);
  pts.push([hi, rateAt(c, hi)]);
  const f = o.scale * o.speed;
  const stages: Stage[] = [];
  for (let k = 1; k < pts.length; k++) {
    stages.push({ durationS: (pts[k]![0] - pts[k - 1]![0]) / o.speed, target: pts[k]![1] * f });
  }
  if (integrate(c, lo, hi) * o.scale < 1e-9) return undefined;
  return {
    executor: { type: 'ramping-arrival-rate', startRate: pts[0]![1] * f, stages },
    startS: (lo - a) / o.speed,
  };
}
