/**
 * What a worker sends the main thread once per second (and what the main thread merges): the
 * counters and the encoded histograms of one second of one worker. Histograms are recorded into
 * long-lived objects, read out as non-zero buckets and reset at the second's end (the snapshot
 * is swapped out, the recording structures are reused), so the hot path allocates nothing per
 * request and the compressed encoding happens on the main thread.
 *
 * A request is attributed to the second in which it completed; an arrival to the second in
 * which it was released.
 */
import type { SparseHistogram } from './histogram.ts';
import type { LoopSecond } from './loop-watch.ts';

export interface EndpointSnapshot {
  count: number;
  ok: number;
  failed: number;
  status: Record<string, number>;
  latency: SparseHistogram;
  serviceTime: SparseHistogram;
}

/** The run's counters, the same six in a worker's second, a merged second and the run's totals. */
export interface Counters {
  intended: number;
  started: number;
  completed: number;
  ok: number;
  failed: number;
  dropped: number;
}

export const COUNTERS = ['intended', 'started', 'completed', 'ok', 'failed', 'dropped'] as const satisfies ReadonlyArray<keyof Counters>;

export function addCounters(into: Counters, from: Counters): void {
  for (const k of COUNTERS) into[k] += from[k];
}

export function copyCounters(from: Counters): Counters {
  return { intended: from.intended, started: from.started, completed: from.completed, ok: from.ok, failed: from.failed, dropped: from.dropped };
}

export function resetCounters(c: Counters): void {
  for (const k of COUNTERS) c[k] = 0;
}

/** Counts by key (statuses, failure kinds, outcomes) added into another. */
export function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const k of Object.keys(from)) into[k] = (into[k] ?? 0) + (from[k] ?? 0);
}

export function addChecks(into: Record<string, { pass: number; fail: number }>, from: Record<string, { pass: number; fail: number }>): void {
  for (const [k, v] of Object.entries(from)) {
    const c = (into[k] ??= { pass: 0, fail: 0 });
    c.pass += v.pass;
    c.fail += v.fail;
  }
}

/** An endpoint's counts (count, ok, failed, statuses) added into another's. */
export function addEndpointCounts(into: EndpointCounts, from: EndpointCounts): void {
  into.count += from.count;
  into.ok += from.ok;
  into.failed += from.failed;
  addCounts(into.status, from.status);
}

export interface EndpointCounts {
  count: number;
  ok: number;
  failed: number;
  status: Record<string, number>;
}

export interface SecondSnapshot extends Counters {
  t: number;
  inFlight: number;
  status: Record<string, number>;
  failures: Record<string, number>;
  checks: Record<string, { pass: number; fail: number }>;
  outcomes: Record<string, number>;
  latency: SparseHistogram;
  serviceTime: SparseHistogram;
  lag: SparseHistogram;
  /** Per completed request: what the generator added to its latency (scheduling lag + read delay), µs. */
  genDelay: SparseHistogram;
  /** Per completed response: upper bound on how long it sat readable before being recorded, µs. */
  readDelay: SparseHistogram;
  /** The engine thread's event loop over the second (absent from snapshots not made by an engine). */
  loop?: LoopSecond;
  endpoints: Record<string, EndpointSnapshot>;
}
