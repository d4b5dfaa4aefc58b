/**
 * Scale and speed for a scenario run: the flags when given, else the scenario's own rehearsal
 * defaults (`Scenario.defaults`), else real size in real time (1, 1). `picco run` and `picco plan`
 * resolve them the same way, so the plan shows the run that will happen.
 *
 * @example
 * resolveScaleSpeed(december2020, undefined, undefined); // { scale: 0.0001, speed: 3600, defaulted: true }
 */
import type { Scenario } from './types.ts';

export interface ScaleSpeed {
  scale: number;
  speed: number;
  /** True when at least one of the two came from the scenario's defaults. */
  defaulted: boolean;
}

export function resolveScaleSpeed(s: Scenario | undefined, scale: number | undefined, speed: number | undefined): ScaleSpeed {
  const d = s?.defaults ?? {};
  const defaulted = (scale === undefined && d.scale !== undefined) || (speed === undefined && d.speed !== undefined);
  return { scale: scale ?? d.scale ?? 1, speed: speed ?? d.speed ?? 1, defaulted };
}

/** The stderr line that says a run uses the scenario's defaults and how to get the real size. */
export function defaultsNote(name: string, r: ScaleSpeed): string {
  return `${name}: rehearsal defaults --scale ${r.scale} --speed ${r.speed} (give --scale 1 --speed 1 for the real size in real time)`;
}
