/**
 * What one engine instance (a worker thread, or the main thread with `--workers 0`) is asked to
 * do: its share of the run's limits and its stripe of every schedule, for the run's own source.
 * Everything here is structured-clonable.
 */
import type { Segment } from '../executors/segment.ts';
import type { EngineLimits, WorkSource } from './run-config.ts';

export interface WorkSpec {
  worker: number;
  /** This instance's share of every schedule (the user's segment, sub-striped per worker). */
  segment: Segment;
  seed: number;
  /** This instance's share of the run's limits (in-flight cap, connections, warm-up divided). */
  limits: EngineLimits;
  /** Cut arrivals intended at or after this time (ms); Infinity for the whole schedule. */
  cutMs: number;
  source: WorkSource;
}

export interface DoneInfo {
  worker: number;
  /** Event-loop utilisation of this engine instance over the run (0..1). */
  elu: number;
  aborted: boolean;
  /** Warm-up requests this instance sent before the start (not in any figure). */
  warmup: number;
  /** The load thread's nice value during the run (Linux; see thread-priority.ts). */
  nice?: number;
}
