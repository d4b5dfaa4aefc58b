/**
 * summary.json (schemaVersion 1): the run's verdict and figures, the contract reports, `picco
 * report --merge` and CI read. Fields follow DESIGN.md plus checks, outcomes, expected,
 * failures, generator and config. `latencyMs` is from the intended start, `serviceTimeMs` from
 * the actual send; `valid: false` means the generator could not keep up (exit 98) and
 * `invalidReasons` says why. `start` (additive) says when t = 0 was on this machine's wall clock,
 * how that clock stood against a reference, and how late the first second went out: what
 * `picco report --merge` aligns segments by and measures their skew with.
 *
 * @example
 * writeFileSync(join(out, 'summary.json'), JSON.stringify(buildSummary(input), null, 2));
 */
import type { Aggregate } from '../metrics/aggregate.ts';
import { decode, percentilesMs, type Percentiles } from '../metrics/histogram.ts';
import type { SloResult } from '../slo/evaluate.ts';
import type { DelayStatsMs } from '../metrics/loop-watch.ts';
import type { GeneratorVerdict, LateSecond } from '../metrics/generator-delay.ts';

type P = Omit<Percentiles, 'mean' | 'min'> & { mean: number };

/** When this run's t = 0 was, and how far it can be trusted across machines. */
export interface StartRecord {
  /** 'start-at': the instant given with --start-at; 'ready': when this process was ready. */
  mode: 'start-at' | 'ready';
  /** t = 0 on this machine's wall clock (ISO, ms). */
  intendedAt: string;
  /** --start-at as given, when given. */
  startAt?: string;
  /** Reference clock minus this clock, ms (+: this clock is behind); null: not measured. */
  clockOffsetMs: number | null;
  /** Half-width of the interval the offset is known to lie in, ms. */
  clockOffsetUncertaintyMs: number | null;
  /** What the offset was measured against (`http-date URL`, `ntp://HOST:PORT`); null: nothing. */
  clockRef: string | null;
  /** Release lag at t = 0: the largest scheduling lag of the first second that released arrivals, ms. */
  releaseLagMs: number | null;
  /** How long this process, ready, waited for the instant, ms. */
  waitedMs: number;
}

export interface Summary {
  schemaVersion: 1;
  runId: string;
  scenario: string;
  target: string;
  startedAt: string;
  endedAt: string;
  durationS: number;
  requests: { total: number; ok: number; failed: number; dropped: number; intended: number; started: number };
  rate: { target: number; achieved: number; requests: number };
  latencyMs: P;
  serviceTimeMs: P;
  endpoints: Record<string, { count: number; ok: number; failed: number; status: Record<string, number>; latencyMs: P; serviceTimeMs: P }>;
  status: Record<string, number>;
  slo: SloResult[];
  pass: boolean;
  valid: boolean;
  invalidReasons: string[];
  aborted: boolean;
  checks: Record<string, { pass: number; fail: number }>;
  outcomes: Record<string, number>;
  expected: Record<string, number>;
  failures: Record<string, number>;
  generator: {
    lagP99Ms: number;
    lagMaxMs: number;
    droppedRatio: number;
    /** Event-loop utilisation of each engine worker over the run (0..1): near 1 means saturated. */
    cpu: number[];
    workers: number;
    /** Unrecorded warm-up requests sent before the clock started (ad hoc URL runs). */
    warmup: number;
    /** CPU time of the engine process (all threads) during the run, and per completed request. */
    cpuMs: { user: number; system: number };
    cpuUsPerRequest: number;
    bounds: { maxLagP99Ms: number; maxDroppedRatio: number };
    /**
     * Per request, what the generator added to its latency: scheduling lag + read delay (an upper
     * bound on how long its response sat readable before the engine recorded it), ms.
     */
    delayMs: P;
    readDelayMs: P;
    /**
     * Each engine thread over the run: utilisation, event-loop delay, GC pauses (sum, longest),
     * and on Linux its nice value (-5 where the engine could raise it, thread-priority.ts).
     */
    threads: Array<{ worker: number; utilisation: number; eventLoopDelayMs: DelayStatsMs; gcMs: { total: number; max: number }; nice?: number }>;
    /**
     * The per-second judgement (`--max-lag` at the percentile an SLO judges): the worst second's
     * generator delay and every second over the bound, each with its likely cause.
     */
    perSecond: { percentile: number; maxMs: number; worstMs: number; worstSecond: number | null; lateSeconds: LateSecond[] };
  };
  config: Record<string, unknown>;
  start?: StartRecord;
  /** The second that started the most requests: how the target held the peak (scenario bursts). */
  busiestSecond?: { t: number; intended: number; started: number; ok: number; failed: number; dropped: number; latencyP99Ms: number; serviceTimeP99Ms: number };
}

function p(h: Parameters<typeof percentilesMs>[0]): P {
  const x = percentilesMs(h);
  return { p50: x.p50, p90: x.p90, p95: x.p95, p99: x.p99, p999: x.p999, max: x.max, mean: x.mean };
}

