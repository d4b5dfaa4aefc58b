/**
 * The main thread's exact merge of per-second snapshots from every worker (or from several
 * runs' histograms.json, for `--segment` merges): counters add, HDR histograms add. A second is
 * final when every worker has reported it (or at the end of the run); finalized seconds keep only
 * encoded histograms, so memory stays small over long runs while windowed SLOs can still be
 * evaluated exactly afterwards (an endpoint's are encoded when first read: encodedWhenRead).
 *
 * This runs on the main thread, which shares the engine's core: a second's merge adds the
 * workers' sparse buckets (no per-value index arithmetic) and reads each series percentile in one
 * pass. At 5,000 requests a second over 12 endpoints that is 3 ms of CPU a second where the
 * endpoints' histograms are dropped (no windowed endpoint SLO), 8 ms where they are kept, against
 * 37 ms before (docs/benchmarks.md, ninth round).
 *
 * @example
 * const agg = new Aggregate(2); agg.add(snapFromWorker0); agg.add(snapFromWorker1); // second 0 final
 */
import { addSparse, encode, mergeSparse, newHistogram, percentileMs, percentilesAtMs, sparsePercentileMs, type Histogram, type Percentiles, type SparseHistogram } from './histogram.ts';
import { Recorder } from './recorder.ts';
import { addChecks, addCounters, addCounts, addEndpointCounts, copyCounters, type Counters, type EndpointCounts, type SecondSnapshot } from './snapshot.ts';
import type { DelayStatsMs, LoopSecond } from './loop-watch.ts';

/** One engine thread's event loop over one second. */
export type ThreadSecond = Omit<LoopSecond, 'runEventLoopDelayMs'>;

export interface EndpointTotals extends EndpointCounts {
  latency: Histogram;
  serviceTime: Histogram;
}

/** One finalized second: counters plus encoded histograms (kept for windows and histograms.json). */
export interface SecondRecord extends Counters {
  t: number;
  inFlight: number;
  status: Record<string, number>;
  checks: Record<string, { pass: number; fail: number }>;
  latency: string;
  serviceTime: string;
  lag: string;
  /**
   * Per request: scheduling lag + read delay (what the generator added), encoded like latency.
   * Absent in seconds rebuilt from files that predate them (merges of older runs).
   */
  genDelay?: string;
  readDelay?: string;
  /** Each engine thread's event loop over the second, by worker. */
  threads?: ThreadSecond[];
  endpoints: Record<string, { count: number; ok: number; failed: number; status: Record<string, number>; latency: string; serviceTime: string }>;
}

/** One line of series.jsonl (the contract other parts read). */
export interface SeriesLine extends Counters {
  t: number;
  inFlight: number;
  status: Record<string, number>;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number };
  serviceTimeMs: { p50: number; p90: number; p95: number; p99: number; max: number };
  endpoints: Record<string, { count: number; ok: number; failed: number; p99: number }>;
  lagMs: number;
  /**
   * The generator's own delay this second: `delayMs` per request (scheduling lag + read delay, the
   * part of its latency that was the engine's), `readDelayMs` per response (upper bound on the
   * time it sat readable before being recorded), and each engine thread's event loop.
   */
  generator: { delayMs: DelayStatsMs; readDelayMs: DelayStatsMs; threads: ThreadSecond[] };
}

interface Pending {
  reports: number;
  snap: SecondSnapshot;
  latency: Histogram;
  serviceTime: Histogram;
  lag: Histogram;
  genDelay: Histogram;
  readDelay: Histogram;
  threads: ThreadSecond[];
  /** Each endpoint's counts and the workers' sparse histograms of it (merged only when read). */
  endpoints: Map<string, PendingEndpoint>;
  /** The workers' snapshots of the second: their sparse histograms go into the run's totals as they are. */
  parts: SecondSnapshot[];
}

interface PendingEndpoint extends EndpointCounts {
  latency: SparseHistogram[];
  serviceTime: SparseHistogram[];
}

/**
 * Defines `target[key]` as the encoding of the histogram `parts` add up to, worked out when first
 * read. An endpoint's histograms of a second are read only by windowed endpoint SLOs and the
 * engine's /metrics; otherwise execute.ts drops them as the second is done, and encoding them
 * every second (two per endpoint) was most of what the merge still cost. Assigning a value (the
 * drop) forgets the parts. Returns `settle`, which encodes now what is still unread: the
 * Aggregate settles a second's records when it finalizes the next, so a run that keeps them (a
 * windowed endpoint SLO) holds encodings, as compact as before, not sparse buckets.
 */
