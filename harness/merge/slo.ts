/**
 * SLOs of a merged run are evaluated again on the merged data: a p99 over the union is not the
 * max (nor the mean) of the segments' p99s, and a windowed SLO ("p99 < 500 ms in every 10 s
 * window") can fail on the union while every segment passes it. The SLO lines come from the
 * segments' summaries (all segments ran the same plan, hence the same lines).
 *
 * This module evaluates the forms it can compute exactly from merged histograms and counts:
 * `p(N) < X`, `max < X` (latency, or service time when the metric names it, optionally for one
 * endpoint `{endpoint:...}`), `rate < X` (failed / total) and their windowed variants
 * (`over Ns` / `every Ns`), using the per-second histograms. A line it cannot parse keeps the
 * segments' joint verdict (all passed) and says so in a note: never a silent pass.
 *
 * @example
 * await evaluateMergedSlos(runs, merged, notes); // [{ name, threshold, value, pass }]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunData } from '../report/run-data.ts';
import { decode, emptyHistogram, type Histogram } from './histograms.ts';

export interface SloVerdict {
  name: string;
  threshold: string;
  value: number | null;
  pass: boolean;
  /** How the verdict was reached on the merged data. */
  merged: 'recomputed' | 'segments-all-passed';
}

export interface MergedData {
  summary: { requests: { total: number; failed: number } };
  series: Record<string, unknown>[];
  latency: Histogram;
  serviceTime: Histogram;
  endpointHists: Record<string, { latency: string; serviceTime: string }>;
}

interface Parsed {
  agg: { kind: 'p'; q: number } | { kind: 'max' } | { kind: 'rate' };
  op: '<' | '<=' | '>' | '>=';
  limit: number;
  windowS?: number;
  metric: 'latency' | 'serviceTime';
  endpoint?: string;
}

const RE = /(?:^|\s)(p\((\d+(?:\.\d+)?)\)|max|rate)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s)?(?:\s+(?:over|every|in every|per)\s+(\d+)\s*s(?:\s*window)?)?\s*$/;

export function parseSloLine(name: string, threshold: string): Parsed | undefined {
  const text = `${threshold}`.trim();
  const m = RE.exec(text);
  if (m === null) return undefined;
  const aggText = m[1]!;
  const agg = aggText === 'max' ? { kind: 'max' as const } : aggText === 'rate' ? { kind: 'rate' as const } : { kind: 'p' as const, q: Number(m[2]) };
  const unit = m[4] !== undefined && m[5] === 's' ? 1000 : 1;
  const where = `${name} ${text}`;
  const ep = /\{\s*endpoint\s*:\s*([^}]+)\}/.exec(where);
  const parsed: Parsed = {
    agg,
    op: m[3] as Parsed['op'],
    limit: Number(m[4]) * (agg.kind === 'rate' ? 1 : unit),
    metric: /service/i.test(where) ? 'serviceTime' : 'latency',
  };
  if (m[6] !== undefined) parsed.windowS = Number(m[6]);
  if (ep !== null) parsed.endpoint = ep[1]!.trim();
  return parsed;
}

function compare(v: number, op: Parsed['op'], limit: number): boolean {
  return op === '<' ? v < limit : op === '<=' ? v <= limit : op === '>' ? v > limit : v >= limit;
}

function valueOf(h: Histogram, agg: Parsed['agg']): number | null {
  if (h.totalCount === 0) return null;
  return (agg.kind === 'max' ? h.maxValue : h.getValueAtPercentile(agg.kind === 'p' ? agg.q : 100)) / 1000;
}

function evaluate(p: Parsed, runs: RunData[], merged: MergedData): number | null {
  if (p.agg.kind === 'rate') {
    if (p.windowS === undefined) return merged.summary.requests.total === 0 ? null : merged.summary.requests.failed / merged.summary.requests.total;
    let worst: number | null = null;
    for (const w of windows(merged.series.map((s) => s['t'] as number), p.windowS)) {
      const rows = merged.series.filter((s) => w.includes(s['t'] as number));
      const total = rows.reduce((a, r) => a + ((r['completed'] as number) ?? 0), 0);
      const failed = rows.reduce((a, r) => a + ((r['failed'] as number) ?? 0), 0);
      if (total > 0) worst = Math.max(worst ?? 0, failed / total);
    }
    return worst;
  }
  if (p.windowS === undefined) {
    const h = p.endpoint === undefined ? merged[p.metric] : decode(merged.endpointHists[p.endpoint]?.[p.metric] ?? '', `endpoint ${p.endpoint}`);
    return valueOf(h, p.agg);
  }
  if (p.endpoint !== undefined) return null;
  // Windowed: merge the segments' per-second histograms of each window, take the worst window.
  const perT = new Map<number, Histogram>();
  for (const r of runs) {
    for (const s of readPerSecond(r)) {
      const h = perT.get(s.t) ?? emptyHistogram();
      h.add(decode(p.metric === 'latency' ? s.latency : s.serviceTime, `${r.dir} perSecond t=${s.t}`));
      perT.set(s.t, h);
    }
  }
  let worst: number | null = null;
  for (const w of windows([...perT.keys()], p.windowS)) {
    const h = emptyHistogram();
    for (const t of w) h.add(perT.get(t)!);
    const v = valueOf(h, p.agg);
    if (v !== null) worst = worst === null ? v : p.op.startsWith('<') ? Math.max(worst, v) : Math.min(worst, v);
  }
  return worst;
}

function windows(ts: number[], size: number): number[][] {
  const sorted = [...new Set(ts)].sort((a, b) => a - b);
  const by = new Map<number, number[]>();
  for (const t of sorted) {
    const k = Math.floor(t / size);
    by.set(k, [...(by.get(k) ?? []), t]);
  }
  return [...by.values()];
}

function readPerSecond(r: RunData): Array<{ t: number; latency: string; serviceTime: string }> {
  const raw = JSON.parse(readFileSync(join(r.dir, 'histograms.json'), 'utf8')) as { perSecond?: Array<{ t: number; latency: string; serviceTime: string }> };
  return raw.perSecond ?? [];
}

export async function evaluateMergedSlos(runs: RunData[], merged: MergedData, notes: string[]): Promise<SloVerdict[]> {
  const lines = new Map<string, { name: string; threshold: string; passes: boolean[] }>();
  for (const r of runs) {
    for (const s of r.summary.slo) {
      const key = `${s.name}\u0000${s.threshold}`;
      const e = lines.get(key) ?? { name: s.name, threshold: s.threshold, passes: [] };
      e.passes.push(s.pass);
      lines.set(key, e);
    }
  }
  const out: SloVerdict[] = [];
  for (const e of lines.values()) {
    const parsed = parseSloLine(e.name, e.threshold);
    const value = parsed === undefined ? null : evaluate(parsed, runs, merged);
    if (parsed === undefined || value === null) {
      notes.push(`SLO '${e.name}: ${e.threshold}' could not be recomputed on the merged data; it passes only because every segment passed it`);
      out.push({ name: e.name, threshold: e.threshold, value: null, pass: e.passes.length === runs.length && e.passes.every(Boolean), merged: 'segments-all-passed' });
      continue;
    }
    out.push({ name: e.name, threshold: e.threshold, value, pass: compare(value, parsed.op, parsed.limit), merged: 'recomputed' });
  }
  return out;
}
