/**
 * ramping-vus (closed model): the number of looping users follows the stages linearly; VU j is
 * active while the target is at least j + 1 (so the active count is floor(target)).
 *
 * @example
 * rampingVus({ type: 'ramping-vus', startVus: 0, stages: [{ durationS: 30, target: 50 }] }, opts);
 */
import type { ExecutorConfig } from '../scenario/types.ts';
import type { ArrivalCursor, ScheduleOptions } from './cursor.ts';
import { VuCursor, VuProfile } from './vu-profile.ts';

export type RampingVusConfig = Extract<ExecutorConfig, { type: 'ramping-vus' }>;

export function rampingVusProfile(cfg: RampingVusConfig): VuProfile {
  return new VuProfile(cfg.startVus, cfg.stages);
}

export function rampingVus(cfg: RampingVusConfig, opts: ScheduleOptions): ArrivalCursor {
  return new VuCursor(rampingVusProfile(cfg), opts);
}
