/**
 * constant-vus (closed model, for compatibility with k6 scripts): `vus` users loop the journey
 * back to back for `durationS`. A closed model slows down with the target (coordinated
 * omission by construction); picco offers it for comparison, and reports each iteration's
 * latency from its own start.
 *
 * @example
 * constantVus({ type: 'constant-vus', vus: 10, durationS: 30 }, opts);
 */
import type { ExecutorConfig } from '../scenario/types.ts';
import type { ArrivalCursor, ScheduleOptions } from './cursor.ts';
import { VuCursor, VuProfile } from './vu-profile.ts';

export type ConstantVusConfig = Extract<ExecutorConfig, { type: 'constant-vus' }>;

export function constantVusProfile(cfg: ConstantVusConfig): VuProfile {
  return new VuProfile(cfg.vus, [{ durationS: cfg.durationS, target: cfg.vus }]);
}

export function constantVus(cfg: ConstantVusConfig, opts: ScheduleOptions): ArrivalCursor {
  return new VuCursor(constantVusProfile(cfg), opts);
}
