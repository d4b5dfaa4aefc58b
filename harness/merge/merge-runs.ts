/**
 * `picco report --merge DIR... --out DIR`: merges the run directories of N segments
 * (`picco run --segment K/N`) into one run directory a report reads like any other.
 *
 * What is exact: every count (requests, statuses, checks, outcomes, failures, per-second
 * counters) is a sum, and every latency percentile is read from the HDR histograms added
 * bucket by bucket, so the merged p99 is the union's p99, not a mean of p99s. Per-second rows
 * are aligned by wall clock (alignment.ts): each segment's second t is placed at the second its
 * t = 0 fell in on the reference clock, and the spread of the segments' actual starts (the
 * skew) beyond the lag bound makes the merged run invalid. What is bounded, not exact:
 * the per-second per-endpoint p99 (the engine writes it as a number, not a histogram), taken as
 * the max of the parts. SLOs are evaluated again on the merged data (see merge/slo.ts), which
 * k6-operator's per-pod thresholds cannot do.
 *
 * @example
 * const r = await mergeRuns(['out/seg-1', 'out/seg-2'], 'out/merged');
 * r.summary.latencyMs.p99; r.summary.pass;
 */
import { PiccoError } from '../errors.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadRun, RunDataError, type RunData, type Second } from '../report/run-data.ts';
import { decode, encode, mergeEncoded, percentilesOf, type PercentilesMs } from './histograms.ts';
import { evaluateMergedSlos, type SloVerdict } from './slo.ts';
import { alignSegments, type Alignment } from './alignment.ts';

export class MergeError extends PiccoError {
  constructor(message: string, options?: ErrorOptions) {
    super('PICCO_ERR_MERGE', message, options);
  }
}

const b64 = z.string();
const pair = z.object({ latency: b64, serviceTime: b64 });
export const histogramsSchema = z.looseObject({
  latency: b64,
  serviceTime: b64,
  lag: b64.optional(),
  endpoints: z.record(z.string(), pair).default({}),
  perSecond: z.array(z.object({ t: z.number(), latency: b64, serviceTime: b64 })).default([]),
});
export type HistogramsFile = z.infer<typeof histogramsSchema>;

export interface MergedEndpoint {
  count: number;
  ok: number;
  failed: number;
  status: Record<string, number>;
  latencyMs: PercentilesMs;
  serviceTimeMs: PercentilesMs;
}

export interface MergeResult {
  out: string;
  summary: Record<string, unknown> & { pass: boolean; valid: boolean; invalidReasons: string[]; slo: SloVerdict[]; latencyMs: PercentilesMs; requests: { total: number; ok: number; failed: number; dropped: number } };
  series: Record<string, unknown>[];
  notes: string[];
  alignment: Alignment;
}

/** The run with its rows moved `shiftS` seconds later (wall-clock alignment). */
function shifted(run: RunData, h: HistogramsFile, shiftS: number): { run: RunData; hist: HistogramsFile } {
  if (shiftS === 0) return { run, hist: h };
  return {
    run: { ...run, series: run.series.map((s) => ({ ...s, t: s.t + shiftS })) },
    hist: { ...h, perSecond: h.perSecond.map((p) => ({ ...p, t: p.t + shiftS })) },
  };
}

