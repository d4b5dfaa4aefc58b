/**
 * The worker-side recorder for the current second. Endpoint stats objects are created once per
 * endpoint and handed to the caller, who keeps the reference (the fast path never looks a name
 * up per request). `snapshot()` encodes, resets and returns the second.
 *
 * A request's latency and service time are written once, into its endpoint's histograms (two HDR
 * writes, not four); the run-wide histograms and status counts of a second are the exact sum of
 * the endpoints', built once at the second's end.
 *
 * @example
 * const rec = new Recorder(); const ep = rec.endpoint('GET /info');
 * rec.complete(ep, 200, true, undefined, 12.1, 3.4);
 * post(rec.snapshot(0, inFlight));
 */
import { mergeSparse, newHistogram, toMicros, toSparse, type Histogram, type SparseHistogram } from './histogram.ts';
import { copyCounters, resetCounters, type Counters, type SecondSnapshot } from './snapshot.ts';
import type { LoopSecond } from './loop-watch.ts';

export class EndpointStats {
  count = 0;
  ok = 0;
  failed = 0;
  readonly status = new Map<number, number>();
  readonly latency: Histogram = newHistogram();
  readonly serviceTime: Histogram = newHistogram();
  constructor(readonly name: string) {}
}

function mapToRecord<K extends string | number>(m: Map<K, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of m) if (v !== 0) out[String(k)] = v;
  return out;
}

export class Recorder implements Counters {
  intended = 0;
  started = 0;
  completed = 0;
  ok = 0;
  failed = 0;
  dropped = 0;
  readonly failures = new Map<string, number>();
  readonly checks = new Map<string, { pass: number; fail: number }>();
  readonly outcomes = new Map<string, number>();
  readonly lag: Histogram = newHistogram();
  readonly genDelay: Histogram = newHistogram();
  readonly readDelay: Histogram = newHistogram();
  private readonly endpoints = new Map<string, EndpointStats>();

  endpoint(name: string): EndpointStats {
    let e = this.endpoints.get(name);
    if (e === undefined) {
      e = new EndpointStats(name);
      this.endpoints.set(name, e);
    }
    return e;
  }

  /**
   * One request finished (status 0 when it failed at the transport level). `readMs`: how long its
   * response can have sat readable before this call (LoopWatch.readDelay); `beforeMs`: the
   * generator's part of its latency before the response (how late the engine released it, and
   * for a request that waited for a connection, how much later than a prompt engine one came free;
   * 0 for a journey's later steps). Their sum is the generator's part of `latencyMs`.
   */
  complete(ep: EndpointStats, status: number, ok: boolean, failure: string | undefined, latencyMs: number, serviceMs: number, readMs = 0, beforeMs = 0): void {
    this.completed++;
    ep.count++;
    if (ok) {
      this.ok++;
      ep.ok++;
    } else {
      this.failed++;
      ep.failed++;
    }
    ep.status.set(status, (ep.status.get(status) ?? 0) + 1);
    if (failure !== undefined) this.failures.set(failure, (this.failures.get(failure) ?? 0) + 1);
    ep.latency.recordValue(toMicros(latencyMs));
    ep.serviceTime.recordValue(toMicros(serviceMs));
    this.readDelay.recordValue(toMicros(readMs));
    this.genDelay.recordValue(toMicros(readMs + beforeMs));
  }

  check(name: string, ok: boolean): void {
    let c = this.checks.get(name);
    if (c === undefined) {
      c = { pass: 0, fail: 0 };
      this.checks.set(name, c);
    }
    if (ok) c.pass++;
    else c.fail++;
  }

  count(outcome: string, n = 1): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + n);
  }

  recordLag(ms: number): void {
    this.lag.recordValue(toMicros(ms));
  }

  /** Reads out and resets the second; the recording structures are reused. `loop`: the thread's second. */
  snapshot(t: number, inFlight: number, loop?: LoopSecond): SecondSnapshot {
    const endpoints: SecondSnapshot['endpoints'] = {};
    const status: Record<string, number> = {};
    const latency: SparseHistogram[] = [];
    const serviceTime: SparseHistogram[] = [];
    for (const e of this.endpoints.values()) {
      if (e.count === 0) continue;
      const snap = {
        count: e.count,
        ok: e.ok,
        failed: e.failed,
        status: mapToRecord(e.status),
        latency: toSparse(e.latency),
        serviceTime: toSparse(e.serviceTime),
      };
      endpoints[e.name] = snap;
      for (const [k, v] of Object.entries(snap.status)) status[k] = (status[k] ?? 0) + v;
      latency.push(snap.latency);
      serviceTime.push(snap.serviceTime);
      e.count = e.ok = e.failed = 0;
      e.status.clear();
      e.latency.reset();
      e.serviceTime.reset();
    }
    const checks: SecondSnapshot['checks'] = {};
    for (const [k, v] of this.checks) checks[k] = { ...v };
    const snap: SecondSnapshot = {
      t,
      ...copyCounters(this),
      inFlight,
      status,
      failures: mapToRecord(this.failures),
      checks,
      outcomes: mapToRecord(this.outcomes),
      latency: mergeSparse(latency),
      serviceTime: mergeSparse(serviceTime),
      lag: toSparse(this.lag),
      genDelay: toSparse(this.genDelay),
      readDelay: toSparse(this.readDelay),
      endpoints,
    };
    if (loop !== undefined) snap.loop = loop;
    resetCounters(this);
    this.failures.clear();
    this.checks.clear();
    this.outcomes.clear();
    this.lag.reset();
    this.genDelay.reset();
    this.readDelay.reset();
    return snap;
  }
}