function encodedWhenRead(target: object, key: 'latency' | 'serviceTime', parts: SparseHistogram[]): () => void {
  let value: string | undefined;
  let pending: SparseHistogram[] | undefined = parts;
  const read = (): string => {
    if (value === undefined) {
      const h = newHistogram();
      for (const sp of pending ?? []) addSparse(h, sp);
      value = encode(h);
      pending = undefined;
    }
    return value;
  };
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: read,
    set(v: string) {
      value = v;
      pending = undefined;
    },
  });
  return () => void read();
}

const maxMs = (h: Histogram): number => (h.totalCount === 0 ? 0 : Math.round(h.maxValue) / 1000);
/** A series line's percentiles: one pass over the histogram (percentilesAtMs). */
const short = (h: Histogram): Pick<Percentiles, 'p50' | 'p90' | 'p95' | 'p99' | 'max'> => {
  const [p50, p90, p95, p99] = percentilesAtMs(h, [50, 90, 95, 99]) as [number, number, number, number];
  return { p50, p90, p95, p99, max: maxMs(h) };
};
const delay = (h: Histogram): DelayStatsMs => {
  const [p50, p99] = percentilesAtMs(h, [50, 99]) as [number, number];
  return { p50, p99, max: maxMs(h) };
};

export class Aggregate implements Counters {
  readonly latency = newHistogram();
  readonly serviceTime = newHistogram();
  readonly lag = newHistogram();
  readonly genDelay = newHistogram();
  readonly readDelay = newHistogram();
  /** Each engine thread over the run so far: its event-loop delay, its GC pauses (sum, longest), by worker. */
  readonly threads = new Map<number, { eventLoopDelayMs: DelayStatsMs; gcMs: { total: number; max: number } }>();
  readonly endpoints = new Map<string, EndpointTotals>();
  readonly status: Record<string, number> = {};
  readonly failures: Record<string, number> = {};
  readonly checks: Record<string, { pass: number; fail: number }> = {};
  readonly outcomes: Record<string, number> = {};
  readonly seconds: SecondRecord[] = [];
  intended = 0;
  started = 0;
  completed = 0;
  ok = 0;
  failed = 0;
  dropped = 0;
  private readonly pending = new Map<number, Pending>();
  /** The last finalized second's endpoint encodings not yet worked out (encodedWhenRead). */
  private unsettled: (() => void)[] = [];

  constructor(private readonly workers: number) {}

  /** Adds one worker's second; returns the finalized series lines this completes (in order). */
  add(s: SecondSnapshot): SeriesLine[] {
    let p = this.pending.get(s.t);
    if (p === undefined) {
      p = {
        reports: 0,
        snap: { ...s, status: {}, failures: {}, checks: {}, outcomes: {}, endpoints: {}, intended: 0, started: 0, completed: 0, ok: 0, failed: 0, dropped: 0, inFlight: 0 },
        latency: newHistogram(),
        serviceTime: newHistogram(),
        lag: newHistogram(),
        genDelay: newHistogram(),
        readDelay: newHistogram(),
        threads: [],
        endpoints: new Map(),
        parts: [],
      };
      this.pending.set(s.t, p);
    }
    p.reports++;
    p.parts.push(s);
    const m = p.snap;
    addCounters(m, s);
    m.inFlight += s.inFlight;
    addCounts(m.status, s.status);
    addCounts(m.failures, s.failures);
    addChecks(m.checks, s.checks);
    addCounts(m.outcomes, s.outcomes);
    addSparse(p.latency, s.latency);
    addSparse(p.serviceTime, s.serviceTime);
    addSparse(p.lag, s.lag);
    // Older snapshots (histograms.json of earlier runs, tests) may lack the generator's figures.
    if (s.genDelay !== undefined) addSparse(p.genDelay, s.genDelay);
    if (s.readDelay !== undefined) addSparse(p.readDelay, s.readDelay);
    if (s.loop !== undefined) {
      const { runEventLoopDelayMs, ...second } = s.loop;
      p.threads.push(second);
      const run = this.threads.get(second.worker) ?? { eventLoopDelayMs: runEventLoopDelayMs, gcMs: { total: 0, max: 0 } };
      run.eventLoopDelayMs = runEventLoopDelayMs;
      run.gcMs.total = Math.round((run.gcMs.total + second.gcMs.total) * 1000) / 1000;
      run.gcMs.max = Math.max(run.gcMs.max, second.gcMs.max);
      this.threads.set(second.worker, run);
    }
    for (const [name, e] of Object.entries(s.endpoints)) {
      let pe = p.endpoints.get(name);
      if (pe === undefined) {
        pe = { count: 0, ok: 0, failed: 0, status: {}, latency: [], serviceTime: [] };
        p.endpoints.set(name, pe);
      }
      addEndpointCounts(pe, e);
      pe.latency.push(e.latency);
      pe.serviceTime.push(e.serviceTime);
    }
    if (p.reports >= this.workers) return this.flushUpTo(s.t);
    return [];
  }