function readHistograms(dir: string): HistogramsFile {
  const path = join(dir, 'histograms.json');
  if (!existsSync(path)) throw new MergeError(`${path} not found: an exact merge needs the histograms every picco run writes; rerun the segment with a current picco`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MergeError(`${path} is not JSON: ${(err as Error).message}`);
  }
  const r = histogramsSchema.safeParse(raw);
  if (!r.success) throw new MergeError(`${path}: ${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

function addInto(into: Record<string, number>, from: Record<string, number> | undefined): void {
  if (from === undefined) return;
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const maxOf = (xs: Array<number | null | undefined>) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length === 0 ? null : Math.max(...v);
};

function segmentOf(run: RunData): string | undefined {
  const s = run.summary.config?.['segment'];
  return typeof s === 'string' ? s : undefined;
}

/** Warns (never fails) when the segments given are not exactly 1/N .. N/N once each. */
function segmentNotes(runs: RunData[]): string[] {
  const segs = runs.map(segmentOf);
  if (segs.some((s) => s === undefined)) return ['some runs do not record their --segment; merged as given'];
  const parsed = segs.map((s) => /^(\d+)\/(\d+)$/.exec(s!)).map((m) => (m === null ? undefined : { k: Number(m[1]), n: Number(m[2]) }));
  if (parsed.some((p) => p === undefined)) return [];
  const n = parsed[0]!.n;
  const ks = new Set(parsed.map((p) => p!.k));
  const notes: string[] = [];
  if (parsed.some((p) => p!.n !== n)) notes.push(`segments of different splits merged (${segs.join(', ')}): the union is not one schedule`);
  else if (ks.size !== parsed.length) notes.push(`a segment appears twice (${segs.join(', ')}): its arrivals are counted twice`);
  else if (ks.size !== n) notes.push(`only ${ks.size} of ${n} segments merged: the result is a partial run`);
  return notes;
}

function mergeSeries(runs: RunData[], hists: HistogramsFile[]): Record<string, unknown>[] {
  const byT = new Map<number, Second[]>();
  for (const run of runs) for (const s of run.series) byT.set(s.t, [...(byT.get(s.t) ?? []), s]);
  const histByT = new Map<number, { latency: string[]; serviceTime: string[] }>();
  for (const h of hists) {
    for (const p of h.perSecond) {
      const e = histByT.get(p.t) ?? { latency: [], serviceTime: [] };
      e.latency.push(p.latency);
      e.serviceTime.push(p.serviceTime);
      histByT.set(p.t, e);
    }
  }
  const ts = [...new Set([...byT.keys(), ...histByT.keys()])].sort((a, b) => a - b);
  return ts.map((t) => {
    const rows = byT.get(t) ?? [];
    const status: Record<string, number> = {};
    for (const r of rows) addInto(status, r.status);
    const endpoints: Record<string, { count: number; ok: number; failed: number; p99: number | null }> = {};
    for (const r of rows) {
      for (const [ep, e] of Object.entries(r.endpoints)) {
        const m = endpoints[ep] ?? { count: 0, ok: 0, failed: 0, p99: null };
        m.count += e.count;
        m.ok += e.ok;
        m.failed += e.failed;
        m.p99 = maxOf([m.p99, e.p99]);
        endpoints[ep] = m;
      }
    }
    const h = histByT.get(t);
    const lat = h === undefined ? undefined : percentilesOf(mergeEncoded(h.latency, `perSecond t=${t} latency`));
    const svc = h === undefined ? undefined : percentilesOf(mergeEncoded(h.serviceTime, `perSecond t=${t} serviceTime`));
    const drop = (p: PercentilesMs | undefined) => (p === undefined ? undefined : { p50: p.p50, p90: p.p90, p95: p.p95, p99: p.p99, max: p.max });
    return {
      t,
      intended: sum(rows.map((r) => r.intended)),
      started: sum(rows.map((r) => r.started)),
      completed: sum(rows.map((r) => r.completed)),
      ok: sum(rows.map((r) => r.ok)),
      failed: sum(rows.map((r) => r.failed)),
      dropped: sum(rows.map((r) => r.dropped)),
      inFlight: sum(rows.map((r) => r.inFlight)),
      status,
      ...(lat !== undefined ? { latencyMs: drop(lat) } : {}),
      ...(svc !== undefined ? { serviceTimeMs: drop(svc) } : {}),
      endpoints,
      lagMs: maxOf(rows.map((r) => r.lagMs)),
    };
  });
}

/** Merges the run directories `dirs` into `out` (created); returns what it wrote. */
export async function mergeRuns(dirs: readonly string[], out: string): Promise<MergeResult> {
  if (dirs.length === 0) throw new MergeError('no run directories to merge: give at least one RUN_DIR after --merge');
  const loaded = dirs.map((d) => {
    try {
      return loadRun(d);
    } catch (err) {
      if (err instanceof RunDataError) throw new MergeError(err.message);
      throw err;
    }
  });
  const alignment = alignSegments(loaded, (r) => segmentOf(r) ?? r.dir);
  const moved = loaded.map((r, k) => shifted(r, readHistograms(dirs[k]!), alignment.shiftS[k]!));
  const runs = moved.map((m) => m.run);
  const hists = moved.map((m) => m.hist);
  const scenarios = new Set(runs.map((r) => r.summary.scenario));
  if (scenarios.size > 1) throw new MergeError(`runs of different scenarios cannot be merged: ${[...scenarios].join(', ')}`);
  const notes = [...segmentNotes(runs), ...alignment.notes];

  const latency = mergeEncoded(hists.map((h) => h.latency), 'latency');
  const serviceTime = mergeEncoded(hists.map((h) => h.serviceTime), 'serviceTime');
  const epNames = [...new Set(runs.flatMap((r) => Object.keys(r.summary.endpoints)).concat(hists.flatMap((h) => Object.keys(h.endpoints))))].sort();
  const endpoints: Record<string, MergedEndpoint> = {};
  const epHists: Record<string, { latency: string; serviceTime: string }> = {};
  for (const ep of epNames) {
    const lat = mergeEncoded(hists.map((h) => h.endpoints[ep]?.latency), `endpoints[${ep}].latency`);
    const svc = mergeEncoded(hists.map((h) => h.endpoints[ep]?.serviceTime), `endpoints[${ep}].serviceTime`);
    epHists[ep] = { latency: encode(lat), serviceTime: encode(svc) };
    const status: Record<string, number> = {};
    for (const r of runs) addInto(status, r.summary.endpoints[ep]?.status);
    endpoints[ep] = {
      count: sum(runs.map((r) => r.summary.endpoints[ep]?.count ?? 0)),
      ok: sum(runs.map((r) => r.summary.endpoints[ep]?.ok ?? 0)),
      failed: sum(runs.map((r) => r.summary.endpoints[ep]?.failed ?? 0)),
      status,
      latencyMs: percentilesOf(lat),
      serviceTimeMs: percentilesOf(svc),
    };
  }

  const series = mergeSeries(runs, hists);
  const perSecondTs = [...new Set(hists.flatMap((h) => h.perSecond.map((p) => p.t)))].sort((a, b) => a - b);
  const enc = (h: ReturnType<typeof mergeEncoded>) => (h.totalCount > 0 ? encode(h) : '');
  const perSecond = perSecondTs.map((t) => ({
    t,
    latency: enc(mergeEncoded(hists.map((h) => h.perSecond.find((p) => p.t === t)?.latency), `perSecond t=${t}`)),
    serviceTime: enc(mergeEncoded(hists.map((h) => h.perSecond.find((p) => p.t === t)?.serviceTime), `perSecond t=${t}`)),
  }));

  const counters = (pick: (r: RunData) => Record<string, number> | undefined) => {
    const o: Record<string, number> = {};
    for (const r of runs) addInto(o, pick(r));
    return o;
  };
  const checks: Record<string, { pass: number; fail: number }> = {};
  for (const r of runs) {
    for (const [name, c] of Object.entries(r.summary.checks ?? {})) {
      const m = checks[name] ?? { pass: 0, fail: 0 };
      m.pass += c.pass;
      m.fail += c.fail;
      checks[name] = m;
    }
  }
  const first = runs[0]!.summary;
  const started = runs.map((r) => r.summary.startedAt).filter((s): s is string => s !== undefined).sort();
  const ended = runs.map((r) => r.summary.endedAt).filter((s): s is string => s !== undefined).sort();
  // Every counter the engine writes under `requests` (total, ok, failed, dropped, intended, started ...) is a sum.
  const requestKeys = [...new Set(runs.flatMap((r) => Object.keys(r.summary.requests)))];
  const requests = Object.fromEntries(requestKeys.map((k) => [k, sum(runs.map((r) => {
    const v = (r.summary.requests as Record<string, unknown>)[k];
    return typeof v === 'number' ? v : 0;
  }))])) as { total: number; ok: number; failed: number; dropped: number } & Record<string, number>;
  const invalidReasons = runs.flatMap((r) => (r.summary.valid ? [] : (r.summary.invalidReasons ?? ['invalid']).map((x) => `${segmentOf(r) ?? r.dir}: ${x}`)));
  if (alignment.invalidReason !== undefined) invalidReasons.push(alignment.invalidReason);
  const valid = invalidReasons.length === 0;
  const base = {
    schemaVersion: 1 as const,
    scenario: first.scenario,
    ...(first.target !== undefined ? { target: first.target } : {}),
    ...(started[0] !== undefined ? { startedAt: started[0] } : {}),
    ...(ended.length > 0 ? { endedAt: ended[ended.length - 1] } : {}),
    durationS: Math.max(...runs.map((r, k) => r.summary.durationS + alignment.shiftS[k]!)),
    requests,
    rate: {
      target: sum(runs.map((r) => r.summary.rate.target ?? 0)),
      achieved: sum(runs.map((r) => r.summary.rate.achieved ?? 0)),
    },
    latencyMs: percentilesOf(latency),
    serviceTimeMs: percentilesOf(serviceTime),
    endpoints,
    checks,
    outcomes: counters((r) => r.summary.outcomes),
    failures: counters((r) => r.summary.failures),
    ...(first.expected !== undefined ? { expected: first.expected } : {}),
    generator: {
      lagP99Ms: maxOf(runs.map((r) => r.summary.generator?.['lagP99Ms'] as number | undefined)),
      segments: runs.map((r) => r.summary.generator ?? {}),
    },
    config: { ...(first.config ?? {}), segment: 'merged', merged: runs.map((r) => segmentOf(r) ?? r.dir) },
    // Where each segment's t = 0 fell on the reference clock, and their spread (alignment.ts).
    start: { alignedBy: alignment.skewMs === null ? 'second-index' : 'wall-clock', intendedAt: alignment.intendedAt, skewMs: alignment.skewMs, boundMs: alignment.boundMs, segments: alignment.segments },
    valid,
    invalidReasons,
  };
  const hasLag = hists.every((h) => h.lag !== undefined);
  const lag = hasLag ? mergeEncoded(hists.map((h) => h.lag), 'lag') : undefined;
  const epTotals = new Map(epNames.map((ep) => [ep, { ...endpoints[ep]!, latency: decode(epHists[ep]!.latency, ep), serviceTime: decode(epHists[ep]!.serviceTime, ep) }]));
  const slo = evaluateMergedSlos(runs, { series, perSecond: new Map(perSecond.map((p) => [p.t, p])), latency, serviceTime, lag, endpoints: epTotals, checks }, notes);
  const summary = { ...base, slo, pass: valid && slo.every((s) => s.pass) };

  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(out, 'series.jsonl'), series.map((s) => JSON.stringify(s)).join('\n') + (series.length > 0 ? '\n' : ''));
  writeFileSync(join(out, 'histograms.json'), `${JSON.stringify({ latency: encode(latency), serviceTime: encode(serviceTime), ...(lag !== undefined ? { lag: encode(lag) } : {}), endpoints: epHists, perSecond })}\n`);
  return { out, summary, series, notes, alignment };
}
