/**
 * SLOs of a merged run are evaluated again, with the engine's own evaluator
 * (harness/slo), on the merged data: a p99 over the union is not the max (nor the mean)
 * of the segments' p99s, and a windowed SLO ("p(99)<500 in every 10s window") can fail on the
 * union while every segment passes it. The SLO lines are the segments' (summary.slo[].name is
 * the SLO's source line; every segment ran the same plan).
 *
 * What the run files hold decides what is exact: whole-run trends (any endpoint), request,
 * failure and drop counts (whole-run and windowed, endpoints included: series.jsonl has them per
 * second), windowed latency and service time without an endpoint tag (histograms.json has them
 * per second), whole-run checks. What they do not hold (per-second endpoint histograms,
 * per-second checks, per-second scheduling lag) keeps the segments' joint verdict, marked
 * `segments-all-passed` with a note: never a silent pass.
 *
 * @example
 * evaluateMergedSlos(runs, merged, notes); // [{ name, threshold, value, pass, merged }]
 */
import type { RunData } from '../report/run-data.ts';
import type { Aggregate, SecondRecord } from '../metrics/aggregate.ts';
import { evaluateSlo, type RunView, type SloResult } from '../slo/evaluate.ts';
import { parseSlo, SloSyntaxError, type Slo } from '../slo/parse.ts';
import type { Histogram } from './histograms.ts';

export interface SloVerdict extends Omit<SloResult, 'abortOnFail'> {
  /** How the verdict was reached on the merged data. */
  merged: 'recomputed' | 'segments-all-passed';
}

export interface MergedData {
  series: Record<string, unknown>[];
  /** Per-second merged histograms (base64), by t. */
  perSecond: Map<number, { latency: string; serviceTime: string }>;
  latency: Histogram;
  serviceTime: Histogram;
  lag: Histogram | undefined;
  endpoints: Map<string, { count: number; ok: number; failed: number; status: Record<string, number>; latency: Histogram; serviceTime: Histogram }>;
  checks: Record<string, { pass: number; fail: number }>;
}

/** True when the merged run files hold what `slo` needs to be evaluated exactly. */
export function recomputable(slo: Slo, hasLag: boolean): boolean {
  if (slo.metric === 'scheduling_lag') return slo.windowS === undefined && hasLag;
  if (slo.metric === 'checks') return slo.windowS === undefined;
  if ((slo.metric === 'http_req_duration' || slo.metric === 'http_req_service_time') && slo.windowS !== undefined) return slo.tag === undefined;
  return true;
}

function view(m: MergedData): RunView {
  const seconds: SecondRecord[] = m.series.map((s, i) => {
    const t = s['t'] as number;
    const h = m.perSecond.get(t);
    const eps = (s['endpoints'] ?? {}) as Record<string, { count: number; ok: number; failed: number }>;
    return {
      t,
      intended: (s['intended'] as number) ?? 0,
      started: (s['started'] as number) ?? 0,
      completed: (s['completed'] as number) ?? 0,
      ok: (s['ok'] as number) ?? 0,
      failed: (s['failed'] as number) ?? 0,
      dropped: (s['dropped'] as number) ?? 0,
      inFlight: (s['inFlight'] as number) ?? 0,
      status: (s['status'] as Record<string, number>) ?? {},
      // Per-second checks are not in the run files: the totals ride on the first second, which
      // is exact for whole-run check SLOs (the only ones `recomputable` lets through).
      checks: i === 0 ? m.checks : {},
      latency: h?.latency ?? '',
      serviceTime: h?.serviceTime ?? '',
      lag: '',
      endpoints: Object.fromEntries(Object.entries(eps).map(([k, e]) => [k, { count: e.count, ok: e.ok, failed: e.failed, status: {}, latency: '', serviceTime: '' }])),
    };
  });
  // The evaluator reads only these fields of the totals.
  const totals = { latency: m.latency, serviceTime: m.serviceTime, lag: m.lag, endpoints: m.endpoints } as unknown as Aggregate;
  return { seconds, totals };
}

export function evaluateMergedSlos(runs: RunData[], merged: MergedData, notes: string[]): SloVerdict[] {
  const lines = new Map<string, { passes: boolean[]; threshold: string }>();
  for (const r of runs) {
    for (const s of r.summary.slo) {
      const e = lines.get(s.name) ?? { passes: [], threshold: s.threshold };
      e.passes.push(s.pass);
      lines.set(s.name, e);
    }
  }
  const v = view(merged);
  const out: SloVerdict[] = [];
  for (const [name, e] of lines) {
    let slo: Slo | undefined;
    try {
      slo = parseSlo(name);
    } catch (err) {
      if (!(err instanceof SloSyntaxError)) throw err;
    }
    if (slo === undefined || !recomputable(slo, merged.lag !== undefined)) {
      notes.push(`SLO '${name}' cannot be recomputed from the run files; it ${e.passes.every(Boolean) && e.passes.length === runs.length ? 'passes because every segment passed it' : 'fails because a segment failed it'}`);
      out.push({ name, threshold: e.threshold, value: null, pass: e.passes.length === runs.length && e.passes.every(Boolean), by: 0, merged: 'segments-all-passed' });
      continue;
    }
    const { abortOnFail: _drop, ...r } = evaluateSlo(slo, v);
    out.push({ ...r, merged: 'recomputed' });
  }
  return out;
}