  /** Finalizes every pending second (end of run). */
  flushAll(): SeriesLine[] {
    return this.flushUpTo(Number.POSITIVE_INFINITY, true);
  }

  private flushUpTo(t: number, all = false): SeriesLine[] {
    const out: SeriesLine[] = [];
    const keys = [...this.pending.keys()].sort((a, b) => a - b);
    for (const k of keys) {
      if (k > t) break;
      const p = this.pending.get(k)!;
      if (!all && p.reports < this.workers) break;
      this.pending.delete(k);
      out.push(this.finalize(p));
    }
    return out;
  }

  private finalize(p: Pending): SeriesLine {
    for (const settle of this.unsettled) settle();
    this.unsettled = [];
    const s = p.snap;
    addCounters(this, s);
    addCounts(this.status, s.status);
    addCounts(this.failures, s.failures);
    addChecks(this.checks, s.checks);
    addCounts(this.outcomes, s.outcomes);
    // The run's totals take the workers' non-zero buckets (a few hundred), not the second's
    // merged histogram: Histogram.add walks every bucket of it, and that was most of the main
    // thread's CPU each second, on the engine's core.
    for (const part of p.parts) {
      addSparse(this.latency, part.latency);
      addSparse(this.serviceTime, part.serviceTime);
      addSparse(this.lag, part.lag);
      if (part.genDelay !== undefined) addSparse(this.genDelay, part.genDelay);
      if (part.readDelay !== undefined) addSparse(this.readDelay, part.readDelay);
    }
    p.threads.sort((a, b) => a.worker - b.worker);
    const rec: SecondRecord = {
      t: s.t,
      ...copyCounters(s),
      inFlight: s.inFlight,
      status: s.status,
      checks: s.checks,
      latency: p.latency.totalCount > 0 ? encode(p.latency) : '',
      serviceTime: p.serviceTime.totalCount > 0 ? encode(p.serviceTime) : '',
      lag: p.lag.totalCount > 0 ? encode(p.lag) : '',
      genDelay: p.genDelay.totalCount > 0 ? encode(p.genDelay) : '',
      readDelay: p.readDelay.totalCount > 0 ? encode(p.readDelay) : '',
      threads: p.threads,
      endpoints: {},
    };
    const series: SeriesLine = {
      t: s.t,
      ...copyCounters(s),
      inFlight: s.inFlight,
      status: s.status,
      latencyMs: short(p.latency),
      serviceTimeMs: short(p.serviceTime),
      endpoints: {},
      lagMs: percentileMs(p.lag, 99),
      generator: { delayMs: delay(p.genDelay), readDelayMs: delay(p.readDelay), threads: p.threads },
    };
    for (const [name, pe] of p.endpoints) {
      let tot = this.endpoints.get(name);
      if (tot === undefined) {
        tot = { count: 0, ok: 0, failed: 0, status: {}, latency: newHistogram(), serviceTime: newHistogram() };
        this.endpoints.set(name, tot);
      }
      addEndpointCounts(tot, pe);
      for (const sp of pe.latency) addSparse(tot.latency, sp);
      for (const sp of pe.serviceTime) addSparse(tot.serviceTime, sp);
      const e = { count: pe.count, ok: pe.ok, failed: pe.failed, status: pe.status } as SecondRecord['endpoints'][string];
      this.unsettled.push(encodedWhenRead(e, 'latency', pe.latency), encodedWhenRead(e, 'serviceTime', pe.serviceTime));
      rec.endpoints[name] = e;
      series.endpoints[name] = { count: pe.count, ok: pe.ok, failed: pe.failed, p99: sparsePercentileMs(mergeSparse(pe.latency), 99) };
    }
    this.seconds.push(rec);
    return series;
  }
}

/**
 * Runs synthetic seconds through a scratch Recorder and Aggregate, so that the per-second merge,
 * encoding and percentile code is compiled before the clock starts. Cold, the first seconds'
 * merge costs tens of milliseconds of main-thread CPU, which on a shared core is taken from
 * the engine exactly when it is warming up itself. Returns nothing; the scratch state is dropped.
 */
export function warmAggregation(seconds = 12, perSecond = 2000): void {
  const rec = new Recorder();
  const agg = new Aggregate(1);
  const ep = rec.endpoint('warm');
  let x = 1;
  for (let t = 0; t < seconds; t++) {
    for (let k = 0; k < perSecond; k++) {
      x = (x * 16807) % 2147483647;
      const ms = (x % 500_000) / 1000;
      rec.intended++;
      rec.recordLag(ms / 100);
      rec.complete(ep, 200, true, undefined, ms, ms / 2);
    }
    agg.add(rec.snapshot(t, 0));
  }
  agg.flushAll();
}
