/**
 * ramping-arrival-rate (open model): the rate moves linearly from `startRate` through each
 * stage's `target` over its `durationS` (k6's stages). Arrival i is intended where the integral
 * of the rate reaches i, so a window holds exactly the area under the rate curve (rounded up at
 * its edges), never "one tick's worth" as a timer-driven loop would give.
 *
 * @example
 * rampingRate({ type: 'ramping-arrival-rate', startRate: 0, stages: [{ durationS: 60, target: 6000 }] }, opts);
 */
import type { ExecutorConfig } from '../scenario/types.ts';
import type { ArrivalCursor, ScheduleOptions } from './cursor.ts';
import { RateCursor, RateProfile } from './rate-profile.ts';

export type RampingRateConfig = Extract<ExecutorConfig, { type: 'ramping-arrival-rate' }>;

export function rampingRateProfile(cfg: RampingRateConfig): RateProfile {
  return new RateProfile(cfg.startRate, cfg.stages);
}

export function rampingRate(cfg: RampingRateConfig, opts: ScheduleOptions): ArrivalCursor {
  return new RateCursor(rampingRateProfile(cfg), cfg.arrivals === 'poisson', opts);
}
