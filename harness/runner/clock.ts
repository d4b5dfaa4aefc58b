/**
 * The run's clock: milliseconds since the run's agreed start, high resolution, the same origin
 * in every worker (each converts the shared wall-clock epoch through its own
 * `performance.timeOrigin`). Intended times and measurements use this one clock.
 *
 * @example
 * setEpoch(Date.now() + 200); // the run starts in 200 ms
 * now(); // ≈ -200
 */
import { performance } from 'node:perf_hooks';

let origin = performance.now();

/** Sets the run's start to a wall-clock epoch (ms). */
export function setEpoch(epochMs: number): void {
  origin = epochMs - performance.timeOrigin;
}

export function now(): number {
  return performance.now() - origin;
}
