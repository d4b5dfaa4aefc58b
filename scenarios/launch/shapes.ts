/**
 * Day shapes of the December 2020 launch, as relative rates by hour of day, and the 7 Dec
 * card-loading curve in absolute terms (requests per second at scale 1).
 *
 * The figures fix integrals and maxima, not the minute-by-minute shape, so the shapes are the
 * simplest ones that reproduce them: an Italian weekday diurnal curve; for 8 Dec the same with a
 * morning spike whose height is solved so peak / mean = 14,000 / 2,700; for 7 Dec a low
 * background plus two spikes, at 09:00 (6,000/s, narrow enough that the first twelve hours hold
 * 500,000 requests) and at 18:30 (8,000/s, wide enough that the day holds the stated total).
 *
 * @example
 * peakOverMean(DIURNAL) // ≈ 1.7
 */
import { type Curve, curve, integrate, rateAt, total } from './curve.ts';

export type Shape = readonly (readonly [number, number])[];

/** A weekday in Italy: quiet night, morning and evening peaks (relative units). */
export const DIURNAL: Shape = [
  [0, 0.35], [2, 0.15], [5, 0.1], [7, 0.5], [9, 1.3], [11, 1.5], [13, 1.4],
  [15, 1.2], [18, 1.5], [21, 1.6], [23, 0.8], [24, 0.35],
];

export function peakOverMean(s: Shape): number {
  const c = s.map(([h, r]) => [h * 3600, r] as const);
  const mean = total(c) / 86_400;
  return Math.max(...s.map(([, r]) => r)) / mean;
}

/** DIURNAL plus a triangular spike at `hour` (± halfWidthH) so that peak / mean = ratio. */
export function withSpike(base: Shape, hour: number, halfWidthH: number, ratio: number): Shape {
  const at = (h: number): number => rateAt(base.map(([x, r]) => [x * 3600, r] as const), h * 3600);
  const make = (height: number): Shape => {
    const pts = base.filter(([h]) => h < hour - halfWidthH || h > hour + halfWidthH).map(([h, r]) => [h, r] as const);
    pts.push([hour - halfWidthH, at(hour - halfWidthH)], [hour, at(hour) + height], [hour + halfWidthH, at(hour + halfWidthH)]);
    return pts.sort((a, b) => a[0] - b[0]);
  };
  let lo = 0;
  let hi = 1_000;
  for (let k = 0; k < 100; k++) {
    const mid = (lo + hi) / 2;
    if (peakOverMean(make(mid)) < ratio) lo = mid;
    else hi = mid;
  }
  return make((lo + hi) / 2);
}

export interface CardDayTargets {
  /** Card-loading requests in the first `firstHours` hours. */
  firstHoursTotal: number;
  firstHours: number;
  firstPeak: number;
  firstPeakHour: number;
  dayTotal: number;
  dayPeak: number;
  dayPeakHour: number;
  /** Share of the first hours' requests carried by the background (the rest is the spike). */
  backgroundShare: number;
}

const CARD_BACKGROUND: Shape = [[0, 0.02], [6, 0.05], [8, 0.4], [12, 0.6], [18, 0.8], [22, 0.5], [24, 0.1]];

/**
 * The 7 Dec card-loading curve (requests/s, scale 1) on `day`: background + two triangular
 * spikes whose half-widths are solved from the targets. Throws if the targets are inconsistent.
 */
export function cardDayCurve(day: number, t: CardDayTargets): Curve {
  const t0 = (day - 1) * 86_400;
  const bg = CARD_BACKGROUND.map(([h, r]) => [t0 + h * 3600, r] as const);
  const k = (t.firstHoursTotal * t.backgroundShare) / integrate(bg, t0, t0 + t.firstHours * 3600);
  const b = (h: number): number => k * rateAt(bg, t0 + h * 3600);
  const h1 = t.firstPeak - b(t.firstPeakHour);
  const w1 = (t.firstHoursTotal * (1 - t.backgroundShare)) / h1; // triangle area = height × half-width
  const h2 = t.dayPeak - b(t.dayPeakHour);
  const w2 = (t.dayTotal - k * total(bg) - h1 * w1) / h2;
  if (!(w1 > 0 && w2 > 0)) throw new RangeError('card day targets are inconsistent');
  const pts = new Map<number, number>();
  for (const [x, r] of bg) pts.set(x, k * r);
  const spike = (hour: number, height: number, w: number) => {
    const c = t0 + hour * 3600;
    for (const x of [...pts.keys()]) if (x > c - w && x < c + w) pts.delete(x);
    pts.set(c - w, b((c - w - t0) / 3600));
    pts.set(c, b(hour) + height);
    pts.set(c + w, b((c + w - t0) / 3600));
  };
  spike(t.firstPeakHour, h1, w1);
  spike(t.dayPeakHour, h2, w2);
  return curve([...pts.entries()].sort((x, y) => x[0] - y[0]));
}
