/**
 * What one engine instance (a worker thread, or the main thread with `--workers 0`) is asked to
 * do. Everything here is structured-clonable: a worker rebuilds its scenario plan from the
 * reference and options (plans hold functions), which is deterministic, so every worker sees the
 * same schedule and takes only its own stripe of it.
 */
import type { ExecutorConfig, ScenarioOptions, Targets } from '../scenario/types.ts';
import type { Segment } from '../executors/segment.ts';

export interface UrlWork {
  kind: 'url';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  executor: ExecutorConfig;
}

export interface ScenarioWork {
  kind: 'scenario';
  /** A registered scenario name or a path to a .ts file exporting a default Scenario. */
  ref: string;
  options: ScenarioOptions;
  targets: Targets;
}

export interface WorkSpec {
  worker: number;
  /** This instance's share of every schedule (the user's segment, sub-striped per worker). */
  segment: Segment;
  seed: number;
  /** In-flight cap for this instance (the run's cap divided among workers). */
  inFlightCap: number;
  connections: number;
  pipelining: number;
  timeoutMs: number;
  /** Cut arrivals intended at or after this time (ms); Infinity for the whole schedule. */
  cutMs: number;
  /**
   * Wake-up granularity, ms: when the next arrival is due sooner than this, the loop yields with
   * setImmediate; otherwise it sleeps at least this long and releases everything due in one batch.
   */
  batchMs: number;
  /** Unrecorded requests sent before the clock starts to open connections (ad hoc URL runs only). */
  warmup: number;
  work: UrlWork | ScenarioWork;
}

export interface DoneInfo {
  worker: number;
  /** Event-loop utilisation of this engine instance over the run (0..1). */
  elu: number;
  aborted: boolean;
  /** Warm-up requests this instance sent before the start (not in any figure). */
  warmup: number;
}
