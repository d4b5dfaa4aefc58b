/**
 * One entry point from an ExecutorConfig to its cursor, plus the figures `picco plan` prints
 * (arrivals, duration, peak rate) computed without walking the schedule.
 *
 * @example
 * const c = createSchedule(stream.executor, { seed: 7, segment: parseSegment('1/2')! });
 */
import type { ExecutorConfig } from '../scenario/types.ts';
import type { ArrivalCursor, ScheduleOptions } from './cursor.ts';
import { constantRate, constantRateProfile } from './constant-rate.ts';
import { rampingRate, rampingRateProfile } from './ramping-rate.ts';
import { constantVus, constantVusProfile } from './constant-vus.ts';
import { rampingVus, rampingVusProfile } from './ramping-vus.ts';

export type { ArrivalCursor, ScheduleOptions } from './cursor.ts';
export { collect } from './cursor.ts';
export { parseSegment, subSegment, formatSegment, WHOLE, type Segment } from './segment.ts';

export function createSchedule(cfg: ExecutorConfig, opts: ScheduleOptions): ArrivalCursor {
  switch (cfg.type) {
    case 'constant-arrival-rate':
      return constantRate(cfg, opts);
    case 'ramping-arrival-rate':
      return rampingRate(cfg, opts);
    case 'constant-vus':
      return constantVus(cfg, opts);
    case 'ramping-vus':
      return rampingVus(cfg, opts);
  }
}

export function isOpenModel(cfg: ExecutorConfig): boolean {
  return cfg.type === 'constant-arrival-rate' || cfg.type === 'ramping-arrival-rate';
}

export interface ScheduleFacts {
  durationS: number;
  /** Arrivals (open model) or VU activations (closed model) in the whole schedule. */
  arrivals: number;
  /** Peak arrivals per second, or peak VUs. */
  peak: number;
  /** Integer count of arrivals intended in each whole second (open model only). */
  perSecond: number[];
}

export function scheduleFacts(cfg: ExecutorConfig): ScheduleFacts {
  if (cfg.type === 'constant-arrival-rate' || cfg.type === 'ramping-arrival-rate') {
    const p = cfg.type === 'constant-arrival-rate' ? constantRateProfile(cfg) : rampingRateProfile(cfg);
    const perSecond: number[] = [];
    const end = p.count();
    for (let s = 0; s * 1000 < p.durationMs; s++) {
      const a = Math.ceil(p.cumulativeAt(s * 1000) - 1e-9);
      const b = Math.min(Math.ceil(p.cumulativeAt(Math.min((s + 1) * 1000, p.durationMs)) - 1e-9), end);
      perSecond.push(b - a);
    }
    const rates = cfg.type === 'constant-arrival-rate' ? [cfg.rate] : [cfg.startRate, ...cfg.stages.map((s) => s.target)];
    return { durationS: p.durationMs / 1000, arrivals: end, peak: Math.max(0, ...rates), perSecond };
  }
  const p = cfg.type === 'constant-vus' ? constantVusProfile(cfg) : rampingVusProfile(cfg);
  const vus = cfg.type === 'constant-vus' ? [cfg.vus] : [cfg.startVus, ...cfg.stages.map((s) => s.target)];
  return { durationS: p.durationMs / 1000, arrivals: p.activations().length, peak: Math.max(0, ...vus), perSecond: [] };
}
