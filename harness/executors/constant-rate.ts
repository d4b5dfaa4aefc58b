/**
 * constant-arrival-rate (open model): `rate` arrivals per second for `durationS`, whatever the
 * target does. Arrival i is intended at i / rate seconds (uniform) or, with `arrivals: 'poisson'`,
 * at a seeded position inside the same second; either way every whole second holds exactly
 * `rate` arrivals (when rate is an integer), so the schedule is a fact the test can check.
 *
 * @example
 * const c = constantRate({ type: 'constant-arrival-rate', rate: 8000, durationS: 30 }, { seed: 1, segment: WHOLE });
 */
import type { ExecutorConfig } from '../scenario/types.ts';
import type { ArrivalCursor, ScheduleOptions } from './cursor.ts';
import { RateCursor, RateProfile } from './rate-profile.ts';

export type ConstantRateConfig = Extract<ExecutorConfig, { type: 'constant-arrival-rate' }>;

export function constantRateProfile(cfg: ConstantRateConfig): RateProfile {
  return new RateProfile(cfg.rate, [{ durationS: cfg.durationS, target: cfg.rate }]);
}

export function constantRate(cfg: ConstantRateConfig, opts: ScheduleOptions): ArrivalCursor {
  return new RateCursor(constantRateProfile(cfg), cfg.arrivals === 'poisson', opts);
}
