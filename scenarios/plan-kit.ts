/**
 * Small helpers every scenario uses to turn "who does what, when" into engine streams:
 * the journey context, contiguous citizen ranges, constant-rate streams.
 *
 * Citizens are addressed by contiguous index ranges because population attributes are
 * equidistributed over any range (see population.ts): a stream that walks a range sees the
 * population's shares, and the plan can predict outcome counts from those shares.
 *
 * @example
 * const s = constantStream('add-card', addCard, ctx, { rate: 2, durationS: 10, range: { start: 0, n: 20 } });
 */
import type { Journey, ScenarioOptions, Stream } from '../harness/scenario/types.ts';
import { type JourneyContext, testPassword } from './journeys/app-client.ts';
import { clientProfile } from './journeys/client-profile.ts';
import { populationFor } from './population.ts';
import { ScenarioOptionError } from '../harness/scenario/option-error.ts';

export interface CitizenRange {
  start: number;
  n: number;
}

/**
 * The journeys' context for a run: its population, think times divided by --speed, the
 * `--client` profile. With `--closed` think times are real (a test script of the time did not
 * compress them) and nobody retries by hand.
 */
export function contextFor(o: ScenarioOptions, thinkDivisor = o.speed): JourneyContext {
  const closed = o.closedVus !== undefined;
  return {
    population: populationFor({ scale: o.scale, seed: o.seed }), speed: closed ? 1 : thinkDivisor, password: testPassword(),
    client: clientProfile(o.client), ...(closed ? { noRetries: true } : {}),
  };
}

/** Arrival k → range.start + ((offset + k) mod range.n). */
export function walk(range: CitizenRange, offset = 0): (k: number) => number {
  const n = Math.max(1, range.n);
  return (k) => range.start + ((offset + k) % n);
}

export function constantStream<P>(
  name: string,
  journey: Journey<P>,
  params: P,
  o: { rate: number; durationS: number; range: CitizenRange; startS?: number; offset?: number },
): Stream<P> {
  const s: Stream<P> = {
    name,
    journey,
    params,
    executor: { type: 'constant-arrival-rate', rate: o.rate, durationS: o.durationS },
    citizenOf: walk(o.range, o.offset ?? 0),
  };
  if (o.startS !== undefined) s.startS = o.startS;
  return s;
}

/** Arrivals a constant-rate stream produces (the engine's schedules are exact: rate × duration). */
export function arrivals(rate: number, durationS: number): number {
  return Math.floor(rate * durationS + 1e-9);
}

export function validateOptions(o: ScenarioOptions): void {
  const bad: string[] = [];
  if (!(o.scale > 0) || !Number.isFinite(o.scale)) bad.push(`--scale must be a positive number (got ${o.scale})`);
  if (!(o.speed > 0) || !Number.isFinite(o.speed)) bad.push(`--speed must be a positive number (got ${o.speed})`);
  if (o.durationS !== undefined && !(o.durationS > 0)) bad.push(`--duration must be positive (got ${o.durationS}s)`);
  if (!Number.isInteger(o.seed)) bad.push(`--seed must be an integer (got ${o.seed})`);
  if (bad.length) throw new ScenarioOptionError(bad.join('; '));
}
