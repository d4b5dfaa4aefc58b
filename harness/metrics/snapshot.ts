/**
 * What a worker sends the main thread once per second (and what the main thread merges): the
 * counters and the encoded histograms of one second of one worker. Histograms are recorded into
 * long-lived objects, encoded and reset at the second's end (the snapshot is swapped out, the
 * recording structures are reused), so the hot path allocates nothing per request.
 *
 * A request is attributed to the second in which it completed; an arrival to the second in
 * which it was released.
 */
export interface EndpointSnapshot {
  count: number;
  ok: number;
  failed: number;
  status: Record<string, number>;
  latency: string;
  serviceTime: string;
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
  latency: string;
  serviceTime: string;
  lag: string;
  endpoints: Record<string, EndpointSnapshot>;
}
