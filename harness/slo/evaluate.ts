/**
 * The pure SLO evaluator. Whole-run SLOs read the run's merged totals; window SLOs slide a
 * window of W seconds over the per-second records (1 s steps) keeping a running histogram
 * (add the entering second, subtract the leaving one: exact, O(seconds)), and report the worst
 * window. "By how much" is the distance from the threshold in the metric's unit.
 *
 * @example
 * evaluateSlos([parseSlo('http_req_failed: rate<0.01')], viewOf(aggregate));
 */
import { decode, newHistogram, type Histogram } from '../metrics/histogram.ts';
import type { Aggregate, SecondRecord } from '../metrics/aggregate.ts';
import { compare, METRICS, type Slo } from './parse.ts';

/** What the evaluator reads: the finalized seconds and the merged totals. */
export interface RunView {
  seconds: readonly SecondRecord[];
  totals: Aggregate;
}

export interface SloResult {
  name: string;
  threshold: string;
  value: number | null;
  pass: boolean;
  /** Signed distance past the threshold when failed (value − threshold), else 0. */
  by: number;
  /** For window SLOs: the worst window [startS, endS). */
  window?: { startS: number; endS: number };
  abortOnFail: boolean;
}

interface Counts {
  reqs: number;
  failed: number;
  checkPass: number;
  checkFail: number;
  dropped: number;
  intended: number;
  seconds: number;
}

function trendValue(h: Histogram | undefined, slo: Slo): number | null {
  if (h === undefined || h.totalCount === 0) return null;
  const a = slo.aggregate;
  const us =
    a.kind === 'p' ? h.getValueAtPercentile(a.p) : a.kind === 'avg' ? h.mean : a.kind === 'min' ? h.getValueAtPercentile(0) : a.kind === 'max' ? h.maxValue : h.getValueAtPercentile(50);
  return Math.round(us) / 1000;
}

function countValue(c: Counts, slo: Slo): number | null {
  switch (slo.metric) {
    case 'http_req_failed':
      return c.reqs === 0 ? null : c.failed / c.reqs;
    case 'checks': {
      const n = c.checkPass + c.checkFail;
      return n === 0 ? null : c.checkPass / n;
    }
    case 'http_reqs':
      return slo.aggregate.kind === 'count' ? c.reqs : c.seconds === 0 ? null : c.reqs / c.seconds;
    case 'dropped_iterations':
      return slo.aggregate.kind === 'count' ? c.dropped : c.intended === 0 ? null : c.dropped / c.intended;
    default:
      return null;
  }
}

function secondCounts(r: SecondRecord, slo: Slo): Counts {
  const ep = slo.tag?.key === 'endpoint' ? r.endpoints[slo.tag.value] : undefined;
  const useEp = slo.tag?.key === 'endpoint';
  let checkPass = 0;
  let checkFail = 0;
  for (const [name, c] of Object.entries(r.checks)) {
    if (slo.tag?.key === 'check' && slo.tag.value !== name) continue;
    checkPass += c.pass;
    checkFail += c.fail;
  }
  return {
    reqs: useEp ? (ep?.count ?? 0) : r.completed,
    failed: useEp ? (ep?.failed ?? 0) : r.failed,
    checkPass,
    checkFail,
    dropped: r.dropped,
    intended: r.intended,
    seconds: 1,
  };
}

function secondTrend(r: SecondRecord, slo: Slo): string {
  if (slo.metric === 'scheduling_lag') return r.lag;
  const src = slo.tag?.key === 'endpoint' ? r.endpoints[slo.tag.value] : r;
  if (src === undefined) return '';
  return slo.metric === 'http_req_duration' ? src.latency : src.serviceTime;
}

function totalsValue(slo: Slo, v: RunView): number | null {
  const t = v.totals;
  if (METRICS[slo.metric] === 'trend') {
    if (slo.metric === 'scheduling_lag') return trendValue(t.lag, slo);
    const src = slo.tag?.key === 'endpoint' ? t.endpoints.get(slo.tag.value) : t;
    if (src === undefined) return null;
    return trendValue(slo.metric === 'http_req_duration' ? src.latency : src.serviceTime, slo);
  }
  const c: Counts = { reqs: 0, failed: 0, checkPass: 0, checkFail: 0, dropped: 0, intended: 0, seconds: 0 };
  for (const r of v.seconds) {
    const s = secondCounts(r, slo);
    c.reqs += s.reqs;
    c.failed += s.failed;
    c.checkPass += s.checkPass;
    c.checkFail += s.checkFail;
    c.dropped += s.dropped;
    c.intended += s.intended;
    c.seconds += 1;
  }
  return countValue(c, slo);
}

