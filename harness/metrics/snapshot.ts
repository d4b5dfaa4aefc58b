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

export interface EndpointSnapshot {
  count: number;
  ok: number;
  failed: number;
  status: Record<string, number>;
  latency: SparseHistogram;
  serviceTime: SparseHistogram;
}

export interface SecondSnapshot {
  t: number;
  intended: number;
  started: number;
  completed: number;
  ok: number;
  failed: number;
  dropped: number;
  inFlight: number;
  status: Record<string, number>;
  failures: Record<string, number>;
  checks: Record<string, { pass: number; fail: number }>;
  outcomes: Record<string, number>;
  latency: SparseHistogram;
  serviceTime: SparseHistogram;
  lag: SparseHistogram;
  endpoints: Record<string, EndpointSnapshot>;
}
