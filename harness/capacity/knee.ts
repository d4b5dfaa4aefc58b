/**
 * The knee: the highest offered rate at which a scenario still holds its SLOs. Search is
 * stepped (geometric, to find a failing rate quickly) then bisected between the last rate that
 * held and the first that did not, until the bracket is narrower than `tolerance`.
 * Every rate is run `repeats` times because one run cannot tell noise from signal: a rate
 * "holds" only when every repeat passes, "fails" when none does, and is "mixed" otherwise.
 * The noise band is the span from the knee to the lowest rate where no repeat passed: inside
 * it the verdict depends on luck, and a planner should not run there.
 * The measuring function is injected, so the search is a pure, testable policy.
 *
 * @example
 *   const r = await findKnee({ start: 100, max: 20000, repeats: 3, measure: (rate) => runOnce(rate) });
 *   r.knee; r.noiseBand; r.trials;
 */

export interface Trial {
  rate: number;
  repeat: number;
  pass: boolean;
  /** Run invalid: the generator fell behind, so the verdict says nothing about the target. */
  invalid?: boolean;
  /** Figures worth printing (achieved rate, p99, error ratio ...). */
  figures?: Record<string, number>;
}

export type Verdict = 'holds' | 'mixed' | 'fails' | 'invalid';

export interface RateResult {
  rate: number;
  verdict: Verdict;
  passes: number;
  repeats: number;
  /** Mean and coefficient of variation of each figure over the repeats. */
  figures: Record<string, { mean: number; cv: number }>;
}

export interface KneeOptions {
  start: number;
  max: number;
  /** Geometric step of the stepped phase (default 2). */
  factor?: number;
  repeats?: number;
  /** Stop bisecting when (fail − hold) / hold ≤ tolerance (default 0.05). */
  tolerance?: number;
  /** Upper bound on measured rates (each repeated), to bound wall time. Default 12. */
  maxRates?: number;
  measure(rate: number, repeat: number): Promise<Omit<Trial, 'rate' | 'repeat'>>;
  onResult?(r: RateResult): void;
}

export interface KneeResult {
  /** Highest rate where every repeat held, or null if even `start` did not hold. */
  knee: number | null;
  /** Lowest rate at which no repeat held (null: none found up to max). */
  firstFail: number | null;
  /** [knee, lowest failing or mixed-above-knee rate]: where verdicts depend on noise. */
  noiseBand: [number, number] | null;
  /** True when the search stopped at `max` with everything holding. */
  reachedMax: boolean;
  stoppedBy: 'converged' | 'max-rate' | 'max-rates' | 'invalid' | 'below-start';
  results: RateResult[];
  trials: Trial[];
}

/** Three significant digits: rates stay readable and a scale factor below 1 is not rounded to 0. */
export function nice(rate: number): number {
  return Number(rate.toPrecision(3));
}

function summarise(rate: number, trials: Trial[]): RateResult {
  // A valid repeat that failed is evidence about the target even when another repeat was invalid
  // (the generator fell behind, typically on a box the target shares): the scale does not hold.
  // Invalid is the verdict only when no valid repeat failed, i.e. when nothing was learned.
  const valid = trials.filter((t) => t.invalid !== true);
  const passes = valid.filter((t) => t.pass).length;
  const failedValid = valid.length - passes;
  const verdict: Verdict = failedValid > 0 ? (passes === 0 ? 'fails' : 'mixed') : valid.length < trials.length ? 'invalid' : 'holds';
  const keys = new Set(trials.flatMap((t) => Object.keys(t.figures ?? {})));
  const figures: RateResult['figures'] = {};
  for (const k of keys) {
    const vs = trials.map((t) => t.figures?.[k]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const mean = vs.reduce((a, v) => a + v, 0) / Math.max(1, vs.length);
    const sd = Math.sqrt(vs.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, vs.length - 1));
    figures[k] = { mean, cv: mean !== 0 && vs.length > 1 ? sd / Math.abs(mean) : 0 };
  }
  return { rate, verdict, passes, repeats: trials.length, figures };
}

export async function findKnee(o: KneeOptions): Promise<KneeResult> {
  const factor = o.factor ?? 2;
  const repeats = o.repeats ?? 3;
  const tolerance = o.tolerance ?? 0.05;
  const maxRates = o.maxRates ?? 12;
  if (!(o.start > 0 && o.max >= o.start && factor > 1 && repeats >= 1)) throw new RangeError('findKnee: need 0 < start ≤ max, factor > 1, repeats ≥ 1');
  const trials: Trial[] = [];
  const results: RateResult[] = [];
  const evaluate = async (rate: number): Promise<RateResult> => {
    const mine: Trial[] = [];
    for (let r = 0; r < repeats; r++) {
      const t: Trial = { rate, repeat: r, ...(await o.measure(rate, r)) };
      mine.push(t);
      trials.push(t);
      if (t.invalid === true) break;
    }
    const res = summarise(rate, mine);
    results.push(res);
    o.onResult?.(res);
    return res;
  };
  let hold: number | null = null;
  let fail: number | null = null;
  let stoppedBy: KneeResult['stoppedBy'] = 'converged';
  // Stepped phase.
  for (let rate = o.start; ; rate = Math.min(o.max, rate * factor)) {
    if (results.length >= maxRates) { stoppedBy = 'max-rates'; break; }
    const r = await evaluate(nice(rate));
    if (r.verdict === 'invalid') { stoppedBy = 'invalid'; break; }
    if (r.verdict === 'holds') hold = r.rate;
    else { fail = r.rate; break; }
    if (rate >= o.max) { stoppedBy = 'max-rate'; break; }
  }
  if (hold === null && fail !== null) stoppedBy = 'below-start';
  // Bisection phase.
  while (stoppedBy === 'converged' && hold !== null && fail !== null && (fail - hold) / hold > tolerance) {
    if (results.length >= maxRates) { stoppedBy = 'max-rates'; break; }
    const mid = nice((hold + fail) / 2);
    if (mid === hold || mid === fail) break;
    const r = await evaluate(mid);
    if (r.verdict === 'invalid') { stoppedBy = 'invalid'; break; }
    if (r.verdict === 'holds') hold = mid;
    else fail = mid;
  }
  const failing = results.filter((r) => r.verdict === 'fails').map((r) => r.rate);
  const firstFail = failing.length > 0 ? Math.min(...failing.filter((f) => hold === null || f > hold)) : null;
  const aboveKnee = results.filter((r) => r.verdict !== 'holds' && r.verdict !== 'invalid' && (hold === null || r.rate > hold)).map((r) => r.rate);
  const bandTop = aboveKnee.length > 0 ? Math.max(...results.filter((r) => r.verdict === 'mixed').map((r) => r.rate), Math.min(...aboveKnee)) : null;
  return {
    knee: hold,
    firstFail: firstFail !== null && Number.isFinite(firstFail) ? firstFail : null,
    noiseBand: hold !== null && bandTop !== null ? [hold, bandTop] : null,
    reachedMax: stoppedBy === 'max-rate' && fail === null,
    stoppedBy,
    results,
    trials,
  };
}