/** How far past the threshold a value is (bigger is worse). */
function badness(slo: Slo, value: number): number {
  if (slo.op === '<' || slo.op === '<=') return value - slo.value;
  if (slo.op === '>' || slo.op === '>=') return slo.value - value;
  return compare(value, slo.op, slo.value) ? -1 : 1;
}

/** Worst value over every window of slo.windowS seconds; `from` limits to windows ending after it. */
function windowValue(slo: Slo, v: RunView, from = 0): { value: number | null; pass: boolean; window?: { startS: number; endS: number } } {
  const secs = v.seconds;
  const w = Math.min(slo.windowS!, Math.max(1, secs.length));
  const trend = METRICS[slo.metric] === 'trend';
  const h = trend ? newHistogram() : undefined;
  const c: Counts = { reqs: 0, failed: 0, checkPass: 0, checkFail: 0, dropped: 0, intended: 0, seconds: 0 };
  let worst: { value: number | null; pass: boolean; window?: { startS: number; endS: number } } = { value: null, pass: true };
  const startAt = Math.max(0, from - w);
  for (let i = startAt; i < secs.length; i++) {
    const r = secs[i]!;
    if (trend) {
      const b = secondTrend(r, slo);
      if (b !== '') h!.add(decode(b));
    } else {
      const s = secondCounts(r, slo);
      c.reqs += s.reqs; c.failed += s.failed; c.checkPass += s.checkPass; c.checkFail += s.checkFail; c.dropped += s.dropped; c.intended += s.intended; c.seconds += 1;
    }
    const leaving = i - w;
    if (leaving >= startAt) {
      const o = secs[leaving]!;
      if (trend) {
        const b = secondTrend(o, slo);
        if (b !== '') h!.subtract(decode(b));
      } else {
        const s = secondCounts(o, slo);
        c.reqs -= s.reqs; c.failed -= s.failed; c.checkPass -= s.checkPass; c.checkFail -= s.checkFail; c.dropped -= s.dropped; c.intended -= s.intended; c.seconds -= 1;
      }
    }
    if (i + 1 < w && i + 1 < secs.length) continue; // window not full yet
    const value = trend ? trendValue(h, slo) : countValue(c, slo);
    const pass = value === null || compare(value, slo.op, slo.value);
    const window = { startS: secs[Math.max(0, i + 1 - w)]!.t, endS: r.t + 1 };
    if (value !== null && (worst.value === null || badness(slo, value) > badness(slo, worst.value))) worst = { value, pass, window };
  }
  return worst;
}

export function evaluateSlo(slo: Slo, v: RunView, opts: { lastWindowOnly?: boolean } = {}): SloResult {
  let value: number | null;
  let pass: boolean;
  let window: { startS: number; endS: number } | undefined;
  if (slo.windowS !== undefined) {
    const r = windowValue(slo, v, opts.lastWindowOnly === true ? v.seconds.length - 1 : 0);
    value = r.value;
    pass = r.pass;
    window = r.window;
  } else {
    value = totalsValue(slo, v);
    pass = value === null || compare(value, slo.op, slo.value);
  }
  const rounded = value === null ? null : Math.round(value * 1e6) / 1e6;
  const res: SloResult = {
    name: slo.source,
    threshold: `${slo.op}${slo.value}`,
    value: rounded,
    pass,
    by: pass || value === null ? 0 : Math.round((value - slo.value) * 1e6) / 1e6,
    abortOnFail: slo.abortOnFail,
  };
  if (window !== undefined) res.window = window;
  return res;
}

export function evaluateSlos(slos: readonly Slo[], v: RunView): SloResult[] {
  return slos.map((s) => evaluateSlo(s, v));
}

/** The abortOnFail SLOs failing now (evaluated on the run so far, after their delay). */
export function abortingFailures(slos: readonly Slo[], v: RunView, elapsedS: number): SloResult[] {
  return slos
    .filter((s) => s.abortOnFail && elapsedS >= s.delayAbortEvalS)
    .map((s) => evaluateSlo(s, v, { lastWindowOnly: true }))
    .filter((r) => !r.pass);
}

/** "p(99)=81.2 ms, 31.2 over <50" style explanation for humans. */
export function explain(r: SloResult, slo: Slo): string {
  const unit = METRICS[slo.metric] === 'trend' ? ' ms' : '';
  const where = r.window !== undefined ? ` in window ${r.window.startS}s-${r.window.endS}s` : '';
  if (r.value === null) return `${r.name}: no data (passes)`;
  return r.pass
    ? `${r.name}: ${r.value}${unit} (pass)`
    : `${r.name}: ${r.value}${unit}${where}, ${Math.abs(r.by)}${unit} ${r.by > 0 ? 'over' : 'under'} ${r.threshold}`;
}
