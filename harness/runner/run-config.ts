/**
 * One run's configuration, validated once at the edge (the CLI's flag parsing, or a program
 * using the engine) and taken whole by the runner: there is no second shape of it. What a worker
 * thread needs travels as a `WorkSpec` (work.ts): its share of the same limits and the same
 * source, both structured-clonable (a scenario travels as its module reference and options, so
 * each worker builds its own share of the plan).
 *
 * Validity (exit 98): the run describes the generator, not the target, when the scheduling lag
 * p99 exceeds `maxLagP99Ms` or more than `maxDroppedRatio` of the arrivals were dropped.
 *
 * @example
 * const cfg: RunConfig = { runId, outDir, quiet: true, workers: 1, segment: WHOLE, seed: 1,
 *   limits: { inFlightCap: 10_000, connections: 64, pipelining: 1, timeoutMs: 16_000, batchMs: 1, warmup: 200 },
 *   maxLagP99Ms: 25, maxDroppedRatio: 0.01, slos: [], hooks: [], source };
 */
import type { ExecutorConfig, ScenarioOptions, Targets } from '../scenario/types.ts';
import type { ScenarioRef } from '../scenario/module.ts';
import type { Segment } from '../executors/segment.ts';
import type { Slo } from '../slo/parse.ts';
import type { RunHooks } from './hooks.ts';
import type { StartInstant } from '../clock/start-gate.ts';

/** How hard one engine may push; a run's limits are divided among its workers. */
export interface EngineLimits {
  /** Arrivals in flight beyond this are dropped (counted), never queued. */
  inFlightCap: number;
  connections: number;
  pipelining: number;
  timeoutMs: number;
  /**
   * Wake-up granularity, ms: when the next arrival is due sooner than this, the loop yields with
   * setImmediate; otherwise it sleeps at least this long and releases everything due in one batch.
   */
  batchMs: number;
  /** Unrecorded requests sent before the clock starts to open connections (--url runs only). */
  warmup: number;
}

/** `picco run --url`: one request template at an arrival rate. */
export interface UrlSource {
  kind: 'url';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  executor: ExecutorConfig;
}

/** A scenario: its module, its options and where each of its origins lives. */
export interface ScenarioSource {
  kind: 'scenario';
  ref: ScenarioRef;
  options: ScenarioOptions;
  targets: Targets;
}

export type WorkSource = UrlSource | ScenarioSource;

export interface RunConfig {
  runId: string;
  outDir: string;
  quiet: boolean;
  /** Worker threads; 0 runs the engine on the main thread (tests). */
  workers: number;
  segment: Segment;
  seed: number;
  limits: EngineLimits;
  maxLagP99Ms: number;
  maxDroppedRatio: number;
  /** The SLOs judged: --slo's, else the scenario's own. */
  slos: Slo[];
  metricsPort?: number;
  hooks: RunHooks[];
  source: WorkSource;
  /**
   * --start-at: t = 0 is this wall-clock instant (the same for every segment); a process later
   * than `maxLagP99Ms` refuses to start. Undefined: t = 0 is when this process is ready.
   */
  startAt?: StartInstant;
  /**
   * Measure this machine's clock offset before the start (summary.json `start`): against `ref`
   * (ntp://HOST[:PORT] or an http(s) URL, --clock-ref), else against the target's Date header.
   * Undefined: not measured.
   */
  clock?: { ref?: string };
}