export interface SummaryInput {
  runId: string;
  scenario: string;
  target: string;
  startedAt: Date;
  endedAt: Date;
  /** The schedule's length (rates are per second of schedule). */
  scheduleS: number;
  /** Planned arrivals (the whole schedule, or this segment's share). */
  plannedArrivals: number;
  agg: Aggregate;
  slo: SloResult[];
  valid: boolean;
  invalidReasons: string[];
  aborted: boolean;
  expected: Record<string, number>;
  cpu: number[];
  /** Each load thread's nice value during the run, where the platform has one per thread. */
  nice?: (number | undefined)[];
  warmup: number;
  cpuMs: { user: number; system: number };
  bounds: { maxLagP99Ms: number; maxDroppedRatio: number };
  /** The per-second generator-delay judgement (judgeGeneratorDelay); none: nothing judged. */
  verdict?: GeneratorVerdict;
  config: Record<string, unknown>;
  /** The start record, without releaseLagMs (read here from the first second's lag). */
  start?: Omit<StartRecord, 'releaseLagMs'>;
}

/** The largest scheduling lag of the first second that released anything, ms; null: none. */
export function releaseLagAtStart(agg: Aggregate): number | null {
  const first = agg.seconds.find((s) => s.lag !== '');
  if (first === undefined) return null;
  const h = decode(first.lag);
  return h.totalCount === 0 ? null : Math.round(h.maxValue / 10) / 100;
}

export function buildSummary(i: SummaryInput): Summary {
  const a = i.agg;
  const endpoints: Summary['endpoints'] = {};
  for (const [name, e] of [...a.endpoints].sort((x, y) => x[0].localeCompare(y[0]))) {
    endpoints[name] = { count: e.count, ok: e.ok, failed: e.failed, status: e.status, latencyMs: p(e.latency), serviceTimeMs: p(e.serviceTime) };
  }
  const sched = Math.max(i.scheduleS, 1e-9);
  const lag = percentilesMs(a.lag);
  const pass = i.slo.every((s) => s.pass) && !i.aborted;
  return {
    schemaVersion: 1,
    runId: i.runId,
    scenario: i.scenario,
    target: i.target,
    startedAt: i.startedAt.toISOString(),
    endedAt: i.endedAt.toISOString(),
    durationS: Math.round((i.endedAt.getTime() - i.startedAt.getTime()) / 10) / 100,
    requests: { total: a.completed, ok: a.ok, failed: a.failed, dropped: a.dropped, intended: a.intended, started: a.started },
    rate: {
      target: Math.round((i.plannedArrivals / sched) * 100) / 100,
      achieved: Math.round(((a.intended - a.dropped) / sched) * 100) / 100,
      requests: Math.round((a.completed / sched) * 100) / 100,
    },
    latencyMs: p(a.latency),
    serviceTimeMs: p(a.serviceTime),
    endpoints,
    status: a.status,
    slo: i.slo,
    pass,
    valid: i.valid,
    invalidReasons: i.invalidReasons,
    aborted: i.aborted,
    checks: a.checks,
    outcomes: a.outcomes,
    expected: i.expected,
    failures: a.failures,
    generator: {
      lagP99Ms: lag.p99,
      lagMaxMs: lag.max,
      droppedRatio: a.intended === 0 ? 0 : Math.round((a.dropped / a.intended) * 1e6) / 1e6,
      cpu: i.cpu.map((c) => Math.round(c * 1000) / 1000),
      workers: i.cpu.length,
      warmup: i.warmup,
      cpuMs: { user: Math.round(i.cpuMs.user), system: Math.round(i.cpuMs.system) },
      cpuUsPerRequest: a.completed === 0 ? 0 : Math.round(((i.cpuMs.user + i.cpuMs.system) * 1000 * 100) / a.completed) / 100,
      bounds: i.bounds,
      delayMs: p(a.genDelay),
      readDelayMs: p(a.readDelay),
      threads: i.cpu.map((u, w) => {
        const th = a.threads.get(w);
        const nice = i.nice?.[w];
        return { worker: w, utilisation: Math.round(u * 1000) / 1000, eventLoopDelayMs: th?.eventLoopDelayMs ?? { p50: 0, p99: 0, max: 0 }, gcMs: th?.gcMs ?? { total: 0, max: 0 },
          ...(nice !== undefined ? { nice } : {}) };
      }),
      perSecond: {
        percentile: i.verdict?.percentile ?? 99,
        maxMs: i.verdict?.maxMs ?? i.bounds.maxLagP99Ms,
        worstMs: i.verdict?.worstMs ?? 0,
        worstSecond: i.verdict?.worstSecond ?? null,
        lateSeconds: i.verdict?.late ?? [],
      },
    },
    config: i.config,
    ...(i.start !== undefined ? { start: { ...i.start, releaseLagMs: releaseLagAtStart(a) } } : {}),
  };
}
