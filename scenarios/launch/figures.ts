/**
 * The launch's calibration figures, computed from the model: a pure function, analytic
 * (integrals, maxima and interval unions), so `picco plan december-2020` shows them in
 * milliseconds and a test can hold every one against calibration.json.
 *
 * @example
 * launchFigures(launchModel(), 1)['ops_8dec'] // ≈ 233,280,000
 */
import { type LaunchModel, type StreamModel, DAY, dayStart, peakRate } from './model.ts';
import { integrate, total } from './curve.ts';
import { RangeSet, walked } from './range-set.ts';

function volume(s: StreamModel): number {
  return total(s.curve);
}

function walkedBy(s: StreamModel): RangeSet {
  return walked(s.citizens, Math.round(s.firstPosition), Math.round(volume(s)));
}

function sum(streams: readonly StreamModel[], f: (s: StreamModel) => number): number {
  return streams.reduce((acc, s) => acc + f(s), 0);
}

const outcome = (name: string) => (s: StreamModel) => volume(s) * (s.per.outcomes[name] ?? 0);

/** Figures keyed as in calibration.json, counts and rates multiplied by `scale`. */
export function launchFigures(m: LaunchModel, scale: number, preDecember: number): Record<string, number> {
  const days = (a: number, b: number) => m.streams.filter((s) => s.day >= a && s.day <= b);
  const d15 = days(1, 5);
  const d7 = days(7, 7);
  const d8 = days(8, 8);
  const t7 = dayStart(7);
  const first = 12 * 3600;
  const f: Record<string, number> = {
    downloads_1_5_dec: sum(d15.filter((s) => s.kind === 'onboarding'), volume),
    users_1_5_dec: RangeSet.unionSize(d15.map(walkedBy)),
    ops_peak_1_5_dec: peakRate(d15, 'requests', dayStart(1), dayStart(6)),
    instruments_new_1_5_dec: sum(d15, (s) => outcome('cards_added')(s) + outcome('pagobancomat_added')(s)),
    card_additions_7dec_first_hours: sum(d7, (s) => integrate(s.curve, t7, t7 + first) * s.per.cardLoads),
    card_additions_peak_7dec_first_hours: peakRate(d7, 'cardLoads', t7, t7 + first),
    card_loading_7dec: sum(d7, (s) => volume(s) * s.per.cardLoads),
    card_loading_peak_7dec: peakRate(d7, 'cardLoads', t7, t7 + DAY),
    downloads_by_7dec_evening: preDecember + sum(days(1, 7).filter((s) => s.kind === 'onboarding'), volume),
    users_with_payment_method_7dec_evening: RangeSet.unionSize([
      m.sets.A,
      ...days(1, 7).filter((s) => s.kind === 'add-card' || s.kind === 'join-cashback').map(walkedBy),
    ]),
    active_users_8dec: RangeSet.unionSize(d8.map(walkedBy)),
    ops_8dec: sum(d8, (s) => volume(s) * s.per.requests),
    ops_peak_8dec: peakRate(d8, 'requests', dayStart(8), dayStart(9)),
    ops_avg_8dec: sum(d8, (s) => volume(s) * s.per.requests) / DAY,
    enrolled_by_11dec: sum(m.streams, outcome('enrollments')),
    instruments_by_11dec: sum(m.streams, outcome('instruments_enabled')),
  };
  for (const k of Object.keys(f)) f[k] = f[k]! * scale;
  return f;
}
